"""The Diagnostic record and the collector every stage writes into."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import field

from compiler.record import record
from compiler.source import Span


def did_you_mean_help(name: str) -> str:
    """The one wording of a suggested name in a diagnostic's help ("did you mean 'X'?"), which
    `Diagnostic.suggestion` reads back for tools (an editor's quick fix)."""
    return f"did you mean '{name}'?"


_SUGGESTION = re.compile(r"did you mean '([^'\n]+)'\?")


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@record
class Label:
    """A secondary span with a short message ("first defined here")."""

    span: Span
    message: str


@record
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.column, self.code)

    @property
    def suggestion(self) -> str | None:
        """The name the help suggests instead of what was written (`did_you_mean_help`), for
        tools that offer it as a fix; None when the help suggests none."""
        found = _SUGGESTION.search(self.help or "")
        return found.group(1) if found else None


class CompileError(Exception):
    """Raised only to stop a stage early; it carries the diagnostics already collected."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics[:3]))
        self.diagnostics = diagnostics


@record(frozen=False, slots=False)
class Diagnostics:
    """Collects diagnostics of a run. Past `limit` errors, further errors are counted, not kept."""

    limit: int = 200
    items: list[Diagnostic] = field(default_factory=list)
    dropped: int = 0

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic in self.items:
            return
        if diagnostic.severity is Severity.ERROR and self.error_count >= self.limit:
            self.dropped += 1
            return
        self.items.append(diagnostic)

    def error(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        help: str | None = None,
        labels: tuple[Label, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.add(Diagnostic(code, Severity.ERROR, message, span, labels, notes, help))

    def warning(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        help: str | None = None,
        labels: tuple[Label, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        self.add(Diagnostic(code, Severity.WARNING, message, span, labels, notes, help))

    def note(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        help: str | None = None,
        labels: tuple[Label, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        """Information: nothing is wrong, but the reader may not expect what happens."""
        self.add(Diagnostic(code, Severity.NOTE, message, span, labels, notes, help))

    def extend(self, other: Diagnostics | list[Diagnostic]) -> None:
        for item in other:
            self.add(item)
        if isinstance(other, Diagnostics):
            self.dropped += other.dropped

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.items if d.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0 or self.dropped > 0

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
