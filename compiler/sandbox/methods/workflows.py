"""bizproc.workflow.start / instances (instance.list) / terminate / kill."""

from __future__ import annotations

import sqlite3
from typing import Any

from compiler.bitrix import Activity, Template, TemplateShapeError
from compiler.catalog.models import APP_ACTIVITY_PREFIX
from compiler.php.values import to_int
from compiler.sandbox import eventtoken, runs
from compiler.sandbox.clock import iso
from compiler.sandbox.credentials import random_alnum, uniqid
from compiler.sandbox.doctypes import document_entity, three_strings
from compiler.sandbox.errors import RestError, access_denied
from compiler.sandbox.listing import Field, Listing, fetch_page
from compiler.sandbox.methods.base import REGISTRY, Call, Result
from compiler.sandbox.params import param_text
from compiler.sandbox.runs.inputs import template_of
from compiler.sandbox.store import dumps, loads

WRONG_ID = "ERROR_WRONG_WORKFLOW_ID"
NOT_FOUND = "Workflow instance not found."

FIELDS = [
    Field("ID", "id"),
    Field("MODIFIED", "modified", "datetime"),
    Field("OWNED_UNTIL", "owned_until", "datetime"),
    Field("MODULE_ID", "module_id"),
    Field("ENTITY", "entity"),
    Field("DOCUMENT_ID", "document_id"),
    Field("STARTED", "started", "datetime"),
    Field("STARTED_BY", "started_by", "int"),
    Field("TEMPLATE_ID", "template_id", "int"),
]
LISTING = Listing(FIELDS, upper_filter_keys=True)


def _defaults(parameters: Any) -> dict[str, Any]:
    if not isinstance(parameters, dict):
        return {}
    return {key: spec.get("Default") for key, spec in parameters.items() if isinstance(spec, dict)}


@REGISTRY.add("bizproc.workflow.start", writes=True)
def workflow_start(call: Call) -> Result:
    params = call.params
    template_id = to_int(params.get("TEMPLATE_ID"))
    if template_id <= 0:
        raise RestError(WRONG_ID, "Empty TEMPLATE_ID")
    template = call.conn.execute("SELECT * FROM templates WHERE id = ?", (template_id,)).fetchone()
    if template is None:
        raise RestError(WRONG_ID, "Template not found")
    parts = three_strings(params.get("DOCUMENT_ID"))
    if parts is None:
        raise RestError("", "Wrong DOCUMENT_ID!")
    entity = document_entity(parts[0], parts[1])
    if entity is None:
        raise RestError("", "Incorrect document type!")
    document = call.conn.execute(
        "SELECT * FROM documents WHERE module = ? AND entity = ? AND document_id = ?",
        (*entity, parts[2]),
    ).fetchone()
    if document is None:
        raise RestError("", "Wrong DOCUMENT_ID!")
    if not document["document_type"]:
        raise RestError("", "Incorrect document type!")
    doc_type = (*entity, document["document_type"])
    if doc_type != (template["module_id"], template["entity"], template["document_type"]):
        raise RestError("", "Template type and DOCUMENT_ID mismatch!")
    if not call.caller.is_admin:
        raise access_denied()

    values = _defaults(loads(template["parameters"]))
    given = params.get("PARAMETERS")
    if isinstance(given, dict):
        values.update(given)
    # The server always starts on behalf of the caller.
    values["TargetUser"] = f"user_{call.caller.user_id}"
    workflow_id = _new_id(call.conn, call.now)
    call.conn.execute(
        "INSERT INTO workflows(id, template_id, module_id, entity, document_id, document_type, "
        "started, started_by, modified, parameters, template) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            workflow_id,
            template_id,
            *doc_type[:2],
            parts[2],
            doc_type[2],
            call.now,
            call.caller.user_id,
            call.now,
            dumps(values),
            template["template"],
        ),
    )
    if call.portal.config.run_workflows:
        runs.start(
            runs.Ctx(call.conn, call.portal, call.now),
            workflow_id=workflow_id,
            template=template,
            document=document,
            parameters=values,
            user_id=call.caller.user_id,
        )
    else:
        try:
            tree = template_of(template)
        except TemplateShapeError:
            pass  # Bitrix could not load it: no activity starts, no handler is called
        else:
            _dispatch_rest_activities(
                call, workflow_id, [*doc_type[:2], parts[2]], list(doc_type), tree
            )
    return Result(workflow_id)


def _new_id(conn: sqlite3.Connection, now: float) -> str:
    while True:
        candidate = uniqid(now)
        if conn.execute("SELECT 1 FROM workflows WHERE id = ?", (candidate,)).fetchone() is None:
            return candidate


def _rest_nodes(template: Template) -> list[Activity]:
    """Activated app activities/robots of a template tree, in document order."""
    return [node for node in template.walk(active_only=True)
            if node.type.lower().startswith(APP_ACTIVITY_PREFIX)]


def _dispatch_rest_activities(
    call: Call, workflow_id: str, document_id: list[str], document_type: list[str],
    tree: Template,
) -> None:
    """Record what the portal would POST to each app activity's handler, with its EVENT_TOKEN.

    Without `run_workflows` the sandbox does not call handlers; tests read the payloads and
    answer with event.send.
    """
    for node in _rest_nodes(tree):
        activity_type = node.type
        row = call.conn.execute(
            "SELECT * FROM rest_activities WHERE internal_code = ?",
            (activity_type[5:].lower(),),
        ).fetchone()
        if row is None:
            continue
        name = node.name
        props = node.properties
        registered = loads(row["properties"])
        codes = list(registered) if isinstance(registered, dict) else []
        event_id = random_alnum(16)
        token = eventtoken.sign(call.portal.signing_key, workflow_id, name, event_id)
        subscribed = row["use_subscription"] != "N"
        if subscribed:
            call.conn.execute(
                "INSERT INTO events(event_id, workflow_id, activity_name, activity_type, issued_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, workflow_id, name, activity_type, call.now),
            )
        payload = {
            "workflow_id": workflow_id,
            "code": row["code"],
            "document_id": document_id,
            "document_type": document_type,
            "event_token": token,
            "properties": {code: props.get(code) for code in codes},
            "use_subscription": "Y" if subscribed else "N",
            "timeout_duration": to_int(props.get("TimeoutDuration")),
            "ts": int(call.now),
            "handler": row["handler"],
            "auth": {"user_id": row["auth_user_id"], "member_id": call.portal.member_id},
        }
        call.conn.execute(
            "INSERT INTO handler_calls(workflow_id, payload) VALUES (?, ?)",
            (workflow_id, dumps(payload)),
        )


def _render(row: sqlite3.Row, select: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in select:
        field = LISTING.fields[name]
        value = row[field.column]
        if value is None:
            out[name] = None
        elif field.kind == "datetime":
            out[name] = iso(value)
        else:
            out[name] = str(value)
    return out


def _list(call: Call) -> Result:
    call.require_admin()
    params = call.params
    select = LISTING.select(params.get("SELECT"), ["ID", "MODIFIED", "OWNED_UNTIL"])
    clauses, args = LISTING.where(params.get("FILTER"))
    clauses.append("status = 'running'")
    where = " AND ".join(f"({c})" for c in clauses)
    order = LISTING.order(params.get("ORDER"), [("MODIFIED", "DESC")], "id ASC")
    render = lambda row: _render(row, select)  # noqa: E731
    return Result(
        *fetch_page(call.conn, "workflows", where, args, order, params.get("START"), render)
    )


REGISTRY.add("bizproc.workflow.instances")(_list)
REGISTRY.add("bizproc.workflow.instance.list")(_list)


def _instance_id(call: Call) -> str:
    """The ID parameter of terminate/kill, after the admin check those methods start with."""
    call.require_admin()
    value = call.params.get("ID")
    if not isinstance(value, str) or not value.strip():
        raise RestError(WRONG_ID, "Empty workflow instance ID")
    return value.strip()


@REGISTRY.add("bizproc.workflow.terminate", writes=True)
def workflow_terminate(call: Call) -> Result:
    workflow_id = _instance_id(call)
    row = call.conn.execute(
        "SELECT id FROM workflows WHERE id = ? AND status = 'running'", (workflow_id,)
    ).fetchone()
    if row is None:
        raise RestError("", NOT_FOUND)
    status = call.params.get("STATUS")
    title = param_text(status) if status is not None else ""
    runs.terminate(runs.Ctx(call.conn, call.portal, call.now), workflow_id, title)
    call.conn.execute(
        "UPDATE workflows SET status = 'terminated', state_title = ?, modified = ? WHERE id = ?",
        (title, call.now, workflow_id),
    )
    # Terminating cancels the waiting task activities, which removes their tasks.
    _delete_tasks(call.conn, workflow_id)
    return Result(True)


@REGISTRY.add("bizproc.workflow.kill", writes=True)
def workflow_kill(call: Call) -> Result:
    workflow_id = _instance_id(call)
    if call.conn.execute("SELECT 1 FROM workflows WHERE id = ?", (workflow_id,)).fetchone() is None:
        raise RestError("", NOT_FOUND)
    _delete_tasks(call.conn, workflow_id)
    runs.forget(call.conn, workflow_id)
    for table in ("events", "handler_calls", "workflow_log"):
        call.conn.execute(f"DELETE FROM {table} WHERE workflow_id = ?", (workflow_id,))
    call.conn.execute("DELETE FROM workflows WHERE id = ?", (workflow_id,))
    return Result(True)


def _delete_tasks(conn: sqlite3.Connection, workflow_id: str) -> None:
    conn.execute(
        "DELETE FROM task_users WHERE task_id IN (SELECT id FROM tasks WHERE workflow_id = ?)",
        (workflow_id,),
    )
    conn.execute("DELETE FROM tasks WHERE workflow_id = ?", (workflow_id,))
    conn.execute("DELETE FROM run_tasks WHERE workflow_id = ?", (workflow_id,))
