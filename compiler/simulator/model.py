"""Records a run produces (tasks, trace entries) and the errors it can stop with.

Everything here converts to and from plain JSON, so that a host (the sandbox portal) can
store it and tests can compare it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Task statuses as bizproc.task.complete names them (CBPTaskUserStatus).
ANSWERS = {"yes": "yes", "approve": "yes", "approved": "yes", "1": "yes",
           "no": "no", "reject": "no", "rejected": "no", "2": "no",
           "ok": "ok", "done": "ok", "review": "ok", "reviewed": "ok", "3": "ok",
           "cancel": "cancel", "4": "cancel", "close": "closed", "closed": "closed",
           "complete": "closed", "completed": "closed"}


class SimulationError(Exception):
    """The run cannot go on: an activity the simulator cannot run, a Bitrix run-time error."""

    def __init__(self, message: str, activity: str | None = None):
        super().__init__(message)
        self.activity = activity


class RejectedInput(Exception):
    """An outside input the workflow does not accept (wrong task, user, command …)."""


class Terminated(Exception):
    """Raised through the activity stack to end the workflow (TerminateActivity & co)."""


@dataclass
class Answer:
    user: int
    status: str  # yes | no | ok | cancel | closed
    comment: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    at: str = ""


@dataclass
class Task:
    """A task waiting for people: approval, review, request, or a Tasks-module task."""

    id: int
    activity: str  # the activity Name
    title: str  # the activity Title
    kind: str  # approve | review | request | task
    name: str  # the task's own name, as users see it
    users: list[int]
    created: str
    description: str = ""
    status: str = "waiting"  # waiting | approved | rejected | done | timeout | closed
    due: str | None = None
    answers: list[Answer] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    approve_type: str = ""

    @property
    def waiting(self) -> bool:
        return self.status == "waiting"

    def answered_by(self, user: int) -> bool:
        return any(a.user == user for a in self.answers)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Task:
        answers = [Answer(**a) for a in data.get("answers", [])]
        return cls(**{**data, "answers": answers})


@dataclass
class TraceEntry:
    name: str
    type: str
    title: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
