"""A robot or action as bpl last registered it (the deploy state file records the parameters of
`bizproc.robot.add` / `bizproc.activity.add`) → its `robot`/`action` declaration.

A portal lists only the CODEs of an app's robots (`bizproc.robot.list`); the state file is the
record of the rest. A declaration is recovered only when compiling it gives back exactly the
recorded parameters (compiler/codegen/robots.py): translations, document types and filters,
and placements included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from compiler.catalog import Catalog
from compiler.codegen.robots import build_registration
from compiler.deploy.state import Registered
from compiler.format import format_module
from compiler.importer.document import from_triple
from compiler.importer.names import is_member_name
from compiler.importer.scope import NOWHERE
from compiler.importer.values import number, text_node
from compiler.semantics import types as T
from compiler.semantics.environment import APP_CLIENT_ID, Environment
from compiler.semantics.robots import BASE_LANGUAGE, DISTRIBUTIONS
from compiler.semantics.statements import robot_activity_type
from compiler.syntax import ast

_EMPTY: tuple[Any, ...] = ("", 0, [], {}, None, "N")


def recover(registered: Registered, env: Environment, catalog: Catalog) -> ast.RobotDecl | None:
    params = registered.params
    name, translations = _names(params.get("NAME"))
    if name is None:
        return None
    settings = []
    for key, setting in (("HANDLER", "handler"), ("DESCRIPTION", "description"),
                         ("PLACEMENT_HANDLER", "placement")):
        value = params.get(key)
        if isinstance(value, str) and value:
            settings.append(_setting(setting, text_node(value)))
    if translations is not None:
        settings.append(_setting("translations", translations))
    document_type = params.get("DOCUMENT_TYPE")
    if document_type not in _EMPTY:
        rule = _rule(document_type, catalog)
        if rule is None:
            return None
        settings.append(_setting("document_type", rule))
    filters = params.get("FILTER")
    if filters not in _EMPTY:
        if not isinstance(filters, dict):
            return None
        for key, setting_key in (("INCLUDE", "documents"), ("EXCLUDE", "exclude")):
            rules = filters.get(key)
            if rules is None:
                continue
            exprs = [_rule(rule, catalog) for rule in rules] if isinstance(rules, list) else [None]
            if any(expr is None for expr in exprs):
                return None
            settings.append(_setting(setting_key, ast.ListExpr(
                NOWHERE, tuple(expr for expr in exprs if expr is not None))))
    auth = params.get("AUTH_USER_ID")
    if isinstance(auth, int) and auth > 0:
        settings.append(_setting("auth_user", ast.Call(NOWHERE, ("user",), (ast.Arg(
            NOWHERE, None, ast.Number(NOWHERE, auth, str(auth))),), NOWHERE)))
    if params.get("USE_SUBSCRIPTION") == "N":
        settings.append(_setting("wait_for_result", ast.Bool(NOWHERE, False)))
    inputs = _ios("input", params.get("PROPERTIES"))
    outputs = _ios("output", params.get("RETURN_PROPERTIES"))
    if inputs is None or outputs is None:
        return None
    decl = ast.RobotDecl(NOWHERE, registered.kind, registered.code, NOWHERE, text_node(name),
                         tuple(settings), inputs, outputs)
    try:
        rebuilt = build_registration(decl, env, catalog).params
    except (ValueError, TypeError, KeyError):
        return None
    return decl if rebuilt == params else None


def _names(raw: Any) -> tuple[str | None, ast.MapExpr | None]:
    """NAME: a text, or {lang: text} with the English one as the declared name (codegen's
    `translations`)."""
    if isinstance(raw, str):
        return raw, None
    if not isinstance(raw, dict) or not isinstance(raw.get(BASE_LANGUAGE), str) or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        return None, None
    entries = tuple(ast.MapEntry(NOWHERE, key, NOWHERE, text_node(value))
                    for key, value in raw.items() if key != BASE_LANGUAGE)
    return raw[BASE_LANGUAGE], ast.MapExpr(NOWHERE, entries) if entries else None


def _rule(raw: Any, catalog: Catalog) -> ast.Expr | None:
    """A document rule of DOCUMENT_TYPE or FILTER as codegen reads it back
    (compiler/semantics/robots.py, document_rule): b24/box, a module, a module and entity,
    or a whole document type."""
    if isinstance(raw, str):
        return ast.Ref(NOWHERE, (raw,)) if raw in DISTRIBUTIONS else None
    if not isinstance(raw, list) or not 1 <= len(raw) <= 3 or \
            not all(isinstance(part, str) and part for part in raw):
        return None
    if len(raw) == 3:
        return from_triple(catalog, (raw[0], raw[1], raw[2])).expr
    if len(raw) == 1 and is_member_name(raw[0]):
        return ast.Ref(NOWHERE, (raw[0],))
    entity = next((spec for spec in catalog.documents.values() if spec.parameter and
                   (spec.module, spec.entity) == (raw[0], raw[1])), None)
    if entity is not None:
        return ast.Ref(NOWHERE, tuple(entity.name.split(".")))
    return ast.Call(NOWHERE, ("document",), tuple(
        ast.Arg(NOWHERE, None, text_node(part)) for part in raw), NOWHERE)


def _setting(key: str, value: ast.Expr) -> ast.Setting:
    return ast.Setting(NOWHERE, key, NOWHERE, value)


def _ios(kind: str, raw: Any) -> tuple[ast.RobotIO, ...] | None:
    if raw in ([], {}, None):
        return ()
    if not isinstance(raw, dict):
        return None
    out = []
    for ident, spec in raw.items():
        if not isinstance(spec, dict) or not is_member_name(str(ident)):
            return None
        io = _io(kind, str(ident), spec)
        if io is None:
            return None
        out.append(io)
    return tuple(out)


def _io(kind: str, ident: str, spec: dict[str, Any]) -> ast.RobotIO | None:
    type_name = str(spec.get("Type") or "string")
    multiple = spec.get("Multiple") == "Y"
    options = spec.get("Options")
    choices = tuple(ast.SelectOption(NOWHERE, str(k), text_node(str(v)))
                    for k, v in options.items()) if isinstance(options, dict) else ()
    if type_name == "select":
        type_ref = ast.TypeRef(NOWHERE, "select", multiple, options=choices)
    elif type_name in T.BASE_TYPES and type_name != "internalselect" and not choices:
        type_ref = ast.TypeRef(NOWHERE, type_name, multiple)
    else:
        type_ref = ast.TypeRef(NOWHERE, "type", multiple, options=choices, argument=type_name)
    default: ast.Expr | None = None
    if "Default" in spec:
        value = spec["Default"]
        if isinstance(value, bool):
            default = ast.Bool(NOWHERE, value)
        elif isinstance(value, int | float):
            default = number(value)
        elif isinstance(value, str):
            default = text_node(value)
        if default is None:
            return None
    label = spec.get("Name")
    description = spec.get("Description")
    return ast.RobotIO(NOWHERE, kind, ident, NOWHERE, type_ref, default,
                       spec.get("Required") == "Y",
                       text_node(str(label)) if label not in (None, "", ident) or
                       description else None,
                       text_node(str(description)) if description else None)


def recovered_robots(records: Iterable[Registered], env: Environment, catalog: Catalog,
                     known: Iterable[str]) -> dict[str, ast.RobotDecl]:
    """rest_<md5> → declaration, for the recorded robots of the environment's app the project
    does not declare (`known`: their node types). A CODE recorded with different parameters
    (by several apps) is not recovered: which one this app has is unknown."""
    client_id = env.get(APP_CLIENT_ID)
    if not client_id:
        return {}
    skip = {k.lower() for k in known}
    found: dict[str, list[Registered]] = {}
    for record in records:
        activity_type = robot_activity_type(str(client_id), record.code)
        if activity_type not in skip:
            found.setdefault(activity_type, []).append(record)
    out = {}
    for activity_type, same in sorted(found.items()):
        if len({r.content_hash for r in same}) != 1:
            continue
        decl = recover(same[0], env, catalog)
        if decl is not None:
            out[activity_type] = decl
    return out


def declarations_text(decls: Iterable[ast.RobotDecl]) -> str:
    """A .bpl file of the recovered declarations."""
    header = "// Robots and actions recovered from bpl's deploy state by `bpl import --env`.\n"
    return header + format_module(ast.Module(NOWHERE, tuple(decls)))
