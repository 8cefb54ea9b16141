"""`permission` lines of a workflow and of its states, and a state's permission mode/scope.

Each operation is given once; its users are a user list like any other (role.author,
param.voters, user(1)…). A state's mode and scope are words of the statement table. The
operations a `permissions` statement may name are checked here too (check_operation).
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


def check_operation(operation: str, span: Span, exprs: ExpressionChecker,
                    diag: Diagnostics) -> None:
    """An operation of a `permissions` statement that the document type's dialog does not
    offer, where the catalog knows its operations (stdlib/documents: `operations`), is E303.
    The permission lines of a workflow or a state are not held to it: Bitrix's own templates
    give a list's root read, create and admin (tests/fixtures/designer/
    bizproc_business_trips.bpt)."""
    document = exprs.document
    spec = exprs.catalog.document(document.name) if document.known else None
    if spec is None or spec.offers_operation(operation) is not False:
        return
    ids = ", or the id of a rights task (a number)" if spec.operation_ids else ""
    diag.error("E303", f"'{operation}' is no permission operation of {document.name}", span,
               help=f"its operations are {', '.join(spec.operations)}{ids}")


def check_state_settings(state: ast.State, diag: Diagnostics) -> None:
    for setting, words in ((state.permission_mode, PERMISSION_MODES),
                           (state.permission_scope, PERMISSION_SCOPES)):
        if setting is not None and setting[0] not in words:
            kind = "mode" if words is PERMISSION_MODES else "scope"
            diag.error("E303", f"'{setting[0]}' is no permission {kind}", setting[1],
                       help=f"permission {kind} takes {', '.join(words)}")
