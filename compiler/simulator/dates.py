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

from compiler.php.values import (
    PhpObject,
    current,
    flatten,
    is_numeric,
    is_scalar,
    scalar_string,
    to_int,
    truthy,
)

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


# ── Bitrix's reading of dates in calc functions and conditions ──────────────────────────
# The simulator's site formats: FORMAT_DATETIME "YYYY-MM-DD HH:MI:SS", FORMAT_DATE
# "YYYY-MM-DD" (the internal formats above). Bitrix reads a date with MakeTimeStamp()
# (main/tools.php) in the site formats; the simulator runs in UTC, as with a zero offset.
SITE_FORMATS = ("YYYY-MM-DD HH:MI:SS", "YYYY-MM-DD")
_FORMAT_FIELD = re.compile(r"(DD|MI|MMMM|MM|M|YYYY|HH|H|SS|TT|T|GG|G)", re.IGNORECASE)
_DATE_PART = re.compile(r"([^:\\/\s.,0-9-]+|[^:\\/\s.,a-z-]+)", re.IGNORECASE)
_SERIALIZED = re.compile(r"(.+)\s\[([0-9\-]+)\]")
_INT_STRING = re.compile(r"^-?\d+$")


class DateValue(PhpObject):
    """Bizproc\\BaseType\\Value\\Date / DateTime (bizproc/lib/basetype/value/): a timestamp printed
    in the site format."""

    timestamp: int
    with_time: bool

    def __init__(self, stamp: int, with_time: bool = True):
        moment = from_timestamp(stamp)
        text = format_datetime(moment) if with_time else format_date(moment)
        super().__init__(text, (stamp, 0), "DateTime" if with_time else "Date")
        object.__setattr__(self, "timestamp", stamp)
        object.__setattr__(self, "with_time", with_time)


def from_timestamp(stamp: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=stamp)


def mktime(hour: int, minute: int, second: int, month: int, day: int, year: int) -> int:
    """PHP mktime() in UTC: every field may overflow into the next (month 13 = next January)."""
    years, month_index = divmod(month - 1, 12)
    first = datetime(year + years, month_index + 1, 1)
    moment = first + timedelta(days=day - 1, hours=hour, minutes=minute, seconds=second)
    return timestamp(moment)


def make_site_timestamp(text: str, site_format: str) -> int | None:
    """MakeTimeStamp($text, $format) (main/tools.php): the number groups of `text` fill the
    format's fields in order; None when the result is no real date."""
    fields = [match.upper() for match in _FORMAT_FIELD.findall(site_format)]
    parts = _DATE_PART.findall(text)
    values: dict[str, int] = {}
    for name, part in zip(fields, parts, strict=False):
        values[name] = to_int(part) if is_numeric(part) else 0
    day, month, year = values.get("DD", 0), values.get("MM", 0), values.get("YYYY", 0)
    hour, minute, second = values.get("HH", 0), values.get("MI", 0), values.get("SS", 0)
    if not (1 <= month <= 12 and 1 <= year <= 32767):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    if not (0 <= hour <= 24 and 0 <= minute <= 59 and 0 <= second <= 59):
        return None
    return mktime(hour, minute, second, month, day, year)


def make_timestamp(value: Any) -> Any:
    """DateLib::makeTimestamp (bizproc/lib/Calc/Libs/DateLib.php): a date value's timestamp;
    an integer (or integer string) is one already and comes back as it is; False otherwise."""
    if not truthy(value) or not (is_scalar(value) or isinstance(value, PhpObject)):
        return False
    if isinstance(value, str) and _SERIALIZED.search(value):
        return _serialized_timestamp(value)
    if isinstance(value, DateValue):
        return value.timestamp
    if isinstance(value, PhpObject):
        value = value.text
    if _int_like(value):
        return value
    for site_format in (*SITE_FORMATS, "YYYY-MM-DD HH:MI:SS", "YYYY-MM-DD"):
        found = make_site_timestamp(scalar_string(value), site_format)
        if found is not None:
            return found
    return False


def _int_like(value: Any) -> bool:
    # PHP: intval($date) . "!" === $date . "!"
    if isinstance(value, bool):
        return False
    return scalar_string(value) == str(to_int(value))


def is_serialized(value: Any) -> bool:
    """Value\\Date::isSerialized (bizproc/lib/basetype/value/date.php): "<date> [<offset>]"."""
    return isinstance(value, str) and _SERIALIZED.search(value) is not None


def helper_timestamp(value: Any) -> Any:
    """CBPHelper::makeTimestamp (bizproc/classes/general/helper.php): like makeTimestamp,
    but 0 for no date, and a list gives its first element's."""
    if not truthy(value):
        return 0
    if isinstance(value, list | dict):
        value = current(flatten(value))
    found = make_timestamp(value)
    return 0 if found is False else found


def day_start(stamp: Any) -> int:
    """Main\\Type\\Date::createFromTimestamp (main/lib/type/date.php): the midnight that starts the
    day."""
    number = to_int(stamp)
    return number - number % 86400


def check_date_time(text: str, site_format: str) -> bool:
    """CheckDateTime() (main/tools.php): a real date whose shape of separators matches the
    format's (a shorter text matches the format's beginning, and the other way round)."""
    if make_site_timestamp(text, site_format) is None:
        return False
    shape = re.sub(r"([^:\\/\s.,0-9-]+|[^:\\/\s.,a-z-]+)[\n\r\t ]*", "P", text,
                   flags=re.IGNORECASE)
    wanted = re.sub(r"(DD|MMMM|MM|MI|M|YYYY|HH|H|GG|G|SS|TT|T)[\n\r\t ]*", "P", site_format,
                    flags=re.IGNORECASE)
    if len(shape) <= len(wanted):
        return shape == wanted[:len(shape)]
    return wanted == shape[:len(wanted)]


def _serialized_timestamp(value: str) -> Any:
    match = _SERIALIZED.search(value)
    assert match is not None
    stamp = read_date_value(match.group(1), with_time=True)
    return False if stamp is None else stamp - to_int(match.group(2))


def read_date_value(text: str, with_time: bool) -> int | None:
    """new Main\\Type\\DateTime($text) (main/lib/type/datetime.php) in the site format: the
    timestamp, None if unreadable.

    The site format is read field by field; a missing tail (no time) or trailing text is
    tolerated, as date_parse_from_format's single 'Data missing'/'Trailing data' error is.
    """
    match = re.match(r"(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?",
                     text)
    if match is None:
        return None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    if not with_time:
        return mktime(0, 0, 0, month, day, year)
    hour, minute, second = (int(match.group(i) or 0) for i in (4, 5, 6))
    return mktime(hour, minute, second, month, day, year)


def date_object(value: Any, base: str) -> Any:
    """BaseType\\Date::internalizeValue (bizproc/lib/basetype/date.php): a stored date/datetime
    string as Bitrix's date object (what a formula sees for a date variable or field); other values
    stay as they are."""
    if isinstance(value, list):
        return [date_object(item, base) for item in value]
    if not isinstance(value, str) or not value:
        return value
    with_time = base != "date"
    if is_numeric(value):
        return DateValue(to_int(value), with_time)
    stamp = read_date_value(value, with_time)
    return value if stamp is None else DateValue(stamp, with_time)


def add_to_timestamp(parts: list[tuple[str, int]], stamp: int) -> int:
    """AddToTimeStamp() (main/tools.php): each unit in turn, normalised like mktime()."""
    for unit, amount in parts:
        m = from_timestamp(stamp)
        fields = [m.hour, m.minute, m.second, m.month, m.day, m.year]
        index = {"HH": 0, "MI": 1, "SS": 2, "MM": 3, "DD": 4, "YYYY": 5}[unit]
        fields[index] += amount
        stamp = mktime(*fields)
    return stamp


_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def php_date(fmt: str, stamp: int) -> str:
    """PHP date() in UTC: every format character; a backslash escapes the next one."""
    moment = from_timestamp(stamp)
    out: list[str] = []
    escape = False
    for char in fmt:
        if escape:
            out.append(char)
            escape = False
        elif char == "\\":
            escape = True
        else:
            out.append(_date_char(char, moment, stamp))
    return "".join(out)


def _ordinal(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _date_char(char: str, m: datetime, stamp: int) -> str:
    hour12 = m.hour % 12 or 12
    iso_year, iso_week, _ = m.isocalendar()
    table = {
        "d": f"{m.day:02d}", "j": str(m.day), "D": _DAY_NAMES[m.weekday()][:3],
        "l": _DAY_NAMES[m.weekday()], "N": str(m.isoweekday()), "w": str(m.isoweekday() % 7),
        "S": _ordinal(m.day), "z": str(m.timetuple().tm_yday - 1), "W": f"{iso_week:02d}",
        "F": _MONTH_NAMES[m.month - 1], "M": _MONTH_NAMES[m.month - 1][:3],
        "m": f"{m.month:02d}", "n": str(m.month),
        "t": str(calendar.monthrange(m.year, m.month)[1]),
        "L": "1" if calendar.isleap(m.year) else "0", "o": str(iso_year), "Y": str(m.year),
        "y": f"{m.year % 100:02d}", "a": "am" if m.hour < 12 else "pm",
        "A": "AM" if m.hour < 12 else "PM",
        "B": f"{((stamp % 86400 + 3600) * 10 // 864) % 1000:03d}",
        "g": str(hour12), "G": str(m.hour), "h": f"{hour12:02d}", "H": f"{m.hour:02d}",
        "i": f"{m.minute:02d}", "s": f"{m.second:02d}", "u": "000000", "v": "000",
        "U": str(stamp), "e": "UTC", "T": "UTC", "P": "+00:00", "p": "Z", "O": "+0000",
        "Z": "0", "I": "0", "c": m.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
        "r": f"{_DAY_NAMES[m.weekday()][:3]}, {m.day:02d} {_MONTH_NAMES[m.month - 1][:3]} "
             f"{m.year} {m.hour:02d}:{m.minute:02d}:{m.second:02d} +0000",
    }
    return table.get(char, char)


def date_interval_format(fmt: str, start: datetime, end: datetime) -> str:
    """PHP DateTime::diff(…)->format(): %a total days, %y %m %d %h %i %s, %R %r, %%."""
    negative = end < start
    low, high = (end, start) if negative else (start, end)
    months = _whole_months(low, high)
    rest = high - add_months(low, months)
    values = {"y": months // 12, "m": months % 12, "d": rest.days,
              "h": rest.seconds // 3600, "i": rest.seconds % 3600 // 60, "s": rest.seconds % 60,
              "a": (high - low).days}
    out: list[str] = []
    index = 0
    while index < len(fmt):
        char = fmt[index]
        if char == "%" and index + 1 < len(fmt):
            code = fmt[index + 1]
            index += 2
            if code.lower() in values and code != "A":
                number = values[code.lower()]
                out.append(f"{number:02d}" if code.isupper() else str(number))
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


def _whole_months(low: datetime, high: datetime) -> int:
    """timelib's diff: the most months that, added to `low` (a day past the month's end runs
    over into the next month), do not pass `high`."""
    months = (high.year - low.year) * 12 + high.month - low.month
    while months > 0 and add_months(low, months) > high:
        months -= 1
    return max(months, 0)
