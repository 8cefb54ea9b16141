"""What a running activity waits for. Activities are generators that yield these; the run
resumes a generator once its wait is ready, and the activity then reads the outcome from
the run (task answers, delivered events, the clock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.bitrix import Activity
    from compiler.simulator.run import Run


class Wait:
    def ready(self, run: Run) -> bool:
        raise NotImplementedError

    def due(self) -> datetime | None:
        return None

    def describe(self) -> str:
        return type(self).__name__


class Yield(Wait):
    """A turn given to the other branches of a ParallelActivity; always ready."""

    def ready(self, run: Run) -> bool:
        return True

    def describe(self) -> str:
        return "next turn"


YIELD = Yield()


class Timer(Wait):
    def __init__(self, at: datetime):
        self.at = at

    def ready(self, run: Run) -> bool:
        return run.clock >= self.at

    def due(self) -> datetime | None:
        return self.at

    def describe(self) -> str:
        return f"the clock to reach {self.at:%Y-%m-%d %H:%M:%S}"


class TaskWait(Wait):
    """Ready when the task got a new answer or was closed, or its timeout passed."""

    def __init__(self, task_id: int, answers_seen: int, at: datetime | None):
        self.task_id = task_id
        self.answers_seen = answers_seen
        self.at = at

    def ready(self, run: Run) -> bool:
        task = run.task(self.task_id)
        if len(task.answers) != self.answers_seen or not task.waiting:
            return True
        return self.at is not None and run.clock >= self.at

    def due(self) -> datetime | None:
        return self.at

    def describe(self) -> str:
        return f"task {self.task_id}"


class EventWait(Wait):
    """An app robot waiting for bizproc.event.send (or its timeout)."""

    def __init__(self, activity: str, at: datetime | None):
        self.activity = activity
        self.at = at

    def ready(self, run: Run) -> bool:
        if self.activity in run.events:
            return True
        return self.at is not None and run.clock >= self.at

    def due(self) -> datetime | None:
        return self.at

    def describe(self) -> str:
        return f"an event for {self.activity}"


class CommandWait(Wait):
    """A state's HandleExternalEventActivity: ready when a matching command was sent."""

    def __init__(self, handler: Activity, event: Activity, allowed: list[int]):
        self.handler = handler
        self.event = event
        self.allowed = allowed

    def matches(self, command: str) -> bool:
        wanted = command.strip().lower()
        keys = (self.event.name, self.handler.name, self.event.properties.get("Title", ""),
                self.handler.properties.get("Title", ""))
        return any(str(k).lower() == wanted for k in keys if k)

    def ready(self, run: Run) -> bool:
        return any(self.matches(c["command"]) for c in run.commands)

    def describe(self) -> str:
        return f"command '{self.event.properties.get('Title', '')!s}'"


class Until(Wait):
    """Ready once `test` holds: a document reaching a stage, a working day opening. It has no
    due time; what makes it hold is an input (a document change) or nothing at all."""

    def __init__(self, test: Callable[[Run], bool], what: str):
        self.test = test
        self.what = what

    def ready(self, run: Run) -> bool:
        return self.test(run)

    def describe(self) -> str:
        return self.what


class AnyOf(Wait):
    def __init__(self, waits: list[Wait]):
        self.waits = waits

    def ready(self, run: Run) -> bool:
        return any(w.ready(run) for w in self.waits)

    def due(self) -> datetime | None:
        dues = [d for d in (w.due() for w in self.waits) if d is not None]
        return min(dues) if dues else None

    def leaves(self) -> list[Wait]:
        out: list[Wait] = []
        for wait in self.waits:
            out.extend(wait.leaves() if isinstance(wait, AnyOf) else [wait])
        return out

    def describe(self) -> str:
        return " or ".join(w.describe() for w in self.waits)
