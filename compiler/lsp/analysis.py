"""One check of an open document: `bpl check` of the document and its imports, with the texts of
the open documents standing for their files, in every environment of its project.

The diagnostics are those of the text as it is. The bound tree that hover, go-to and completion
read is the check's too, unless the text does not parse: then it is the check of the text with
the lines of its syntax errors blanked (and its open blocks closed), whose offsets are the
text's, so a half-typed line does not take away the rest of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compiler.catalog import Catalog, load_catalog
from compiler.diagnostics import Diagnostic, Diagnostics
from compiler.lsp.project import DocumentProject
from compiler.lsp.scan import blank_line, close_blocks
from compiler.pipeline import BuildResult, build
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.program import Program
from compiler.source import SourceFile, display_path
from compiler.syntax import ast, parse_module

SYNTAX_CODES = ("E001", "E002", "E003")
# How many syntax errors recovery steps over before it gives up (each step parses the file
# up to three times).
RECOVERY_STEPS = 3


@dataclass
class Analysis:
    """What one check of a document found. `name` is the document's file as spans name it."""

    path: Path
    name: str
    version: int | None
    text: str
    project: DocumentProject
    diagnostics: list[Diagnostic]
    result: BuildResult  # the check that features read (of the recovered text, if `recovered`)
    recovered: bool = False
    module: ast.Module | None = None
    checked: list[CheckedWorkflow] = field(default_factory=list)

    @property
    def program(self) -> Program:
        return self.result.program

    @property
    def catalog(self) -> Catalog:
        return self.checked[0].catalog if self.checked else load_catalog()

    def workflow(self, name: str) -> CheckedWorkflow | None:
        return next((c for c in self.checked if c.workflow.name == name), None)

    def workflow_at(self, line: int) -> CheckedWorkflow | None:
        """The checked workflow of this file whose text holds the 1-based line."""
        return next((c for c in self.checked
                     if c.workflow.span.line <= line <= c.workflow.span.end_line), None)


def analyse(path: Path, text: str, version: int | None, project: DocumentProject,
            overlay: Mapping[Path, str]) -> Analysis:
    """Check the document `path` as `text` (other open documents as their `overlay` texts)."""
    path = path.resolve()
    texts = {**overlay, path: text}
    results = [build([path], env, emit=True, overlay=texts) for env in project.environments]
    merged = Diagnostics()
    for result in results:
        merged.extend(result.diagnostics)
    name = display_path(path)
    analysis = Analysis(path, name, version, text, project, merged.sorted(), results[0])
    module = _module(results[0], name)
    if module is None:
        recovered = _recover(path, text, name, project, texts, merged.items)
        if recovered is not None:
            analysis.result, module = recovered
            analysis.recovered = True
    analysis.module = module
    analysis.checked = [c for c in analysis.result.checked if c.workflow.span.file == name]
    return analysis


def _module(result: BuildResult, name: str) -> ast.Module | None:
    return next((m for m in result.program.modules if m.span.file == name), None)


def _recover(path: Path, text: str, name: str, project: DocumentProject,
             texts: Mapping[Path, str],
             diagnostics: list[Diagnostic]) -> tuple[BuildResult, ast.Module] | None:
    """The check of `text` with its syntax errors stepped over, if a few steps get it to parse.

    Each step blanks the line of the first syntax error, or the line before it (a statement
    left half-typed runs on into the next line, where the parser notices), or both, whichever
    gets the parse further; a file ending inside a block gets its braces closed."""
    error = _first_syntax_error(diagnostics, name)
    for _ in range(RECOVERY_STEPS):
        if error is None:
            break
        if error.code == "E003":
            text = close_blocks(text)
        else:
            line = error.span.line
            before = _previous_line(text, line)
            candidates = [blank_line(text, line), blank_line(text, before),
                          blank_line(blank_line(text, line), before)]
            text = max(candidates, key=lambda t: _parse_reach(t, name))
        error = _first_syntax_error(_parse(text, name), name)
    if error is not None:
        return None
    result = build([path], project.environments[0], emit=False, overlay={**texts, path: text})
    module = _module(result, name)
    return (result, module) if module is not None else None


def _first_syntax_error(diagnostics: list[Diagnostic], name: str) -> Diagnostic | None:
    return next((d for d in diagnostics if d.code in SYNTAX_CODES and d.span.file == name),
                None)


def _parse(text: str, name: str) -> list[Diagnostic]:
    diagnostics = Diagnostics()
    parse_module(SourceFile.from_text(name, text), diagnostics)
    return diagnostics.items


def _parse_reach(text: str, name: str) -> tuple[int, int]:
    """How far the parser gets in `text` (the end of the file when it parses)."""
    error = _first_syntax_error(_parse(text, name), name)
    if error is None:
        return (1 << 30, 0)
    return (error.span.line, error.span.column)


def _previous_line(text: str, line: int) -> int:
    """The last line before `line` that holds more than blanks and comments."""
    lines = text.split("\n")
    for index in range(min(line, len(lines)) - 2, -1, -1):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("//"):
            return index + 1
    return line
