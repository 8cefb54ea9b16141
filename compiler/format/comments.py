"""The comments of a .bpl text, with their positions.

The grammar ignores comments, so the parse tree has none; they are found here with one scan
that treats strings exactly as the lexer does (a `//` inside a string is text, not a comment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Pos = tuple[int, int]  # 1-based (line, column), as in spans

# Alternatives in the lexer's order of priority: long strings before strings, then comments.
_SCAN = re.compile(
    r'(?P<long>"""(?:[^"\\]|\\[\s\S]|"(?!""))*""")'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*")'
    r"|(?P<line>//[^\n]*)"
    r"|(?P<block>/\*[\s\S]*?\*/)"
)


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
    line_starts = [0]
    line_starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")

    def pos(offset: int) -> Pos:
        import bisect

        index = bisect.bisect_right(line_starts, offset) - 1
        return index + 1, offset - line_starts[index] + 1

    comments: list[Comment] = []
    for match in _SCAN.finditer(text):
        kind = match.lastgroup
        if kind not in ("line", "block"):
            continue
        body = match.group().rstrip() if kind == "line" else match.group()
        start = match.start()
        line_start = line_starts[pos(start)[0] - 1]
        own = not text[line_start:start].strip()
        comments.append(Comment(body, pos(start), pos(start + len(body)), own))
    return comments
