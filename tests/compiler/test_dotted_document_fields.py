"""Document fields with dots: catalog codes such as ASSIGNED_BY.LAST_NAME, and fields of a
referenced document (a deal's CONTACT.NAME), which are read-only."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import build


def _build(tmp_path: Path, body: str) -> tuple[list[str], list[dict[str, object]]]:
    source = tmp_path / "dotted.bpl"
    source.write_text(f"workflow d for crm.deal {{\n{body}\n}}\n", encoding="utf-8")
    result = build([source])
    codes = [d.code for d in result.diagnostics]
    children = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"] \
        if result.templates else []
    return codes, children


def test_dotted_fields_are_read(tmp_path: Path) -> None:
    codes, children = _build(tmp_path, '    log "{doc.ASSIGNED_BY.LAST_NAME} {doc.CONTACT.NAME}"')
    assert codes == []
    text = children[0]["Properties"]["Text"]
    assert text == "{=Document:ASSIGNED_BY.LAST_NAME} {=Document:CONTACT.NAME}"


def test_referenced_fields_are_read_only(tmp_path: Path) -> None:
    codes, _ = _build(tmp_path, '    set doc.CONTACT.NAME = "x"')
    assert codes == ["E202"]


def test_unknown_dotted_field(tmp_path: Path) -> None:
    codes, _ = _build(tmp_path, '    log "{doc.CONTACT.NOPE} {doc.TITLE.X}"')
    assert codes == ["E100", "E100"]
