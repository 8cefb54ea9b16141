"""PHP-style query strings, the form every command inside a `batch` call must take.

`{"DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_5"]}` becomes
`DOCUMENT_ID[0]=crm&DOCUMENT_ID[1]=CCrmDocumentDeal&DOCUMENT_ID[2]=DEAL_5`, which PHP's
`parse_str` on the portal turns back into the same nested array. Values follow PHP's
`http_build_query`: true/false become 1/0, None and empty arrays are left out.

`parse_str` reads no more than a portal's limits (compiler.phpforms): a name nested deeper than
64 brackets is dropped, pairs after the 10,000th too. A command that would lose data that way
is refused here (FormError) instead of being sent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from compiler.phpforms import (
    MAX_NESTING,
    PORTAL_MAX_INPUT_VARS,
    FormError,
    too_deep,
    too_many,
)

__all__ = ["FormError", "encode_command", "php_query"]

# Brackets stay literal in keys for readability; `$` and brackets stay literal in values so that
# batch references such as `$result[add][ID]` reach the portal's substitution intact.
_KEY_SAFE = ""
_VALUE_SAFE = "$[]"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"cannot encode a {type(value).__name__} in a batch command")


def _pairs(key: str, value: Any, name: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if value is None:
        return
    if isinstance(value, Mapping | list | tuple) and depth == MAX_NESTING and value:
        raise too_deep(name)  # checked before going deeper, so no recursion limit is reached
    if isinstance(value, Mapping):
        for sub_key, sub_value in value.items():
            yield from _pairs(f"{key}[{quote(str(sub_key), safe=_KEY_SAFE)}]", sub_value, name,
                              depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _pairs(f"{key}[{index}]", item, name, depth + 1)
    else:
        yield key, quote(_scalar(value), safe=_VALUE_SAFE)


def php_query(params: Mapping[str, Any]) -> str:
    """FormError when the portal would read the query only in part."""
    pairs = [
        f"{key}={value}"
        for name, item in params.items()
        for key, value in _pairs(quote(str(name), safe=_KEY_SAFE), item, str(name))
    ]
    if len(pairs) > PORTAL_MAX_INPUT_VARS:
        raise too_many(PORTAL_MAX_INPUT_VARS)
    return "&".join(pairs)


def encode_command(method: str, params: Mapping[str, Any] | None) -> str:
    query = php_query(params or {})
    return f"{method}?{query}" if query else method
