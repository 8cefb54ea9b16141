"""PHP's loose value rules, as Bitrix's runtime applies them to workflow values.

Workflow values are JSON-friendly Python values: str, int, float, bool, None, lists and
string-keyed dicts. Bitrix evaluates them with PHP 8 semantics (numeric strings compare as
numbers, `(float)"12abc"` is 12, `"0"` is falsy), so the simulator reproduces those rules
here instead of using Python's.
"""

from __future__ import annotations

import math
import re
from typing import Any

_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
_LEADING_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_numeric(value: Any) -> bool:
    """PHP is_numeric: numbers and strings that are wholly a number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def to_float(value: Any) -> float:
    """PHP (float) cast: a leading number of a string, 0 for anything else."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, list):
        return 1.0 if value else 0.0
    if isinstance(value, dict):
        return 1.0 if value else 0.0
    match = _LEADING_NUMBER.match(str(value))
    return float(match.group(0)) if match else 0.0


def to_int(value: Any) -> int:
    """PHP (int) cast: truncation toward zero of the (float) value."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = to_float(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    return int(number)


def first(value: Any) -> Any:
    """The first element of a list (Bitrix's toSingleValue), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, dict):
        return next(iter(value.values()), None)
    return value


def format_float(number: float) -> str:
    """PHP 8 float → string: integral floats without a fraction, others shortest round-trip."""
    if math.isnan(number):
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{exponent.lstrip('+-')}"
    return text


def to_str(value: Any) -> str:
    """CBPHelper::stringify: scalars as PHP prints them, lists joined with ', '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return ", ".join(to_str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(to_str(v) for v in value.values())
    return str(value)


def truthy(value: Any) -> bool:
    """PHP (bool): '', '0', 0, 0.0, null and empty arrays are false, everything else true."""
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, list | dict):
        return bool(value)
    return bool(value)


def is_empty_value(value: Any) -> bool:
    """CBPHelper::isEmptyValue: null, '' and lists holding nothing but empties."""
    if value is None or value == "":
        return True
    if isinstance(value, list):
        return all(is_empty_value(v) for v in value)
    if isinstance(value, dict):
        return all(is_empty_value(v) for v in value.values())
    return False


def flatten(values: Any) -> list[Any]:
    """Nested lists → one flat list (Bitrix flattens function arguments and value lists)."""
    if isinstance(values, dict):
        values = list(values.values())
    if not isinstance(values, list):
        return [values]
    out: list[Any] = []
    for value in values:
        out.extend(flatten(value) if isinstance(value, list | dict) else [value])
    return out


def loose_compare(a: Any, b: Any) -> int:
    """PHP 8 `<=>` for scalars: -1, 0 or 1."""
    if isinstance(a, list) or isinstance(b, list):
        left, right = (a if isinstance(a, list) else [a]), (b if isinstance(b, list) else [b])
        if len(left) != len(right):
            return -1 if len(left) < len(right) else 1
        for x, y in zip(left, right, strict=True):
            result = loose_compare(x, y)
            if result:
                return result
        return 0
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        if a is None and isinstance(b, str):
            return _sign((b < "") - (b > ""))
        if b is None and isinstance(a, str):
            return _sign((a > "") - (a < ""))
        x, y = truthy(a), truthy(b)
        return (x > y) - (x < y)
    if is_numeric(a) and is_numeric(b):
        x, y = to_float(a), to_float(b)
        return (x > y) - (x < y)
    if isinstance(a, int | float) and isinstance(b, str):
        x_s, y_s = to_str(a), b
        return (x_s > y_s) - (x_s < y_s)
    if isinstance(b, int | float) and isinstance(a, str):
        x_s, y_s = a, to_str(b)
        return (x_s > y_s) - (x_s < y_s)
    x_s, y_s = to_str(a), to_str(b)
    return (x_s > y_s) - (x_s < y_s)


def loose_equal(a: Any, b: Any) -> bool:
    """PHP 8 `==`."""
    if isinstance(a, list) or isinstance(b, list):
        if not (isinstance(a, list) and isinstance(b, list)):
            return False
        return len(a) == len(b) and all(loose_equal(x, y) for x, y in zip(a, b, strict=True))
    return loose_compare(a, b) == 0


def _sign(number: int) -> int:
    return (number > 0) - (number < 0)
