"""bizproc.event.send and bizproc.activity.log: answers from an app's robot/activity handler."""

from __future__ import annotations

import sqlite3
from typing import Any

from compiler.php.values import is_scalar, php_empty
from compiler.sandbox import eventtoken, runs
from compiler.sandbox.errors import RestError, access_denied
from compiler.sandbox.methods.base import REGISTRY, Call, Result
from compiler.sandbox.params import param_text
from compiler.sandbox.runs.returns import internalize
from compiler.sandbox.store import dumps, loads, one

DEFAULT_LOG = "The application completed the action"


def _token(call: Call) -> tuple[str, str, str]:
    parts = eventtoken.verify(call.portal.signing_key, call.params.get("EVENT_TOKEN"))
    if parts is None:
        raise access_denied()
    return parts


def _log(call: Call, workflow_id: str, activity_name: str, message: str) -> None:
    call.conn.execute(
        "INSERT INTO workflow_log(workflow_id, activity_name, message, created_at) "
        "VALUES (?, ?, ?, ?)",
        (workflow_id, activity_name, message, call.now),
    )


def _running(conn: sqlite3.Connection, workflow_id: str) -> sqlite3.Row | None:
    return one(conn, "SELECT * FROM workflows WHERE id = ? AND status = 'running'", (workflow_id,))


def _return_properties(conn: sqlite3.Connection, activity_type: str) -> dict[str, Any]:
    row = conn.execute(
        "SELECT return_properties FROM rest_activities WHERE internal_code = ?",
        (activity_type[5:].lower(),),
    ).fetchone()
    registered = loads(row["return_properties"]) if row is not None else None
    return registered if isinstance(registered, dict) else {}


@REGISTRY.add("bizproc.event.send", writes=True)
def event_send(call: Call) -> Result:
    workflow_id, activity_name, event_id = _token(call)
    # Delivery is queued on a real portal, so a stale or repeated event is dropped silently.
    event = call.conn.execute(
        "SELECT * FROM events WHERE event_id = ? AND workflow_id = ? AND activity_name = ? "
        "AND delivered_at IS NULL",
        (event_id, workflow_id, activity_name),
    ).fetchone()
    workflow = _running(call.conn, workflow_id)
    if event is None or workflow is None:
        return Result(True)
    given = call.params.get("RETURN_VALUES")
    sent = {str(k).lower(): v for k, v in given.items()} if isinstance(given, dict) else {}
    # Matched case-insensitively against RETURN_PROPERTIES; unknown keys are ignored.
    specs = _return_properties(call.conn, event["activity_type"])
    values: dict[str, Any] = {code: sent[code.lower()] for code in specs if code.lower() in sent}
    message = call.params.get("LOG_MESSAGE")
    text = param_text(message) if is_scalar(message) else ""
    is_run = runs.owns_workflow(call.conn, workflow_id)
    if is_run:
        values, problems = internalize(values, specs)
        for problem in problems:
            _log(call, workflow_id, activity_name, problem)
        ctx = runs.Ctx(call.conn, call.portal, call.now)
        # The run writes the log line when the activity resumes; a robot that no longer
        # waits (timed out) drops the event, values and all.
        if not runs.send_event(ctx, workflow_id, activity_name, values, text or DEFAULT_LOG):
            values = {}
    call.conn.execute(
        "UPDATE events SET delivered_at = ?, return_values = ? WHERE event_id = ?",
        (call.now, dumps(values), event_id),
    )
    stored = loads(workflow["return_values"])
    stored = stored if isinstance(stored, dict) else {}
    stored[activity_name] = values
    call.conn.execute(
        "UPDATE workflows SET return_values = ?, modified = ? WHERE id = ?",
        (dumps(stored), call.now, workflow_id),
    )
    if not is_run:
        _log(call, workflow_id, activity_name, text or DEFAULT_LOG)
    return Result(True)


@REGISTRY.add("bizproc.activity.log", writes=True)
def activity_log(call: Call) -> Result:
    workflow_id, activity_name, event_id = _token(call)
    message = call.params.get("LOG_MESSAGE")
    if php_empty(message) or not is_scalar(message):
        raise RestError("ERROR_EMPTY_LOG_MESSAGE", "Empty log message!")
    if _running(call.conn, workflow_id) is None:
        raise RestError("ERROR_CORE", "Workflow is not running")
    pending = call.conn.execute(
        "SELECT 1 FROM events WHERE event_id = ? AND workflow_id = ? AND activity_name = ? "
        "AND delivered_at IS NULL",
        (event_id, workflow_id, activity_name),
    ).fetchone()
    if pending is not None:
        _log(call, workflow_id, activity_name, param_text(message))
    return Result(True)
