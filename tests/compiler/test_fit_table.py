"""The rule table of docs/language.md §6.1 is what the checker does: every cell is built.

Each value of the table's first column is assigned to a variable of each column's type (and,
for literals, given as that variable's default); the diagnostics must be what the cell says:
✓ none, ✗ E200 (E201 for a default), ⚠ W203. A default of a bool is `true` or `false` only,
as the table's notes say.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.pipeline import build
from compiler.semantics.environment import Environment

DOCS = Path(__file__).resolve().parents[2] / "docs" / "language.md"
_SECTION = re.compile(r"^### 6\.1 .*?$(.*?)^#", re.MULTILINE | re.DOTALL)
_DECLARED = "var s: string\n    var n: int\n    var f: double\n    var b: bool\n" \
            "    var d: date\n    var u: user\n"
_MARKS = {"✓": None, "✗": "E200", "⚠": "W203"}


def table() -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The column types and the rows (value, marks) of the table in §6.1."""
    match = _SECTION.search(DOCS.read_text(encoding="utf-8"))
    assert match, "docs/language.md has no section 6.1"
    lines = [line for line in match.group(1).splitlines() if line.startswith("| ")]
    head = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert head[0] == "value"
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        value = re.match(r"`([^`]+)`", cells[0])
        assert value, f"no value in {line!r}"
        rows.append((value.group(1), cells[1:]))
    return head[1:], rows


COLUMNS, ROWS = table()
CELLS = [(value, column, mark) for value, marks in ROWS
         for column, mark in zip(COLUMNS, marks, strict=True)]


def _diagnostics(tmp_path: Path, lines: list[str]) -> dict[int, set[str]]:
    """Build one workflow of `lines` (one per cell, from line 8 on): codes by line."""
    source = tmp_path / "table.bpl"
    source.write_text("workflow w for crm.deal {\n    " + _DECLARED + "\n".join(lines) +
                      "\n    log \"end\"\n}\n", encoding="utf-8")
    result = build([source], Environment())
    found: dict[int, set[str]] = {}
    for diagnostic in result.diagnostics:
        if diagnostic.code in ("E200", "E201", "W203"):  # not W110: the variables are unused
            found.setdefault(diagnostic.span.line, set()).add(diagnostic.code)
    return found


def _expected(code: str | None) -> set[str]:
    return set() if code is None else {code}


def test_the_table_has_every_kind_of_value() -> None:
    assert COLUMNS == ["string", "int", "double", "bool", "date", "user", "file"]
    assert len(ROWS) >= 15
    assert all(set(marks) <= set(_MARKS) for _, marks in ROWS)


def test_assignments_follow_the_table(tmp_path: Path) -> None:
    declarations = [f"var t{i}: {column}" for i, (_, column, _) in enumerate(CELLS)]
    assignments = [f"var.t{i} = {value}" for i, (value, _, _) in enumerate(CELLS)]
    first = 8 + len(declarations)
    found = _diagnostics(tmp_path, [*declarations, *assignments])
    wrong = [f"{value} → {column}: table says {mark}, checker says "
             f"{sorted(found.get(first + i, set())) or 'nothing'}"
             for i, (value, column, mark) in enumerate(CELLS)
             if found.get(first + i, set()) != _expected(_MARKS[mark])]
    assert not wrong, "\n".join(wrong)


def test_defaults_follow_the_table(tmp_path: Path) -> None:
    # Literals only: a reference, user(…) or a text with interpolations is no literal.
    literals = [(value, column, mark) for value, column, mark in CELLS
                if not value.startswith(("var.", "user(")) and "{" not in value]
    lines = [f"var t{i}: {column} = {value}" for i, (value, column, _) in enumerate(literals)]
    found = _diagnostics(tmp_path, lines)
    wrong = []
    for i, (value, column, mark) in enumerate(literals):
        code = _MARKS[mark]
        if column == "bool" and value not in ("true", "false"):
            code = "E201"  # a default is stored as written: true or false only
        elif code == "E200":
            code = "E201"
        if found.get(8 + i, set()) != _expected(code):
            wrong.append(f"{value} as a default of {column}: expected {code}, checker says "
                         f"{sorted(found.get(8 + i, set())) or 'nothing'}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("value", "help_word"), [
    ('"abc"', "Bitrix reads it as 0"), ('"2.5"', "Bitrix stores 2"),
])
def test_a_misfit_says_what_bitrix_makes_of_it(tmp_path: Path, value: str,
                                               help_word: str) -> None:
    source = tmp_path / "w.bpl"
    source.write_text(f"workflow w for crm.deal {{\n    var n: int\n    var.n = {value}\n}}\n",
                      encoding="utf-8")
    [diagnostic] = build([source], Environment()).diagnostics
    assert help_word in diagnostic.message
