"""Printing test results: one line per scenario, details of each failure with the trace of
activities run (titles with their .bpl file:line), and the coverage table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from compiler.codegen import CompiledTemplate
from compiler.simulator.suite import Outcome, SuiteResult

TRACE_LIMIT = 60


def where(template: CompiledTemplate | None, name: str) -> str:
    if template is None:
        return ""
    span = template.spans.get(name)
    return f"{span.file}:{span.line}" if span is not None else ""


def print_results(result: SuiteResult, console: Console, *, show_trace: bool = False) -> None:
    for error in result.errors:
        console.print(f"[red]error[/red] {error}", markup=True, highlight=False)
    for outcome in result.outcomes:
        mark = "[green]PASS[/green]" if outcome.passed else "[red]FAIL[/red]"
        run = outcome.run
        tail = f" ({run.status}, {len(run.trace)} activities)" if run is not None else ""
        console.print(f"{mark} {outcome.scenario.label}{tail}", highlight=False)
        for note in notes(outcome):
            console.print(f"    [yellow]note[/yellow] {note}", highlight=False)
        if not outcome.passed or show_trace:
            _details(outcome, console)
    passed = sum(1 for o in result.outcomes if o.passed)
    failed = len(result.outcomes) - passed
    colour = "green" if result.passed else "red"
    console.print(f"[{colour}]{passed} passed, {failed} failed[/{colour}]"
                  + (f", {len(result.errors)} file error(s)" if result.errors else ""),
                  highlight=False)


def notes(outcome: Outcome) -> list[str]:
    """What the simulator did not run as Bitrix would in this scenario, each once, with the
    .bpl place of the activity."""
    run = outcome.run
    if run is None:
        return []
    found: dict[str, None] = {}
    for entry in run.log:
        if entry.get("note"):
            place = where(outcome.template, entry["activity"])
            text = entry["text"].removeprefix("[simulator] ")
            found[f"{text}" + (f" ({place})" if place else "")] = None
    return list(found)


def _details(outcome: Outcome, console: Console) -> None:
    for problem in outcome.problems:
        console.print(f"    [yellow]problem[/yellow] {problem}", highlight=False)
    for failure in outcome.failures:
        console.print(f"    [red]{failure.what}[/red]", highlight=False)
        console.print(f"      expected: {_show(failure.expected)}", highlight=False,
                      markup=False)
        console.print(f"      actual:   {_show(failure.actual)}", highlight=False,
                      markup=False)
    run = outcome.run
    if run is None:
        return
    if run.error:
        console.print(f"    [red]run error[/red] {run.error}"
                      + (f" at {where(outcome.template, run.error_activity)}"
                         if run.error_activity else ""), highlight=False)
    console.print("    trace:", highlight=False)
    entries = run.trace[-TRACE_LIMIT:]
    if len(run.trace) > TRACE_LIMIT:
        console.print(f"      … {len(run.trace) - TRACE_LIMIT} earlier activities",
                      highlight=False)
    for entry in entries:
        place = where(outcome.template, entry.name)
        console.print(f"      {entry.at}  {entry.title:<40} {entry.type:<28} {place}",
                      highlight=False, markup=False)
    waiting = [w.describe() for w in run.waiting_for]
    if run.status == "running" and waiting:
        console.print(f"    waiting for: {'; '.join(waiting)}", highlight=False, markup=False)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 2000 else text[:2000] + " …"


def print_coverage(result: SuiteResult, console: Console) -> None:
    table = Table(title="Coverage", title_justify="left")
    table.add_column("workflow")
    table.add_column("scenarios", justify="right")
    table.add_column("activities", justify="right")
    table.add_column("branches", justify="right")
    table.add_column("not simulated", justify="right")
    for name in sorted(result.coverage):
        cov = result.coverage[name]
        table.add_row(name, str(cov.scenarios),
                      f"{cov.activities_done}/{len(cov.activities)} "
                      f"({cov.activity_percent:.0f}%)",
                      f"{cov.branches_done}/{len(cov.branches)} ({cov.branch_percent:.0f}%)",
                      str(len(cov.not_simulated)))
    console.print(table)
    for name in sorted(result.coverage):
        template = result.templates.get(name)
        for point in result.coverage[name].missing():
            console.print(f"  not covered: {where(template, point.name)}  {name}: "
                          f"{point.kind} '{point.title}' of '{point.parent_title}'",
                          highlight=False, markup=False)


def coverage_json(result: SuiteResult) -> dict[str, Any]:
    out: dict[str, Any] = {"workflows": {}}
    for name, cov in sorted(result.coverage.items()):
        template = result.templates.get(name)
        spans = {k: f"{s.file}:{s.line}" for k, s in (template.spans if template else {}).items()}
        out["workflows"][name] = cov.to_json(spans)
    total = sum(len(c.branches) for c in result.coverage.values())
    done = sum(c.branches_done for c in result.coverage.values())
    out["branches"] = {"covered": done, "total": total,
                       "percent": round(100.0 if not total else done * 100 / total, 1)}
    return out


def write_coverage_json(result: SuiteResult, path: Path) -> None:
    path.write_text(json.dumps(coverage_json(result), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
