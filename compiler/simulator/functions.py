"""Calc functions of Bitrix formulas (Bitrix\\Bizproc\\Calc\\Libs), by name.

Each takes the workflow's sources (for the clock, the random generator and the people)
and the evaluated arguments. A function given arguments it cannot use returns None, which
makes the whole formula fall back to text, as in Bitrix.
"""

from __future__ import annotations

import json
import math
import string
import urllib.parse
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from compiler.simulator import dates
from compiler.simulator.expressions import Sources
from compiler.simulator.phpvalues import (
    first,
    flatten,
    is_numeric,
    loose_compare,
    to_float,
    to_int,
    to_str,
    truthy,
)

Function = Callable[[Sources, list[Any]], Any]
FUNCTIONS: dict[str, Function] = {}


def function(*names: str) -> Callable[[Function], Function]:
    def register(fn: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = fn
        return fn
    return register


def _arg(args: list[Any], index: int, default: Any = None) -> Any:
    return args[index] if index < len(args) else default


# ── logic ────────────────────────────────────────────────────────────────────────────────
@function("true")
def _true(src: Sources, args: list[Any]) -> Any:
    return True


@function("false")
def _false(src: Sources, args: list[Any]) -> Any:
    return False


@function("if")
def _if(src: Sources, args: list[Any]) -> Any:
    return _arg(args, 1) if truthy(_arg(args, 0)) else _arg(args, 2, "")


@function("and")
def _and(src: Sources, args: list[Any]) -> Any:
    return all(truthy(v) for v in flatten(args))


@function("or")
def _or(src: Sources, args: list[Any]) -> Any:
    return any(truthy(v) for v in flatten(args))


@function("not")
def _not(src: Sources, args: list[Any]) -> Any:
    return not truthy(first(_arg(args, 0)))


# ── strings ──────────────────────────────────────────────────────────────────────────────
@function("numberformat")
def _numberformat(src: Sources, args: list[Any]) -> Any:
    number = to_float(first(_arg(args, 0)))
    decimals = max(0, to_int(_arg(args, 1, 0)))
    point = to_str(_arg(args, 2, "."))
    separator = to_str(_arg(args, 3, ","))
    rounded = _php_round(number, decimals)
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = separator.join(groups) + (point + fraction if decimals else "")
    return ("-" if rounded < 0 else "") + text


@function("substr")
def _substr(src: Sources, args: list[Any]) -> Any:
    text = to_str(_arg(args, 0, ""))
    start = to_int(_arg(args, 1, 0))
    length = to_int(_arg(args, 2, 0))
    if start < 0:
        start = max(0, len(text) + start)
    if not length:
        return text[start:]
    if length < 0:
        return text[start:length]
    return text[start:start + length]


@function("strpos")
def _strpos(src: Sources, args: list[Any]) -> Any:
    haystack, needle = to_str(_arg(args, 0, "")), to_str(_arg(args, 1, ""))
    offset = to_int(_arg(args, 2, 0))
    position = haystack.find(needle, offset)
    return False if position < 0 else position


@function("strlen")
def _strlen(src: Sources, args: list[Any]) -> Any:
    return len(to_str(_arg(args, 0, "")))


@function("randstring")
def _randstring(src: Sources, args: list[Any]) -> Any:
    length = to_int(_arg(args, 0, 10)) or 10
    alphabet = string.ascii_letters + string.digits
    return "".join(src.rng().choice(alphabet) for _ in range(length))


@function("strtolower")
def _lower(src: Sources, args: list[Any]) -> Any:
    return to_str(_arg(args, 0, "")).lower()


@function("strtoupper")
def _upper(src: Sources, args: list[Any]) -> Any:
    return to_str(_arg(args, 0, "")).upper()


@function("ucwords")
def _ucwords(src: Sources, args: list[Any]) -> Any:
    return " ".join(w[:1].upper() + w[1:] for w in to_str(_arg(args, 0, "")).split(" "))


@function("ucfirst")
def _ucfirst(src: Sources, args: list[Any]) -> Any:
    text = to_str(_arg(args, 0, ""))
    return text[:1].upper() + text[1:]


@function("trim")
def _trim(src: Sources, args: list[Any]) -> Any:
    values = [to_str(v).strip() for v in flatten(args)]
    return values[0] if len(values) == 1 else values


@function("urlencode")
def _urlencode(src: Sources, args: list[Any]) -> Any:
    return urllib.parse.quote_plus(to_str(_arg(args, 0, "")))


@function("jsonval")
def _jsonval(src: Sources, args: list[Any]) -> Any:
    path, raw = to_str(_arg(args, 0, "")), _arg(args, 1, "")
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


# ── math ─────────────────────────────────────────────────────────────────────────────────
def _number_or_none(value: Any) -> float | None:
    value = first(value)
    if value is None or value == "" or (isinstance(value, str) and not is_numeric(value)):
        return None
    return to_float(value)


def _php_round(number: float, precision: int) -> float:
    """PHP rounds halves away from zero (Python rounds them to even)."""
    quantum = Decimal(1).scaleb(-precision)
    rounded = Decimal(repr(number)).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(rounded)


@function("abs")
def _abs(src: Sources, args: list[Any]) -> Any:
    number = _number_or_none(_arg(args, 0))
    return None if number is None else abs(number)


@function("intval")
def _intval(src: Sources, args: list[Any]) -> Any:
    return to_int(first(_arg(args, 0)))


@function("floatval")
def _floatval(src: Sources, args: list[Any]) -> Any:
    return to_float(first(_arg(args, 0)))


@function("min")
def _min(src: Sources, args: list[Any]) -> Any:
    values = [v for v in flatten(args) if v is not None]
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        if loose_compare(value, best) < 0:
            best = value
    return best


@function("max")
def _max(src: Sources, args: list[Any]) -> Any:
    values = [v for v in flatten(args) if v is not None]
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        if loose_compare(value, best) > 0:
            best = value
    return best


@function("rand")
def _rand(src: Sources, args: list[Any]) -> Any:
    low = to_int(_arg(args, 0, 0))
    high = to_int(_arg(args, 1, 2**31 - 1))
    return src.rng().randint(min(low, high), max(low, high))


@function("round")
def _round(src: Sources, args: list[Any]) -> Any:
    number = _number_or_none(_arg(args, 0))
    return None if number is None else _php_round(number, to_int(_arg(args, 1, 0)))


@function("ceil")
def _ceil(src: Sources, args: list[Any]) -> Any:
    number = _number_or_none(_arg(args, 0))
    return None if number is None else float(math.ceil(number))


@function("floor")
def _floor(src: Sources, args: list[Any]) -> Any:
    number = _number_or_none(_arg(args, 0))
    return None if number is None else float(math.floor(number))


# ── dates ────────────────────────────────────────────────────────────────────────────────
def _moment(src: Sources, value: Any) -> datetime | None:
    if value is None or value == "":
        return src.now()
    return dates.parse(value)


@function("date")
def _date(src: Sources, args: list[Any]) -> Any:
    moment = _moment(src, _arg(args, 1))
    return None if moment is None else dates.php_date(to_str(_arg(args, 0, "")), moment)


@function("locdate")
def _locdate(src: Sources, args: list[Any]) -> Any:
    return _date(src, args)


@function("dateadd")
def _dateadd(src: Sources, args: list[Any]) -> Any:
    moment = dates.parse(_arg(args, 0))
    parts = dates.parse_interval(to_str(_arg(args, 1, "")))
    if moment is None or parts is None:
        return None
    return dates.format_datetime(dates.add_interval(moment, parts))


@function("datediff")
def _datediff(src: Sources, args: list[Any]) -> Any:
    start, end = dates.parse(_arg(args, 0)), dates.parse(_arg(args, 1))
    if start is None or end is None:
        return None
    return dates.date_interval_format(to_str(_arg(args, 2, "%a")), start, end)


@function("addworkdays")
def _addworkdays(src: Sources, args: list[Any]) -> Any:
    moment = dates.parse(_arg(args, 0))
    if moment is None:
        return None
    return dates.format_datetime(dates.add_workdays(moment, to_int(_arg(args, 1, 0))))


@function("workdateadd")
def _workdateadd(src: Sources, args: list[Any]) -> Any:
    """Working time: Monday to Friday, 9:00 to 18:00 (no portal calendar here)."""
    moment = dates.parse(_arg(args, 0))
    parts = dates.parse_interval(to_str(_arg(args, 1, "")))
    if moment is None or parts is None:
        return None
    days = parts.get("d", 0) + parts.get("w", 0) * 5
    minutes = parts.get("h", 0) * 60 + parts.get("i", 0)
    result = dates.add_workdays(moment, days)
    while minutes > 0:
        if result.weekday() >= 5 or result.hour >= 18:
            result = dates.add_workdays(result.replace(hour=9, minute=0, second=0), 1)
            continue
        if result.hour < 9:
            result = result.replace(hour=9, minute=0, second=0)
        left_today = (18 - result.hour) * 60 - result.minute
        step = min(minutes, left_today)
        result += timedelta(minutes=step)
        minutes -= step
    return dates.format_datetime(result)


@function("isworkday")
def _isworkday(src: Sources, args: list[Any]) -> Any:
    moment = _moment(src, _arg(args, 0))
    return None if moment is None else dates.is_workday(moment)


@function("isworktime")
def _isworktime(src: Sources, args: list[Any]) -> Any:
    moment = _moment(src, _arg(args, 0))
    return None if moment is None else dates.is_workday(moment) and 9 <= moment.hour < 18


@function("touserdate")
def _touserdate(src: Sources, args: list[Any]) -> Any:
    moment = _moment(src, _arg(args, 1))
    return None if moment is None else dates.format_datetime(moment)


@function("getuserdateoffset")
def _getuserdateoffset(src: Sources, args: list[Any]) -> Any:
    return 0


@function("strtotime")
def _strtotime(src: Sources, args: list[Any]) -> Any:
    base = _moment(src, _arg(args, 1))
    text = to_str(_arg(args, 0, "")).strip()
    moment = dates.parse(text)
    if moment is None and base is not None:
        parts = dates.parse_interval(text.replace("+", ""))
        moment = dates.add_interval(base, parts) if parts is not None else None
    return None if moment is None else dates.format_datetime(moment)


@function("settime")
def _settime(src: Sources, args: list[Any]) -> Any:
    moment = dates.parse(_arg(args, 0))
    if moment is None:
        return None
    hour, minute = to_int(_arg(args, 1, 0)), to_int(_arg(args, 2, 0))
    offset = max(-43200, min(43200, to_int(_arg(args, 3, 0))))
    result = moment.replace(hour=0, minute=0, second=0) + timedelta(
        hours=hour, minutes=minute, seconds=offset)
    return dates.format_datetime(result)


# ── arrays ───────────────────────────────────────────────────────────────────────────────
@function("implode")
def _implode(src: Sources, args: list[Any]) -> Any:
    glue = to_str(_arg(args, 0, ""))
    return glue.join(to_str(v) for v in flatten(args[1:]))


@function("explode")
def _explode(src: Sources, args: list[Any]) -> Any:
    delimiter, text = to_str(_arg(args, 0, "")), _arg(args, 1, "")
    if not delimiter:
        return None
    if isinstance(text, list):
        return [part for item in text for part in to_str(item).split(delimiter)]
    return to_str(text).split(delimiter)


@function("merge")
def _merge(src: Sources, args: list[Any]) -> Any:
    out: list[Any] = []
    for arg in args:
        out.extend(arg if isinstance(arg, list) else [arg])
    return out


@function("shuffle")
def _shuffle(src: Sources, args: list[Any]) -> Any:
    values = [v for v in flatten(args) if v is not None]
    src.rng().shuffle(values)
    return values


@function("firstvalue")
def _firstvalue(src: Sources, args: list[Any]) -> Any:
    values = flatten(args)
    return values[0] if values else None


@function("swirl")
def _swirl(src: Sources, args: list[Any]) -> Any:
    values = [v for v in flatten(args) if v is not None]
    return values[1:] + values[:1]


# ── document ─────────────────────────────────────────────────────────────────────────────
@function("getdocumenturl")
def _getdocumenturl(src: Sources, args: list[Any]) -> Any:
    url = src.document_url()
    fmt = to_str(_arg(args, 0, "")).lower()
    if fmt == "bb":
        return f"[url={url}]{url}[/url]"
    if fmt == "html":
        return f'<a href="{url}">{url}</a>'
    return url
