"""Spans (1-based lines, columns in characters) ↔ LSP positions (0-based, columns in the code
units the client and server agreed on: UTF-16 unless the client offers another)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types as lsp

from compiler.source import SourceFile, Span, line_starts

UTF8 = lsp.PositionEncodingKind.Utf8
UTF16 = lsp.PositionEncodingKind.Utf16
UTF32 = lsp.PositionEncodingKind.Utf32


def _units(text: str, encoding: str) -> int:
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8"))
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Text:
    """A text as the client counts its positions."""

    source: SourceFile
    encoding: str = UTF16
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", line_starts(self.source.text))

    @staticmethod
    def of(text: str, encoding: str = UTF16, name: str = "<document>") -> Text:
        return Text(SourceFile.from_text(name, text), encoding)

    @property
    def text(self) -> str:
        return self.source.text

    def position(self, line: int, column: int) -> lsp.Position:
        """The LSP position of a 1-based line and character column."""
        prefix = self.source.line_text(line)[: max(0, column - 1)]
        return lsp.Position(max(0, line - 1), _units(prefix, self.encoding))

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(self.position(span.line, span.column),
                         self.position(span.end_line, span.end_column))

    def offset(self, position: lsp.Position) -> int:
        """The character offset of an LSP position (clamped to the text)."""
        line = position.line + 1
        if line > len(self._starts):
            return len(self.source.text)
        text = self.source.line_text(line)
        if self.encoding == UTF32:
            column = min(position.character, len(text))
        else:
            column, used = 0, 0
            while column < len(text) and used < position.character:
                used += _units(text[column], self.encoding)
                column += 1
        return self._starts[line - 1] + column

    def offset_of(self, line: int, column: int) -> int:
        """The character offset of a 1-based line and column."""
        if line > len(self._starts):
            return len(self.source.text)
        return min(self._starts[max(1, line) - 1] + column - 1, len(self.source.text))

    def span_at(self, start: int, end: int) -> Span:
        return self.source.span(start, end)


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def path_of_name(name: str) -> Path:
    """The file a span's `file` names (display paths are relative to the working folder)."""
    return (Path.cwd() / name).resolve()
