"""`Permission` maps of the root and of states → `permission OP USERS` lines, and a state's
PermissionMode / PermissionScope → `permission mode …` / `permission scope …`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.bitrix.canonical import value as canonical
from compiler.catalog.statements import PERMISSION_MODES, PERMISSION_SCOPES
from compiler.importer.report import Report, printable
from compiler.importer.scope import NOWHERE
from compiler.importer.values import Values
from compiler.syntax import ast


def permissions(raw: Any, values: Values, report: Report,
                where: str) -> tuple[ast.Permission, ...]:
    """The lines of a `Permission` map; an operation whose users have no .bpl form is
    reported and left out."""
    if isinstance(raw, list) and not raw:
        return ()  # PHP's empty array: nobody is given anything
    if not isinstance(raw, Mapping):
        if raw not in (None, ""):
            report.lossy(where, f"Permission {printable(repr(raw), 60)} is not a map of "
                                "operations; dropped")
        return ()
    out = []
    for operation, users in raw.items():
        if users in ([], "", None):
            continue  # an operation given to nobody is no permission (canonical.py)
        expr = values.users(users if isinstance(users, list) else [users])
        if expr is None or not str(operation):
            report.lossy(where, f"permission {printable(str(operation), 30)} "
                                f"{printable(repr(users), 60)} has no .bpl form; dropped")
            continue
        out.append(ast.Permission(NOWHERE, str(operation), expr))
    return tuple(out)


def setting(raw: Any, words: Mapping[str, int], default: int, report: Report,
            where: str) -> tuple[str, Any] | None:
    """`hold`, `document`… for a PermissionMode / PermissionScope value; None for Bitrix's
    default when it was left out (a default written out is kept, so the template compiles
    back with the key)."""
    if raw is None:
        return None
    for word, number in words.items():
        if canonical(raw) == canonical(number):
            return (word, NOWHERE)
    kind = "mode" if words is PERMISSION_MODES else "scope"
    report.lossy(where, f"permission {kind} {printable(repr(raw), 30)} is not one Bitrix knows; "
                        f"dropped (Bitrix reads it as {default})")
    return None


__all__ = ["PERMISSION_MODES", "PERMISSION_SCOPES", "permissions", "setting"]
