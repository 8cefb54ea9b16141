"""Each mutant checked as `bpl check` checks a project, and judged caught or missed.

A mutant is **caught** when the check reports, in the mutated file and within `NEAR` lines of
the mutated text, an error or a warning that the mutant's class documents (W005 for a number
PHP cannot hold, W204/W301/W302 for a generic activity), which the unmutated project did not
report. It **crashes** when the check raises instead of returning diagnostics.
"""

from __future__ import annotations

import bisect
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from compiler.catalog import Catalog, load_catalog
from compiler.diagnostics import Diagnostic, Severity
from compiler.mutation.mutants import Generator, Mutant
from compiler.pipeline import build
from compiler.project.config import load_project
from compiler.semantics.environment import APP_CLIENT_ID, Environment
from compiler.source import line_starts

NEAR = 2  # lines around the mutated text where a diagnostic counts as pointing at it
# What stands for an app's client id that bpl.toml leaves to the sandbox (as `bpl check`).
CLIENT_ID_STAND_IN = "mutation.stand.in"


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    caught: bool
    crash: str = ""  # the traceback's last line when the check raised
    codes: tuple[str, ...] = ()  # what the check reported near the mutated text


@dataclass
class Row:
    cls: str
    mutants: int = 0
    caught: int = 0
    crashed: int = 0
    excluded: int = 0
    codes: set[str] = field(default_factory=set)  # the codes that caught its mutants

    @property
    def share(self) -> float:
        return self.caught / self.mutants if self.mutants else 1.0


@dataclass
class Report:
    verdicts: list[Verdict] = field(default_factory=list)
    excluded: list[Mutant] = field(default_factory=list)

    def rows(self) -> list[Row]:
        rows: dict[str, Row] = {}
        for verdict in self.verdicts:
            row = rows.setdefault(verdict.mutant.cls, Row(verdict.mutant.cls))
            row.mutants += 1
            row.caught += verdict.caught
            row.crashed += bool(verdict.crash)
            if verdict.caught:
                row.codes.update(c for c in verdict.codes
                                 if c.startswith("E") or c in verdict.mutant.warnings)
        for mutant in self.excluded:
            rows.setdefault(mutant.cls, Row(mutant.cls)).excluded += 1
        return sorted(rows.values(), key=lambda r: r.cls)

    @property
    def total(self) -> Row:
        total = Row("all classes")
        for row in self.rows():
            total.mutants += row.mutants
            total.caught += row.caught
            total.crashed += row.crashed
            total.excluded += row.excluded
        return total

    @property
    def missed(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.caught]

    def table(self) -> str:
        width = max(len(r.cls) for r in [*self.rows(), self.total])
        head = f"{'class':<{width}}  mutants  caught       %  excluded  crashed"
        lines = [f"{head}  caught by"]
        for row in self.rows():
            lines.append(self._line(row, width) + "  " + " ".join(sorted(row.codes)))
        lines.append("-" * len(head))
        lines.append(self._line(self.total, width))
        return "\n".join(lines)

    @staticmethod
    def _line(row: Row, width: int) -> str:
        return (f"{row.cls:<{width}}  {row.mutants:>7}  {row.caught:>6}  "
                f"{100 * row.share:>6.1f}  {row.excluded:>8}  {row.crashed:>7}")


def environments(root: Path) -> list[Environment]:
    """The environments of the project's bpl.toml, with their values, as `bpl check` resolves
    env symbols against each."""
    project = load_project(root)
    found = []
    for name, config in project.config.environments.items():
        values = dict(config.values)
        values.setdefault(APP_CLIENT_ID, config.client_id or CLIENT_ID_STAND_IN)
        found.append(Environment(name, values, symbolic=False))
    return found or [Environment()]


def run(root: Path, catalog: Catalog | None = None) -> Report:
    """Make the mutants of the project at `root` and judge each one."""
    catalog = catalog or load_catalog()
    project = load_project(root)
    envs = environments(root)
    sources = project.sources
    original = build(sources, envs[0], emit=True, catalog=catalog)
    env_names = {name for env in envs for name in env.values}
    mutants = Generator(original.program, original.checked, catalog, env_names).run()
    baseline = {_key(d) for env in envs
                for d in build(sources, env, emit=True, catalog=catalog).diagnostics}
    texts = {Path(name).resolve(): src.text for name, src in original.program.sources.items()}
    # A file with workflows is checked alone (with what it imports); a library is checked with
    # the whole project, whose workflows are where its macros are expanded.
    workflow_files = {Path(w.span.file).resolve() for w in original.program.workflows}
    report = Report()
    for mutant in mutants:
        if mutant.excluded:
            report.excluded.append(mutant)
            continue
        scope = [mutant.file] if mutant.file in workflow_files else sources
        report.verdicts.append(judge(mutant, scope, envs, catalog, texts, baseline))
    return report


def judge(mutant: Mutant, sources: list[Path], envs: Iterable[Environment], catalog: Catalog,
          texts: dict[Path, str], baseline: set[tuple[str, str, str]]) -> Verdict:
    text = mutant.apply(texts[mutant.file])
    first, last = _lines(text, mutant.start, mutant.start + len(mutant.replacement))
    near: list[str] = []
    for env in envs:
        try:
            result = build(sources, env, emit=True, catalog=catalog,
                           overlay={mutant.file: text})
        except Exception as error:  # a crash is what this test looks for
            last_line = traceback.format_exception_only(error)[-1].strip()
            return Verdict(mutant, False, crash=last_line)
        near.extend(d.code for d in result.diagnostics
                    if _key(d) not in baseline and _points_at(d, mutant, first, last))
    caught = any(code.startswith("E") or code in mutant.warnings for code in near)
    return Verdict(mutant, caught, codes=tuple(sorted(set(near))))


def _points_at(diagnostic: Diagnostic, mutant: Mutant, first: int, last: int) -> bool:
    if Path(diagnostic.span.file).resolve() != mutant.file:
        return False
    if diagnostic.severity is Severity.NOTE and not diagnostic.code.startswith("E"):
        return False
    return diagnostic.span.line <= last + NEAR and diagnostic.span.end_line >= first - NEAR


def _lines(text: str, start: int, end: int) -> tuple[int, int]:
    starts = line_starts(text)
    return bisect.bisect_right(starts, start), bisect.bisect_right(starts, max(start, end - 1))


def _key(diagnostic: Diagnostic) -> tuple[str, str, str]:
    return diagnostic.code, str(diagnostic.span), diagnostic.message
