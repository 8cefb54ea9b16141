"""The comments of a .bpl text, with their positions.

The grammar ignores comments, so the parse tree has none; they are found here with one scan
that treats strings exactly as the lexer does (a `//` inside a string is text, not a comment).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from compiler.source import line_starts
from compiler.syntax.grammar import terminal_pattern

Pos = tuple[int, int]  # 1-based (line, column), as in spans


@cache
def _scanner() -> re.Pattern[str]:
    """Strings and comments as the grammar's terminals spell them, in the lexer's order of
    priority: long strings before strings, then comments."""
    kinds = {"long": "LONG_STRING", "string": "STRING", "line": "COMMENT",
             "block": "BLOCK_COMMENT"}
    return re.compile("|".join(f"(?P<{kind}>{terminal_pattern(terminal)})"
                               for kind, terminal in kinds.items()))


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    start: Pos
    end: Pos  # exclusive, like spans
    own_line: bool  # only whitespace before it on its line

    @property
    def line(self) -> int:
        return self.start[0]

    @property
    def multiline(self) -> bool:
        return "\n" in self.text


def scan_comments(text: str) -> list[Comment]:
    """Every `//` and `/* */` comment of `text`, in order."""
    starts = line_starts(text)

    def pos(offset: int) -> Pos:
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    indents: dict[int, int] = {}  # line → offset of its first character that is no blank

    def first_code(line: int) -> int:
        if line not in indents:  # once per line: many comments on one long line stay linear
            indents[line] = _BLANKS.match(text, starts[line - 1]).end()  # type: ignore[union-attr]
        return indents[line]

    comments: list[Comment] = []
    for match in _scanner().finditer(text):
        kind = match.lastgroup
        if kind not in ("line", "block"):
            continue
        body = match.group().rstrip() if kind == "line" else match.group()
        start = match.start()
        where = pos(start)
        comments.append(Comment(body, where, pos(start + len(body)),
                                first_code(where[0]) == start))
    return comments


_BLANKS = re.compile(r"[^\S\n]*")
