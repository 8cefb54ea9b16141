"""`permission` lines of a workflow and of its states, and a state's permission mode/scope.

Each operation is given once; its users are a user list like any other (role.author,
param.voters, user(1)…). A state's mode and scope are words of the statement table.
"""

from __future__ import annotations

from compiler.catalog.statements import PERMISSION_MODES, PERMISSION_SCOPES
from compiler.diagnostics import Diagnostics, Label
from compiler.semantics.expressions import ExpressionChecker
from compiler.source import Span
from compiler.syntax import ast


def check_permissions(permissions: tuple[ast.Permission, ...], exprs: ExpressionChecker,
                      diag: Diagnostics) -> None:
    seen: dict[str, Span] = {}
    for permission in permissions:
        first = seen.get(permission.operation)
        if first is not None:
            diag.error("E101", f"permission '{permission.operation}' is given twice",
                       permission.span, labels=(Label(first, "first here"),),
                       help="list every user of an operation in one permission line")
        seen.setdefault(permission.operation, permission.span)
        exprs.users(permission.users)


def check_state_settings(state: ast.State, diag: Diagnostics) -> None:
    for setting, words in ((state.permission_mode, PERMISSION_MODES),
                           (state.permission_scope, PERMISSION_SCOPES)):
        if setting is not None and setting[0] not in words:
            kind = "mode" if words is PERMISSION_MODES else "scope"
            diag.error("E303", f"'{setting[0]}' is no permission {kind}", setting[1],
                       help=f"permission {kind} takes {', '.join(words)}")
