"""String literals: a Text node back into .bpl source that reads as exactly the same text.

A text with a line break is written triple-quoted, one line of text per source line, indented
one step deeper than the construct (the parser drops that indentation and the line breaks
around the quotes); any other text in double quotes. Only what must be escaped is escaped.

Inside an interpolation (`"… {f(\\"x\\")} …"`) a string's quotes are escaped, since the whole
interpolation sits inside the outer string; a string there cannot itself hold a quote or an
interpolation with strings, and asking for one raises `Unprintable`.
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.format.writer import INDENT
from compiler.syntax import ast
from compiler.syntax.strings import ESCAPES


class Unprintable(ValueError):
    """A syntax tree that no .bpl source spells (only possible for generated trees)."""


# Every character the parser reads from an escape, written as that escape.
_SHORT = {value: "\\" + written for written, value in ESCAPES.items()}
_LONG = {k: v for k, v in _SHORT.items() if k != "\n"}
# A verbatim Bitrix token keeps its braces (the parser finds its end by matching them).
_RAW = {k: v for k, v in _SHORT.items() if k not in "{}"}

ExprWriter = Callable[[ast.Expr, int], str]  # (expression, interpolation depth) → source


def escape(text: str, table: dict[str, str]) -> str:
    return "".join(table.get(ch, ch) for ch in text)


def plain_literal(text: str) -> str:
    """A plain string literal (import paths, type arguments, option keys)."""
    return '"' + escape(text, _SHORT) + '"'


def text_literal(node: ast.Text, expr: ExprWriter, *, indent: int, depth: int = 0) -> str:
    """`node` as a string literal. `depth` is the number of enclosing interpolations."""
    if depth >= 2:
        raise Unprintable("a string inside an interpolation inside a string")
    multiline = depth == 0 and any(isinstance(p, str) and "\n" in p for p in node.parts)
    table = _LONG if multiline else _SHORT
    pieces: list[str] = []
    for part in node.parts:
        if isinstance(part, str):
            if depth and '"' in part:
                raise Unprintable("a quote in a string inside an interpolation")
            pieces.append(escape(part, table))
        elif isinstance(part, ast.RawBitrix):
            if depth and '"' in part.text:
                raise Unprintable("a quote in a Bitrix token inside an interpolation")
            pieces.append(escape(part.text, _RAW))
        else:
            inner = expr(part, depth + 1)
            # `{=…}` and `{{…}}` would read as verbatim Bitrix tokens.
            if inner.startswith(("=", "{")):
                inner = f"({inner})"
            pieces.append("{" + inner + "}")
    body = "".join(pieces)
    quote = '\\"' if depth else '"'
    if not multiline:
        return quote + body + quote
    pad = INDENT * (indent + 1)
    lines = [pad + line if line else line for line in body.split("\n")]
    return '"""\n' + "\n".join(lines) + "\n" + pad + '"""'
