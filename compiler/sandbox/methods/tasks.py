"""bizproc.task.list / complete / delegate."""

from __future__ import annotations

import sqlite3
from typing import Any

from compiler.php.values import is_numeric, is_scalar, to_int
from compiler.sandbox import runs
from compiler.sandbox.clock import iso
from compiler.sandbox.errors import RestError, access_denied
from compiler.sandbox.listing import Field, Listing, fetch_page
from compiler.sandbox.methods.base import REGISTRY, Call, Result
from compiler.sandbox.params import param_text, values_of
from compiler.sandbox.store import dumps, loads

# CBPTaskUserStatus: Waiting 0, Yes 1, No 2, Ok 3, Cancel 4.
STATUS_NAMES = {"waiting": 0, "yes": 1, "no": 2, "ok": 3, "cancel": 4}
# Which answers each task kind takes through REST.
ALLOWED_STATUSES = {
    "ApproveActivity": {1, 2},
    "ReviewActivity": {3},
    "RequestInformationActivity": {3},
    "RequestInformationOptionalActivity": {3, 4},
}
# The whitelist task.list applies to task PARAMETERS, with its renames.
_PARAMETER_NAMES = {
    "CommentLabelMessage": "CommentLabel",
    "CommentRequired": "CommentRequired",
    "ShowComment": "ShowComment",
    "TaskButtonMessage": "StatusOkLabel",
    "TaskButton1Message": "StatusYesLabel",
    "TaskButton2Message": "StatusNoLabel",
    "TaskButtonCancelMessage": "StatusCancelLabel",
}

_FROM = (
    "task_users u JOIN tasks t ON t.id = u.task_id "
    "JOIN workflows w ON w.id = t.workflow_id LEFT JOIN templates tp ON tp.id = w.template_id"
)
_COLUMNS = (
    "t.id AS id, t.workflow_id, t.document_name, t.description, t.name, t.modified, "
    "w.started AS workflow_started, w.started_by AS workflow_started_by, t.overdue_date, "
    "w.template_id AS workflow_template_id, tp.name AS workflow_template_name, "
    "w.state_title AS workflow_state, t.status, u.user_id, u.status AS user_status, "
    "w.module_id, w.entity, w.document_id, t.activity, t.activity_name, t.parameters"
)

FIELDS = [
    Field("ID", "t.id", "int"),
    Field("WORKFLOW_ID", "t.workflow_id"),
    Field("DOCUMENT_NAME", "t.document_name"),
    Field("DESCRIPTION", "t.description"),
    Field("NAME", "t.name"),
    Field("MODIFIED", "t.modified", "datetime"),
    Field("WORKFLOW_STARTED", "w.started", "datetime"),
    Field("WORKFLOW_STARTED_BY", "w.started_by", "int"),
    Field("OVERDUE_DATE", "t.overdue_date", "datetime"),
    Field("WORKFLOW_TEMPLATE_ID", "w.template_id", "int"),
    Field("WORKFLOW_TEMPLATE_NAME", "tp.name"),
    Field("WORKFLOW_STATE", "w.state_title"),
    Field("STATUS", "t.status", "int"),
    Field("USER_ID", "u.user_id", "int"),
    Field("USER_STATUS", "u.status", "int"),
    Field("MODULE_ID", "w.module_id"),
    Field("ENTITY", "w.entity"),
    Field("DOCUMENT_ID", "w.document_id"),
    Field("ACTIVITY", "t.activity"),
    Field("ACTIVITY_NAME", "t.activity_name"),
    Field("PARAMETERS", "t.parameters", "json"),
]
LISTING = Listing(FIELDS, upper_filter_keys=True)
DEFAULT_SELECT = ["ENTITY", "DOCUMENT_ID", "ID", "WORKFLOW_ID", "DOCUMENT_NAME", "NAME"]


def is_subordinate(conn: sqlite3.Connection, manager_id: int, user_id: int) -> bool:
    """True when `manager_id` heads `user_id`, directly or further up the chain."""
    seen: set[int] = set()
    current: int | None = user_id
    while current is not None and current not in seen:
        seen.add(current)
        row = conn.execute("SELECT head_id FROM users WHERE id = ?", (current,)).fetchone()
        current = None if row is None or row["head_id"] is None else int(row["head_id"])
        if current == manager_id:
            return True
    return False


def _request_fields(request: Any) -> list[dict[str, Any]]:
    fields = []
    for item in values_of(request) or []:
        if not isinstance(item, dict):
            continue
        fields.append(
            {
                "Id": item.get("Name"),
                "Type": item.get("Type", "string"),
                "Name": item.get("Title", item.get("Name")),
                "Description": item.get("Description", ""),
                "Multiple": param_text(item.get("Multiple")) in ("Y", "1", "true"),
                "Required": param_text(item.get("Required")) in ("Y", "1", "true"),
                "Options": item.get("Options"),
                "Settings": item.get("Settings"),
                "Default": item.get("Default"),
            }
        )
    return fields


def public_parameters(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    out = {new: raw[old] for old, new in _PARAMETER_NAMES.items() if old in raw}
    if "REQUEST" in raw:
        out["Fields"] = _request_fields(raw["REQUEST"])
    return out


def _render(row: sqlite3.Row, select: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in select:
        field = LISTING.fields[name]
        value = row[name.lower()]
        if name == "PARAMETERS":
            out[name] = public_parameters(loads(value))
        elif value is None:
            out[name] = None
        elif field.kind == "datetime":
            out[name] = iso(value)
        else:
            out[name] = str(value)
    out["DOCUMENT_URL"] = f"/bizproc/document/{row['module_id']}/{row['document_id']}/"
    return out


@REGISTRY.add("bizproc.task.list")
def task_list(call: Call) -> Result:
    params = call.params
    select = LISTING.select(params.get("SELECT"), DEFAULT_SELECT)
    raw_filter = params.get("FILTER")
    filters = dict(raw_filter) if isinstance(raw_filter, dict) else {}
    me = call.caller.user_id
    user_key = next((k for k in filters if str(k).upper() == "USER_ID"), None)
    if not call.caller.is_admin:
        if user_key is None:
            user_key = "USER_ID"
            filters[user_key] = me
        target = to_int(filters[user_key]) if is_scalar(filters[user_key]) else 0
        if target != me and not is_subordinate(call.conn, me, target):
            raise access_denied()
    clauses, args = LISTING.where(filters)
    where = " AND ".join(f"({c})" for c in clauses)
    order = LISTING.order(params.get("ORDER"), [("ID", "DESC")], "u.user_id ASC")

    return Result(
        *fetch_page(
            call.conn,
            _FROM,
            where,
            args,
            order,
            params.get("START"),
            lambda row: _render(row, select),
            columns=_COLUMNS,
        )
    )


def _status(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lower() in STATUS_NAMES:
        return STATUS_NAMES[value.strip().lower()]
    if is_numeric(value) and to_int(value) in STATUS_NAMES.values():
        return to_int(value)
    return None


def _execution_error(text: str) -> RestError:
    return RestError("ERROR_TASK_EXECUTION", text)


def _check_answer(task: sqlite3.Row, status: int, comment: str, fields: dict[str, Any]) -> None:
    """What the task activity itself refuses when the form is posted."""
    if status not in ALLOWED_STATUSES[task["activity"]]:
        raise _execution_error("Incorrect task status")
    raw = loads(task["parameters"])
    params = raw if isinstance(raw, dict) else {}
    rule = param_text(params.get("CommentRequired", "N")).upper()
    needs_comment = rule == "Y" or (rule == "YA" and status == 1) or (rule == "YR" and status == 2)
    if needs_comment and not comment.strip():
        raise _execution_error("Comment is required")
    if task["activity"].startswith("RequestInformation") and status == 3:
        for item in _request_fields(params.get("REQUEST")):
            if (
                item["Required"]
                and item["Id"] is not None
                and fields.get(str(item["Id"])) in (None, "", [])
            ):
                raise _execution_error(f'The field "{item["Name"]}" is required')


# The task's own STATUS once it is decided: yes 1, no 2, ok 3; cancel counts as "no".
_TASK_RESULT = {1: 1, 2: 2, 3: 3, 4: 2}


@REGISTRY.add("bizproc.task.complete", writes=True)
def task_complete(call: Call) -> Result:
    params = call.params
    task_id = to_int(params.get("TASK_ID")) if is_scalar(params.get("TASK_ID")) else 0
    if task_id <= 0:
        raise RestError("ERROR_TASK_VALIDATION", "empty TASK_ID")
    status = _status(params.get("STATUS"))
    if status is None:
        raise RestError("ERROR_TASK_VALIDATION", "incorrect STATUS")
    me = call.caller.user_id
    row = call.conn.execute(
        "SELECT t.*, u.status AS user_status FROM tasks t JOIN task_users u ON u.task_id = t.id "
        "WHERE t.id = ? AND u.user_id = ?",
        (task_id, me),
    ).fetchone()
    if row is None:
        raise RestError("ERROR_TASK_NOT_FOUND", "Task not found")
    if row["user_status"] != 0 or row["status"] != 0:
        raise RestError("ERROR_TASK_COMPLETED", "Task already completed")
    if row["activity"] not in ALLOWED_STATUSES:
        raise RestError("ERROR_TASK_TYPE", "Incorrect task type")
    comment = param_text(params.get("COMMENT")) if is_scalar(params.get("COMMENT")) else ""
    raw_fields = params.get("FIELDS")
    fields = raw_fields if isinstance(raw_fields, dict) else {}
    _check_answer(row, status, comment, fields)
    if runs.owns_task(call.conn, task_id):
        # A task of a run: the workflow decides, and its tables follow.
        runs.complete_task(
            runs.Ctx(call.conn, call.portal, call.now), task_id, me, status, comment, fields
        )
        return Result(True)
    call.conn.execute(
        "UPDATE task_users SET status = ?, comment = ?, fields = ?, date_update = ? "
        "WHERE task_id = ? AND user_id = ?",
        (status, comment, dumps(fields), call.now, task_id, me),
    )
    _settle(call, row, status)
    return Result(True)


def _settle(call: Call, task: sqlite3.Row, status: int) -> None:
    """Close the task when its approve type says the answers so far decide it."""
    answers = [
        int(r["status"])
        for r in call.conn.execute("SELECT status FROM task_users WHERE task_id = ?", (task["id"],))
    ]
    everyone = all(answer != 0 for answer in answers)
    if task["approve_type"] == "any" or everyone:
        outcome = _TASK_RESULT[status]
        if task["approve_type"] != "any" and task["activity"] == "ApproveActivity":
            outcome = 1 if all(answer == 1 for answer in answers) else 2
        call.conn.execute(
            "UPDATE tasks SET status = ?, modified = ? WHERE id = ?",
            (outcome, call.now, task["id"]),
        )
    call.conn.execute(
        "INSERT INTO workflow_log(workflow_id, activity_name, message, created_at) "
        "VALUES (?, ?, ?, ?)",
        (
            task["workflow_id"],
            task["activity_name"],
            f"Task {task['id']} answered by user {call.caller.user_id}: status {status}",
            call.now,
        ),
    )


def _positive(value: Any) -> int | None:
    return to_int(value) if is_numeric(value) and to_int(value) > 0 else None


@REGISTRY.add("bizproc.task.delegate", writes=True)
def task_delegate(call: Call) -> Result:
    params = call.params
    ids = values_of(params.get("TASK_IDS"))
    if not ids or not all(is_numeric(i) and to_int(i) > 0 for i in ids):
        raise RestError("ERROR_TASK_VALIDATION", "Invalid TASK_IDS")
    from_user = _positive(params.get("FROM_USER_ID"))
    if from_user is None:
        raise RestError("ERROR_INVALID_USER_ID", "Invalid FROM_USER_ID")
    to_user = _positive(params.get("TO_USER_ID"))
    target = None
    if to_user is not None:
        target = call.conn.execute(
            "SELECT id, is_extranet FROM users WHERE id = ? AND active = 1", (to_user,)
        ).fetchone()
    if to_user is None or target is None:
        raise RestError("ERROR_INVALID_USER_ID", "Invalid TO_USER_ID")
    if from_user != call.caller.user_id and not call.caller.is_admin:
        raise access_denied()
    problems: list[str] = []
    for task_id in dict.fromkeys(to_int(i) for i in ids):
        problem = _delegation_problem(
            call.conn, task_id, from_user, to_user, bool(target["is_extranet"])
        )
        if problem:
            problems.append(problem)
    if problems:
        raise RestError("ERROR_DELEGATION_NOT_ALLOWED", "; ".join(problems))
    for task_id in dict.fromkeys(to_int(i) for i in ids):
        call.conn.execute(
            "UPDATE task_users SET user_id = ?, original_user_id = ? "
            "WHERE task_id = ? AND user_id = ?",
            (to_user, from_user, task_id, from_user),
        )
        if runs.owns_task(call.conn, task_id):
            ctx = runs.Ctx(call.conn, call.portal, call.now)
            runs.delegate_task(ctx, task_id, from_user, to_user)
    return Result(True)


def _delegation_problem(
    conn: sqlite3.Connection, task_id: int, from_user: int, to_user: int, extranet: bool
) -> str | None:
    row = conn.execute(
        "SELECT t.delegation_type, t.status, u.status AS user_status FROM tasks t "
        "JOIN task_users u ON u.task_id = t.id WHERE t.id = ? AND u.user_id = ?",
        (task_id, from_user),
    ).fetchone()
    if row is None or row["status"] != 0 or row["user_status"] != 0:
        return "User is not responsible for the task"
    if extranet:
        return "Task delegation is only available for intranet users"
    already = conn.execute(
        "SELECT 1 FROM task_users WHERE task_id = ? AND user_id = ?", (task_id, to_user)
    ).fetchone()
    if already is not None:
        return "User is already responsible for the task"
    # DelegationType: 0 subordinates only, 1 all employees, 2 nobody.
    kind = int(row["delegation_type"])
    if kind == 2 or (kind == 0 and not is_subordinate(conn, from_user, to_user)):
        return "Task delegation is not allowed for this user"
    return None
