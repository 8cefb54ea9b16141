"""Request parameters as a portal reads them: `parse_str` with a portal's limits
(compiler.php.forms), text of a parameter, `json_encode` of arrays. PHP's own value rules
(`empty()`, casts, `is_numeric`) are compiler.php.values'."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from compiler.php.forms import (
    PORTAL_MAX_INPUT_VARS,
    FormError,
    parse_pairs,
    parse_query,
    php_key,
)
from compiler.php.values import is_scalar, scalar_string
from compiler.sandbox.errors import RestError


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


def param_text(value: Any) -> str:
    """A request parameter as text: PHP's (string) of a scalar; an array or object is no text
    (PHP would print "Array" with a notice; Bitrix's methods read such a parameter as absent)."""
    return scalar_string(value) if value is None or is_scalar(value) else ""


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
