"""What `bpl sandbox run show` tells about one workflow instance: its state, the path it took,
what it waits for, its variables, document, tasks and log — the portal's tables and the
replayed run together, as plain JSON.

Bitrix shows these on the workflow's log page and the document's card; no REST method
returns them, so this is read from the sandbox's state directly.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from compiler.sandbox.clock import iso
from compiler.sandbox.runs import record
from compiler.sandbox.store import loads, one
from compiler.simulator import Run
from compiler.simulator.waits import CommandWait, EventWait, TaskWait, Timer, Wait

# task_users.status (CBPTaskUserStatus) and tasks.status (CBPTaskStatus) as words.
USER_STATUS = {0: "waiting", 1: "yes", 2: "no", 3: "ok", 4: "cancel"}
TASK_STATUS = {0: "running", 1: "approved", 2: "rejected", 3: "completed", 4: "timeout"}


def workflows(conn: sqlite3.Connection, *, include_finished: bool) -> list[dict[str, Any]]:
    """The instances, newest first; finished ones too when asked (Bitrix lists only running
    ones)."""
    where = "" if include_finished else "WHERE w.status = 'running'"
    rows = conn.execute(
        "SELECT w.*, t.name AS template_name FROM workflows w LEFT JOIN templates t ON "
        f"t.id = w.template_id {where} ORDER BY w.started DESC, w.rowid DESC").fetchall()
    return [_instance(row) for row in rows]


def _instance(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "template_id": row["template_id"],
        "template_name": row["template_name"],
        "document_id": [row["module_id"], row["entity"], row["document_id"]],
        "document_type": [row["module_id"], row["entity"], row["document_type"]],
        "status": row["status"],
        "state_title": row["state_title"],
        "started": iso(row["started"]),
        "started_by": row["started_by"],
        "modified": iso(row["modified"]),
    }


def describe(conn: sqlite3.Connection, workflow_id: str) -> dict[str, Any] | None:
    row = one(conn, "SELECT w.*, t.name AS template_name FROM workflows w LEFT JOIN "
                    "templates t ON t.id = w.template_id WHERE w.id = ?", (workflow_id,))
    if row is None:
        return None
    view = _instance(row)
    stored = record.load(conn, workflow_id)
    run = stored.run if stored is not None else None
    document = one(conn, "SELECT name, fields FROM documents WHERE module = ? AND entity = ? "
                         "AND document_id = ?", tuple(view["document_id"]))
    view.update(
        run_by_sandbox=run is not None,
        state=run.state if run is not None else None,
        clock=run.stamp() if run is not None else None,
        error=run.error if run is not None else None,
        parameters=run.parameters if run is not None else loads(row["parameters"]),
        variables=run.variables if run is not None else {},
        document={"name": document["name"] if document is not None else None,
                  "fields": loads(document["fields"]) if document is not None else None},
        waits=_waits(conn, workflow_id, run),
        tasks=_tasks(conn, workflow_id),
        path=[entry.to_json() for entry in run.trace] if run is not None else [],
        log=[{"at": iso(entry["created_at"]), "activity": entry["activity_name"],
              "message": entry["message"]}
             for entry in conn.execute(
                 "SELECT * FROM workflow_log WHERE workflow_id = ? ORDER BY id",
                 (workflow_id,))],
    )
    return view


def _portal_task(conn: sqlite3.Connection, workflow_id: str, run_task: int) -> int | None:
    found = one(conn, "SELECT task_id FROM run_tasks WHERE workflow_id = ? AND run_task_id = ?",
                (workflow_id, run_task))
    return None if found is None else int(found["task_id"])


def _waits(conn: sqlite3.Connection, workflow_id: str, run: Run | None) -> list[dict[str, Any]]:
    if run is None or run.status != "running":
        return []
    return [w for w in (_wait(conn, workflow_id, run, wait) for wait in run.waiting_for) if w]


def _wait(conn: sqlite3.Connection, workflow_id: str, run: Run, wait: Wait
          ) -> dict[str, Any] | None:
    if isinstance(wait, TaskWait):
        task = run.task(wait.task_id)
        return {"kind": "task", "task_id": _portal_task(conn, workflow_id, wait.task_id),
                "name": task.name, "users": list(task.users), "until": _stamp(wait.at)}
    if isinstance(wait, Timer):
        return {"kind": "timer", "at": _stamp(wait.at)}
    if isinstance(wait, EventWait):
        return {"kind": "event", "activity": wait.activity, "until": _stamp(wait.at)}
    if isinstance(wait, CommandWait):
        title = wait.event.properties.get("Title", "")
        return {"kind": "command", "command": wait.event.name, "title": title,
                "users": list(wait.allowed)}
    return None  # a parallel branch's turn: nothing to wait for from outside


def _stamp(moment: Any) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _tasks(conn: sqlite3.Connection, workflow_id: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM tasks WHERE workflow_id = ? ORDER BY id",
                        (workflow_id,)).fetchall()
    return [_task(conn, row) for row in rows]


def task(conn: sqlite3.Connection, task_id: int) -> dict[str, Any] | None:
    row = one(conn, "SELECT * FROM tasks WHERE id = ?", (task_id,))
    return None if row is None else _task(conn, row)


def _task(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    users = conn.execute(
        "SELECT tu.*, u.name, u.last_name FROM task_users tu LEFT JOIN users u ON "
        "u.id = tu.user_id WHERE tu.task_id = ? ORDER BY tu.user_id", (row["id"],)).fetchall()
    return {
        "id": row["id"],
        "workflow_id": row["workflow_id"],
        "name": row["name"],
        "activity": row["activity"],
        "status": TASK_STATUS.get(int(row["status"]), str(row["status"])),
        "users": [{"user_id": u["user_id"],
                   "user_name": f"{u['name'] or ''} {u['last_name'] or ''}".strip(),
                   "answer": USER_STATUS.get(int(u["status"]), str(u["status"])),
                   "comment": u["comment"]} for u in users],
    }
