"""Output lines of the formatter, and where the source's comments and blank lines go.

Printers emit lines in source order and say where each construct started in the source.
Before a line is written, every comment that comes earlier in the source is written: on the
previous line when it stood after that line's construct on the same source line (a trailing
comment), on a line of its own otherwise. A blank line of the source before a construct or a
comment is kept (several become one); none is kept right after a `{`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from compiler.format.comments import Comment, Pos

INDENT = "    "
# Trailing comments of consecutive lines line up, at least this far from the longest code.
TRAILING_GAP = 2


@dataclass
class Line:
    indent: int
    text: str  # may hold line breaks (triple-quoted strings), never the indentation
    trailing: list[str] = field(default_factory=list)
    # Comments starting on source line `trail_line` at or after `trail_after` trail this line.
    trail_line: int | None = None
    trail_after: Pos = (0, 0)
    blank_before: bool = False
    is_comment: bool = False

    @property
    def opens_block(self) -> bool:
        return not self.is_comment and self.text.endswith("{")


class Writer:
    def __init__(self, comments: list[Comment] | None = None,
                 source_lines: list[str] | None = None) -> None:
        self.pending: deque[Comment] = deque(comments or ())
        self.source_lines = source_lines
        self.lines: list[Line] = []
        self.indent = 0
        self._want_blank = False

    # ── structure ────────────────────────────────────────────────────────────────────────
    def push(self) -> None:
        self.indent += 1

    def pop(self) -> None:
        self.indent -= 1

    def blank(self) -> None:
        """A blank line before the next line (unless it opens a file or follows a `{`)."""
        self._want_blank = True

    def line(self, text: str, *, start: Pos | None = None, end: Pos | None = None,
             trail: Pos | None = None, keep_blank: bool = True) -> None:
        """One construct's line. `start` flushes earlier comments and decides on a blank line
        from the source; comments after `trail` (default: `end`) on its source line trail it."""
        if start is not None:
            self.flush(start)
        blank = self._want_blank or (keep_blank and start is not None and
                                     self._source_blank_before(start[0]))
        anchor = trail or end
        self._append(Line(self.indent, text, trail_line=anchor[0] if anchor else None,
                          trail_after=anchor or (0, 0)), blank)

    def close(self, text: str, *, before: Pos | None, trail: Pos | None = None) -> None:
        """The `}` (or `} else {` …) ending an indented block: comments before `before` stay
        inside the block; comments after `trail` on its source line trail this line."""
        if before is not None:
            self.flush(before)
        self.pop()
        self._append(Line(self.indent, text, trail_line=trail[0] if trail else None,
                          trail_after=trail or (0, 0)), False)

    def extend_last(self, text: str) -> None:
        self.lines[-1].text += text

    # ── comments ─────────────────────────────────────────────────────────────────────────
    def flush(self, before: Pos | None = None) -> None:
        """Write the pending comments that start before `before` (all when None)."""
        while self.pending and (before is None or self.pending[0].start < before):
            self._comment(self.pending.popleft())

    def take(self, before: Pos) -> list[Comment]:
        """Remove and return the pending comments before `before` (printers that reorder
        constructs write them themselves, with `comment`)."""
        taken = []
        while self.pending and self.pending[0].start < before:
            taken.append(self.pending.popleft())
        return taken

    def comment(self, comment: Comment) -> None:
        self._comment(comment)

    def _comment(self, comment: Comment) -> None:
        last = self.lines[-1] if self.lines else None
        if last is not None and not comment.own_line and not comment.multiline and \
                last.trail_line == comment.line and comment.start >= last.trail_after:
            last.trailing.append(comment.text)
            return
        blank = self._want_blank or self._source_blank_before(comment.line)
        self._append(Line(self.indent, comment.text, trail_line=comment.end[0],
                          trail_after=comment.end, is_comment=True), blank)

    # ── output ───────────────────────────────────────────────────────────────────────────
    def _append(self, line: Line, blank: bool) -> None:
        previous = self.lines[-1] if self.lines else None
        line.blank_before = blank and previous is not None and not previous.opens_block
        self._want_blank = False
        self.lines.append(line)

    def _source_blank_before(self, line_number: int) -> bool:
        lines = self.source_lines
        if lines is None or line_number < 2 or line_number - 2 >= len(lines):
            return False
        return not lines[line_number - 2].strip()

    def render(self) -> str:
        self.flush()
        out: list[str] = []
        widths = _trailing_columns(self.lines)
        for line, column in zip(self.lines, widths, strict=True):
            if line.blank_before:
                out.append("")
            text = INDENT * line.indent + line.text
            if line.trailing:
                last = text.rsplit("\n", 1)[-1]
                text += " " * (column - len(last)) + " ".join(line.trailing)
            out.append(text)
        return "\n".join(out) + "\n" if out else ""


def _trailing_columns(lines: list[Line]) -> list[int]:
    """The column of each line's trailing comments: one column per run of adjacent lines that
    have them, so that they read as one aligned block."""
    columns = [0] * len(lines)
    index = 0
    while index < len(lines):
        if not lines[index].trailing:
            index += 1
            continue
        run_end = index
        while run_end + 1 < len(lines) and lines[run_end + 1].trailing and \
                not lines[run_end + 1].blank_before:
            run_end += 1
        width = max(len((INDENT * line.indent + line.text).rsplit("\n", 1)[-1])
                    for line in lines[index:run_end + 1])
        for position in range(index, run_end + 1):
            columns[position] = width + TRAILING_GAP
        index = run_end + 1
    return columns
