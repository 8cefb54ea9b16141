"""Names, labels and descriptions are shown as written: an interpolation there is refused
instead of reaching the portal as a broken token."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import build

CASES = {
    "workflow title": 'title "Deal {doc.TITLE}"',
    "workflow description": 'description "About {doc.TITLE}"',
    "parameter label": 'param p: string "Label {doc.TITLE}"',
    "variable description": 'var v: string "V" "About {doc.TITLE}"',
    "select caption": 'var s: select { a: "A {doc.TITLE}" }',
    "field label": 'field f: string = "UF_CRM_F" "F {doc.TITLE}"',
}


@pytest.mark.parametrize("header", CASES.values(), ids=CASES.keys())
def test_interpolation_in_a_static_text_is_refused(tmp_path: Path, header: str) -> None:
    source = tmp_path / "static.bpl"
    source.write_text(f"workflow w for crm.deal {{\n    {header}\n    log \"x\"\n}}\n",
                      encoding="utf-8")
    assert [d.code for d in build([source]).diagnostics] == ["E004"]


def test_plain_and_escaped_braces_are_fine(tmp_path: Path) -> None:
    source = tmp_path / "static.bpl"
    source.write_text('workflow w for crm.deal {\n    title "Deal \\{approval\\}"\n'
                      '    param p: string "Limit" "Per deal"\n    log "{param.p}"\n}\n',
                      encoding="utf-8")
    result = build([source])
    assert [d.code for d in result.diagnostics] == []
    assert result.templates[0].name == "Deal {approval}"
