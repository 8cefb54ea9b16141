"""What activities return, typed as the catalog declares them (`returns` of
stdlib/activities.toml): the type a later `{=Name:Key}` reads, the empty values an activity
the simulator cannot run returns, and the values a scenario scripts for an activity
(`[[scenario.activities]]`)."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping
from typing import Any

from compiler.catalog import ReturnSpec
from compiler.php.values import is_numeric
from compiler.simulator import classes, dates
from compiler.simulator.directory import user_id_of
from compiler.simulator.types import FieldInfo, convert

# Catalog value types with no run-time type of their own read as text.
_UNTYPED = {"any": "string", "list": "string"}
_EMPTY: dict[str, Any] = {"int": 0, "double": 0.0, "bool": "N"}


def info(spec: ReturnSpec) -> FieldInfo:
    return FieldInfo(_UNTYPED.get(spec.type, spec.type), spec.multiple)


def return_spec(type_name: str, key: str) -> ReturnSpec | None:
    """The catalog's declaration of result `key` of an activity type (any spelling)."""
    found = classes.spec(type_name)
    if found is None:
        return None
    lowered = key.lower()
    return next((r for k, r in found.returns.items() if k.lower() == lowered), None)


def declared(type_name: str) -> dict[str, Any]:
    """The empty value of every result the type declares: what a run gets from an activity
    it cannot carry out when the scenario scripts nothing."""
    found = classes.spec(type_name)
    if found is None:
        return {}
    return {key: [] if spec.multiple else _EMPTY.get(spec.type, "")
            for key, spec in found.returns.items()}


def typed(type_name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` under the catalog's spelling of each key, converted to the declared types
    (undeclared keys as given)."""
    found = classes.spec(type_name)
    declared_returns = found.returns if found is not None else {}
    names = {key.lower(): key for key in declared_returns}
    out: dict[str, Any] = {}
    for key, value in values.items():
        name = names.get(key.lower(), key)
        spec = declared_returns.get(name)
        out[name] = convert(value, info(spec)) if spec is not None else value
    return out


def open_keys(type_name: str) -> bool:
    """Whether the type's results are not all declared: reads whose chosen fields become
    results (`returns_from`), app robots, and types outside the catalog."""
    found = classes.spec(type_name)
    return found is None or bool(found.returns_from) or type_name.lower().startswith("rest_")


def misfit(spec: ReturnSpec, value: Any) -> str | None:
    """Why `value` cannot be a value of result `spec`, or None when it can."""
    if spec.multiple and isinstance(value, list):
        single = dataclasses.replace(spec, multiple=False)
        return next((m for v in value if (m := misfit(single, v)) is not None), None)
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a table"
    kind = spec.type
    if kind in ("int", "double") and not (is_numeric(value) and not isinstance(value, bool)):
        return f"{value!r} is not a number"
    if kind == "user" and user_id_of(value) is None and not str(value).startswith("group_"):
        return f"{value!r} is not a user (12 or 'user_12')"
    if kind == "bool" and not isinstance(value, bool) and str(value).upper() not in ("Y", "N"):
        return f"{value!r} is not a bool (true, false, 'Y' or 'N')"
    if kind in ("date", "datetime") and dates.parse(value) is None:
        return f"{value!r} is not a date"
    return None


def matches(pattern: str, *texts: str) -> bool:
    """A scenario's activity pattern against a title, Name or type: exact, or with `*`, `?`
    and `[…]` wildcards, case-insensitive."""
    wanted = pattern.lower()
    for text in texts:
        value = str(text).lower()
        if value == wanted or fnmatch.fnmatchcase(value, wanted):
            return True
    return False
