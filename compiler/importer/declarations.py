"""PARAMETERS, VARIABLES and CONSTANTS → `param` / `var` / `const` declarations (§3).

A declaration's name is its Bitrix id (`{=Variable:<id>}`), so an id that is not a .bpl name,
or that two collections share, cannot be declared; its references then stay verbatim. The
type, flags, options and default are written so that codegen stores them back as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.bitrix import Field, Template
from compiler.bitrix.canonical import flag
from compiler.importer.names import is_member_name
from compiler.importer.report import Report
from compiler.importer.scope import NOWHERE
from compiler.importer.values import Values, number, text_node
from compiler.semantics import types as T
from compiler.semantics.printed import is_printed
from compiler.syntax import ast

COLLECTIONS = (("PARAMETERS", "param"), ("VARIABLES", "var"), ("CONSTANTS", "const"))
_PLAIN_TYPES = set(T.BASE_TYPES) - {"select", "internalselect"}


def declare_all(template: Template, values: Values, report: Report) -> list[ast.Decl]:
    decls: list[ast.Decl] = []
    for fields, kind in ((template.parameters, "param"), (template.variables, "var"),
                         (template.constants, "const")):
        for ident, spec in fields.items():
            decl = _declare(kind, ident, spec, values, report)
            if decl is not None:
                decls.append(decl)
    return decls


def report_undeclarable(package: Mapping[str | int, Any], report: Report) -> None:
    """Entries of the package's collections that are not arrays (a Template reads past them):
    they declare nothing, and the report says so."""
    for key, kind in COLLECTIONS:
        collection = package.get(key)
        for ident, spec in collection.items() if isinstance(collection, Mapping) else ():
            if not isinstance(spec, Mapping):
                report.lossy(f"{kind} {ident}", "its description is not an array; not declared")


def _declare(kind: str, ident: str, spec: Field, values: Values,
             report: Report) -> ast.Decl | None:
    where = f"{kind} {ident}"
    if not is_member_name(ident) or (ident == "TargetUser" and kind != "param"):
        report.lossy(where, "the id cannot be a .bpl name; not declared, and references to "
                            "it are kept verbatim")
        return None
    if ident in values.scope.decls:
        report.lossy(where, f"the id is also a {values.scope.decls[ident][0]}; .bpl has one "
                            "namespace for both, so this one is not declared")
        return None
    # An empty Default_printable is no key to plan (canonical.py); other extra keys are lost.
    extra = sorted(k for k, v in spec.extra.items()
                   if not (k == "Default_printable" and v in ("", None, [])))
    if extra:
        report.lossy(where, f"keys {', '.join(extra)} have no .bpl form and are dropped")
    type_ref = _type(spec, where, values, report)
    multiple = type_ref.multiple
    base = type_ref.argument if type_ref.name == "type" else type_ref.name
    values.scope.decls[ident] = (kind, T.Type(base or "string", multiple))
    default = _default(spec.default, base or "string", multiple, type_ref, values, where,
                       report)
    label, description = _texts(ident, spec, values)
    asked = spec.title is not None
    if asked and (kind != "var" or spec.title != spec.name):
        asked = False
        report.lossy(where, f"its request form title {spec.title!r} is not its label "
                            f"{spec.name!r} (.bpl keeps one, the label); dropped"
                     if kind == "var" else "key Title has no .bpl form outside a variable and "
                                           "is dropped")
    return ast.Decl(NOWHERE, kind, ident, NOWHERE, type_ref, default, spec.required, label,
                    description, asked)


def _type(spec: Field, where: str, values: Values, report: Report) -> ast.TypeRef:
    name = spec.type or "string"
    multiple = spec.multiple
    options = spec.options
    if isinstance(options, list) and options and not any(isinstance(o, list | Mapping)
                                                         for o in options):
        # A PHP array keyed 0..n-1 comes back from template.list as a JSON list.
        options = {str(index): option for index, option in enumerate(options)}
    has_options = options not in (None, "", [], {})
    if name == "select" and isinstance(options, Mapping) and options:
        choices = tuple(ast.SelectOption(NOWHERE, str(k), values.text(str(v)))
                        for k, v in options.items())
        return ast.TypeRef(NOWHERE, "select", multiple, options=choices)
    if name != "internalselect" and isinstance(options, Mapping) and options:
        # Another type with options (the lists' `L`): `type("L") {"k": "Label"}`.
        choices = tuple(ast.SelectOption(NOWHERE, str(k), values.text(str(v)))
                        for k, v in options.items())
        return ast.TypeRef(NOWHERE, "type", multiple, options=choices, argument=name)
    if name == "internalselect" and isinstance(options, str) and options:
        return ast.TypeRef(NOWHERE, "internalselect", multiple, argument=options)
    if has_options:
        report.lossy(where, f"options {options!r} of type {name} have no .bpl form; dropped")
    if name in _PLAIN_TYPES:
        return ast.TypeRef(NOWHERE, name, multiple)
    return ast.TypeRef(NOWHERE, "type", multiple, argument=name)


def _texts(ident: str, spec: Field,
           values: Values) -> tuple[ast.Text | None, ast.Text | None]:
    name = spec.name
    description = spec.description
    label = values.any_text(name) if name not in (None, "", ident) else None
    about = values.any_text(description) if description not in (None, "") else None
    if about is not None and label is None:
        label = text_node(ident)
    return label, about


def _default(raw: Any, base: str, multiple: bool, type_ref: ast.TypeRef, values: Values,
             where: str, report: Report) -> ast.Expr | None:
    if raw in (None, "", []):
        return None
    if base == "user":
        return _user_default(raw, multiple, values, where, report)
    items = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list) and not multiple:
        report.lossy(where, "a list default of a single value keeps its first item only")
        items = raw[:1]
    exprs = []
    for item in items:
        expr = _scalar(item, base, type_ref, values)
        if expr is None:
            report.lossy(where, f"default {item!r} does not fit the type {base}; dropped")
            return None
        exprs.append(expr)
    if multiple and isinstance(raw, list):
        return ast.ListExpr(NOWHERE, tuple(exprs))
    return exprs[0]


def _scalar(raw: Any, base: str, type_ref: ast.TypeRef, values: Values) -> ast.Expr | None:
    if base == "bool":
        spelled = flag(raw)
        return ast.Bool(NOWHERE, spelled == "Y") if spelled is not None else None
    if base == "select" and type_ref.options:
        keys = {o.key for o in type_ref.options}
        return text_node(str(raw)) if str(raw) in keys else None
    if base in ("int", "double") and not isinstance(raw, bool):
        parsed = _parsed_number(raw)
        if parsed is not None:
            return parsed
    return values.value(raw)


def _parsed_number(raw: Any) -> ast.Expr | None:
    """A number literal that codegen stores back as exactly `raw`'s digits."""
    if isinstance(raw, int | float):
        found = number(raw)
        return found if found is not None and str(raw) == _stored(raw) else None
    if isinstance(raw, str):
        try:
            value: int | float = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                return None
        found = number(value)
        return found if found is not None and _stored(value) == raw else None
    return None


def _stored(value: int | float) -> str:
    """How codegen stores a numeric default (strings, integral floats without '.0')."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _user_default(raw: Any, multiple: bool, values: Values, where: str,
                  report: Report) -> ast.Expr | None:
    if isinstance(raw, str) and is_printed(raw):
        # Users as the designer prints them ('Author; John Smith [12];'): .bpl keeps the text
        # (compiler/semantics/printed.py), unless it needs escapes no text literal round-trips.
        printed = values.text(raw)
        if isinstance(printed, ast.Text) and printed.is_plain and printed.plain == raw:
            return printed
        report.lossy(where, f"default {raw!r} is users as the designer prints them, in a "
                            "text .bpl cannot keep as written; dropped")
        return None
    items = raw if isinstance(raw, list) else [raw]
    if not multiple and len(items) != 1:
        report.lossy(where, "a single user with several default users keeps the first only")
        items = items[:1]
    expr = values.users(items)
    if expr is None:
        report.lossy(where, f"default users {raw!r} have no .bpl form; dropped")
        return None
    if isinstance(expr, ast.ListExpr) and len({_kind(i, values) for i in expr.items}) > 1:
        # The checker types a list by its items: users, roles and texts together make a
        # plain list, which a user[] default refuses. As texts they store the same tokens.
        expr = ast.ListExpr(NOWHERE, tuple(
            values.text(str(token)) for token in values.render.users(expr)))
    if not multiple and isinstance(raw, list):
        report.lossy(where, "a single user's default stored as a list becomes one user")
    return expr


def _kind(item: ast.Expr, values: Values) -> str:
    """The base type the checker gives a user list item."""
    if isinstance(item, ast.Call):
        return "user"
    if isinstance(item, ast.Ref):
        resolved = values.scope.resolved(item)
        return resolved.type.base if resolved is not None else "any"
    return "string"
