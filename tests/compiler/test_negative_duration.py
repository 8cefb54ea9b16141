"""`-2d` is a negative interval: `dateadd(x, -2d)` lowers to Bitrix's "-2d", not an error."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import build


def _build(tmp_path: Path, body: str) -> tuple[list[str], list[dict[str, object]]]:
    source = tmp_path / "negative.bpl"
    source.write_text(f"workflow n for crm.deal {{\n    var d: datetime\n{body}\n}}\n",
                      encoding="utf-8")
    result = build([source])
    codes = [d.code for d in result.diagnostics]
    children = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"] \
        if result.templates else []
    return codes, children


def test_negative_duration_in_a_formula(tmp_path: Path) -> None:
    codes, children = _build(tmp_path, "    var.d = dateadd(doc.BEGINDATE, -2d)")
    assert codes == []
    value = children[0]["Properties"]["VariableValue"]["d"]
    assert value == '=dateadd({=Document:BEGINDATE}, "-2d")'


def test_negative_timeout_is_refused(tmp_path: Path) -> None:
    codes, _ = _build(tmp_path, '    approve "A" by user(1) { timeout -2d }\n'
                                '    var.d = system.now')
    assert codes == ["E303"]
