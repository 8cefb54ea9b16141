"""`bpl explain` and docs/language.md §13 say the same: one row per code, with the rule's
name and its summary word for word, and no code on one side only."""

from __future__ import annotations

import re
from pathlib import Path

from compiler.diagnostics import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "language.md"
_ROW = re.compile(r"^\| ([EWI]\d{3}) \| ([a-z-]+) \| (.*) \|$", re.MULTILINE)


def documented() -> dict[str, tuple[str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## 13. Diagnostics"):text.index("## 14.")]
    # `code` in the docs is 'code' in a terminal.
    return {code: (name, meaning.replace("`", "'"))
            for code, name, meaning in _ROW.findall(section)}


def test_every_code_is_documented_and_every_documented_code_exists() -> None:
    assert sorted(documented()) == sorted(RULES)


def test_the_docs_say_what_explain_says() -> None:
    rows = documented()
    wrong = [f"{code}: docs say {rows[code]!r}, explain says {(rule.name, rule.summary)!r}"
             for code, rule in RULES.items()
             if code in rows and rows[code] != (rule.name, rule.summary)]
    assert not wrong, "\n".join(wrong)
