"""After a syntax error, recovery (compiler/syntax/recovery.py) parses on one token at a time
(Parser.token_at, Parser.feed): the steps Parser.parse takes inline at full speed. Both must read
every text alike: the same tokens, or the same error with the same parser stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.syntax.grammar import parser
from compiler.syntax.lalr import ParseError, Token, UnexpectedCharacters, UnexpectedToken
from compiler.syntax.tables import tables
from tests.compiler.lark_reference import too_deep
from tests.compiler.test_parser_matches_lark import SOURCES, variants

REPO = Path(__file__).resolve().parents[2]


def _tokens(builder: Any, children: list[Any]) -> list[Token]:
    """A reduction that keeps every token its rule covers, in order."""
    return [token for child in children
            for token in (child if isinstance(child, list) else [child])]


def _error(error: ParseError, states: list[int]) -> tuple[Any, ...]:
    if isinstance(error, UnexpectedCharacters):
        return ("characters", error.pos, error.line, error.column, error.allowed, states)
    assert isinstance(error, UnexpectedToken)
    return ("token", error.token, error.expected, error.previous, error.open_brace, states)


def at_full_speed(text: str) -> Any:
    try:
        return parser().parse(text, "start", [_tokens] * len(tables().rules), None)
    except (UnexpectedCharacters, UnexpectedToken) as error:
        return _error(error, error.states)


def step_by_step(text: str) -> Any:
    steps = parser()
    states, values = [steps.start_state("start")], []
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    previous = None
    try:
        while True:
            token = steps.token_at(text, pos, line, line_start, states[-1], previous)
            if steps.feed(token, "start", states, values, previous):
                return tokens
            tokens.append(token)
            previous = token
            pos, line, line_start = token.end, token.end_line, token.end - token.end_column + 1
    except (UnexpectedCharacters, UnexpectedToken) as error:
        return _error(error, states)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_source_and_its_broken_variants_read_alike_step_by_step(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for variant in [text, *variants(text, 12)]:
        if not too_deep(variant):
            assert step_by_step(variant) == at_full_speed(variant), variant
