"""The portal's working calendar, as Bitrix's date functions apply it.

The simulator has no portal calendar; it uses one fixed calendar: Monday to Friday, 9:00 to
18:00, no public holidays. (The calendar module's own defaults, CCalendar::GetSettings in
calendar/classes/general/calendar.php, are 9:00–19:00 with Saturday and Sunday off and the
regional holidays of the portal's language.) The rules that use it are DateLib's
(bizproc/lib/Calc/Libs/DateLib.php): isHoliday, isWorkTime, getNearestWorkTime,
addWorkDay and callWorkDateAdd. Times are Unix timestamps read in UTC.
"""

from __future__ import annotations

from compiler.simulator.dates import from_timestamp

WORK_START = 9 * 3600  # seconds after midnight
WORK_END = 18 * 3600
WEEK_HOLIDAYS = frozenset({5, 6})  # datetime.weekday(): Saturday, Sunday
DAY = 86400


def is_holiday(stamp: int) -> bool:
    return from_timestamp(stamp).weekday() in WEEK_HOLIDAYS


def day_seconds(stamp: int) -> int:
    """Hours and minutes of the day in seconds (DateLib ignores the seconds)."""
    moment = from_timestamp(stamp)
    return moment.hour * 3600 + moment.minute * 60


def is_work_time(stamp: int) -> bool:
    """Between the start and the end of the working day, both included."""
    return WORK_START <= day_seconds(stamp) <= WORK_END


def add_work_days(stamp: int, days: int) -> int:
    """Whole days forward (or back), skipping holidays; at most 1000 steps, as in Bitrix."""
    delta = DAY if days >= 0 else -DAY
    remaining = abs(days)
    steps = 0
    while remaining > 0 and steps < 1000:
        steps += 1
        stamp += delta
        if not is_holiday(stamp):
            remaining -= 1
    return stamp


def nearest_work_time(stamp: int, backwards: bool = False) -> int:
    """The moment itself in working time, else the next start (or, backwards, the previous
    end) of a working day."""
    seconds = day_seconds(stamp)
    if is_holiday(stamp):
        stamp -= seconds
        stamp += -DAY + WORK_END if backwards else WORK_START
        seconds = WORK_END if backwards else WORK_START
    if not is_work_time(stamp):
        stamp -= seconds
        if seconds < WORK_START:
            stamp += -DAY + WORK_END if backwards else WORK_START
        else:
            stamp += WORK_END if backwards else DAY + WORK_START
    if is_holiday(stamp):
        stamp = add_work_days(stamp, -1 if backwards else 1)
    return stamp


def remaining_today(stamp: int, backwards: bool = False) -> int:
    seconds = day_seconds(stamp)
    return seconds - WORK_START if backwards else WORK_END - seconds


def add_work_time(stamp: int, seconds: int, backwards: bool) -> int:
    """callWorkDateAdd after its interval is read: `seconds` of working time from `stamp`."""
    sign = -1 if backwards else 1
    if from_timestamp(stamp).strftime("%H:%M:%S") == "00:00:00":
        stamp += WORK_START
    stamp = nearest_work_time(stamp, backwards)
    if not seconds:
        return stamp
    working_day = WORK_END - WORK_START
    days, rest = divmod(seconds, working_day)
    remain = remaining_today(stamp, backwards)
    if days:
        stamp = add_work_days(stamp, days * sign)
    if rest > remain:
        stamp += -remain - 60 if backwards else remain + 60
        return nearest_work_time(stamp, backwards) + (rest - remain) * sign
    return stamp + sign * rest
