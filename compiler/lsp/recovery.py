"""The text of a file that does not parse, with its syntax errors stepped over: lines blanked
(made spaces, so every other offset stays where it was) until it parses.

The parser reports the first error of a file. Each step tries a few repairs near it and keeps
the one that gets the parser furthest: the error's line blanked, or the line before it (a
statement left half-typed runs on into the next line, where the parser notices), or both; for a
brace left open or too many, the line of the brace whose partner is indented differently (the
one typed last). Repairs are judged on the top-level item (workflow, macro, robot) that holds the
error, parsed alone, so a step costs little however long the file.
"""

from __future__ import annotations

import re

from compiler.diagnostics import Diagnostic, Diagnostics
from compiler.lsp.scan import blank_line, close_blocks, tokens
from compiler.source import SourceFile
from compiler.syntax import parse_module

SYNTAX_CODES = ("E001", "E002", "E003")
# How many repairs of one item recovery tries before it gives up.
RECOVERY_STEPS = 4
_ITEM = re.compile(r"^(?:import|workflow|statemachine|macro|robot|action)\b", re.MULTILINE)
_PARSES = (1 << 30, 0)
_TO_THE_END = (1 << 30) - 1  # the last item runs to the end, braces a repair adds included


def first_syntax_error(diagnostics: list[Diagnostic], name: str) -> Diagnostic | None:
    return next((d for d in diagnostics if d.code in SYNTAX_CODES and d.span.file == name),
                None)


def recover(text: str, name: str, error: Diagnostic) -> str | None:
    """`text` with the top-level item that holds `error` repaired so that it parses, or None
    when a few steps do not do it. Other items may still hold errors: the caller checks the
    result and calls again with the next one."""
    first, last = _item_lines(text, name, error)
    reach = _reach(text, name, first, last)
    for _ in range(RECOVERY_STEPS):
        candidates = [t for t in _repairs(text, error, first, last) if t != text]
        scored = [(_reach(t, name, first, last), t) for t in candidates]
        best = max(scored, key=lambda pair: pair[0], default=None)
        if best is None or best[0] <= reach:
            return None
        reach, text = best
        if reach == _PARSES:
            return text
        error = _error_of(text, name, first, last) or error
    return None


def _repairs(text: str, error: Diagnostic, first: int, last: int) -> list[str]:
    line = min(error.span.line, last)
    before = _previous_line(text, line)
    repairs = [blank_line(text, line), blank_line(text, before),
               blank_line(blank_line(text, line), before)]
    for culprit in _unpaired_braces(text, first, last):
        repairs.append(blank_line(text, culprit))
    if error.code == "E003":
        repairs.append(close_blocks(text))
    return repairs


def _item_lines(text: str, name: str, error: Diagnostic) -> tuple[int, int]:
    """The lines (1-based, inclusive) of the top-level item the error belongs to: the one it
    is in, or the one before when the error is reported on the next item's first line (or at
    the end of the text) because a brace was left open there."""
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ITEM.finditer(text)]
    line = error.span.line

    def item(at: int) -> tuple[int, int]:
        before = [s for s in starts if s <= at]
        first = before[-1] if before else 1
        after = [s for s in starts if s > first]
        return first, (after[0] - 1 if after else _TO_THE_END)

    first, last = item(line)
    if error.code == "E003" or line > text.count("\n") + 1:
        return item(line - 1)
    if line == first and first > 1:
        previous = item(first - 1)
        if _reach(text, name, *previous) != _PARSES:
            return previous
    return first, last


def _item_text(text: str, first: int, last: int) -> str:
    """The item's lines alone, at their own line numbers (earlier lines left empty)."""
    lines = text.split("\n")
    return "\n" * (first - 1) + "\n".join(lines[first - 1:last])


def _parse(text: str, name: str) -> list[Diagnostic]:
    diagnostics = Diagnostics()
    parse_module(SourceFile.from_text(name, text), diagnostics)
    return diagnostics.items


def _error_of(text: str, name: str, first: int, last: int) -> Diagnostic | None:
    return first_syntax_error(_parse(_item_text(text, first, last), name), name)


def _reach(text: str, name: str, first: int, last: int) -> tuple[int, int]:
    """How far the parser gets in the item (_PARSES when it parses)."""
    error = first_syntax_error(_parse(_item_text(text, first, last), name), name)
    if error is None:
        return _PARSES
    if error.code == "E003":
        return (last, 0)  # it got to the item's end
    return (error.span.line, error.span.column)


def _previous_line(text: str, line: int) -> int:
    """The last line before `line` that holds more than blanks and comments."""
    lines = text.split("\n")
    for index in range(min(line, len(lines)) - 2, -1, -1):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("//"):
            return index + 1
    return line


def _unpaired_braces(text: str, first: int, last: int) -> list[int]:
    """Lines of braces that look unpaired: of a pair whose lines are indented differently (the
    opening and the closing line), or still open at the item's end."""
    item = _item_text(text, first, last)
    lines = item.split("\n")
    stack: list[int] = []
    found: list[int] = []
    for token in tokens(item):
        if token.kind != "bracket" or token.text not in "{}":
            continue
        line = item.count("\n", 0, token.start) + 1
        if token.text == "{":
            stack.append(line)
            continue
        if not stack:
            found.append(line)
            continue
        opened = stack.pop()
        closing = lines[line - 1]
        if closing.strip().startswith("}") and _indent(closing) != _indent(lines[opened - 1]):
            found += [opened, line]
    found += reversed(stack)
    return list(dict.fromkeys(found))[:4]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
