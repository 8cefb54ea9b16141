"""Show a run in the portal's tables after each step: the workflow's status and status text,
its tasks (ids of the portal's task table, rows shaped like seeded tasks), its log, the
document fields it changed, and the app robots it started."""

from __future__ import annotations

from typing import Any

from compiler.bitrix import Activity
from compiler.sandbox.runs import robots
from compiler.sandbox.runs.context import Ctx, to_unix
from compiler.sandbox.runs.record import Stored
from compiler.sandbox.store import dumps, loads, one
from compiler.simulator import Run, Task
from compiler.simulator.dates import parse

# bizproc.task.list STATUS: 0 in progress, 1 approved, 2 rejected, 3 completed, 4 overdue.
TASK_STATUS = {"waiting": 0, "approved": 1, "rejected": 2, "done": 3, "closed": 3, "timeout": 4}
# USER_STATUS of one person's answer (CBPTaskUserStatus).
ANSWER_STATUS = {"yes": 1, "no": 2, "ok": 3, "cancel": 4, "closed": 3}
# Task parameters that task.list shows (after its renames); RequestedInformation → REQUEST.
_SHOWN_PARAMETERS = ("CommentLabelMessage", "CommentRequired", "ShowComment",
                     "TaskButtonMessage", "TaskButton1Message", "TaskButton2Message",
                     "TaskButtonCancelMessage")
_MISSING = object()


def _unix(text: str | None, fallback: float) -> float:
    moment = parse(text) if text else None
    return to_unix(moment) if moment is not None else fallback


def task_parameters(run: Run, node: Activity) -> dict[str, Any]:
    props = Run.props(node)
    out: dict[str, Any] = {}
    for key in _SHOWN_PARAMETERS:
        if key in props:
            value = props[key]
            out[key] = run.evaluator.text(value) if isinstance(value, str) else value
    requested = props.get("RequestedInformation")
    if isinstance(requested, list):
        out["REQUEST"] = requested
    return out


def _insert_task(ctx: Ctx, stored: Stored, task: Task, document_name: str) -> int:
    node = stored.run.nodes[task.activity]  # a task's activity is one of the run's
    props = Run.props(node)
    try:
        delegation = int(props.get("DelegationType", 0) or 0)
    except (TypeError, ValueError):
        delegation = 0
    cursor = ctx.conn.execute(
        "INSERT INTO tasks(workflow_id, activity, activity_name, name, description, parameters, "
        "status, modified, overdue_date, document_name, approve_type, delegation_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stored.workflow_id,
            node.type,
            task.activity,
            task.name,
            task.description,
            dumps(task_parameters(stored.run, node)),
            TASK_STATUS.get(task.status, 0),
            _unix(task.created, ctx.now),
            _unix(task.due, 0.0) if task.due else None,
            document_name,
            task.approve_type or "any",
            delegation,
        ),
    )
    task_id = int(cursor.lastrowid or 0)
    ctx.conn.execute(
        "INSERT INTO run_tasks(task_id, workflow_id, run_task_id) VALUES (?, ?, ?)",
        (task_id, stored.workflow_id, task.id),
    )
    return task_id


def _task(ctx: Ctx, stored: Stored, task: Task, document_name: str) -> None:
    mapped = one(ctx.conn, "SELECT task_id FROM run_tasks WHERE workflow_id = ? AND "
                           "run_task_id = ?", (stored.workflow_id, task.id))
    status = TASK_STATUS.get(task.status, 0)
    if mapped is None:
        task_id = _insert_task(ctx, stored, task, document_name)
    else:
        task_id = int(mapped["task_id"])
        ctx.conn.execute("UPDATE tasks SET status = ?, modified = ? WHERE id = ? AND status <> ?",
                         (status, ctx.now, task_id, status))
    for user in task.users:
        answer = next((a for a in reversed(task.answers) if a.user == user), None)
        ctx.conn.execute(
            "INSERT INTO task_users(task_id, user_id, status, comment, fields, date_update) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(task_id, user_id) DO UPDATE SET "
            "status = excluded.status, comment = excluded.comment, fields = excluded.fields, "
            "date_update = excluded.date_update",
            (
                task_id,
                user,
                ANSWER_STATUS.get(answer.status, 3) if answer else 0,
                answer.comment if answer else "",
                dumps(answer.fields if answer else {}),
                _unix(answer.at, ctx.now) if answer else None,
            ),
        )


def _log(ctx: Ctx, stored: Stored) -> None:
    run = stored.run
    seen = stored.synced.get("log", 0)
    for entry in run.log[seen:]:
        ctx.conn.execute(
            "INSERT INTO workflow_log(workflow_id, activity_name, message, created_at) "
            "VALUES (?, ?, ?, ?)",
            (stored.workflow_id, str(entry.get("activity") or ""), str(entry.get("text", "")),
             _unix(entry.get("at"), ctx.now)),
        )
    stored.synced["log"] = len(run.log)
    if run.status == "error" and not stored.synced.get("error"):
        # What stopped the run, where a portal's tracking log would show it.
        robots.write_log(ctx, stored.workflow_id, run.error_activity or "",
                         f"The workflow stopped with an error: {run.error}")
        stored.synced["error"] = 1


def _document(ctx: Ctx, stored: Stored, key: tuple[str, str, str]) -> None:
    """Write back only what this step changed: other runs on the document keep their edits."""
    changed = {code: value for code, value in stored.run.document.items()
               if stored.before.get(code, _MISSING) != value}
    if not changed:
        return
    row = one(ctx.conn, "SELECT fields FROM documents WHERE module = ? AND entity = ? AND "
                        "document_id = ?", key)
    if row is None:
        return  # the document was deleted meanwhile
    fields = loads(row["fields"])
    merged = {**(fields if isinstance(fields, dict) else {}), **changed}
    ctx.conn.execute("UPDATE documents SET fields = ? WHERE module = ? AND entity = ? AND "
                     "document_id = ?", (dumps(merged), *key))


def mirror(ctx: Ctx, stored: Stored) -> None:
    run = stored.run
    module, entity, _ = run.runtime.document_type
    key = (module, entity, run.runtime.document_id)
    ctx.conn.execute(
        "UPDATE workflows SET status = ?, state_title = ?, modified = ? WHERE id = ?",
        (run.status, run.state_title, ctx.now, stored.workflow_id),
    )
    document = one(ctx.conn, "SELECT name FROM documents WHERE module = ? AND entity = ? AND "
                             "document_id = ?", key)
    name = str(document["name"]) if document is not None else ""
    for task in run.tasks:
        if task.kind != "task":  # Tasks-module tasks are not bizproc tasks
            _task(ctx, stored, task, name)
    robots.call_new(ctx, stored)
    _log(ctx, stored)
    _document(ctx, stored, key)
