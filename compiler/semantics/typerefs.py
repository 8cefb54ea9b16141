"""Written types (`string`, `user[]`, `select {…}`, `internalselect("F")`, `type("UF:crm")`)
→ value types, for declarations of the workflow and of its document fields."""

from __future__ import annotations

from compiler.diagnostics import Diagnostics
from compiler.semantics import types as T
from compiler.semantics.suggestions import did_you_mean
from compiler.syntax import ast


def type_of_ref(ref: ast.TypeRef, diag: Diagnostics) -> T.Type:
    name = ref.name
    if name in ("select",) and not ref.options:
        diag.error("E201", "a select needs its options: select { \"key\": \"Label\" }", ref.span)
    if name != "type" and ref.argument is not None and ref.options:
        diag.error("E201", f"{name}(…) takes no options; only type(\"…\") {{…}} and "
                           "select {…} have them", ref.span)
    if name in ("internalselect", "type"):
        if not ref.argument:
            diag.error("E201", f"{name}(…) needs an argument", ref.span)
            return T.Type("string", ref.multiple)
        return T.Type("internalselect" if name == "internalselect" else ref.argument,
                      ref.multiple)
    if name not in T.BASE_TYPES:
        hint = did_you_mean(name, T.BASE_TYPES)
        diag.error("E200", f"unknown type '{name}'", ref.span,
                   help=hint or "types are string, text, int, double, bool, date, "
                                "datetime, time, user, file, select {…}, "
                                "internalselect(\"FIELD\") or type(\"UF:…\")")
        return T.Type("any", ref.multiple)
    return T.Type(name, ref.multiple)
