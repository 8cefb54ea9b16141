"""Values between Bitrix and Python, by the declared type of each robot property.

In: the strings of the handler payload become `int`, `float`, `bool`, `date`, `datetime`,
user ids (`int`), strings, or lists of those for multiple properties. Out: what the user's
function returns is checked against the declared outputs and put into the internal form
bizproc.event.send expects; anything that does not fit is an error naming the output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from compiler.handler.spec import Param

_USER = re.compile(r"^(?:user_)?(\d+)$", re.IGNORECASE)
_TRUE = {"y", "yes", "true", "1", "on"}
_FALSE = {"n", "no", "false", "0", "off"}
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                     "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%Y %I:%M:%S %p")


class ValueProblem(ValueError):
    """One property's value does not fit its declared type; the message says which and why."""


def _base(type_name: str) -> str:
    name = type_name.lower()
    if name in ("int", "integer", "uf:integer"):
        return "int"
    if name in ("double", "uf:double", "uf:money"):
        return "double"
    if name in ("bool", "uf:boolean"):
        return "bool"
    if name in ("date", "uf:date"):
        return "date"
    if name in ("datetime", "uf:datetime"):
        return "datetime"
    if name in ("user", "s:employee", "uf:employee"):
        return "user"
    return "string"


def _parse_moment(text: str, formats: tuple[str, ...]) -> datetime | None:
    cleaned = re.sub(r"([+-]\d\d:?\d\d|Z)$", "", text.strip())
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


# -- in -------------------------------------------------------------------------------------


def _input_one(text: Any, base: str) -> Any:
    value = str(text).strip()
    if base == "int":
        return int(value)
    if base == "double":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    if base == "bool":
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ValueError(value)
    if base == "date":
        moment = _parse_moment(value, _DATE_FORMATS + _DATETIME_FORMATS)
        if moment is None:
            raise ValueError(value)
        return moment.date()
    if base == "datetime":
        moment = _parse_moment(value, _DATETIME_FORMATS + _DATE_FORMATS)
        if moment is None:
            raise ValueError(value)
        return moment
    if base == "user":
        match = _USER.match(value)
        if match is None:
            raise ValueError(value)
        return int(match.group(1))
    return str(text)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def input_value(param: Param, raw: Any) -> Any:
    base = _base(param.type)
    items = list(raw.values()) if isinstance(raw, dict) else raw
    if param.multiple:
        values = items if isinstance(items, list) else ([] if _empty(items) else [items])
        values = [v for v in values if not _empty(v)]
        if param.required and not values:
            raise ValueProblem(f"input {param.name} is required but arrived empty")
        try:
            return [_input_one(v, base) for v in values]
        except ValueError as error:
            raise ValueProblem(f"input {param.name} is not a list of {param.type}: {error}") \
                from None
    if isinstance(items, list):
        items = items[0] if items else ""
    if _empty(items):
        if param.required:
            raise ValueProblem(f"input {param.name} is required but arrived empty")
        return "" if base == "string" else None
    try:
        return _input_one(items, base)
    except ValueError:
        raise ValueProblem(f"input {param.name} is not a valid {param.type}: {items!r}") from None


def inputs(params: tuple[Param, ...], properties: Mapping[str, Any]) -> dict[str, Any]:
    return {p.name: input_value(p, properties.get(p.name)) for p in params}


# -- out ------------------------------------------------------------------------------------


def _output_one(param: Param, value: Any) -> Any:
    base = _base(param.type)
    wrong = ValueProblem(f"output {param.name} must be a {param.type}, not "
                         f"{type(value).__name__} {value!r}")
    if base == "int":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if isinstance(value, float) and not value.is_integer():
            raise wrong
        return int(value)
    if base == "double":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        if not math.isfinite(value):
            raise wrong
        return float(value)
    if base == "bool":
        if not isinstance(value, bool):
            raise wrong
        return "Y" if value else "N"
    if base == "date":
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        raise wrong
    if base == "datetime":
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        raise wrong
    if base == "user":
        if isinstance(value, bool):
            raise wrong
        match = _USER.match(str(value)) if isinstance(value, int | str) else None
        if match is None:
            raise wrong
        return f"user_{match.group(1)}"
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise wrong
    if param.options and str(value) not in param.options:
        known = ", ".join(param.options)
        raise ValueProblem(f"output {param.name} must be one of {known}, not {value!r}")
    return str(value)


def output_value(param: Param, value: Any) -> Any:
    if param.multiple:
        if not isinstance(value, list | tuple):
            raise ValueProblem(f"output {param.name} is multiple: return a list")
        return [_output_one(param, item) for item in value]
    return _output_one(param, value)


def outputs(params: tuple[Param, ...], returned: Any) -> dict[str, Any]:
    """The RETURN_VALUES for what the function returned (a mapping, or None for nothing)."""
    if returned is None:
        return {}
    if not isinstance(returned, Mapping):
        raise ValueProblem(f"the function must return a dict of outputs (or None), not "
                           f"{type(returned).__name__}")
    declared = {p.name: p for p in params}
    unknown = [str(k) for k in returned if k not in declared]
    if unknown:
        names = ", ".join(declared) or "none"
        raise ValueProblem(f"unknown output {', '.join(unknown)} (declared: {names})")
    return {name: output_value(declared[name], value)
            for name, value in returned.items() if value is not None}
