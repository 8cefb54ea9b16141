"""Writing constructs as lines: heads with breakable maps and lists, and chains of blocks
(`if … {} else {}`, `approve … {} approved {} rejected {}`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from compiler.format.comments import Pos
from compiler.format.expressions import Block, Entry, ExpressionPrinter, Layout
from compiler.format.strings import text_literal
from compiler.format.writer import Writer
from compiler.source import Span
from compiler.syntax import ast

Segment = str | Block


def start(node: ast.Node | Span) -> Pos:
    span = node if isinstance(node, Span) else node.span
    return span.line, span.column


def end(node: ast.Node | Span) -> Pos:
    span = node if isinstance(node, Span) else node.span
    return span.end_line, span.end_column


def closing(node: ast.Node | Span) -> Pos:
    """Where the `}` ending `node` is (its last character)."""
    line, column = end(node)
    return line, max(1, column - 1)


def _head_anchor(text: str, head_at: Pos | None) -> Pos | None:
    """Comments on a construct's first source line trail its first line, unless that line
    ends further down (a triple-quoted string): there they would move to another line."""
    return head_at if "\n" not in text else None


@dataclass
class Section:
    """One `head { body }` of a chain. `begins` is where the section starts in the source
    (comments before it belong to the previous section)."""

    head: str
    body: Callable[[], None]
    empty: bool
    begins: Pos | None


class Emitter:
    def __init__(self, writer: Writer, expressions: ExpressionPrinter) -> None:
        self.w = writer
        self.x = expressions

    # ── expressions and texts at the current indentation ─────────────────────────────────
    def flat(self, expr: ast.Expr, minimum: int = 0) -> str:
        return self.x.flat(expr, minimum, indent=self.w.indent)

    def text(self, node: ast.Text) -> str:
        return text_literal(node, lambda e, d: self.x.flat(e, indent=self.w.indent, depth=d),
                            indent=self.w.indent)

    def layout(self, expr: ast.Expr, used: int, *, force: bool = False) -> Layout:
        return self.x.layout(expr, indent=self.w.indent, used=used, force=force)

    # ── lines ────────────────────────────────────────────────────────────────────────────
    def emit(self, segments: Sequence[Segment], node: ast.Node | None, *,
             trail_end: bool = True) -> None:
        """Write `segments` as one construct. A Block breaks the line: its entries go on
        lines of their own, one step deeper. With `trail_end`, comments after the construct
        on its last source line trail its last line; otherwise (a block head) comments on
        its first line trail the first line."""
        head_at = start(node) if node is not None else None
        tail_at = end(node) if node is not None else None
        text = ""
        opened = False
        for segment in segments:
            if isinstance(segment, str):
                text += segment
                continue
            if opened:
                self.w.extend_last(text + segment.open)
            else:
                self.w.line(text + segment.open, start=head_at,
                            trail=_head_anchor(text, head_at))
                opened = True
            text = ""
            self._block(segment)
        if not opened:
            self.w.line(text, start=head_at,
                        trail=tail_at if trail_end else _head_anchor(text, head_at))
            return
        self.w.extend_last(text)
        if trail_end and tail_at is not None:
            self.w.lines[-1].trail_line, self.w.lines[-1].trail_after = tail_at[0], tail_at

    def _block(self, block: Block) -> None:
        self.w.push()
        last: ast.Node | None = None
        for entry in block.entries:
            self._entry(entry)
            last = entry.node
        owner = block.node
        before = closing(owner) if owner is not None else (
            end(last) if last is not None else None)
        self.w.close(block.close, before=before, trail=before)

    def _entry(self, entry: Entry) -> None:
        self.emit([entry.prefix, entry.body, entry.suffix], entry.node)

    # ── statement options ────────────────────────────────────────────────────────────────
    def opts(self, opts: ast.StmtOpts) -> str:
        out = ""
        if opts.title is not None:
            out += " title " + self.text(opts.title)
        if opts.label is not None:
            out += " as " + opts.label
        if opts.comment is not None:
            out += " comment " + self.text(opts.comment)
        if opts.disabled:
            out += " disabled"
        return out

    # ── blocks ───────────────────────────────────────────────────────────────────────────
    def chain(self, head: Sequence[Segment], node: ast.Node, sections: list[Section],
              close_at: Pos | None) -> None:
        """`head` followed by the sections' `{ … }` blocks on joined lines; `close_at` is
        the final `}` in the source."""
        first = True
        for index, section in enumerate(sections):
            following = sections[index + 1].begins if index + 1 < len(sections) else close_at
            since = start(node) if first else section.begins
            empty = section.empty and not self._comments_between(since, following)
            opener = (section.head + " " if section.head else "") + ("{}" if empty else "{")
            if first:
                self.emit([*head, " " + opener], node, trail_end=False)
                first = False
            elif self.w.lines[-1].text.endswith("}"):
                self.w.extend_last(" " + opener)
            if empty:
                continue
            self.w.push()
            section.body()
            if index + 1 < len(sections):
                nxt = sections[index + 1]
                self.w.close("}", before=nxt.begins, trail=nxt.begins)
            else:
                self.w.close("}", before=close_at, trail=close_at)

    def _comments_between(self, after: Pos | None, before: Pos | None) -> bool:
        return any((after is None or c.start >= after) and (before is None or c.start < before)
                   for c in self.w.pending)
