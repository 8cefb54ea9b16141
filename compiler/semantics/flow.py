"""What a reviewer catches by eye in a bound workflow: declarations nothing uses (W110),
variables read before anything can have written them (W111), and branches of an `if` that
repeat a condition or a body (W407). Warnings: the workflow runs, but not as its author
meant.

Reads and writes are those of the bound tree: a reference bound to a variable is a read,
except where a statement writes it (the target of `=` and `set`, a field of `ask`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Iterator, Sequence

from compiler.diagnostics import Diagnostics, Label, Severity
from compiler.semantics.builtins import PRINTABLE_SUFFIX
from compiler.semantics.model import DeclInfo
from compiler.semantics.walk import (
    Body,
    child_bodies,
    references,
    walk_statements,
    workflow_bodies,
)
from compiler.source import Span
from compiler.syntax import ast
from compiler.syntax.shape import shape

_WHAT = {"param": "parameter", "var": "variable", "const": "constant"}


class FlowRules:
    def __init__(self, decls: dict[str, DeclInfo], diag: Diagnostics) -> None:
        self.decls = decls
        self.diag = diag

    def check(self, workflow: ast.Workflow, robots: Iterable[ast.RobotDecl] = ()) -> None:
        """`robots`: the robots and actions the workflow calls, as bound in it (their
        auth_user may read a parameter or constant)."""
        for body in workflow_bodies(workflow):
            self._branches(body)
        if not self.decls:
            return
        refs = [ref for ref in references(
            tuple(d.default for d in workflow.decls), workflow.body, workflow.states,
            workflow.permissions, tuple(s.value for r in robots for s in r.settings))
            if ref.parts[0] in _WHAT and len(ref.parts) == 2]
        self._unused(refs)
        unassigned = _Unassigned(self, workflow)
        if any(r.binding is not None and r.binding.kind == "var" and
               r.binding.field in unassigned.tracked for r in refs):
            unassigned.check()

    # ── W110: declared, never used ───────────────────────────────────────────────────────
    def _unused(self, refs: list[ast.Ref]) -> None:
        """`refs`: every param./var./const. reference of the workflow."""
        # By name, bound or not, whatever the scope written: `param.limit = 5` is refused
        # (E202), `param.total` for a variable is E100, `param.limt` E100 with "did you mean
        # 'limit'?"; none of them adds "limit is never used".
        used: set[str] = set()
        for ref in refs:
            used.add(ref.parts[1])
            if ref.parts[1].endswith(PRINTABLE_SUFFIX):  # var.x_printable reads x
                used.add(ref.parts[1][: -len(PRINTABLE_SUFFIX)])
            if ref.binding is None:
                used.update(difflib.get_close_matches(ref.parts[1], self.decls, n=1,
                                                      cutoff=0.6))
        # A declaration with an error of its own is being fixed: nothing more is said of it.
        errors = [d.span for d in self.diag if d.severity is Severity.ERROR]
        for name, info in self.decls.items():
            decl = info.decl
            if name not in used and not any(_inside(span, decl.span) for span in errors):
                self.diag.warning("W110", f"{_WHAT[decl.kind]} '{name}' is never used",
                                  decl.name_span,
                                  help=f"remove it, or read it as {decl.kind}.{name}")

    # ── W407: an if's branches that repeat each other ────────────────────────────────────
    def _branches(self, body: Body) -> None:
        for stmt in body:
            if isinstance(stmt, ast.IfStmt):
                self._if(stmt)
            for child in child_bodies(stmt):
                self._branches(child)

    def _if(self, stmt: ast.IfStmt) -> None:
        if len(stmt.branches) < 2:
            return
        conditions: dict[object, ast.IfBranch] = {}
        bodies: list[ast.IfBranch] = []  # the branches with statements, each unlike the others
        for branch in stmt.branches:
            if branch.condition is not None:
                key = shape(branch.condition)
                first = conditions.get(key)
                if first is not None and first.condition is not None:
                    self.diag.warning("W407", "this branch never runs: an earlier branch has "
                                              "the same condition", branch.condition.span,
                                      labels=(Label(first.condition.span, "the same condition"),),
                                      help="change the condition, or remove the branch")
                    continue
                conditions[key] = branch
            if not branch.body:
                continue
            # The kinds of statements first: the whole shapes only of bodies that may be alike.
            alike = next((b for b in bodies if _kinds(b.body) == _kinds(branch.body) and
                          shape(b.body) == shape(branch.body)), None)
            if alike is not None:
                self.diag.warning("W407", "this branch does what an earlier one does",
                                  branch.span, labels=(Label(alike.span, "the same statements"),),
                                  help="join them into one branch (conditions joined with "
                                       "'or'), or check that both are meant")
            else:
                bodies.append(branch)


def _kinds(body: Body) -> tuple[str, ...]:
    return tuple(type(stmt).__name__ for stmt in body)


# ── W111: a variable read before anything can have written it ───────────────────────────────
def _reads(stmt: ast.Stmt) -> Iterator[ast.Ref]:
    """The variables a statement reads itself (not the statements it holds)."""
    roots: tuple[object, ...]
    if isinstance(stmt, ast.SetStmt | ast.AssignStmt):
        assignments = stmt.assignments if isinstance(stmt, ast.SetStmt) else \
            (stmt.assignment,)
        roots = (stmt.opts, tuple(a.value for a in assignments))
    elif isinstance(stmt, ast.AskStmt):
        roots = (stmt.opts, stmt.name, stmt.users, stmt.settings,
                 tuple(f.label for f in stmt.fields))
    elif isinstance(stmt, ast.IfStmt):
        roots = (stmt.opts, tuple((b.condition, b.opts) for b in stmt.branches))
    elif isinstance(stmt, ast.ParallelStmt):
        roots = (stmt.opts, tuple(b.opts for b in stmt.branches))
    elif isinstance(stmt, ast.Expansion):
        roots = (stmt.opts,)  # the call as written; its statements read what they read
    else:
        # Every field but the bodies the statement holds (walked as statements of their own).
        roots = tuple(getattr(stmt, f.name) for f in dataclasses.fields(stmt)
                      if f.compare and f.name not in _BODIES)
    for ref in references(*roots):
        if ref.binding is not None and ref.binding.kind == "var":
            yield ref


# The fields of statements that hold statements (compiler/semantics/walk.py child_bodies).
_BODIES = frozenset({"body", "approved", "rejected", "children"})


def _writes(stmt: ast.Stmt) -> Iterator[str]:
    """The variables a statement writes itself."""
    targets: Iterable[ast.Ref] = ()
    if isinstance(stmt, ast.SetStmt):
        targets = (a.target for a in stmt.assignments)
    elif isinstance(stmt, ast.AssignStmt):
        targets = (stmt.assignment.target,)
    elif isinstance(stmt, ast.AskStmt):
        targets = (f.target for f in stmt.fields)
    for target in targets:
        if target.parts[0] == "var" and len(target.parts) == 2:
            yield target.parts[1]


def _all_writes(body: Sequence[ast.Stmt]) -> set[str]:
    found: set[str] = set()
    for stmt in body:
        found.update(_writes(stmt))
        for child in child_bodies(stmt):
            found |= _all_writes(child)
    return found


class _Unassigned:
    """Walks each body in order with the variables some path may have written so far; a read
    of a variable no path has written is reported once per variable. A loop's body may run
    again, and parallel branches interleave, so what they write anywhere counts as possibly
    written throughout them. In a statemachine any handler may have run before another, so
    what any handler writes counts everywhere."""

    def __init__(self, rules: FlowRules, workflow: ast.Workflow) -> None:
        self.diag = rules.diag
        self.workflow = workflow
        # Parameters and constants always hold a value; so do variables with a default.
        self.tracked = {name for name, info in rules.decls.items()
                        if info.decl.kind == "var" and info.decl.default is None}
        self.reported: set[str] = set()

    def check(self) -> None:
        if not self.tracked:
            return  # every variable has a default (or there are none)
        bodies = workflow_bodies(self.workflow)
        if any(isinstance(s, ast.ActivityStmt) for body in bodies
               for s in walk_statements(body)):
            return  # a generic activity (SetVariableActivity…) may write any variable
        shared: set[str] = set()
        if self.workflow.kind == "statemachine":
            for body in bodies:
                shared |= _all_writes(body)
            handlers = [(h.users, h.command_title, h.opts) for s in self.workflow.states
                        for h in s.handlers]
            for ref in references(tuple(handlers), tuple(s.title for s in self.workflow.states)):
                if ref.binding is not None and ref.binding.kind == "var":
                    self._read(ref, shared)
        for body in bodies:
            self._body(body, set(shared))

    def _body(self, body: Body, written: set[str]) -> set[str]:
        for stmt in body:
            written = self._stmt(stmt, written)
        return written

    def _stmt(self, stmt: ast.Stmt, written: set[str]) -> set[str]:
        for ref in _reads(stmt):
            self._read(ref, written)
        if isinstance(stmt, ast.IfStmt):
            after = set(written)
            for branch in stmt.branches:
                after |= self._body(branch.body, set(written))
            return after
        if isinstance(stmt, ast.ApproveStmt):
            after = set(written)
            for body in child_bodies(stmt):
                after |= self._body(body, set(written))
            return after
        if isinstance(stmt, ast.WhileStmt | ast.ForEachStmt | ast.ParallelStmt):
            again = written | _all_writes([stmt])
            for body in child_bodies(stmt):
                self._body(body, set(again))
            return again
        for body in child_bodies(stmt):  # a macro's statements, a generic container
            written = self._body(body, written)
        return written | set(_writes(stmt))

    def _read(self, ref: ast.Ref, written: set[str]) -> None:
        assert ref.binding is not None
        name = ref.binding.field
        if name in self.tracked and name not in written and name not in self.reported:
            self.reported.add(name)
            self.diag.warning("W111", f"var.{name} is read before anything writes it: it is "
                                      "empty here", ref.span,
                              help=f"give it a default (var {name}: … = …) or set it first")


def _inside(inner: Span, outer: Span) -> bool:
    return inner.file == outer.file and (outer.line, outer.column) <= \
        (inner.line, inner.column) <= (outer.end_line, outer.end_column)
