"""The import's own check: compile the written .bpl and compare it with the original template
in the canonical form `bpl plan` uses (compiler/bitrix/canonical.py).

Differences come back as node paths, so the importer can write those nodes in the generic
form and try again; compile errors come back as the statements they point at.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any

from compiler.bitrix.canonical import CanonicalTemplate, Node, Normaliser, from_compiled
from compiler.codegen import CompiledTemplate
from compiler.diagnostics import Diagnostic, Severity
from compiler.importer.nodes import Path
from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment
from compiler.semantics.walk import child_bodies
from compiler.syntax import ast

COLLECTIONS = ("parameters", "variables", "constants")


@dataclass
class Comparison:
    nodes: list[Path] = field(default_factory=list)  # nodes that differ (or their parent)
    details: dict[Path, str] = field(default_factory=dict)  # what differs in each
    other: list[str] = field(default_factory=list)  # declarations and header

    @property
    def equal(self) -> bool:
        return not self.nodes and not self.other


def compile_text(text: str, workflow: str, env: Environment | None = None) -> BuildResult:
    """Build `text` as one file of its own (its imports given by absolute paths), in `env`
    (none: no env symbols)."""
    with tempfile.TemporaryDirectory(prefix="bpl-import-") as folder:
        path = FilePath(folder) / f"{workflow}.bpl"
        path.write_text(text, encoding="utf-8")
        return build([path], env or Environment())


def errors(result: BuildResult) -> list[Diagnostic]:
    return [d for d in result.diagnostics if d.severity is Severity.ERROR]


def compare(original: CanonicalTemplate, template: CompiledTemplate, normaliser: Normaliser,
            *, header: bool) -> Comparison:
    """How `template` (compiled from the import) differs from the `original` one."""
    compiled = from_compiled(template, normaliser)
    result = Comparison()
    for old, new in zip(original.roots, compiled.roots, strict=False):
        _nodes(old, new, result)
    if len(original.roots) != len(compiled.roots):
        result.other.append("the template has more than one root activity")
    for name in COLLECTIONS:
        _entries(name, getattr(original, name), getattr(compiled, name), result)
    if header:
        _header(original, compiled, result)
    return result


def _path(ref: str) -> Path:
    return tuple(int(part) for part in ref.lstrip("@").split(".")[1:])


def _nodes(old: Node, new: Node, result: Comparison) -> None:
    if old.type != new.type or old.activated != new.activated or \
            old.properties != new.properties or len(old.children) != len(new.children):
        path = _path(old.ref)
        result.nodes.append(path)
        result.details[path] = _detail(old, new)
        if len(old.children) != len(new.children):
            return
    for a, b in zip(old.children, new.children, strict=True):
        _nodes(a, b, result)


def _detail(old: Node, new: Node) -> str:
    if old.type != new.type:
        return f"type {new.type}, not {old.type}"
    if old.activated != new.activated:
        return "switched on/off differently"
    if len(old.children) != len(new.children):
        return f"{len(new.children)} children, not {len(old.children)}"
    keys = sorted(k for k in set(old.properties) | set(new.properties)
                  if old.properties.get(k) != new.properties.get(k))
    shown = [f"{k} {_shown(new.properties, k)} instead of {_shown(old.properties, k)}"
             for k in keys[:3]]
    return "; ".join(shown) + (" …" if len(keys) > 3 else "")


def _shown(properties: dict[str, Any], key: str) -> str:
    if key not in properties:
        return "(absent)"
    text = repr(properties[key])
    return text if len(text) <= 60 else text[:57] + "..."


def _entries(collection: str, old: dict[str, Any], new: dict[str, Any],
             result: Comparison) -> None:
    for ident in sorted(set(old) | set(new)):
        if ident not in new:
            result.other.append(f"{collection}: {ident} is missing")
        elif ident not in old:
            result.other.append(f"{collection}: {ident} is extra")
        else:
            for key in sorted(set(old[ident]) | set(new[ident])):
                if old[ident].get(key) != new[ident].get(key):
                    result.other.append(f"{collection}: {ident}.{key} is "
                                        f"{new[ident].get(key)!r}, not {old[ident].get(key)!r}")


def _header(old: CanonicalTemplate, new: CanonicalTemplate, result: Comparison) -> None:
    for key, value in old.header().items():
        if new.header()[key] != value:
            result.other.append(f"{key} is {new.header()[key]!r}, not {value!r}")
    if old.document_key() != new.document_key():
        result.other.append(f"DOCUMENT_TYPE is {list(new.document_type)}, not "
                            f"{list(old.document_type)}")


# ── compile errors → statements ──────────────────────────────────────────────────────────────


def statement_pairs(mine: ast.Workflow, parsed: ast.Workflow) -> Iterator[
        tuple[ast.Stmt, ast.Stmt]]:
    """The statements of the generated tree next to the same statements read back from its
    text (which carry positions)."""
    for a, b in zip(_bodies(mine), _bodies(parsed), strict=True):
        yield from _pairs(a, b)


def _bodies(workflow: ast.Workflow) -> list[tuple[ast.Stmt, ...]]:
    if workflow.kind == "statemachine":
        return [h.body for s in workflow.states for h in s.handlers]
    return [workflow.body]


def _pairs(mine: tuple[ast.Stmt, ...], parsed: tuple[ast.Stmt, ...]) -> Iterator[
        tuple[ast.Stmt, ast.Stmt]]:
    for a, b in zip(mine, parsed, strict=True):
        yield a, b
        for x, y in zip(child_bodies(a), child_bodies(b), strict=True):
            yield from _pairs(x, y)


def innermost(pairs: list[tuple[ast.Stmt, ast.Stmt]],
              diagnostic: Diagnostic) -> ast.Stmt | None:
    """My statement whose source holds the diagnostic (the innermost one)."""
    at = (diagnostic.span.line, diagnostic.span.column)
    best: tuple[ast.Stmt, tuple[int, int, int, int]] | None = None
    for mine, parsed in pairs:
        span = parsed.span
        if (span.line, span.column) <= at < (span.end_line, span.end_column):
            key = (span.line, span.column, -span.end_line, -span.end_column)
            if best is None or key > best[1]:
                best = (mine, key)
    return best[0] if best else None


__all__ = ["COLLECTIONS", "Comparison", "compare", "compile_text", "errors", "innermost",
           "statement_pairs"]
