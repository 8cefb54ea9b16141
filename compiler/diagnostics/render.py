"""Renderers: human (rustc/ruff style), JSON, GitHub annotations, SARIF."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping

from compiler.diagnostics.codes import RULES
from compiler.diagnostics.model import Diagnostic, Severity
from compiler.source import SourceFile

Sources = Mapping[str, SourceFile]

_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m",
           Severity.NOTE: "\x1b[1;36m"}
_BOLD, _BLUE, _RESET = "\x1b[1m", "\x1b[1;34m", "\x1b[0m"
# What GitHub annotations and SARIF results call each severity.
_GITHUB = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}
_SARIF = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def render_human(diagnostics: Iterable[Diagnostic], sources: Sources, *,
                 color: bool = False) -> str:
    return "\n".join(_human_one(d, sources, color) for d in diagnostics)


def _human_one(d: Diagnostic, sources: Sources, color: bool) -> str:
    def paint(style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    name = RULES[d.code].name if d.code in RULES else ""
    head = paint(_COLORS[d.severity], f"{d.severity}[{d.code}]") + paint(_BOLD, f": {d.message}")
    lines = [f"{d.span}: {head}" + (f" [{name}]" if name else "")]
    source = sources.get(d.span.file)
    gutter = len(str(max([d.span.end_line, *(lb.span.line for lb in d.labels)])))
    if source is not None:
        lines += _snippet(source, d.span.line, d.span.column, d.span.end_line, d.span.end_column,
                          "^", "", gutter, lambda t: paint(_COLORS[d.severity], t), paint)
        for label in d.labels:
            src = sources.get(label.span.file)
            if src is None:
                lines.append(f"{' ' * gutter} = {label.span}: {label.message}")
                continue
            if label.span.file != d.span.file:
                lines.append(paint(_BLUE, f"{' ' * gutter}--> ") + str(label.span))
            s = label.span
            lines += _snippet(src, s.line, s.column, s.end_line, s.end_column, "-", label.message,
                              gutter, lambda t: paint(_BLUE, t), paint)
    for note in d.notes:
        lines.append(f"{' ' * gutter} = note: {note}")
    if d.help:
        lines.append(f"{' ' * gutter} = " + paint(_BOLD, "help") + f": {d.help}")
    return "\n".join(lines) + "\n"


def _snippet(
    source: SourceFile,
    line: int,
    column: int,
    end_line: int,
    end_column: int,
    mark: str,
    message: str,
    gutter: int,
    accent: Callable[[str], str],
    paint: Callable[[str, str], str],
) -> list[str]:
    text = source.line_text(line).expandtabs(1)
    if end_line != line:
        end_column = len(text) + 1
    width = max(1, end_column - column)
    underline = " " * (column - 1) + mark * min(width, max(1, len(text) - column + 2))
    bar = paint(_BLUE, f"{' ' * gutter} |")
    return [
        bar,
        paint(_BLUE, f"{line:>{gutter}} |") + f" {text}",
        f"{bar} " + accent(underline + (f" {message}" if message else "")),
    ]


def to_dict(d: Diagnostic) -> dict[str, object]:
    return {
        "code": d.code,
        "rule": RULES[d.code].name if d.code in RULES else None,
        "severity": str(d.severity),
        "message": d.message,
        "file": d.span.file,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "labels": [{"message": lb.message, "file": lb.span.file, "line": lb.span.line,
                    "column": lb.span.column} for lb in d.labels],
        "notes": list(d.notes),
        "help": d.help,
    }


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([to_dict(d) for d in diagnostics], indent=2, ensure_ascii=False)


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's changed lines."""
    out = []
    for d in diagnostics:
        kind = _GITHUB[d.severity]
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        props = ",".join([
            f"file={_escape_github(d.span.file, prop=True)}",
            f"line={d.span.line}", f"col={d.span.column}",
            f"endLine={d.span.end_line}", f"endColumn={d.span.end_column}",
            f"title={_escape_github(d.code, prop=True)}",
        ])
        out.append(f"::{kind} {props}::{_escape_github(message)}")
    return "\n".join(out)


def render_sarif(diagnostics: Iterable[Diagnostic], *, version: str) -> str:
    items = list(diagnostics)
    used = sorted({d.code for d in items if d.code in RULES})
    run = {
        "tool": {"driver": {
            "name": "bpl", "version": version, "informationUri": "https://github.com/",
            "rules": [{"id": c, "name": RULES[c].name,
                       "shortDescription": {"text": RULES[c].summary},
                       "fullDescription": {"text": RULES[c].explanation}} for c in used],
        }},
        "results": [{
            "ruleId": d.code,
            "level": _SARIF[d.severity],
            "message": {"text": d.message + (f" Help: {d.help}" if d.help else "")},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": d.span.file},
                "region": {"startLine": d.span.line, "startColumn": d.span.column,
                           "endLine": d.span.end_line, "endColumn": d.span.end_column},
            }}],
        } for d in items],
    }
    return json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                       "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
