"""PHP value semantics the REST server applies to request data: `parse_str` (compiler.phpforms,
with a portal's limits), `empty()`, `(int)`/`(string)` casts and `json_encode` of arrays."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from compiler.phpforms import (
    INT_MAX,
    INT_MIN,
    PORTAL_MAX_INPUT_VARS,
    FormError,
    parse_pairs,
    parse_query,
    php_key,
)
from compiler.sandbox.errors import RestError
from compiler.simulator.phpvalues import php_empty


def parse_php_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Parameters from decoded query/form pairs, as PHP's `parse_str` builds them on a portal;
    more pairs or deeper names than a portal reads are refused with a 400."""
    try:
        return parse_pairs(pairs, max_vars=PORTAL_MAX_INPUT_VARS)
    except FormError as error:
        raise invalid_request(error) from None


def parse_php_query(text: str) -> dict[str, Any]:
    """A query string or form body, like `parse_php_pairs`; too many pairs are refused before
    any is decoded."""
    try:
        return parse_query(text, max_vars=PORTAL_MAX_INPUT_VARS)
    except FormError as error:
        raise invalid_request(error) from None


def invalid_request(error: FormError) -> RestError:
    text = str(error)
    return RestError("INVALID_REQUEST", text[:1].upper() + text[1:], 400)


def to_json_value(value: Any) -> Any:
    """What `json_encode` prints for a PHP value: empty arrays are `[]`, list arrays are lists,
    other arrays objects with string keys; byte strings are read as UTF-8."""
    if isinstance(value, Mapping):
        if not value:
            return []
        keys = [php_key(key) if isinstance(key, str) else key for key in value]
        if keys == list(range(len(keys))):
            return [to_json_value(item) for item in value.values()]
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and not math.isfinite(value):
        return None  # PHP's json_encode cannot print NAN/INF either; JSON has no such number
    return value


def is_empty(value: Any) -> bool:
    """PHP `empty()`: the one definition in compiler.simulator.phpvalues."""
    return php_empty(value)


_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


def _saturate(number: int) -> int:
    # PHP integers are 64-bit: a numeric string beyond the range saturates, and the sandbox
    # treats out-of-range JSON numbers the same way (SQLite cannot bind them either).
    return max(INT_MIN, min(INT_MAX, number))


def to_int(value: Any) -> int:
    """PHP `(int)` cast of request data (arrays count as 1 when non-empty, like PHP)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return _saturate(value)
    if isinstance(value, float):
        return _saturate(int(value)) if math.isfinite(value) else 0
    if isinstance(value, str):
        match = _LEADING_INT.match(value)
        return 0 if match is None else _saturate(int(match.group(1)))
    if isinstance(value, (list, dict)):
        return 1 if value else 0
    return 0


def to_str(value: Any) -> str:
    """PHP `(string)` cast of a scalar; arrays become "" rather than PHP's "Array" notice."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, (int, str)):
        return str(value)
    return ""


def is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def values_of(value: Any) -> list[Any] | None:
    """PHP `array_values` of an array parameter; None when the parameter is not an array."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return None


def upper_keys(params: Mapping[str, Any]) -> dict[str, Any]:
    """`array_change_key_case($params, CASE_UPPER)` on the top level only."""
    return {str(key).upper(): value for key, value in params.items()}


def numeric(value: Any) -> bool:
    """PHP `is_numeric` for request data."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        return _NUMERIC.match(value) is not None
    return False


_NUMERIC = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")
