"""Calc functions of Bitrix formulas (bizproc/lib/Calc/Libs/*.php), by name.

Each function takes the workflow's sources (for the clock, the random generator and the
document) and its arguments as Bitrix's Calc\\Arguments holds them: `arg(i)` is the i-th
argument or null, `single(i)` its first element when it is a list, `flat()` every leaf. A
function returns None where Bitrix's returns null, which makes the whole formula null (the
property then keeps its text). The date functions are in compiler.simulator.datefunctions.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compiler.php.values import (
    PhpObject,
    array_values,
    first,
    flatten,
    html_special_chars,
    is_array,
    is_scalar,
    make_array_flat,
    mb_substr,
    number_format,
    php_ceil,
    php_empty,
    php_floor,
    php_max,
    php_min,
    php_round,
    php_trim,
    scalar_string,
    title_case,
    to_float,
    to_int,
    to_str,
    truthy,
    urlencode,
)
from compiler.simulator.expressions import Sources


@dataclass(frozen=True)
class Args:
    """Calc\\Arguments (bizproc/lib/Calc/Arguments.php)."""

    values: list[Any]

    def arg(self, index: int) -> Any:
        return self.values[index] if index < len(self.values) else None

    def single(self, index: int) -> Any:
        return first(self.arg(index))

    def flat(self) -> list[Any]:
        return flatten(self.values)


Function = Callable[[Sources, Args], Any]


@dataclass(frozen=True)
class Spec:
    run: Function
    takes_arguments: bool  # 'args' => false: the parser gives it no argument list


FUNCTIONS: dict[str, Spec] = {}


def function(*names: str, takes_arguments: bool = True) -> Callable[[Function], Function]:
    def register(fn: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = Spec(fn, takes_arguments)
        return fn
    return register


def _string_or_none(value: Any) -> str | None:
    return scalar_string(value) if is_scalar(value) else None


# ── logic: bizproc/lib/Calc/Libs/LogicLib.php ─────────────────────────────────────────────
@function("true", takes_arguments=False)
def _true(src: Sources, args: Args) -> Any:
    return True


@function("false", takes_arguments=False)
def _false(src: Sources, args: Args) -> Any:
    return False


@function("if")
def _if(src: Sources, args: Args) -> Any:
    # The third argument is not defaulted: if(0, "yes") is null.
    return args.arg(1) if truthy(args.arg(0)) else args.arg(2)


@function("and")
def _and(src: Sources, args: Args) -> Any:
    # count(array_filter($flat)) === count($flat): true for no arguments at all, but the
    # parser passes one null for `and()`, which makes it false.
    return all(truthy(value) for value in args.flat())


@function("or")
def _or(src: Sources, args: Args) -> Any:
    return any(truthy(value) for value in args.flat())


@function("not")
def _not(src: Sources, args: Args) -> Any:
    return not truthy(args.arg(0))


# ── strings: bizproc/lib/Calc/Libs/StringLib.php ─────────────────────────────────────────
@function("numberformat")
def _numberformat(src: Sources, args: Args) -> Any:
    number = to_float(args.single(0))
    decimals = to_int(args.arg(1) if truthy(args.arg(1)) else 0)
    point = args.arg(2)
    separator = args.arg(3)
    point = scalar_string(point) if is_scalar(point) else "."
    separator = scalar_string(separator) if is_scalar(separator) else ","
    return number_format(number, decimals, point, separator)


@function("substr")
def _substr(src: Sources, args: Args) -> Any:
    text = args.single(0)
    start, length = to_int(args.arg(1)), to_int(args.arg(2))
    if is_array(text):
        return None
    if not truthy(text):  # "0" too
        return ""
    return mb_substr(scalar_string(text), start, length if length else None)


@function("strpos")
def _strpos(src: Sources, args: Args) -> Any:
    haystack, needle = args.single(0), args.single(1)
    if php_empty(haystack) or is_array(haystack) or is_array(needle):
        return False  # "0" counts as empty
    text, wanted = scalar_string(haystack), scalar_string(needle)
    offset = max(-len(text), min(len(text), to_int(args.arg(2))))
    if offset < 0:
        offset += len(text)
    position = text.find(wanted, offset)
    return False if position < 0 else position


@function("strlen")
def _strlen(src: Sources, args: Args) -> Any:
    text = _string_or_none(args.single(0))
    return None if text is None else len(text)


@function("randstring")
def _randstring(src: Sources, args: Args) -> Any:
    # Main\Security\Random::getString($length, true): letters and digits.
    length = max(0, to_int(args.single(0)))
    alphabet = string.ascii_letters + string.digits
    return "".join(src.rng().choice(alphabet) for _ in range(length))


@function("strtolower")
def _lower(src: Sources, args: Args) -> Any:
    text = _string_or_none(args.single(0))
    return None if text is None else text.lower()


@function("strtoupper")
def _upper(src: Sources, args: Args) -> Any:
    text = _string_or_none(args.single(0))
    return None if text is None else text.upper()


@function("ucwords")
def _ucwords(src: Sources, args: Args) -> Any:
    text = _string_or_none(args.single(0))
    return None if text is None else title_case(text)


@function("ucfirst")
def _ucfirst(src: Sources, args: Args) -> Any:
    text = _string_or_none(args.single(0))
    return None if text is None else text[:1].upper() + text[1:]


@function("trim")
def _trim(src: Sources, args: Args) -> Any:
    values = [php_trim(scalar_string(value)) for value in args.flat()
              if is_scalar(value) or isinstance(value, PhpObject)]
    if len(values) > 1:
        return values
    return values[0] if values else ""


@function("urlencode")
def _urlencode(src: Sources, args: Args) -> Any:
    text = args.single(0)
    if is_array(text) and len(array_values(text)) == 1:
        text = to_str(text)
    if not is_scalar(text):
        return None
    return urlencode(scalar_string(text))


# jsonval is in the reference (bitrix-format.md §4.2) but not in the Calc libraries read
# (bizproc/lib/Calc/Libs/, 2025): its behaviour here is the reference's, not checked.
@function("jsonval")
def _jsonval(src: Sources, args: Args) -> Any:
    path, raw = to_str(args.arg(0)), args.arg(1)
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return None
    for part in [p for p in path.replace("[", ".").replace("]", "").split(".") if p]:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


# ── math: bizproc/lib/Calc/Libs/MathLib.php ──────────────────────────────────────────────
# Every math function casts its argument with (float), so text is 0: round("abc") is 0.
@function("abs")
def _abs(src: Sources, args: Args) -> Any:
    return abs(to_float(args.single(0)))


@function("intval")
def _intval(src: Sources, args: Args) -> Any:
    return to_int(args.single(0))


@function("floatval")
def _floatval(src: Sources, args: Args) -> Any:
    return to_float(args.single(0))


@function("round")
def _round(src: Sources, args: Args) -> Any:
    return php_round(to_float(args.single(0)), to_int(args.arg(1)))


@function("ceil")
def _ceil(src: Sources, args: Args) -> Any:
    return php_ceil(to_float(args.single(0)))


@function("floor")
def _floor(src: Sources, args: Args) -> Any:
    return php_floor(to_float(args.single(0)))


@function("min")
def _min(src: Sources, args: Args) -> Any:
    values = [value for value in args.flat() if is_scalar(value)]
    return php_min(values) if values else False


@function("max")
def _max(src: Sources, args: Args) -> Any:
    values = [value for value in args.flat() if is_scalar(value)]
    return php_max(values) if values else False


@function("rand")
def _rand(src: Sources, args: Args) -> Any:
    low, high = to_int(args.single(0)), to_int(args.single(1))
    if not high:
        high = 2**31 - 1  # mt_getrandmax()
    if low > high:
        return None
    return src.rng().randint(low, high)


# ── arrays: bizproc/lib/Calc/Libs/ArrayLib.php ───────────────────────────────────────────
@function("implode")
def _implode(src: Sources, args: Args) -> Any:
    # Only the second argument is joined: implode(",", a, b) is a.
    glue = args.arg(0)
    if not is_scalar(glue):
        return None
    pieces = make_array_flat(args.arg(1))
    if not pieces:
        return ""
    return scalar_string(glue).join(scalar_string(piece) if not is_array(piece)
                                    else "Array" for piece in pieces)


@function("explode")
def _explode(src: Sources, args: Args) -> Any:
    delimiter, text = args.arg(0), args.single(1)
    if php_empty(delimiter) or not is_scalar(text) or not is_scalar(delimiter):
        return None  # "0" is an empty delimiter
    return scalar_string(text).split(scalar_string(delimiter))


@function("merge")
def _merge(src: Sources, args: Args) -> Any:
    out: list[Any] = []
    for value in args.values:
        if value is None:
            continue  # (array)null is []
        out.extend(array_values(value) if is_array(value) else [value])
    return out


@function("shuffle")
def _shuffle(src: Sources, args: Args) -> Any:
    values = [value for value in args.flat() if value is not None]
    src.rng().shuffle(values)
    return values


@function("firstvalue")
def _firstvalue(src: Sources, args: Args) -> Any:
    values = args.flat()
    return values[0] if values else None


@function("swirl")
def _swirl(src: Sources, args: Args) -> Any:
    values = [value for value in args.flat() if value is not None]
    return values[1:] + values[:1]


# ── document: bizproc/lib/Calc/Libs/DocumentLib.php ──────────────────────────────────────
@function("getdocumenturl")
def _getdocumenturl(src: Sources, args: Args) -> Any:
    fmt, external = args.arg(0), args.arg(1)
    url = src.document_path()
    if truthy(external):
        url = src.host_url() + url
    if fmt == "bb":
        return f"[url={url}]{src.document_name()}[/url]"
    if fmt == "html":
        return f'<a href="{url}" target="_blank">{html_special_chars(src.document_name())}</a>'
    return url

