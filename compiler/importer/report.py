"""What an import could not write as the language's own constructs, and why.

Kinds:
- `generic`: an activity written in the generic `activity Type "Title" { … }` form;
- `verbatim`: a field token or formula kept as Bitrix text (`{=…}`, `{{=…}}`, `=…`);
- `lossy`: something the compiled template will not hold as the original did;
- `note`: anything else worth knowing (document fields declared, names chosen).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def printable(text: str, limit: int | None = None) -> str:
    """Text from a template, fit for one line of a terminal: control characters (newlines,
    escape sequences) written as escapes, and cut at `limit` characters."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return shown if limit is None or len(shown) <= limit else shown[:limit] + "…"


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str  # "param limit", "Template > Condition > Yes > Log (A123_…)"
    message: str


@dataclass
class Report:
    source: str = ""
    workflow: str = ""
    findings: list[Finding] = field(default_factory=list)
    statements: int = 0
    generic: int = 0
    equivalent: bool = False
    # False for a bare .bpt: it holds no NAME, DESCRIPTION or AUTO_EXECUTE to compare.
    header_compared: bool = True
    differences: list[str] = field(default_factory=list)
    error: str | None = None

    def add(self, kind: str, where: str, message: str) -> None:
        finding = Finding(kind, where, message)
        if finding not in self.findings:
            self.findings.append(finding)

    def lossy(self, where: str, message: str) -> None:
        self.add("lossy", where, message)

    def note(self, where: str, message: str) -> None:
        self.add("note", where, message)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "workflow": self.workflow,
            "equivalent": self.equivalent,
            "header_compared": self.header_compared,
            "statements": self.statements,
            "generic": self.generic,
            "error": self.error,
            "differences": list(self.differences),
            "findings": [asdict(f) for f in self.findings],
        }

    def lines(self) -> list[str]:
        """The report for people: a summary line, then one line per finding."""
        if self.error is not None:
            return [printable(f"{self.source}: error: {self.error}")]
        state = "equivalent" if self.equivalent else "NOT equivalent"
        if self.equivalent and not self.header_compared:
            state += " (the template only: a .bpt file holds no name or autostart)"
        head = (f"{self.source} → {self.workflow}: {self.statements} statement(s), "
                f"{self.generic} in the generic form; {state} after compiling")
        out = [head]
        out += [f"  {f.kind}: {f.where}: {f.message}" for f in self.findings]
        out += [f"  difference: {d}" for d in self.differences]
        return [printable(line) for line in out]
