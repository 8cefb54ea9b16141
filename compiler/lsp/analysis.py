"""One check of an open document: `bpl check` of the document and its imports, with the texts of
the open documents standing for their files, in every environment of its project.

The diagnostics are those of the text as it is. The bound tree that hover, go-to and completion
read is the check's too, unless the text does not parse: then it is the check of the text with
the lines of its syntax errors blanked (and its open blocks closed), whose offsets are the
text's, so a half-typed line does not take away the rest of the file (recovery.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from compiler.catalog import Catalog, load_catalog
from compiler.diagnostics import Diagnostic, Diagnostics
from compiler.lsp.project import DocumentProject
from compiler.lsp.recovery import first_syntax_error, recover
from compiler.pipeline import BuildResult, build
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.program import Program
from compiler.source import display_path
from compiler.syntax import ast

# How many top-level items with syntax errors recovery repairs (each costs one check).
RECOVERY_ITEMS = 3


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
    # False when the bound tree is an earlier text's (this one could not be recovered): names
    # and types still serve completion, positions no longer point into this text.
    positions_valid: bool = True

    def adopt(self, earlier: Analysis) -> None:
        """Take the bound tree of an earlier analysis, for a text that could not be read."""
        self.result, self.module, self.checked = earlier.result, earlier.module, earlier.checked
        self.positions_valid = False

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
    """The check of `text` with its syntax errors stepped over (recovery.py), if it can be:
    one item is repaired at a time, and the check says whether another needs it."""
    error = first_syntax_error(diagnostics, name)
    for _ in range(RECOVERY_ITEMS):
        if error is None:
            return None
        recovered = recover(text, name, error)
        if recovered is None:
            return None
        text = recovered
        result = build([path], project.environments[0], emit=False,
                       overlay={**texts, path: text})
        module = _module(result, name)
        if module is not None:
            return result, module
        error = first_syntax_error(result.diagnostics.items, name)
    return None
