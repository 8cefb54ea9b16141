"""The activity tree → statements: the language's own statement where one fits, the generic
form where it does not or where the plan says so (the check after compiling found that the
statement does not give the node back).

Every statement remembers the node it came from (its path of child indexes under the root),
so that compile errors and differences can be traced back to nodes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.catalog import Catalog
from compiler.catalog.statements import STATEMENTS
from compiler.importer.actions import ActionStatements
from compiler.importer.conditions import Conditions
from compiler.importer.containers import Containers
from compiler.importer.document import Document
from compiler.importer.environment import ImportEnvironment
from compiler.importer.generic import generic
from compiler.importer.names import BUILTINS, Names
from compiler.importer.nodes import Context, Node, Path
from compiler.importer.report import Report
from compiler.importer.robots import RobotCalls
from compiler.importer.scope import Scope
from compiler.importer.states import StateBuilder, initial_state, state_names
from compiler.importer.sugar import SimpleStatements
from compiler.importer.tasks import TaskStatements
from compiler.importer.tokens import FIELD_TOKEN
from compiler.importer.values import Values
from compiler.semantics.walk import walk_statements, workflow_bodies
from compiler.syntax import ast

# The Titles codegen gives `set` and `goto` start with these; the names follow.
_SET = STATEMENTS["set"].title.format("")
_GOTO = STATEMENTS["goto"].title.format("")
# Objects of field tokens that are not activities, whatever an activity is named.
_OBJECTS = {"Document", "Template", "Parameter", "Variable", "Constant", "GlobalConst",
            "GlobalVar", "Workflow", "User", "System", "Input"}


@dataclass
class Plan:
    """Decisions carried from one round of import to the next."""

    generic: set[Path] = field(default_factory=set)  # nodes to write in the generic form
    plain: set[Path] = field(default_factory=set)  # generic nodes with texts kept as stored
    keep_state_names: bool = False
    drop_defaults: set[str] = field(default_factory=set)  # declarations left without default
    unlabelled: set[str] = field(default_factory=set)  # activities no statement reads


class TreeBuilder:
    def __init__(self, values: Values, catalog: Catalog, document: Document, plan: Plan,
                 report: Report, states: dict[str, str] | None = None,
                 env: ImportEnvironment | None = None) -> None:
        self.values = values
        self.scope = values.scope
        self.plan = plan
        self.report = report
        self.ctx = Context(values, catalog, self.block)
        self.conditions = Conditions(values)
        self.simple = SimpleStatements(self.ctx, document=document.expr,
                                       document_name=document.name, crm=document.crm,
                                       states=states)
        self.tasks = TaskStatements(self.ctx)
        self.actions = ActionStatements(self.ctx)
        self.robots = RobotCalls(self.ctx, env)
        self.containers = Containers(self.ctx, self.conditions)
        # Statement → the path of the node it was made from. Keyed by identity (two equal
        # statements come from two nodes); the statement is kept with its path, so that an
        # identity is never reused while the builder lives.
        self._origins: dict[int, tuple[ast.Stmt, Path]] = {}
        self.generic_paths: set[Path] = set()
        self.where: dict[Path, str] = {}

    # ── statements ───────────────────────────────────────────────────────────────────────
    def block(self, nodes: Sequence[Node]) -> tuple[ast.Stmt, ...]:
        out = []
        for node in nodes:
            stmt = self.statement(node)
            if stmt is not None:
                out.append(stmt)
        return tuple(out)

    def statement(self, node: Node) -> ast.Stmt | None:
        where = describe(node)
        self.where[node.path] = where
        stmt: ast.Stmt | None = None
        if node.path not in self.plan.generic:
            stmt = self.simple.build(node) or self.tasks.build(node) or \
                self.actions.build(node) or self.containers.build(node) or \
                self.robots.build(node)
        if stmt is None:
            stmt = generic(self.ctx, node, self.report, where,
                           plain=node.path in self.plan.plain)
            if stmt is None:
                return None
            self.generic_paths.add(node.path)
        self._origins[id(stmt)] = (stmt, node.path)
        return stmt

    def origin(self, stmt: ast.Stmt) -> Path | None:
        """The path of the node `stmt` was made from (None for one the builder did not make)."""
        found = self._origins.get(id(stmt))
        return found[1] if found is not None and found[0] is stmt else None

    def origins(self, workflow: ast.Workflow) -> dict[Path, ast.Stmt]:
        """Node path → statement, for the statements `workflow` holds (not those made and
        given up on the way, when a container fell back to the generic form)."""
        out = {}
        for body in workflow_bodies(workflow):
            for stmt in walk_statements(body):
                path = self.origin(stmt)
                if path is not None:
                    out[path] = stmt
        return out

    # ── roots ────────────────────────────────────────────────────────────────────────────
    def sequential(self, root: Node) -> tuple[ast.Stmt, ...]:
        return self.block(root.children)

    def states(self, root: Node, names: dict[str, str]) -> tuple[ast.State, ...]:
        children = root.children
        states = [c for c in children if c.type == "StateActivity"]
        for other in children:
            if other.type != "StateActivity":
                self.report.lossy(describe(other), f"{other.type} directly under a state "
                                                   "machine has no .bpl form; dropped")
        initial = initial_state(root, states)
        if initial is None:
            self.report.lossy("InitialStateName", "it names no state; the first state starts")
        builder = StateBuilder(self.ctx, self.simple, self.report, names)
        return tuple(builder.state(s, s.name == initial, describe(s)) for s in states)


def name_hints(root: Node) -> tuple[dict[str, str], dict[str, str]]:
    """(field code → name, state Name → name) the template's own default titles suggest:
    codegen titles a `set` "Set <names>" and a `goto` "Go to <state>", so a template compiled
    from .bpl gets its names back."""
    fields: dict[str, str] = {}
    states: dict[str, str] = {}
    for node in walk(root):
        title = node.properties.get("Title")
        if not isinstance(title, str):
            continue
        if node.type == "SetFieldActivity" and title.startswith(_SET):
            codes = node.properties.get("FieldValue")
            names = title[len(_SET):].split(", ")
            if isinstance(codes, dict) and len(codes) == len(names):
                for code, name in zip(codes, names, strict=True):
                    fields.setdefault(str(code), name)
        if node.type == "SetStateActivity" and title.startswith(_GOTO):
            states.setdefault(str(node.properties.get("TargetStateName")), title[len(_GOTO):])
    return fields, states


def describe(node: Node) -> str:
    title = node.properties.get("Title")
    shown = f"'{title}'" if isinstance(title, str) and title else node.type
    return f"{shown} ({node.type} {node.name})" if node.name else shown


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from walk(child)


def assign_labels(root: Node, scope: Scope, unlabelled: set[str]) -> None:
    """`as aN` on every activity whose results or properties other nodes read."""
    nodes = {n.name: n for n in walk(root) if n.name and n.name not in _OBJECTS and
             n is not root}
    scope.activities = set(nodes)
    read: set[str] = set()

    def scan(value: Any) -> None:
        if isinstance(value, str):
            if "{=" in value:
                read.update(m["object"] for m in FIELD_TOKEN.finditer(value))
        elif isinstance(value, dict):
            obj = value.get("object")
            if isinstance(obj, str):
                read.add(obj)
            for item in value.values():
                scan(item)
        elif isinstance(value, list):
            if len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], str):
                read.add(value[0])  # a legacy [object, field] reference
            for item in value:
                scan(item)

    for node in walk(root):
        scan(node.properties)
        if node.type == "ForEachActivity":
            scan(str(node.properties.get("Object", "")))
            read.add(str(node.properties.get("Object", "")))
    names = Names({*scope.decls, *BUILTINS})
    counter = 0
    for node in walk(root):
        if node.name in read and node.name in nodes and node.name not in scope.labels and \
                node.name not in unlabelled:
            counter += 1
            label = names.claim(f"a{counter}")
            scope.labels[node.name] = label
            scope.label_types[label] = node.type


__all__ = ["Plan", "TreeBuilder", "assign_labels", "describe", "state_names", "walk"]
