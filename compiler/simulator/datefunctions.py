"""The date functions of Bitrix formulas (bizproc/lib/Calc/Libs/DateLib.php).

Dates are read with DateLib::makeTimestamp (compiler.simulator.dates.make_timestamp) and
returned as Bitrix's date objects (`DateValue`), which print in the site format. Where
Bitrix returns the bare timestamp — `dateadd` with an empty interval, `addworkdays` with 0
days — the simulator does too. Time zones: the simulator runs in UTC and every user's
offset is 0.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from compiler.php.values import (
    flatten,
    is_array,
    is_scalar,
    php_empty,
    php_trim,
    scalar_string,
    to_int,
    truthy,
)
from compiler.simulator import workcalendar
from compiler.simulator.dates import (
    DateValue,
    add_to_timestamp,
    date_interval_format,
    from_timestamp,
    make_timestamp,
    php_date,
    read_date_value,
    timestamp,
)
from compiler.simulator.expressions import Sources
from compiler.simulator.functions import Args, function
from compiler.simulator.strtotime import strtotime

# callDateAdd's unit map; any other unit in the interval is skipped.
_DATEADD_UNITS = {
    "y": "YYYY", "year": "YYYY", "years": "YYYY", "m": "MM", "month": "MM", "months": "MM",
    "d": "DD", "day": "DD", "days": "DD", "h": "HH", "hour": "HH", "hours": "HH",
    "i": "MI", "min": "MI", "minute": "MI", "minutes": "MI",
    "s": "SS", "sec": "SS", "second": "SS", "seconds": "SS",
}
# callWorkDateAdd's unit map in seconds; a day (0 here) is one working day. No months, years
# or seconds.
_WORK_UNITS = {"d": 0, "day": 0, "days": 0, "h": 3600, "hour": 3600, "hours": 3600,
               "i": 60, "min": 60, "minute": 60, "minutes": 60}
_INTERVAL_PART = re.compile(r"\s*(\d+)\s*([a-z]+)\s*", re.IGNORECASE)
_TWELVE_HOURS = 12 * 3600


def _stamp(value: Any) -> Any:
    """makeTimestamp; the simulator's offsets are 0, so appendOffset changes nothing."""
    try:
        return make_timestamp(value)
    except (OverflowError, ValueError):
        return False


def _date_value(stamp: Any) -> Any:
    try:
        return DateValue(to_int(stamp))
    except (OverflowError, ValueError):
        return None


def _interval_parts(text: str) -> list[tuple[str, str]]:
    """The `<number><unit>` pairs of an interval, anywhere in it (garbage is skipped)."""
    return [(m.group(1), m.group(2).lower()) for m in _INTERVAL_PART.finditer(text)]


def _now(src: Sources) -> int:
    return timestamp(src.now())


def _in_user_time(src: Sources, args: Args, user_index: int) -> Any:
    """The date argument, through callToUserDate when a user is given (no date: now)."""
    value = args.single(0)
    if not truthy(args.arg(user_index)):
        return value
    if not truthy(value):
        return _date_value(_now(src))
    stamp = _stamp(value)
    return None if stamp is False else _date_value(stamp)


@function("dateadd")
def _dateadd(src: Sources, args: Args) -> Any:
    stamp = _stamp(args.single(0))
    interval = args.single(1)
    if stamp is False or (truthy(interval) and not is_scalar(interval)):
        return None
    if php_empty(interval):
        return stamp  # the bare timestamp, not a date
    text = php_trim(scalar_string(interval))
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    units: dict[str, int] = {}  # a repeated unit replaces the earlier amount
    for amount, unit in _interval_parts(text):
        if unit in _DATEADD_UNITS:
            units[_DATEADD_UNITS[unit]] = -int(amount) if negative else int(amount)
    try:
        return _date_value(add_to_timestamp(list(units.items()), to_int(stamp)))
    except (OverflowError, ValueError):
        return None


@function("workdateadd")
def _workdateadd(src: Sources, args: Args) -> Any:
    stamp = _stamp(_in_user_time(src, args, 2))
    interval = args.single(1)
    if stamp is False or (truthy(interval) and not is_scalar(interval)):
        return None
    if php_empty(interval):
        return stamp
    text = php_trim(scalar_string(interval))
    backwards = text.startswith("-")
    if backwards:
        text = text[1:]
    seconds = 0
    for amount, unit in _interval_parts(text):
        size = _WORK_UNITS.get(unit)
        if size == 0:
            size = workcalendar.WORK_END - workcalendar.WORK_START
        if size is not None:
            seconds += int(amount) * size
    return _date_value(workcalendar.add_work_time(to_int(stamp), seconds, backwards))


@function("addworkdays")
def _addworkdays(src: Sources, args: Args) -> Any:
    stamp = _stamp(args.single(0))
    days = to_int(args.arg(1))
    if stamp is False:
        return None
    if days == 0:
        return stamp
    return _date_value(workcalendar.add_work_days(to_int(stamp), days))


@function("isworkday")
def _isworkday(src: Sources, args: Args) -> Any:
    stamp = _stamp(_in_user_time(src, args, 1))
    return False if stamp is False else not workcalendar.is_holiday(to_int(stamp))


@function("isworktime")
def _isworktime(src: Sources, args: Args) -> Any:
    stamp = _stamp(_in_user_time(src, args, 1))
    if stamp is False:
        return False
    return not workcalendar.is_holiday(to_int(stamp)) and workcalendar.is_work_time(
        to_int(stamp))


def _date_time(value: Any) -> datetime | None:
    """DateLib::getDateTimeObject: a date object, or a string in the site datetime format
    (else the date format, at midnight); lists and other values are no date."""
    if isinstance(value, DateValue):
        return from_timestamp(value.timestamp)
    if is_array(value):
        value = flatten(value)
    if not is_scalar(value):
        return None
    text = scalar_string(value)
    if re.fullmatch(r"\d{1,4}-\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}", text):
        stamp = read_date_value(text, with_time=True)
    elif re.fullmatch(r"\d{1,4}-\d{1,2}-\d{1,2}", text):
        stamp = read_date_value(text, with_time=False)
    else:
        return None
    return None if stamp is None else from_timestamp(stamp)


@function("datediff")
def _datediff(src: Sources, args: Args) -> Any:
    first, second, fmt = args.single(0), args.single(1), args.arg(2)
    if not truthy(first) or not truthy(second) or not is_scalar(fmt):
        return None  # a missing format is null, not "%a"
    start, end = _date_time(first), _date_time(second)
    if start is None or end is None:
        return None
    return date_interval_format(scalar_string(fmt), start, end)


@function("date")
def _date(src: Sources, args: Args) -> Any:
    fmt, value = args.arg(0), args.single(1)
    if not truthy(fmt) or not isinstance(fmt, str):
        return None
    stamp = _stamp(value) if truthy(value) else _now(src)
    if not truthy(stamp):
        return None
    return php_date(fmt, to_int(stamp))


# locdate's names come from Bitrix's English messages (bizproc/lang/en/lib/Calc/Libs/
# DateLib.php, BIZPROC_CALC_FUNCTION_LOCDATE_*): two-letter weekdays, and "Mar" for March.
_LOC_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LOC_DAYS_SHORT = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_LOC_MONTHS = ("January", "February", "Mar", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_LOC_MONTHS_OF = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


@function("locdate")
def _locdate(src: Sources, args: Args) -> Any:
    fmt, value = args.arg(0), args.single(1)
    if not truthy(fmt) or not isinstance(fmt, str):
        return None
    stamp = _stamp(value) if truthy(value) else _now(src)
    if not truthy(stamp):
        return None
    return _localize(fmt, to_int(stamp))


def _localize(fmt: str, stamp: int) -> str:
    """callLocDate: the names of date() replaced by the portal language's (English here)."""
    moment = from_timestamp(stamp)
    out: list[str] = []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "\\" and index + 1 < len(fmt):
            out.append(fmt[index + 1])
            index += 2
            continue
        genitive = (char in "jd" and fmt[index + 1:index + 3] == " F") or \
            fmt[index:index + 4] == "jS F"
        if genitive:
            length = 4 if fmt[index:index + 4] == "jS F" else 3
            out.append(php_date(fmt[index:index + length - 1], stamp)
                       + _LOC_MONTHS_OF[moment.month - 1])
            index += length
            continue
        if char == "l":
            out.append(_LOC_DAYS[moment.weekday()])
        elif char == "D":
            out.append(_LOC_DAYS_SHORT[moment.weekday()])
        elif char == "F":
            out.append(_LOC_MONTHS[moment.month - 1])
        elif char == "M":
            out.append(_LOC_MONTHS_OF[moment.month - 1][:3])
        elif char == "r":
            out.append(f"{_LOC_DAYS_SHORT[moment.weekday()]}, "
                       + php_date("d ", stamp) + _LOC_MONTHS_OF[moment.month - 1][:3]
                       + php_date(" Y H:i:s O", stamp))
        else:
            out.append(php_date(char, stamp))
        index += 1
    return "".join(out)


@function("touserdate")
def _touserdate(src: Sources, args: Args) -> Any:
    user, value = args.arg(0), args.single(1)
    if not truthy(user):
        return None
    stamp = _stamp(value) if truthy(value) else _now(src)
    if stamp is False:
        return None
    return _date_value(stamp)  # every user's offset is 0


@function("getuserdateoffset")
def _getuserdateoffset(src: Sources, args: Args) -> Any:
    return None if not truthy(args.arg(0)) else 0


@function("strtotime")
def _strtotime(src: Sources, args: Args) -> Any:
    text, base = args.single(0), args.single(1)
    stamp = _stamp(base) if truthy(base) else _now(src)
    if not truthy(stamp) or not is_scalar(text):
        return None
    found = strtotime(scalar_string(text), to_int(stamp))
    return None if found is None else _date_value(found)


@function("settime")
def _settime(src: Sources, args: Args) -> Any:
    hour, minute = max(0, to_int(args.single(1))), max(0, to_int(args.single(2)))
    shift = max(-_TWELVE_HOURS, min(_TWELVE_HOURS, to_int(args.single(3))))
    stamp = _stamp(args.single(0))
    if stamp is False:
        return None
    midnight = to_int(stamp) - to_int(stamp) % 86400
    return _date_value(midnight + hour * 3600 + minute * 60 - shift)

