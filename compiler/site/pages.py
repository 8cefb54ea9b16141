"""What a workflow's documentation page says, gathered from the compiled template, the
sources, bpl.toml and (when given) the coverage `bpl test --coverage-json` wrote."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.bitrix import Field
from compiler.catalog import Catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy.planner import AUTOSTART
from compiler.diagnostics import Diagnostics
from compiler.format.expressions import ExpressionPrinter
from compiler.format.strings import Unprintable
from compiler.graph import Template, from_compiled
from compiler.pipeline import BuildResult
from compiler.semantics.checker import WorkflowChecker
from compiler.semantics.environment import Environment, EnvValue
from compiler.semantics.walk import references
from compiler.simulator.scenario import ScenarioError, find, load
from compiler.syntax import ast

COLLECTIONS = (("parameters", "Parameters"), ("variables", "Variables"),
               ("constants", "Constants"))


class CoverageError(ValueError):
    """A coverage file that cannot be read; the message says why."""


@dataclass
class Declared:
    ident: str
    name: str
    type: str
    required: bool
    multiple: bool
    default: str
    description: str


@dataclass
class Robot:
    code: str
    name: str
    handler: str


@dataclass
class Coverage:
    scenarios: int
    activities: str  # "16/16 (100%)"
    branches: str
    missing: list[str]  # uncovered branch points, "kind 'title' of 'parent' at file:line"
    uncovered: set[str]  # activity Names no scenario ran


@dataclass
class Page:
    workflow: str
    title: str
    description: str
    file: str
    line: int
    state_machine: bool
    document: str
    document_type: str
    autostart: str
    template: Template
    collections: list[tuple[str, list[Declared]]] = field(default_factory=list)
    robots: list[Robot] = field(default_factory=list)
    env: list[tuple[str, list[str]]] = field(default_factory=list)  # symbol, value per env
    scenarios: list[str] = field(default_factory=list)
    coverage: Coverage | None = None
    activities: int = 0

    @property
    def href(self) -> str:
        return f"{self.workflow}.html"


def read_coverage(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CoverageError(f"no coverage file {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CoverageError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise CoverageError(f"{path} is not JSON (line {error.lineno}); write it with "
                            "bpl test --coverage-json") from None
    workflows = data.get("workflows") if isinstance(data, dict) else None
    if not isinstance(workflows, dict):
        raise CoverageError(f"{path} is not a coverage file of bpl test --coverage-json "
                            "(no 'workflows')")
    return workflows


def scenario_names(sources: list[Path]) -> tuple[dict[str, list[str]], list[str]]:
    """Scenario names per workflow, and the files that could not be read (with why)."""
    names: dict[str, list[str]] = {}
    problems: list[str] = []
    for path in find(sources):
        try:
            loaded = load(path, sources)
        except ScenarioError as error:
            problems.append(str(error))
            continue
        for scenario in loaded.scenarios:
            names.setdefault(scenario.workflow, []).append(scenario.name)
    return names, problems


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _declared(fields: Mapping[str, Field]) -> list[Declared]:
    return [Declared(ident, spec.name, spec.type, spec.required, spec.multiple,
                     _text(spec.default), spec.description) for ident, spec in fields.items()]


def _coverage(data: Mapping[str, Any] | None) -> Coverage | None:
    if not isinstance(data, Mapping):
        return None

    def ratio(key: str) -> str:
        part = data.get(key) or {}
        return f"{part.get('covered', 0)}/{part.get('total', 0)} ({part.get('percent', 0):g}%)"

    missing = [f"{p.get('kind')} '{p.get('title')}' of '{p.get('parent')}'"
               + (f" at {p['at']}" if p.get("at") else "")
               for p in data.get("points") or [] if not p.get("covered")]
    uncovered = {str(p.get("name")) for p in data.get("uncovered_activities") or []}
    return Coverage(int(data.get("scenarios") or 0), ratio("activities"), ratio("branches"),
                    missing, uncovered)


def _printed(expr: ast.Expr) -> str | None:
    try:
        return ExpressionPrinter().flat(expr)
    except Unprintable:
        return None


def _env_refs(node: object) -> set[str]:
    found: set[str] = set()
    todo: list[object] = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, tuple | list):
            todo.extend(item)
        elif isinstance(item, ast.Ref):
            if len(item.parts) == 2 and item.parts[0] == "env":
                found.add(item.parts[1])
        elif isinstance(item, ast.Node):
            todo.extend(getattr(item, slot, None) for klass in type(item).__mro__
                        for slot in getattr(klass, "__slots__", ()))
    return found


class PageBuilder:
    def __init__(self, result: BuildResult, catalog: Catalog,
                 environments: Mapping[str, Mapping[str, EnvValue]],
                 coverage: Mapping[str, Any] | None, scenarios: Mapping[str, list[str]]) -> None:
        self.result = result
        self.catalog = catalog
        self.environments = environments
        self.coverage = coverage
        self.scenarios = scenarios
        self.workflows = {w.name: w for w in result.program.workflows}
        self.registrations = {r.code: r for r in result.robots}

    def page(self, compiled: CompiledTemplate) -> Page:
        template = from_compiled(compiled, self.catalog, self.result.program)
        module, entity, kind = compiled.document_type
        spec = self.catalog.document_by_type(module, entity, kind)
        decl = self.workflows.get(compiled.workflow)
        # As the source names it (`crm.dynamic(env.claims_spa)`): the same on every portal.
        document = _printed(decl.document) if decl is not None else None
        page = Page(
            workflow=compiled.workflow, title=compiled.name, description=compiled.description,
            file=compiled.span.file, line=compiled.span.line,
            state_machine=template.is_state_machine,
            document=document or (spec.name if spec is not None else kind),
            document_type="/".join(compiled.document_type),
            autostart=AUTOSTART.get(compiled.auto_execute, str(compiled.auto_execute)),
            template=template,
            collections=[(title, _declared(getattr(compiled.template, key)))
                         for key, title in COLLECTIONS],
            scenarios=list(self.scenarios.get(compiled.workflow, [])),
            activities=len(template.activities()) - 1)
        symbols, robot_codes = self._uses(compiled.workflow)
        page.env = [(symbol, [_text(values.get(symbol, "")) for values in
                              self.environments.values()]) for symbol in symbols]
        for code in robot_codes:
            registration = self.registrations.get(code)
            params = registration.params if registration is not None else {}
            page.robots.append(Robot(code, _text(params.get("NAME")),
                                     _text(params.get("HANDLER"))))
        if self.coverage is not None:
            page.coverage = _coverage(self.coverage.get(compiled.workflow))
        return page

    def _uses(self, workflow: str) -> tuple[list[str], list[str]]:
        """env symbols the workflow reads, and the codes of the app robots it calls."""
        decl = self.workflows.get(workflow)
        if decl is None:
            return [], []
        checked = WorkflowChecker(self.result.program, decl, self.catalog,
                                  Environment("(docs)", {}, symbolic=True), Diagnostics()).check()
        # The bound tree covers macro bodies and the robots' auth_user; the declarations
        # (document type, fields) are read from the workflow's own syntax.
        bound = {r.binding.field for r in references(checked.workflow, *checked.robots.values())
                 if r.binding is not None and r.binding.kind == "env"}
        symbols = sorted((bound | _env_refs(decl)) - {""})
        return symbols, sorted(checked.robot_types)
