"""Return values of bizproc.event.send, internalized by the types of the activity's registered
RETURN_PROPERTIES before the workflow sees them.

A value that converts cleanly takes the internal form of its type ("42" for an int → 42,
true for a bool → "Y", 12 for a user → "user_12"). A value that cannot (text for an int, a
list for a single value) is dropped — the result stays empty, as an unset return value does —
and the workflow log gets a line naming the value, its type and what was sent. The event
itself still completes the activity, as it would on Bitrix.
"""

from __future__ import annotations

import math
import re
from typing import Any

from compiler.simulator import dates
from compiler.simulator.directory import user_id_of
from compiler.simulator.types import base_type

_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = {"y", "yes", "true", "1"}
_FALSE = {"n", "no", "false", "0", ""}


class Unfit(ValueError):
    """The value cannot take the type."""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Unfit
    try:
        number = float(value)
    except ValueError:
        raise Unfit from None
    if not math.isfinite(number):
        raise Unfit
    return number


def convert_one(value: Any, base: str) -> Any:
    if isinstance(value, dict | list):
        raise Unfit
    if base == "int":
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return int(value.strip())
        number = _number(value)
        if not number.is_integer():
            raise Unfit
        return int(number)
    if base == "double":
        return _number(value)
    if base == "bool":
        if isinstance(value, bool):
            return "Y" if value else "N"
        word = str(value).strip().lower()
        if word in _TRUE:
            return "Y"
        if word in _FALSE:
            return "N"
        raise Unfit
    if base == "user":
        user = user_id_of(value)
        if user is None or isinstance(value, bool):
            raise Unfit
        return f"user_{user}"
    if base in ("date", "datetime"):
        moment = dates.parse(value) if isinstance(value, str) else None
        if moment is None:
            raise Unfit
        return dates.format_date(moment) if base == "date" else dates.format_datetime(moment)
    if base in ("string", "text", "select", "time"):
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        if isinstance(value, bool):
            return "1" if value else ""
        return "" if value is None else str(value)
    return value  # files and document-specific types: passed on as sent


def convert(value: Any, spec: dict[str, Any]) -> Any:
    base = base_type(str(spec.get("TYPE") or "string"))
    multiple = str(spec.get("MULTIPLE", "N")).upper() in ("Y", "1", "TRUE")
    if multiple:
        items = value if isinstance(value, list) else [value]
        return [convert_one(item, base) for item in items]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return convert_one(value, base)


def internalize(values: dict[str, Any],
                specs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(the values the workflow gets, log lines about the ones it does not)."""
    kept: dict[str, Any] = {}
    problems: list[str] = []
    for code, value in values.items():
        spec = specs.get(code)
        spec = spec if isinstance(spec, dict) else {}
        try:
            kept[code] = convert(value, spec)
        except Unfit:
            kind = str(spec.get("TYPE") or "string")
            problems.append(f'Return value "{code}" is not a valid {kind}: {value!r}; '
                            "it was left empty")
    return kept, problems
