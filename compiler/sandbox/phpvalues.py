"""PHP value semantics the REST server applies to request data: `parse_str`, `empty()`,
`(int)`/`(string)` casts and `json_encode` of arrays."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

# PHP turns decimal integer keys ("0", "-3", but not "03" or "1.0") into int keys.
_INT_KEY = re.compile(r"^(0|-?[1-9][0-9]{0,18})$")


def php_key(key: str) -> str | int:
    return int(key) if _INT_KEY.match(key) else key


def _split_key(raw: str) -> tuple[str, list[str]] | None:
    """`FILTER[a][]` → ("FILTER", ["a", ""]); an unclosed bracket ends the path, as in PHP."""
    head, bracket, rest = raw.partition("[")
    if not bracket:
        return raw, []
    if not head:
        return None
    parts: list[str] = []
    rest = "[" + rest
    while rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            # PHP keeps the whole name as a plain key when the first bracket is never closed.
            return (raw, []) if not parts else (head, parts)
        parts.append(rest[1:close])
        rest = rest[close + 1 :]
    return head, parts


class _PhpArray(dict[str | int, Any]):
    """An ordered PHP array under construction; tracks the next free integer key."""

    def next_index(self) -> int:
        ints = [key for key in self if isinstance(key, int)]
        return max(ints) + 1 if ints else 0


def parse_php_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Build parameters from decoded query/form pairs the way PHP's `parse_str` does."""
    root = _PhpArray()
    for raw_key, value in pairs:
        split = _split_key(raw_key)
        if split is None:
            continue
        head, path = split
        keys: list[str | int | None] = [php_key(head)]
        keys += [None if part == "" else php_key(part) for part in path]
        target: _PhpArray = root
        for position, key in enumerate(keys):
            if key is None:
                key = target.next_index()
            if position == len(keys) - 1:
                target[key] = value
                break
            child = target.get(key)
            if not isinstance(child, _PhpArray):
                child = _PhpArray()
                target[key] = child
            target = child
    finished = finish_array(root)
    if isinstance(finished, list):
        return {str(index): item for index, item in enumerate(finished)}
    return {str(key): item for key, item in finished.items()}


def finish_array(value: Any) -> Any:
    """Turn dicts with keys 0..n-1 (in order) into lists, recursively: PHP's list arrays."""
    if isinstance(value, Mapping):
        items = {key: finish_array(item) for key, item in value.items()}
        if items and list(items) == list(range(len(items))):
            return list(items.values())
        return {str(key) if isinstance(key, int) else key: item for key, item in items.items()}
    if isinstance(value, list):
        return [finish_array(item) for item in value]
    return value


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
    """PHP `empty()`."""
    if value is None or value is False:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0
    if isinstance(value, str):
        return value in ("", "0")
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


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
