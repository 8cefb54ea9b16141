"""Activities that pick or describe people (bizproc with the intranet and timeman modules):
GetUserActivity, GetUserInfoActivity, AbsenceActivity, and RobotDelayActivity's wait for a
working day.

The people are the scenario's `[users]` (compiler.simulator.directory): heads, profiles,
who is inactive, absences, time-tracking status.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator import dates
from compiler.simulator.activities.data import wait_delay
from compiler.simulator.activities.registry import activity
from compiler.simulator.activities.states import next_work_time
from compiler.simulator.directory import Directory
from compiler.simulator.waits import Timer, Until, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

# GetUserActivity's UserType values (getuseractivity.php: USER_TYPE_*).
_RANDOM, _BOSS, _SEQUENT = "random", "boss", "sequent"


def is_absent(directory: Directory, user: int, moment: datetime) -> bool:
    """CIntranetUtils::IsUserAbsent: an absence covers the moment (a date-only end covers
    that whole day)."""
    for start, end in directory.absences.get(user, []):
        if not start and not end:
            return True
        first, last = dates.parse(start), dates.parse(end)
        if first is None or last is None:
            continue
        if len(end.strip()) <= 10:
            last = last + timedelta(days=1) - timedelta(seconds=1)
        if first <= moment <= last:
            return True
    return False


def workday_status(directory: Directory, user: int, moment: datetime) -> str:
    """The user's working-day status (timeman): what the scenario gives, else OPENED during
    working hours (Monday to Friday, 9:00–18:00) and CLOSED outside them."""
    if user in directory.timeman:
        return directory.timeman[user]
    return "OPENED" if next_work_time(moment) == moment else "CLOSED"


def _working(run: Run, user: int) -> bool:
    # GetUserActivity::isUserWorking: an open or paused day counts as working.
    return workday_status(run.directory, user, run.clock) in ("OPENED", "PAUSED")


def _users(run: Run, raw: Any, skip_absent: bool, skip_timeman: bool) -> list[int]:
    """GetUsersList then getActiveUsers: the users of a property, without the absent or
    clocked-out ones when asked, and without inactive ones, in order."""
    found = run.extract_users(run.evaluator.value(raw))
    kept = [u for u in found
            if not (skip_absent and is_absent(run.directory, u, run.clock))
            and not (skip_timeman and not _working(run, u))]
    return [u for u in kept if u not in run.directory.inactive]


def _boss(run: Run, props: dict[str, Any], skip_absent: bool, skip_timeman: bool) -> Any:
    """Heads up the user's hierarchy, MaxLevel levels (0: all); a head who is the user, is
    absent or is clocked out is passed over and the search goes one level further."""
    people = _users(run, props.get("UserParameter"), False, False)
    if not people:
        return None
    user = people[0]
    max_level = to_int(run.evaluator.value(props.get("MaxLevel")))
    heads: list[int] = []
    level, current, seen = 0, user, {user}
    while (head := run.directory.heads.get(current)) is not None and head not in seen:
        seen.add(head)
        current = head
        if max_level > 0 and level + 1 > max_level:
            break
        skipped = (head == user or (skip_absent and is_absent(run.directory, head, run.clock))
                   or (skip_timeman and not _working(run, head)))
        if skipped:
            max_level += 1  # PHP's $maxLevel++ on null or 0 gives 1 too
        elif head not in heads:
            heads.append(head)
        level += 1
    if not heads:
        return None
    return f"user_{heads[0]}" if len(heads) == 1 else [f"user_{h}" for h in heads]


def _next(run: Run, node: Activity, props: dict[str, Any], skip_absent: bool,
          skip_timeman: bool) -> Any:
    """In turn: the first available user after the one chosen last time (Bitrix keeps that in
    the activity's storage; here it lives as long as the run)."""
    everyone = _users(run, props.get("UserParameter"), False, False)
    last = run.storage.get(f"GetUser:{node.name}")
    if last in everyone:
        position = everyone.index(last) + 1
        everyone = everyone[position:] + everyone[:position]
    available = [u for u in everyone
                 if not (skip_absent and is_absent(run.directory, u, run.clock))
                 and not (skip_timeman and not _working(run, u))]
    if not available:
        return None
    run.storage[f"GetUser:{node.name}"] = available[0]
    return f"user_{available[0]}"


@activity("GetUserActivity")
def get_user(run: Run, node: Activity) -> None:
    """getuseractivity.php execute(): the main rule, else the reserve list."""
    props = run.props(node)
    kind = to_str(props.get("UserType"))
    skip_absent = to_str(props.get("SkipAbsent")) != "N"
    skip_timeman = to_str(props.get("SkipTimeman")) == "Y"
    chosen: Any = None
    if kind == _BOSS:
        chosen = _boss(run, props, skip_absent, skip_timeman)
    elif kind == _RANDOM:
        people = _users(run, props.get("UserParameter"), skip_absent, skip_timeman)
        chosen = f"user_{run.rng().choice(people)}" if people else None
    elif kind == _SEQUENT:
        chosen = _next(run, node, props, skip_absent, skip_timeman)
    if chosen is None:
        if to_str(props.get("SkipAbsentReserve")) == "N":
            skip_absent = False
        if to_str(props.get("SkipTimemanReserve")) == "N":
            skip_timeman = False
        reserve = _users(run, props.get("ReserveUserParameter"), skip_absent, skip_timeman)
        if reserve:
            chosen = f"user_{reserve[0]}" if kind == _RANDOM else [f"user_{u}" for u in reserve]
    value = chosen if isinstance(chosen, list) else ([chosen] if chosen else [])
    run.set_result(node, {"GetUser": value})


def user_info(run: Run, user: int) -> dict[str, Any]:
    """The user as Bitrix's user service describes them, under GetUserInfoActivity's keys."""
    directory = run.directory
    profile = dict(directory.profiles.get(user, {}))
    name = directory.names.get(user, "")
    first, _, last = name.partition(" ")
    profile.setdefault("NAME", first)
    profile.setdefault("LAST_NAME", last)
    head = directory.heads.get(user)
    info: dict[str, Any] = {f"USER_{k}": v for k, v in profile.items()}
    info.update({
        "USER_ACTIVE": "N" if user in directory.inactive else "Y",
        "UF_HEAD": [f"user_{head}"] if head is not None else [],
        "IS_ABSENT": "Y" if is_absent(directory, user, run.clock) else "N",
        "TIMEMAN_STATUS": workday_status(directory, user, run.clock),
    })
    for key in ("UF_DEPARTMENT_PRINTABLE", "UF_HEAD"):
        if key in profile:
            info[key] = profile[key]
    return info


@activity("GetUserInfoActivity")
def get_user_info(run: Run, node: Activity) -> None:
    users = run.extract_users(run.evaluator.value(run.props(node).get("GetUser")))
    if not users:
        # getuserinfoactivity.php: BPGUIA_ERROR_1 in the log, nothing read.
        run.write_log(node, "The user is not set")
        return
    user = users[0]
    if not run.directory.knows(user):
        run.note(node, f"user {user} is not in the scenario's [users]: only the fields the "
                       "simulator derives (activity, head, absence, working day) are set")
    run.set_result(node, user_info(run, user))


@activity("AbsenceActivity")
def absence(run: Run, node: Activity) -> None:
    """An entry in the absence chart per user (absenceactivity.php): from now on the users
    count as absent in that period."""
    props = run.props(node)
    start = to_str(_first(run.evaluator.value(props.get("AbsenceFrom"))))
    end = to_str(_first(run.evaluator.value(props.get("AbsenceTo"))))
    users = run.extract_users(run.evaluator.value(props.get("AbsenceUser")))
    for user in users:
        run.directory.add_absence(user, start, end)
    run.record("absence", node, users=users, start=start, end=end,
               name=run.evaluator.text(props.get("AbsenceName", "")),
               type=to_str(props.get("AbsenceType")))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


@activity("RobotDelayActivity")
def robot_delay(run: Run, node: Activity) -> Iterator[Wait]:
    """DelayActivity's wait, then, with WaitWorkDayUser, until that user's working day is
    open (robotdelayactivity.php): at the next working morning, or never when the scenario
    fixes the user's day to another status."""
    yield from wait_delay(run, node)
    users = run.extract_users(run.evaluator.value(run.props(node).get("WaitWorkDayUser")))
    if not users or workday_status(run.directory, users[0], run.clock) == "OPENED":
        return
    user = users[0]
    if user in run.directory.timeman:
        yield Until(lambda _run: False, f"user {user} to open the working day")
    else:
        yield Timer(next_work_time(run.clock))
