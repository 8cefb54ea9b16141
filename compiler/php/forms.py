"""How PHP reads form-encoded data (`parse_str`, `$_GET`, `$_POST`) into nested arrays, and the
limits it puts on that. The sandbox portal reads requests with it, the handler kit the calls a
portal posts, and the portal client keeps the commands it sends inside the same limits.

Names follow `php_register_variable_ex` (php-src main/php_variables.c): leading spaces are
dropped and ` ` / `.` in the base name become `_`; `a[b][]` is a → b → the next free integer
index (`[ ]`, one blank, too); a first `[` that is never closed is no bracket at all (`a[b` is
the name `a_b`); text after a closing `]` that does not open another bracket is ignored; a name
is cut at a NUL byte. Decimal integer names within 64 bits (`0`, `-3`, not `03` or `-0`) are
integer keys.

Limits (php.ini): `max_input_nesting_level` (default 64) bounds the brackets of one name — PHP
drops a deeper variable with a warning — and `max_input_vars` (default 1000) the pairs of one
input — PHP drops the rest with a warning. A Bitrix portal runs with at least 10,000 pairs:
Bitrix's site checker (main/classes/general/site_checker.php) flags anything less. Dropping
parts of a request silently would hide the cause of whatever goes wrong later, so these
readers refuse such input instead (FormError), in time linear in its size.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from compiler.php.values import format_float

MAX_NESTING = 64  # PHP's max_input_nesting_level
PHP_MAX_INPUT_VARS = 1000  # PHP's default max_input_vars
PORTAL_MAX_INPUT_VARS = 10_000  # the least a Bitrix portal runs with (its site checker)

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_INT_NAME = re.compile(r"(0|-?[1-9][0-9]{0,18})")
_PAIR = re.compile(r"[^&]+")
_TO_UNDERSCORE = str.maketrans({" ": "_", ".": "_", "[": "_"})
# `[]`, and PHP skips one blank after `[`, so `[ ]` is `[]` too (but `[  ]` is the key "  ").
_EMPTY_INDEXES = frozenset({"", " ", "\t", "\r", "\n"})


class FormError(ValueError):
    """Input PHP would read only in part; the message says which limit and what PHP does."""


def php_key(name: str) -> str | int:
    """The array key PHP makes of `name`: an int for decimal integers within 64 bits."""
    if _INT_NAME.fullmatch(name):
        number = int(name)
        if INT_MIN <= number <= INT_MAX:
            return number
    return name


def too_many(limit: int) -> FormError:
    return FormError(f"more than {limit} parameters: PHP (max_input_vars) would drop the rest")


def too_deep(name: str, limit: int = MAX_NESTING) -> FormError:
    shown = name if len(name) <= 40 else name[:40] + "…"
    return FormError(f"parameter {shown} nests deeper than {limit} levels: PHP "
                     "(max_input_nesting_level) would drop it")


def split_name(raw: str, max_nesting: int = MAX_NESTING) -> tuple[str, list[str | None]] | None:
    """(base name, indexes; None for `[]`), or None when PHP ignores the name."""
    name = raw.split("\0", 1)[0].lstrip(" ")
    opened = name.find("[")
    base = (name if opened < 0 else name[:opened]).replace(" ", "_").replace(".", "_")
    if not base:
        return None
    indexes: list[str | None] = []
    position = opened
    while position >= 0:
        if len(indexes) == max_nesting:
            raise too_deep(base, max_nesting)
        close = name.find("]", position + 1)
        if close < 0:
            if indexes:
                return base, indexes  # the unclosed rest is ignored
            # The first bracket never closes: not an index but part of one plain name.
            return base + "_" + name[position + 1:].translate(_TO_UNDERSCORE), []
        index = name[position + 1:close]
        indexes.append(None if index in _EMPTY_INDEXES else index)
        position = close + 1 if name.startswith("[", close + 1) else -1
    return base, indexes


class _Array(dict[str | int, Any]):
    """A PHP array being filled: remembers its next free integer key, as PHP does, so that
    `[]` costs O(1) however many keys came before."""

    def __init__(self) -> None:
        super().__init__()
        self.next_free: int | None = None  # None: no integer key yet, `[]` takes 0

    def put(self, key: str | int, value: Any) -> None:
        self[key] = value
        if isinstance(key, int) and (self.next_free is None or key >= self.next_free):
            self.next_free = min(key + 1, INT_MAX)

    def next_key(self) -> int | None:
        """The key of `[]`, or None when PHP has none left (after the largest integer)."""
        key = 0 if self.next_free is None else self.next_free
        return None if key in self else key


def _finish(value: Any) -> Any:
    """Arrays keyed 0..n-1 in order become lists, other keys strings (as JSON shows them).
    Recursion is bounded by the nesting limit the arrays were built under."""
    if not isinstance(value, _Array):
        return value
    items = [(key, _finish(item)) for key, item in value.items()]
    if items and all(key == index for index, (key, _) in enumerate(items)):
        return [item for _, item in items]
    return {str(key): item for key, item in items}


def parse_pairs(pairs: Iterable[tuple[str, str]], *, max_vars: int = PHP_MAX_INPUT_VARS,
                max_nesting: int = MAX_NESTING) -> dict[str, Any]:
    """Decoded (name, value) pairs → the array PHP builds, top-level names as strings.

    FormError when there are more than `max_vars` pairs or a name nests deeper than
    `max_nesting` brackets."""
    root = _Array()
    for count, (raw, value) in enumerate(pairs, start=1):
        if count > max_vars:
            raise too_many(max_vars)
        split = split_name(raw, max_nesting)
        if split is None:
            continue
        base, indexes = split
        target, key = root, php_key(base)
        for index in indexes:
            child = target.get(key)
            if not isinstance(child, _Array):
                child = _Array()
                target.put(key, child)
            target = child
            free = target.next_key() if index is None else php_key(index)
            if free is None:
                break  # no integer key left: PHP drops the pair
            key = free
        else:
            target.put(key, value)
    return {str(key): _finish(item) for key, item in root.items()}


def exceeds(text: str, limit: int) -> bool:
    """Whether `text` holds more than `limit` pairs (empty ones between `&&` do not count, as in
    PHP), found without reading more than `limit + 1` of them."""
    if text.count("&") < limit:
        return False
    return sum(1 for _ in itertools.islice(_PAIR.finditer(text), limit + 1)) > limit


def parse_query(text: str, *, max_vars: int = PHP_MAX_INPUT_VARS,
                max_nesting: int = MAX_NESTING) -> dict[str, Any]:
    """A query string or form body as PHP's `parse_str` reads it. Percent-escapes are UTF-8;
    undecodable bytes become U+FFFD. Too many pairs are refused before any is decoded."""
    if exceeds(text, max_vars):
        raise too_many(max_vars)
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    return parse_pairs(pairs, max_vars=max_vars, max_nesting=max_nesting)


# Brackets stay literal in keys for readability; `$` and brackets stay literal in values so that
# batch references such as `$result[add][ID]` reach the portal's substitution intact.
_KEY_SAFE = ""
_VALUE_SAFE = "$[]"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format_float(value)  # serialize_precision -1, as http_build_query prints
    if isinstance(value, int | str):
        return str(value)
    raise TypeError(f"cannot encode a {type(value).__name__} in a query string")


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
    """PHP's `http_build_query`: true/false as 1/0, None and empty arrays left out, nested
    arrays as `a[b][0]=…`. FormError when a portal's `parse_str` would read it only in part."""
    pairs = [
        f"{key}={value}"
        for name, item in params.items()
        for key, value in _pairs(quote(str(name), safe=_KEY_SAFE), item, str(name))
    ]
    if len(pairs) > PORTAL_MAX_INPUT_VARS:
        raise too_many(PORTAL_MAX_INPUT_VARS)
    return "&".join(pairs)
