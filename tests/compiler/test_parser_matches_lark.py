"""bpl runs lark's parse tables with a lexer and a loop of its own (compiler/syntax/lalr.py):
it must read every text exactly as lark reads it. The samples, the fixtures and texts broken
from them at many places are read by both and compared: the same tree, tokens and positions,
or the same error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.compiler.lark_reference import ours, theirs, too_deep

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted([*REPO.glob("samples/**/*.bpl"), *REPO.glob("tests/fixtures/**/*.bpl")])


def variants(text: str, count: int) -> list[str]:
    """The text cut short, with a character dropped, and with a piece repeated, at `count`
    places spread over it."""
    step = max(1, len(text) // count)
    found = []
    for at in range(0, len(text), step):
        found += [text[:at], text[:at] + text[at + 1:], text[:at] + text[at:at + 9] + text[at:]]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_source_and_its_broken_variants_read_as_lark_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for variant in [text, *variants(text, 12)]:
        if not too_deep(variant):
            assert ours(variant) == theirs(variant), variant


@pytest.mark.parametrize("text", [
    "doc.TITLE", "var.x + 1", "f(a, b: 2) & \"x\"", "not x in [1, 2]", "title", "x |", "(",
    "a.b.c | upper | printable", "-3d", "1 +", "\"unterminated", "x @ y", "",
])
def test_expressions_read_as_lark_reads_them(text: str) -> None:
    assert ours(text, "expr") == theirs(text, "expr")


def test_keywords_used_as_names_and_names_like_keywords() -> None:
    # The contextual lexer: a keyword is a name where no keyword fits, a name that starts like
    # a keyword is a name, priorities of the keyword terminals (var, required, and wait).
    text = """workflow w for crm.deal {
    var title: string = "x"
    var variance: int required "V" "Variance"
    param first_step: int
    set var.title = doc.status & var.variance
    start and wait workflow 5 for doc.ID
    start workflow var.first_step for doc.ID
    assign doc.ASSIGNED_BY_ID first
    wait for var.variance days
}
"""
    assert ours(text) == theirs(text)
    assert ours(text)[0] == "start"
