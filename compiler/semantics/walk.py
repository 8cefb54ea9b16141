"""The statement bodies a statement holds, to read them or to rebuild the statement with new
ones. Every container of the language is listed here once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from compiler.source import Span
from compiler.syntax import ast

Body = tuple[ast.Stmt, ...]


def child_bodies(stmt: ast.Stmt) -> list[Body]:
    if isinstance(stmt, ast.ApproveStmt):
        return [b for b in (stmt.approved, stmt.rejected) if b is not None]
    if isinstance(stmt, ast.ParallelStmt):
        return [b.body for b in stmt.branches]
    if isinstance(stmt, ast.WhileStmt | ast.ForEachStmt | ast.Expansion):
        return [stmt.body]
    if isinstance(stmt, ast.IfStmt):
        return [b.body for b in stmt.branches]
    if isinstance(stmt, ast.ActivityStmt) and stmt.children is not None:
        return [stmt.children]
    return []


def with_bodies(stmt: ast.Stmt, change: Callable[[Body], Body]) -> ast.Stmt:
    """`stmt` with `change` applied to each body it holds (itself when it holds none)."""
    replace = dataclasses.replace
    if isinstance(stmt, ast.ApproveStmt):
        return replace(stmt, approved=change(stmt.approved) if stmt.approved is not None
                       else None,
                       rejected=change(stmt.rejected) if stmt.rejected is not None else None)
    if isinstance(stmt, ast.ParallelStmt):
        return replace(stmt, branches=tuple(replace(b, body=change(b.body))
                                            for b in stmt.branches))
    if isinstance(stmt, ast.WhileStmt | ast.ForEachStmt | ast.Expansion):
        return replace(stmt, body=change(stmt.body))
    if isinstance(stmt, ast.IfStmt):
        return replace(stmt, branches=tuple(replace(b, body=change(b.body))
                                            for b in stmt.branches))
    if isinstance(stmt, ast.ActivityStmt) and stmt.children is not None:
        return replace(stmt, children=change(stmt.children))
    return stmt


def walk_statements(body: Sequence[ast.Stmt]) -> Iterator[ast.Stmt]:
    for stmt in body:
        yield stmt
        for child in child_bodies(stmt):
            yield from walk_statements(child)


def workflow_bodies(workflow: ast.Workflow) -> list[Body]:
    """The top-level bodies: a sequential workflow's, or every handler's of a statemachine."""
    if workflow.kind == "statemachine":
        return [h.body for s in workflow.states for h in s.handlers]
    return [workflow.body]


def references(*roots: Any) -> Iterator[ast.Ref]:
    """Every reference under `roots` (syntax nodes, or tuples of them), in a bound tree with
    its binding."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Ref):
            yield node
        elif isinstance(node, tuple | list):
            stack.extend(node)
        else:
            names = _NODE_FIELDS.get(type(node))
            if names is None:
                names = _node_fields(type(node))
            stack.extend(getattr(node, name) for name in names)


# The fields a walk looks into, per class: those taking part in equality (not what the binder
# records), and not the ones that hold only text or positions.
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAVES = (Span,)


def _node_fields(cls: type) -> tuple[str, ...]:
    names: tuple[str, ...] = ()
    if dataclasses.is_dataclass(cls) and not issubclass(cls, _LEAVES):
        names = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
    _NODE_FIELDS[cls] = names
    return names
