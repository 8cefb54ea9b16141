"""Macro expansion: a new tree in which every call of a macro is an `ast.Expansion` holding the
call and the statements the macro stands for, its parameters replaced by the call's arguments.

Expansion goes on inside expansions (a macro may call macros) down to MAX_MACRO_DEPTH; a call
that goes deeper, or gives the wrong number of arguments, expands to nothing and is reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from compiler.diagnostics import Diagnostics, Label
from compiler.semantics.walk import Body, with_bodies
from compiler.syntax import ast

MAX_MACRO_DEPTH = 16


class Expander:
    def __init__(self, macros: Mapping[str, ast.MacroDecl], diag: Diagnostics) -> None:
        self.macros = macros
        self.diag = diag

    def body(self, body: Body, depth: int = 0) -> Body:
        return tuple(self.statement(stmt, depth) for stmt in body)

    def statement(self, stmt: ast.Stmt, depth: int = 0) -> ast.Stmt:
        if isinstance(stmt, ast.CallStmt):
            macro = self.macros.get(stmt.call.dotted)
            return self._expand(stmt, macro, depth) if macro is not None else stmt
        return with_bodies(stmt, lambda body: self.body(body, depth))

    def _expand(self, stmt: ast.CallStmt, macro: ast.MacroDecl, depth: int) -> ast.Expansion:
        if depth > MAX_MACRO_DEPTH:
            self.diag.error("E105", f"macro '{macro.name}' expands itself too deeply",
                            stmt.span, help="a macro must not call itself")
            return ast.Expansion(stmt.span, stmt.opts, stmt, ())
        args = stmt.call.args
        named = next((a for a in args if a.name is not None), None)
        if named is not None:
            self.diag.error("E108", f"macro '{macro.name}' takes positional arguments",
                            named.span, labels=(Label(macro.name_span, "declared here"),),
                            help=f"write {macro.name}({', '.join(macro.params)}) in this order")
            return ast.Expansion(stmt.span, stmt.opts, stmt, ())
        if len(args) != len(macro.params):
            self.diag.error(
                "E105", f"macro '{macro.name}' takes {len(macro.params)} argument(s) "
                        f"({', '.join(macro.params)}), given {len(args)}",
                stmt.call.span, labels=(Label(macro.name_span, "declared here"),))
            return ast.Expansion(stmt.span, stmt.opts, stmt, ())
        mapping = {p: a.value for p, a in zip(macro.params, args, strict=True)}
        body = tuple(substitute(s, mapping) for s in macro.body)
        return ast.Expansion(stmt.span, stmt.opts, stmt, self.body(body, depth + 1))


def substitute(node: Any, mapping: Mapping[str, ast.Expr]) -> Any:
    """A copy of `node` with single-name references to macro parameters replaced."""
    if isinstance(node, ast.Ref) and len(node.parts) == 1 and node.parts[0] in mapping:
        return mapping[node.parts[0]]
    if isinstance(node, tuple):
        return tuple(substitute(item, mapping) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            new = substitute(value, mapping)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node
