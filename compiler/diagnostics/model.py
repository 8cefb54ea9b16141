"""The Diagnostic record and the collector every stage writes into."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from compiler.source import Span


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Label:
    """A secondary span with a short message ("first defined here")."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
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


class CompileError(Exception):
    """Raised only to stop a stage early; it carries the diagnostics already collected."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics[:3]))
        self.diagnostics = diagnostics


@dataclass
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
