"""Dates as workflows see them: parsing what portals store, formatting, intervals.

Internally a datetime value is the string `YYYY-MM-DD HH:MM:SS` and a date `YYYY-MM-DD`
(portals store their site format; the simulator fixes one so that scenarios are readable).
Parsing also accepts the usual site formats (`DD.MM.YYYY`, `MM/DD/YYYY`), ISO 8601 with a
`T`, and Unix timestamps.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y",
)
_UNITS = {
    "y": "y", "year": "y", "years": "y",
    "m": "m", "month": "m", "months": "m",
    "w": "w", "week": "w", "weeks": "w",
    "d": "d", "day": "d", "days": "d",
    "h": "h", "hour": "h", "hours": "h",
    "i": "i", "min": "i", "mins": "i", "minute": "i", "minutes": "i",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
}
_INTERVAL_PART = re.compile(r"([+-]?\d+)\s*([a-z]+)", re.IGNORECASE)


def parse(value: Any) -> datetime | None:
    """A moment from a stored value; None when it is not a date."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, list):
        return parse(value[0]) if value else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return datetime.utcfromtimestamp(value) if value > 0 else None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) >= 9:
        return datetime.utcfromtimestamp(int(text))
    text = re.sub(r"([+-]\d\d:?\d\d|Z)$", "", text)  # offsets: the simulator runs in one zone
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def format_datetime(moment: datetime) -> str:
    return moment.strftime(DATETIME_FORMAT)


def format_date(moment: datetime | date) -> str:
    return moment.strftime(DATE_FORMAT)


def timestamp(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


def add_months(moment: datetime, months: int) -> datetime:
    """PHP's month arithmetic: the day overflows into the next month (Jan 31 + 1m = Mar 2/3)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    last = calendar.monthrange(year, month)[1]
    overflow = max(0, moment.day - last)
    return moment.replace(year=year, month=month, day=min(moment.day, last)) + \
        timedelta(days=overflow)


def parse_interval(text: str) -> dict[str, int] | None:
    """`1d`, `-4 days 5 hours`, `2h30i` → unit amounts; a leading '-' negates all parts."""
    source = str(text).strip().lower()
    if not source:
        return None
    negate = source.startswith("-")
    if negate:
        source = source[1:]
    parts: dict[str, int] = {}
    position = 0
    for match in _INTERVAL_PART.finditer(source):
        if source[position:match.start()].strip(" ,"):
            return None
        unit = _UNITS.get(match.group(2))
        if unit is None:
            return None
        parts[unit] = parts.get(unit, 0) + int(match.group(1))
        position = match.end()
    if not parts or source[position:].strip():
        return None
    return {unit: -amount if negate else amount for unit, amount in parts.items()}


def add_interval(moment: datetime, parts: dict[str, int]) -> datetime:
    result = moment
    if parts.get("y") or parts.get("m"):
        result = add_months(result, parts.get("y", 0) * 12 + parts.get("m", 0))
    return result + timedelta(weeks=parts.get("w", 0), days=parts.get("d", 0),
                              hours=parts.get("h", 0), minutes=parts.get("i", 0),
                              seconds=parts.get("s", 0))


def add_workdays(moment: datetime, days: int) -> datetime:
    """Working days with Saturday and Sunday off (the simulator has no portal calendar)."""
    step = 1 if days >= 0 else -1
    result = moment
    remaining = abs(days)
    while remaining:
        result += timedelta(days=step)
        if result.weekday() < 5:
            remaining -= 1
    return result


def is_workday(moment: datetime) -> bool:
    return moment.weekday() < 5


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def php_date(fmt: str, moment: datetime) -> str:
    """PHP date(): the format characters workflows use; a backslash escapes the next one."""
    out: list[str] = []
    escape = False
    for char in fmt:
        if escape:
            out.append(char)
            escape = False
            continue
        if char == "\\":
            escape = True
            continue
        out.append(_date_char(char, moment))
    return "".join(out)


def _date_char(char: str, m: datetime) -> str:
    hour12 = m.hour % 12 or 12
    table = {
        "d": f"{m.day:02d}", "j": str(m.day), "D": _DAY_NAMES[m.weekday()][:3],
        "l": _DAY_NAMES[m.weekday()], "N": str(m.isoweekday()), "w": str(m.isoweekday() % 7),
        "z": str(m.timetuple().tm_yday - 1), "W": f"{m.isocalendar()[1]:02d}",
        "F": _MONTH_NAMES[m.month - 1], "M": _MONTH_NAMES[m.month - 1][:3],
        "m": f"{m.month:02d}", "n": str(m.month),
        "t": str(calendar.monthrange(m.year, m.month)[1]),
        "L": "1" if calendar.isleap(m.year) else "0", "Y": str(m.year), "y": f"{m.year % 100:02d}",
        "a": "am" if m.hour < 12 else "pm", "A": "AM" if m.hour < 12 else "PM",
        "g": str(hour12), "G": str(m.hour), "h": f"{hour12:02d}", "H": f"{m.hour:02d}",
        "i": f"{m.minute:02d}", "s": f"{m.second:02d}", "U": str(timestamp(m)),
        "e": "UTC", "T": "UTC", "P": "+00:00", "O": "+0000", "Z": "0",
        "c": m.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
    }
    return table.get(char, char)


def date_interval_format(fmt: str, start: datetime, end: datetime) -> str:
    """PHP DateInterval::format of `end - start` (%a total days, %y %m %d %h %i %s, %R %r)."""
    negative = end < start
    low, high = (end, start) if negative else (start, end)
    years = high.year - low.year
    months = high.month - low.month
    if (high.day, high.time()) < (low.day, low.time()):
        months -= 1
    if months < 0:
        years -= 1
        months += 12
    anchor = add_months(low, years * 12 + months)
    rest = high - anchor
    values = {
        "y": years, "m": months, "d": rest.days,
        "h": rest.seconds // 3600, "i": rest.seconds % 3600 // 60, "s": rest.seconds % 60,
        "a": (high - low).days,
    }
    out: list[str] = []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%" and index + 1 < len(fmt):
            code = fmt[index + 1]
            index += 2
            if code.lower() in values:
                number = values[code.lower()]
                out.append(f"{number:02d}" if code.isupper() and code != "A" else str(number))
            elif code == "R":
                out.append("-" if negative else "+")
            elif code == "r":
                out.append("-" if negative else "")
            elif code == "%":
                out.append("%")
            else:
                out.append("%" + code)
            continue
        out.append(char)
        index += 1
    return "".join(out)
