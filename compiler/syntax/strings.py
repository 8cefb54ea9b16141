"""String literals → Text nodes: escapes, interpolations `{…}`, verbatim Bitrix tokens `{=…}`,
and the layout of triple-quoted strings. Every part keeps its exact position in the file."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from compiler.diagnostics import Diagnostics
from compiler.source import SourceFile, Span
from compiler.syntax import ast
from compiler.syntax.lalr import Token

# Parses the text inside `{…}` (with its offset in the file) into an expression.
ExprParser = Callable[[str, int], ast.Expr | None]

# The escapes of .bpl strings (the grammar's strings admit any escaped character; these are
# the ones with a meaning). The formatter writes them back from this table.
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "{": "{", "}": "}", "r": "\r"}
_SPECIAL = re.compile(r"[\\{]")


class TextReader:
    """Reads string tokens of one file. `simple_ref` builds the common interpolations (a plain
    reference with modifiers) without a parser run; `parse_expr` parses the others."""

    def __init__(self, source: SourceFile, diagnostics: Diagnostics, parse_expr: ExprParser,
                 simple_ref: Callable[[str], re.Match[str] | None],
                 starts_otherwise: frozenset[str]) -> None:
        self.source = source
        self.diagnostics = diagnostics
        self.parse_expr = parse_expr
        self._simple = simple_ref
        self._not_a_ref = starts_otherwise

    def text(self, token: Token) -> ast.Text:
        raw = token.value
        quote = 3 if raw.startswith('"""') else 1
        body = raw[quote:-quote]
        start = token.start + quote
        skip = _block_layout(body) if quote == 3 else ()
        span = Span(self.source.name, token.line, token.column, token.end_line, token.end_column)
        return ast.Text(span, tuple(self._interpolate(body, start, skip)))

    def _interpolate(self, body: str, start: int,
                     skip: tuple[tuple[int, int], ...] = ()) -> list[str | ast.Expr]:
        parts: list[str | ast.Expr] = []
        buf: list[str] = []
        # Escaped quotes read as plain ones (same length) when finding where an interpolation
        # ends; made once per string, not once per interpolation, which was quadratic.
        unescaped = body.replace('\\"', ' "')
        i = 0
        while i < len(body):
            # Plain text up to the next backslash or brace is taken in one piece (the layout
            # that `skip` drops is blanks, never one of those two).
            special = _SPECIAL.search(body, i)
            stop = special.start() if special else len(body)
            if stop > i:
                plain = _without(body, i, stop, skip)
                if plain:
                    buf.append(plain)
                i = stop
                continue
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in ESCAPES:
                    buf.append(ESCAPES[nxt])
                else:
                    self.diagnostics.error(
                        "E004", f"unknown escape sequence '\\{nxt}' in a string",
                        self.source.span(start + i, start + i + 2),
                        help='use \\n, \\t, \\", \\\\, \\{ or \\}')
                    buf.append(nxt)
                i += 2
                continue
            if ch == "{":
                end = _closing_brace(unescaped, i)
                if end < 0:
                    self.diagnostics.error(
                        "E004", "'{' in a string starts an interpolation that is never closed",
                        self.source.span(start + i, start + i + 1),
                        help="close it with '}' or write a literal brace as \\{")
                    buf.append(body[i:])
                    break
                inner = body[i + 1:end]
                if inner.startswith("=") or inner.startswith("{"):
                    # Bitrix's own tokens ({=Document:X}, {{=formula}}) pass through verbatim.
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    # Escapes still apply inside them: `\"1d\"` is a quote of the formula,
                    # and Bitrix's calc parser knows no backslash escapes of its own.
                    parts.append(ast.RawBitrix(self.source.span(start + i, start + end + 1),
                                               _unescape(body[i:end + 1])))
                elif not inner.strip():
                    self.diagnostics.error(
                        "E004", "empty interpolation '{}' in a string",
                        self.source.span(start + i, start + end + 1),
                        help="put an expression inside, or write literal braces as \\{\\}")
                else:
                    expr = self._simple_ref(inner, start + i + 1) or self.parse_expr(
                        _expression_quotes(inner), start + i + 1)
                    if expr is not None:
                        if buf:
                            parts.append("".join(buf))
                            buf = []
                        parts.append(expr)
                i = end + 1
                continue
            buf.append(ch)  # a backslash that ends the string
            i += 1
        if buf:
            parts.append("".join(buf))
        return parts

    def _simple_ref(self, text: str, base: int) -> ast.Expr | None:
        match = self._simple(text)
        if match is None:
            return None
        dotted = match.group("ref")
        parts = tuple(dotted.split("."))
        if parts[0] in self._not_a_ref:
            return None
        start = base + len(match.group("lead"))
        ref = ast.Ref(self.source.span(start, start + len(dotted)), parts)
        modifiers = tuple(m.strip() for m in match.group("mods").split("|")[1:])
        if not modifiers:
            return ref
        end = base + len(text.rstrip())
        return ast.Modified(self.source.span(start, end), ref, modifiers)


def _unescape(text: str) -> str:
    """The string escapes of .bpl resolved; an unknown escape stays as written."""
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text,
                  flags=re.DOTALL)


def _block_layout(body: str) -> tuple[tuple[int, int], ...]:
    """Offsets of a triple-quoted string's layout characters, not part of its value.

    A long string written on its own lines inside an indented block would otherwise carry
    the source's indentation into Bitrix texts: the line break after the opening quotes,
    the indentation common to all lines (the closing quotes' line counts) and the line
    break before closing quotes on their own line are dropped. Offsets are skipped rather
    than the text rewritten so that interpolations keep their exact source positions; they
    come as sorted, disjoint [start, end) ranges.
    """
    lines = body.split("\n")
    if len(lines) == 1:
        return ()
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    first_blank = not lines[0].strip()
    last_blank = not lines[-1].strip()
    measured = [line for index, line in enumerate(lines)
                if index > 0 and (line.strip() or index == len(lines) - 1)]
    indent = min((len(line) - len(line.lstrip(" \t")) for line in measured), default=0)
    ranges: list[tuple[int, int]] = []
    if first_blank:
        ranges.append((0, len(lines[0]) + 1))
    for index in range(1, len(lines)):
        ranges.append((starts[index], starts[index] + min(indent, len(lines[index]))))
    if last_blank:
        ranges.append((starts[-1] - 1, len(body)))
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)


def _without(body: str, begin: int, end: int, skip: tuple[tuple[int, int], ...]) -> str:
    """body[begin:end] without the characters of the `skip` ranges."""
    if not skip:
        return body[begin:end]
    pieces = []
    index = bisect.bisect_right(skip, (begin, len(body) + 1)) - 1  # the last range from ≤ begin
    index = max(index, 0)
    at = begin
    while index < len(skip) and skip[index][0] < end:
        low, high = skip[index]
        if high > at:
            if low > at:
                pieces.append(body[at:low])
            at = max(at, high)
        index += 1
    if at < end:
        pieces.append(body[at:end])
    return "".join(pieces)


def _expression_quotes(inner: str) -> str:
    """The text of an interpolation with its escaped quotes made plain.

    Each `\\"` becomes two characters so that every offset stays aligned with the file: the
    padding space goes outside the quoted text (before an opening quote, after a closing
    one), or `{f(\\"x\\")}` would read the string "x " instead of "x".
    """
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(inner):
        if inner[i] == "\\" and i + 1 < len(inner):
            if inner[i + 1] == '"':
                out.append('" ' if in_string else ' "')
                in_string = not in_string
            else:
                out.append(inner[i:i + 2])
            i += 2
            continue
        out.append(inner[i])
        i += 1
    return "".join(out)


def _closing_brace(body: str, start: int) -> int:
    """Index of the '}' closing the '{' at `start`, skipping nested braces and strings; `body`
    has its escaped quotes already made plain."""
    depth = 0
    i = start
    in_string = False
    while i < len(body):
        ch = body[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
