"""Options on a macro call: `disabled` switches off the whole expansion; a title, label or
comment has no single activity to go to and is refused (they used to be dropped silently)."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import build

MACRO = 'macro two(t) {\n    log "{t}"\n    log "again {t}"\n}\n'


def _build(tmp_path: Path, call: str) -> tuple[list[str], list[str]]:
    source = tmp_path / "macro.bpl"
    source.write_text(MACRO + f"workflow m for crm.deal {{\n    {call}\n    log \"after\"\n}}\n",
                      encoding="utf-8")
    result = build([source])
    codes = [d.code for d in result.diagnostics]
    if not result.templates:
        return codes, []
    children = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"]
    return codes, [child["Activated"] for child in children]


def test_disabled_macro_call_switches_off_its_expansion(tmp_path: Path) -> None:
    assert _build(tmp_path, 'two("a") disabled') == ([], ["N", "N", "Y"])


def test_enabled_macro_call(tmp_path: Path) -> None:
    assert _build(tmp_path, 'two("a")') == ([], ["Y", "Y", "Y"])


def test_title_label_or_comment_on_a_macro_call_is_refused(tmp_path: Path) -> None:
    for options in ('title "T"', "as x", 'comment "c"'):
        codes, _ = _build(tmp_path, f'two("a") {options}')
        assert codes == ["E400"], options
