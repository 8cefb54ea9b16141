"""The table of activity handlers and small helpers shared by them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from compiler.php.values import to_float
from compiler.simulator import dates

if TYPE_CHECKING:
    from compiler.bitrix import Activity
    from compiler.simulator.run import Run
    from compiler.simulator.waits import Wait

Handler = Callable[["Run", "Activity"], "Iterator[Wait] | None"]
HANDLERS: dict[str, Handler] = {}
# Containers: activities that only run their children (sequences, branches, IfElse, loops,
# Parallel, state shells). They do no work of their own.
CONTAINERS: set[str] = set()

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def activity(*types: str, container: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in types:
            HANDLERS[name.lower()] = handler
            if container:
                CONTAINERS.add(name.lower())
        return handler
    return register


def duration(amount: Any, unit: Any) -> timedelta:
    """TimeoutDuration + TimeoutDurationType (s/m/h/d; anything else counts as seconds)."""
    seconds = _UNIT_SECONDS.get(str(unit or "s").lower(), 1)
    return timedelta(seconds=to_float(amount) * seconds)


def timeout_at(run: Run, properties: dict[str, Any]) -> datetime | None:
    """The moment a task or robot times out, or None when it has no timeout."""
    amount = run.evaluator.value(properties.get("TimeoutDuration"))
    span = duration(amount, properties.get("TimeoutDurationType"))
    return run.clock + span if span.total_seconds() > 0 else None


def status_message(run: Run, properties: dict[str, Any]) -> None:
    """Tasks with SetStatusMessage 'Y' show StatusMessage as the workflow's status text."""
    if str(properties.get("SetStatusMessage")).upper() == "Y":
        text = run.evaluator.text(properties.get("StatusMessage", ""))
        if text:
            run.state_title = text


def moment(value: Any) -> datetime | None:
    return dates.parse(value)
