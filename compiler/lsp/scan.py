"""The text around the cursor, read without the parser: brackets outside strings and comments,
the blocks open at an offset, the word under the cursor. What completion, folding and recovery
use when the file does not parse (while it is being typed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from compiler.syntax.grammar import terminal_pattern


@cache
def _token_re() -> re.Pattern[str]:
    # The grammar's own strings and comments; an unterminated one runs to the end of its line
    # (a string) or of the text (a block comment), as while it is being typed.
    return re.compile("|".join(f"(?P<{group}>{pattern})" for group, pattern in (
        ("long", terminal_pattern("LONG_STRING")),
        ("string", terminal_pattern("STRING")),
        ("open_long", r'"""[\s\S]*'),
        ("open_string", r'"[^\n]*'),
        ("comment", terminal_pattern("COMMENT")),
        ("block", terminal_pattern("BLOCK_COMMENT")),
        ("open_block", r"/\*[\s\S]*"),
        ("bracket", r"[{}()\[\]]"),
    )))


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # long | string | open_long | open_string | comment | block | open_block | bracket
    start: int
    end: int
    text: str


def tokens(text: str, end: int | None = None) -> list[Token]:
    """Strings, comments and brackets of `text[:end]`, in order."""
    scanned = text if end is None else text[:end]
    return [Token(m.lastgroup or "", m.start(), m.end(), m.group())
            for m in _token_re().finditer(scanned)]


@dataclass(frozen=True, slots=True)
class OpenBlock:
    """A `{` (or `(`, `[`) not closed before the offset, and the text of its head: from the start
    of its line (or the bracket before it on that line) to the bracket."""

    bracket: str
    offset: int
    head: str


def open_blocks(text: str, offset: int) -> list[OpenBlock]:
    """The brackets open at `offset`, outermost first."""
    stack: list[OpenBlock] = []
    boundary = 0  # the end of the last bracket: a block's head starts after it
    for token in tokens(text, offset):
        if token.kind != "bracket":
            continue
        if token.text in "{([":
            start = max(boundary, text.rfind("\n", 0, token.start) + 1)
            stack.append(OpenBlock(token.text, token.start, text[start:token.start].strip()))
        elif stack:
            stack.pop()
        boundary = token.end
    return stack


def inside_string_or_comment(text: str, offset: int) -> Token | None:
    """The string or comment that holds `offset` (an interpolation's braces included)."""
    for token in tokens(text, offset + 1):
        if token.kind == "bracket" or token.start >= offset:
            continue
        # A comment or an unterminated string runs on to the cursor at its end.
        if offset < token.end or (offset == token.end and token.kind in _RUNS_ON):
            return token
    return None


_RUNS_ON = ("comment", "open_string", "open_long", "open_block")


_WORD = re.compile(r"[A-Za-z0-9_]")


def word_at(text: str, offset: int) -> tuple[int, int]:
    """The [start, end) of the name at `offset` (empty when there is none)."""
    start = offset
    while start > 0 and _WORD.match(text[start - 1]):
        start -= 1
    end = offset
    while end < len(text) and _WORD.match(text[end]):
        end += 1
    return start, end


def blank_line(text: str, line: int) -> str:
    """`text` with the 1-based line's characters made spaces (offsets stay where they were)."""
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        lines[line - 1] = " " * len(lines[line - 1])
    return "\n".join(lines)


def close_blocks(text: str) -> str:
    """`text` with the braces still open at its end closed (offsets stay where they were)."""
    depth = sum(1 for b in open_blocks(text, len(text)) if b.bracket == "{")
    return text + "\n}" * depth
