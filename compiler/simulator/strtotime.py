"""PHP strtotime() for the phrases workflows use, read in UTC (the simulator's zone).

Understood: `now`, `today`, `midnight`, `noon`, `tomorrow`, `yesterday`, `@<timestamp>`,
dates `YYYY-MM-DD`, `DD.MM.YYYY`, `MM/DD/YYYY` (with a time after a space or `T`), times
`14:30`, `14:30:15`, `10am`, relative amounts `+1 day`, `-2 hours`, `3 weeks ago`,
`next month`, `last year`, weekday names (`monday`, `next friday`, `last sat`) and
`first day of` / `last day of` (`next month`, `last month`, `this month`). Any other phrase —
month names, `first monday of`, `weekdays`, `next week`, military time zones — gives None
where PHP may still find a time; the parity suite lists those as known differences.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import field

from compiler.record import record
from compiler.simulator.dates import from_timestamp, mktime

_WEEKDAYS = {name: index for index, names in enumerate((
    ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
    ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
    ("sunday", "sun"))) for name in names}
_UNITS = {
    **dict.fromkeys(("sec", "secs", "second", "seconds"), ("s", 1)),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), ("s", 60)),
    **dict.fromkeys(("hour", "hours"), ("s", 3600)),
    **dict.fromkeys(("day", "days"), ("d", 1)),
    **dict.fromkeys(("week", "weeks"), ("d", 7)),
    **dict.fromkeys(("fortnight", "fortnights"), ("d", 14)),
    **dict.fromkeys(("month", "months"), ("m", 1)),
    **dict.fromkeys(("year", "years"), ("m", 12)),
}
_TOKEN = re.compile(r"""\s*(?:
    (?P<stamp>@-?\d+)
  | (?P<iso>\d{4})-(?P<iso_m>\d{1,2})-(?P<iso_d>\d{1,2})(?=$|[\sT])
  | (?P<dmy>\d{1,2})\.(?P<dmy_m>\d{1,2})\.(?P<dmy_y>\d{4})
  | (?P<mdy>\d{1,2})/(?P<mdy_d>\d{1,2})/(?P<mdy_y>\d{4})
  | T?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?
  | (?P<hour12>\d{1,2})\s*(?P<meridiem>am|pm)\b
  | (?P<sign>[+-]?)\s*(?P<amount>\d+)\s*(?P<unit>[a-z]+)\b
  | (?P<dayof>first|last)\s+day\s+of\b
  | (?P<word>[a-z]+)
)""", re.VERBOSE | re.IGNORECASE)


@record(frozen=False, slots=False)
class _State:
    year: int
    month: int
    day: int
    seconds: int  # time of day
    relative: dict[str, int] = field(default_factory=lambda: {"s": 0, "d": 0, "m": 0})
    weekday: tuple[int, int] | None = None  # (weekday, direction: 0 this, 1 next, -1 last)
    day_of: str | None = None  # "first" | "last"


def strtotime(text: str, base: int) -> int | None:
    """The timestamp `text` names relative to `base`, None when it is not understood."""
    source = text.strip().lower()
    if not source:
        return None
    moment = from_timestamp(base)
    state = _State(moment.year, moment.month, moment.day,
                   moment.hour * 3600 + moment.minute * 60 + moment.second)
    position = 0
    pending: str | None = None  # "next" / "last" / "this" waiting for its unit or weekday
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            return None
        position = match.end()
        pending = _apply(match, state, pending)
        if pending == "error":
            return None
    if pending is not None:
        return None
    return _resolve(state)


def _apply(match: re.Match[str], state: _State, pending: str | None) -> str | None:
    groups = match.groupdict()
    if groups["stamp"]:
        moment = from_timestamp(int(groups["stamp"][1:]))
        state.year, state.month, state.day = moment.year, moment.month, moment.day
        state.seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        return pending
    for key, month_key, day_key, year_key in (("iso", "iso_m", "iso_d", "iso"),
                                               ("dmy", "dmy_m", "dmy", "dmy_y"),
                                               ("mdy", "mdy", "mdy_d", "mdy_y")):
        if groups[key]:
            state.year, state.month = int(groups[year_key]), int(groups[month_key])
            state.day, state.seconds = int(groups[day_key]), 0
            return pending
    if groups["hour"] is not None:
        hour, minute = int(groups["hour"]), int(groups["minute"])
        if hour > 23 or minute > 59:
            return "error"
        state.seconds = hour * 3600 + minute * 60 + int(groups["second"] or 0)
        return pending
    if groups["hour12"] is not None:
        hour = int(groups["hour12"])
        if not 1 <= hour <= 12:
            return "error"
        state.seconds = (hour % 12 + (12 if groups["meridiem"] == "pm" else 0)) * 3600
        return pending
    if groups["amount"] is not None:
        unit = _UNITS.get(groups["unit"])
        if unit is None:
            return "error"
        amount = int(groups["amount"]) * unit[1] * (-1 if groups["sign"] == "-" else 1)
        state.relative[unit[0]] += amount
        return pending
    if groups["dayof"]:
        state.day_of = groups["dayof"]
        return pending
    return _word(groups["word"], state, pending)


def _word(word: str, state: _State, pending: str | None) -> str | None:
    if pending in ("next", "last", "this"):
        step = {"next": 1, "last": -1, "this": 0}[pending]
        if word in _WEEKDAYS:
            state.weekday = (_WEEKDAYS[word], step)
            state.seconds = 0
            return None
        unit = _UNITS.get(word)
        if unit is None or word.startswith("week"):
            return "error"
        state.relative[unit[0]] += step * unit[1]
        return None
    if word in ("next", "last", "this"):
        return word
    if word == "ago":
        state.relative = {key: -value for key, value in state.relative.items()}
    elif word == "now":
        pass
    elif word in ("today", "midnight"):
        state.seconds = 0
    elif word == "noon":
        state.seconds = 12 * 3600
    elif word in ("tomorrow", "yesterday"):
        state.relative["d"] += 1 if word == "tomorrow" else -1
        state.seconds = 0
    elif word in _WEEKDAYS:
        state.weekday = (_WEEKDAYS[word], 0)
        state.seconds = 0
    else:
        return "error"
    return None


def _resolve(state: _State) -> int | None:
    months = state.month - 1 + state.relative["m"]
    year, month = state.year + months // 12, months % 12 + 1
    day = state.day
    if state.day_of == "first":
        day = 1
    elif state.day_of == "last":
        day = calendar.monthrange(year, month)[1]
    try:
        stamp = mktime(0, 0, state.seconds, month, day + state.relative["d"], year)
    except (OverflowError, ValueError):
        return None
    stamp += state.relative["s"]
    if state.weekday is not None:
        stamp = _move_to_weekday(stamp, *state.weekday)
    return stamp


def _move_to_weekday(stamp: int, weekday: int, direction: int) -> int:
    current = from_timestamp(stamp).weekday()
    if direction >= 0:
        ahead = (weekday - current) % 7
        if direction == 1 and ahead == 0:
            ahead = 7
        return stamp + ahead * 86400
    back = (current - weekday) % 7 or 7
    return stamp - back * 86400
