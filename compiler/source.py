"""Source files and spans: every node and every diagnostic points back into the text."""

from __future__ import annotations

import bisect
import functools
import os
from dataclasses import field
from itertools import accumulate
from pathlib import Path

from compiler.record import record

# The largest .bpl file read. A workflow file of a real project takes a few KB (the largest
# sample about 5 KB), so 1 MiB leaves room for generated files two hundred times larger, while
# keeping what a hostile or mistaken file costs bounded: compiling takes some 70 bytes of
# memory per character of source, so `bpl check` of a file at the limit peaks near 120 MB.
MAX_FILE_BYTES = 1024 * 1024
MAX_FILE_TEXT = "1 MiB"


@record
class SourceFile:
    """A loaded .bpl file. `name` is what diagnostics print (a path relative to the cwd)."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @staticmethod
    def from_text(name: str, text: str) -> SourceFile:
        return SourceFile(name, text, line_starts(text))

    @staticmethod
    def read(path: Path | str) -> SourceFile:
        path = Path(path)
        return SourceFile.decode(path, path.read_bytes())

    @staticmethod
    def decode(path: Path, raw: bytes) -> SourceFile:
        """The source of `path` from its bytes: UTF-8 (a BOM dropped), any line break a \\n."""
        text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        return SourceFile.from_text(display_path(path), text)

    def line_text(self, line: int) -> str:
        """The 1-based line without its newline ('' when out of range)."""
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return Span(self.name, line, col, end_line, end_col)


def collect_files(paths: list[Path]) -> list[Path]:
    """The .bpl files under the given paths, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.bpl") if p.is_file()))
        else:
            files.append(path)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def line_starts(text: str) -> tuple[int, ...]:
    """The offset of every line's first character (one step per line, not per character)."""
    return tuple(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(_resolved(os.getcwd())))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=8)
def _resolved(folder: str) -> Path:
    """The working folder without symlinks, resolved once per folder (not once per file)."""
    return Path(folder).resolve()


@record
class Span:
    """A range in a file: 1-based lines and columns, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span covering self up to the end of other."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)

    @staticmethod
    def unknown(file: str = "<unknown>") -> Span:
        return Span(file, 1, 1, 1, 1)
