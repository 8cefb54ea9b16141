"""Triple-quoted strings drop their source layout: the break after the opening quotes, the
common indentation and the break before closing quotes on their own line."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import build

CASES = {
    "indented block": ('"""\n        Amount: {doc.OPPORTUNITY}\n          more\n        """',
                       "Amount: {=Document:OPPORTUNITY}\n  more"),
    "first line on the quotes": ('"""Legal: {doc.TITLE}\n        Finance: ok"""',
                                 "Legal: {=Document:TITLE}\nFinance: ok"),
    "flush text keeps blank lines": ('"""Hello,\n\nbye"""', "Hello,\n\nbye"),
    "one line": ('"""one {doc.TITLE}"""', "one {=Document:TITLE}"),
    "escaped newline is text": ('"""a\\n    b"""', "a\n    b"),
}


@pytest.mark.parametrize(("literal", "expected"), CASES.values(), ids=CASES.keys())
def test_layout_is_not_part_of_the_text(tmp_path: Path, literal: str, expected: str) -> None:
    source = tmp_path / "long.bpl"
    source.write_text(f"workflow w for crm.deal {{\n    log {literal}\n}}\n", encoding="utf-8")
    result = build([source])
    assert [d.code for d in result.diagnostics] == []
    log = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"][0]
    assert log["Properties"]["Text"] == expected


def test_interpolation_positions_survive(tmp_path: Path) -> None:
    source = tmp_path / "long.bpl"
    text = 'workflow w for crm.deal {\n    log """\n        x {doc.NOPE}\n        """\n}\n'
    source.write_text(text, encoding="utf-8")
    result = build([source])
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "E100"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 12)
