"""A run's row: its JSON, the delegations made while it ran, and how much of it the portal's
tables already show.

Delegation is not an input the simulator journals, so the sandbox keeps it beside the journal
with the journal position it happened at and re-applies it at that position on every replay;
the task answers that follow it then find the delegate among the task's users.
"""

from __future__ import annotations

import copy
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from compiler.sandbox.runs.context import to_unix
from compiler.sandbox.store import dumps, loads, one
from compiler.simulator import RejectedInput, Run, Runtime


@dataclass
class Delegation:
    at: int  # journal length when it happened
    task: int  # the run's own task id
    from_user: int
    to_user: int

    def to_json(self) -> dict[str, int]:
        return {"at": self.at, "task": self.task, "from": self.from_user, "to": self.to_user}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Delegation:
        return cls(int(data["at"]), int(data["task"]), int(data["from"]), int(data["to"]))


@dataclass
class Stored:
    workflow_id: str
    run: Run
    delegations: list[Delegation] = field(default_factory=list)
    synced: dict[str, int] = field(default_factory=dict)  # log lines / robot calls mirrored
    before: dict[str, Any] = field(default_factory=dict)  # the document as loaded


def reassign(run: Run, delegation: Delegation) -> None:
    try:
        task = run.task(delegation.task)
    except RejectedInput:
        return
    users: list[int] = []
    for user in task.users:
        replacement = delegation.to_user if user == delegation.from_user else user
        if replacement not in users:
            users.append(replacement)
    task.users = users


def replay(data: dict[str, Any], delegations: list[Delegation]) -> Run:
    run = Run(Runtime.from_json(data["runtime"]))
    journal = data.get("journal", [])
    for index, entry in enumerate(journal):
        for delegation in delegations:
            if delegation.at == index:
                reassign(run, delegation)
        run.replay(entry)
    for delegation in delegations:
        if delegation.at >= len(journal):
            reassign(run, delegation)
    return run


def load(conn: sqlite3.Connection, workflow_id: str) -> Stored | None:
    row = one(conn, "SELECT * FROM runs WHERE workflow_id = ?", (workflow_id,))
    if row is None:
        return None
    delegations = [Delegation.from_json(d) for d in loads(row["delegations"]) or []]
    run = replay(loads(row["data"]), delegations)
    synced = loads(row["synced"]) or {}
    return Stored(workflow_id, run, delegations, synced, copy.deepcopy(run.document))


def load_run(conn: sqlite3.Connection, workflow_id: str) -> Run | None:
    stored = load(conn, workflow_id)
    return None if stored is None else stored.run


def save(conn: sqlite3.Connection, stored: Stored) -> float | None:
    """Store the run; returns the unix time of its next timer (None when it has none)."""
    due = stored.run.next_timer()
    next_timer = to_unix(due) if due is not None else None
    conn.execute(
        "INSERT INTO runs(workflow_id, data, delegations, next_timer, synced) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(workflow_id) DO UPDATE SET data = excluded.data, "
        "delegations = excluded.delegations, next_timer = excluded.next_timer, "
        "synced = excluded.synced",
        (
            stored.workflow_id,
            dumps(stored.run.to_json()),
            dumps([d.to_json() for d in stored.delegations]),
            next_timer,
            dumps(stored.synced),
        ),
    )
    return next_timer
