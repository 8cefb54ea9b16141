"""A robot or action declaration → the parameters of `bizproc.robot.add` / `activity.add`.

The parameter set is complete and canonical: every field the methods take is present, empty
ones with the value that clears them on `update` (DESCRIPTION "", DOCUMENT_TYPE [], FILTER [],
USE_PLACEMENT "N", AUTH_USER_ID 0), so that registering and updating both make the portal hold
exactly the declaration. `add_params` leaves the empty ones out, since an add starts from
nothing and the portal's add checks some of them only when they are present.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import field
from typing import Any, Literal

from compiler.catalog import Catalog
from compiler.diagnostics import Diagnostics
from compiler.record import record
from compiler.semantics.environment import Environment
from compiler.semantics.robots import (
    BASE_LANGUAGE,
    NOT_CONSTANT,
    Resolver,
    property_type,
    setting_of,
    waits,
)
from compiler.source import Span
from compiler.syntax import ast

Kind = Literal["robot", "action"]
# The fields `update` takes (FIELDS), in the order the docs list them.
FIELDS = ("HANDLER", "AUTH_USER_ID", "USE_SUBSCRIPTION", "NAME", "DESCRIPTION", "PROPERTIES",
          "RETURN_PROPERTIES", "DOCUMENT_TYPE", "FILTER", "USE_PLACEMENT", "PLACEMENT_HANDLER")
# Values that mean "not set"; an add omits them.
_EMPTY: tuple[Any, ...] = ("", 0, [], {}, "N")


@record(slots=False)
class RobotRegistration:
    kind: Kind
    code: str
    params: dict[str, Any]  # CODE and every field of FIELDS that applies
    file: str = ""
    span: Span | None = field(default=None, compare=False)

    @property
    def method_prefix(self) -> str:
        return "bizproc.robot" if self.kind == "robot" else "bizproc.activity"

    @property
    def key(self) -> str:
        """One entry per CODE and kind (a robot and an action are listed apart)."""
        return f"{self.kind}:{self.code}"

    @property
    def content_hash(self) -> str:
        return params_hash(self.params)

    def add_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.params.items()
                if k in ("CODE", "NAME", "HANDLER") or v not in _EMPTY or k == "USE_SUBSCRIPTION"}

    def update_fields(self) -> dict[str, Any]:
        return {k: self.params[k] for k in FIELDS if k in self.params}


def params_hash(params: dict[str, Any]) -> str:
    text = json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def build_registration(decl: ast.RobotDecl, env: Environment,
                       catalog: Catalog) -> RobotRegistration:
    """The registration of a declaration that checked without errors."""
    resolver = Resolver(env, catalog, Diagnostics())  # problems were reported by the checker
    params: dict[str, Any] = {
        "CODE": decl.code,
        "HANDLER": _text(resolver, decl, "handler"),
        "AUTH_USER_ID": _auth_user(resolver, decl),
        "USE_SUBSCRIPTION": "Y" if waits(decl) else "N",
        "NAME": _name(decl),
        "DESCRIPTION": _text(resolver, decl, "description"),
        "PROPERTIES": {io.name: _property(resolver, io) for io in decl.inputs},
        "RETURN_PROPERTIES": {io.name: _property(resolver, io) for io in decl.outputs},
        "DOCUMENT_TYPE": _document_type(resolver, decl),
        "FILTER": _filter(resolver, decl),
    }
    placement = _text(resolver, decl, "placement")
    params["USE_PLACEMENT"] = "Y" if placement else "N"
    if placement:
        params["PLACEMENT_HANDLER"] = placement
    kind: Kind = "action" if decl.kind == "action" else "robot"
    return RobotRegistration(kind, decl.code, params, decl.span.file, decl.span)


def _text(resolver: Resolver, decl: ast.RobotDecl, key: str) -> str:
    setting = setting_of(decl, key)
    return (resolver.text(setting.value, key) or "") if setting is not None else ""


def _auth_user(resolver: Resolver, decl: ast.RobotDecl) -> int:
    setting = setting_of(decl, "auth_user")
    return (resolver.user_id(setting.value) or 0) if setting is not None else 0


def _name(decl: ast.RobotDecl) -> str | dict[str, str]:
    """A plain name, or {lang: name} when translations are given (the declared name is the
    English one, which Bitrix shows for languages without their own)."""
    name = decl.name.plain
    setting = setting_of(decl, "translations")
    if setting is None or not isinstance(setting.value, ast.MapExpr):
        return name
    names = {BASE_LANGUAGE: name}
    for entry in setting.value.entries:
        if isinstance(entry.value, ast.Text):
            names[entry.key] = entry.value.plain
    return names


def _property(resolver: Resolver, io: ast.RobotIO) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "Name": io.label.plain if io.label is not None and io.label.plain else io.name,
        "Type": property_type(io.type),
        "Required": "Y" if io.required else "N",
        "Multiple": "Y" if io.type.multiple else "N",
    }
    if io.description is not None and io.description.plain:
        spec["Description"] = io.description.plain
    if io.type.options:
        spec["Options"] = {o.key: o.label.plain for o in io.type.options}
    if io.default is not None:
        value = resolver.constant(io.default)
        if value is not NOT_CONSTANT:
            spec["Default"] = value
    return spec


def _document_type(resolver: Resolver, decl: ast.RobotDecl) -> list[str]:
    setting = setting_of(decl, "document_type")
    rule = resolver.document_rule(setting.value, full=True) if setting is not None else None
    return rule if isinstance(rule, list) else []


def _filter(resolver: Resolver, decl: ast.RobotDecl) -> dict[str, list[Any]] | list[Any]:
    rules: dict[str, list[Any]] = {}
    for key, setting_key in (("INCLUDE", "documents"), ("EXCLUDE", "exclude")):
        setting = setting_of(decl, setting_key)
        if setting is None:
            continue
        items = setting.value.items if isinstance(setting.value, ast.ListExpr) \
            else (setting.value,)
        found = [resolver.document_rule(item, full=False) for item in items]
        rules[key] = [rule for rule in found if rule is not None]
    return rules or []  # an empty FILTER clears the portal's on update
