"""bpl's parser against lark's own, on the same grammar: the same tree (rules, aliases, tokens
with their positions, placeholders) for every text lark accepts, and the same error (kind,
position, the token, what was expected) for every text it refuses."""

from __future__ import annotations

import functools
from typing import Any

import lark
from lark.exceptions import UnexpectedCharacters as LarkCharacters
from lark.exceptions import UnexpectedToken as LarkToken

from compiler.resources import grammar_dir
from compiler.syntax.grammar import parser
from compiler.syntax.lalr import MAX_NESTING, Token, UnexpectedCharacters, UnexpectedToken
from compiler.syntax.reduce import Part, reducers
from compiler.syntax.tables import STARTS, tables


@functools.cache
def lark_parser() -> lark.Lark:
    return lark.Lark((grammar_dir() / "bpl.lark").read_text(encoding="utf-8"), parser="lalr",
                     lexer="contextual", maybe_placeholders=True, start=list(STARTS))


class _TreeBuilder:
    """Builds lark's tree shape, (rule or alias, children), from bpl's reductions."""

    file = "t.bpl"
    unknown = None

    @staticmethod
    def method(name: str) -> Any:
        return lambda builder, span, children: (name, list(children))


@functools.cache
def _tree_reducers() -> list[Any]:
    return reducers(tables(), _TreeBuilder.method)


def ours(text: str, start: str = "start") -> Any:
    """bpl's reading of `text`: a tree, or the error as a comparable tuple."""
    try:
        return _plain(parser().parse(text, start, _tree_reducers(), _TreeBuilder()))
    except UnexpectedCharacters as error:
        return ("characters", error.pos)
    except UnexpectedToken as error:
        token = error.token
        place = token.start if token.type != "$END" else None
        return ("token", token.type, token.value, place, sorted(error.expected))


def theirs(text: str, start: str = "start") -> Any:
    """lark's reading of `text`, in the same form."""
    try:
        return _plain(lark_parser().parse(text, start=start))
    except LarkCharacters as error:
        return ("characters", error.pos_in_stream)
    except LarkToken as error:
        token = error.token
        place = token.start_pos if token.type != "$END" else None
        return ("token", token.type, str(token.value), place, sorted(error.expected))


def _plain(node: Any) -> Any:
    if isinstance(node, Part):
        return _plain(node.value)
    if isinstance(node, lark.Tree):
        return (str(node.data), [_plain(c) for c in node.children])
    if isinstance(node, lark.Token):
        return ("token", node.type, str(node.value), node.start_pos, node.end_pos, node.line,
                node.column, node.end_line, node.end_column)
    if isinstance(node, Token):
        return ("token", node.type, node.value, node.start, node.end, node.line, node.column,
                node.end_line, node.end_column)
    if isinstance(node, tuple):
        return (node[0], [_plain(c) for c in node[1]])
    return node


def too_deep(text: str) -> bool:
    """Nesting bpl refuses before lark would see the end of it (lark has no such limit)."""
    depth = deepest = 0
    for char in text:
        depth += char in "{(["
        depth -= char in "})]" and depth > 0
        deepest = max(deepest, depth)
    return deepest > MAX_NESTING
