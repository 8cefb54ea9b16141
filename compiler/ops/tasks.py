"""Tasks of running workflows: list them, answer one, hand some to another user."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from compiler.ops.errors import OpsError, explain
from compiler.portal import MethodError, PortalClient, PortalError

SELECT = ["ID", "NAME", "ACTIVITY", "WORKFLOW_ID", "DOCUMENT_NAME", "MODULE_ID", "ENTITY",
          "DOCUMENT_ID", "USER_ID", "STATUS", "USER_STATUS", "MODIFIED", "OVERDUE_DATE",
          "PARAMETERS"]
# bizproc.task.complete STATUS, by the answer's name.
ANSWERS = {"approve": 1, "reject": 2, "ok": 3, "cancel": 4}
# What each kind of task takes through REST (reference: task.complete).
KINDS = {
    "ApproveActivity": ("approval", ("approve", "reject")),
    "ReviewActivity": ("review", ("ok",)),
    "RequestInformationActivity": ("request", ("ok",)),
    "RequestInformationOptionalActivity": ("request", ("ok", "cancel")),
}
TASK_STATUS = {"0": "waiting", "1": "approved", "2": "rejected", "3": "done", "4": "overdue"}
USER_STATUS = {"0": "waiting", "1": "approved", "2": "rejected", "3": "done", "4": "cancelled"}


class TaskNotWaiting(OpsError):
    """bizproc.task.complete found no waiting task of the caller's with that id (Bitrix looks
    a task up by id and the calling user together, restservice.php getTask)."""


@dataclass(frozen=True)
class TaskRow:
    id: int
    name: str
    kind: str
    answers: tuple[str, ...]
    user_id: int | None
    status: str
    user_status: str
    workflow_id: str
    document: list[str]
    document_name: str
    overdue: str | None = None
    fields: list[dict[str, Any]] = field(default_factory=list)  # what a request asks for

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["answers"] = list(self.answers)
        return data


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _row(row: Mapping[str, Any]) -> TaskRow:
    kind, answers = KINDS.get(str(row.get("ACTIVITY")), (str(row.get("ACTIVITY") or ""), ()))
    parameters = row.get("PARAMETERS")
    fields = parameters.get("Fields") if isinstance(parameters, Mapping) else None
    return TaskRow(
        id=_int(row.get("ID")) or 0,
        name=str(row.get("NAME") or ""),
        kind=kind,
        answers=answers,
        user_id=_int(row.get("USER_ID")),
        status=TASK_STATUS.get(str(row.get("STATUS")), str(row.get("STATUS"))),
        user_status=USER_STATUS.get(str(row.get("USER_STATUS")), str(row.get("USER_STATUS"))),
        workflow_id=str(row.get("WORKFLOW_ID") or ""),
        document=[str(row.get(k) or "") for k in ("MODULE_ID", "ENTITY", "DOCUMENT_ID")],
        document_name=str(row.get("DOCUMENT_NAME") or ""),
        overdue=row.get("OVERDUE_DATE"),
        fields=[f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else [],
    )


def listed(client: PortalClient, user_id: int | None = None, *,
           waiting_only: bool = True, task_id: int | None = None) -> list[TaskRow]:
    """Tasks the credentials may see (admins: everyone's), waiting for an answer unless
    `waiting_only` is off."""
    filters: dict[str, Any] = {}
    if user_id is not None:
        filters["USER_ID"] = user_id
    if waiting_only:
        filters["USER_STATUS"] = 0
    if task_id is not None:
        filters["ID"] = task_id
    try:
        rows = client.list_all("bizproc.task.list", {"SELECT": SELECT, "FILTER": filters,
                                                     "ORDER": {"ID": "ASC"}})
    except MethodError as error:
        if error.code == "ACCESS_DENIED":
            raise OpsError(f"cannot list the tasks of user {user_id}: only administrators and "
                           "the user's heads may see someone else's tasks") from None
        raise explain(error, "list tasks") from None
    except PortalError as error:
        raise explain(error, "list tasks") from None
    return [_row(row) for row in rows if isinstance(row, Mapping)]


def complete(client: PortalClient, task_id: int, answer: str, comment: str = "",
             fields: Mapping[str, Any] | None = None) -> None:
    if answer not in ANSWERS:
        raise OpsError(f"'{answer}' is not an answer: use {', '.join(ANSWERS)}")
    params: dict[str, Any] = {"TASK_ID": task_id, "STATUS": ANSWERS[answer]}
    if comment:
        params["COMMENT"] = comment
    if fields:
        params["FIELDS"] = dict(fields)
    try:
        client.call("bizproc.task.complete", params)
    except MethodError as error:
        if error.description == "Incorrect task status":
            raise OpsError(_wrong_answer(client, task_id, answer)) from None
        if error.code == "ERROR_TASK_NOT_FOUND":
            raise TaskNotWaiting(str(explain(error, "answer tasks", str(task_id)))) from None
        raise explain(error, "answer tasks", str(task_id)) from None
    except PortalError as error:
        raise explain(error, "answer tasks", str(task_id)) from None


def _wrong_answer(client: PortalClient, task_id: int, answer: str) -> str:
    """Which answers the task takes, when the portal only says the one given is wrong."""
    try:
        rows = listed(client, waiting_only=False, task_id=task_id)
    except OpsError:
        rows = []
    if rows and rows[0].answers:
        options = " or ".join(f"--{a}" for a in rows[0].answers)
        return f"task {task_id} is {_article(rows[0].kind)}: answer it with {options}"
    return f"task {task_id} does not take the answer '{answer}'"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def delegate(client: PortalClient, task_ids: Sequence[int], from_user: int, to_user: int) -> None:
    try:
        client.call("bizproc.task.delegate", {"TASK_IDS": list(task_ids),
                                              "FROM_USER_ID": from_user, "TO_USER_ID": to_user})
    except MethodError as error:
        if error.code == "ACCESS_DENIED":
            raise OpsError(f"cannot delegate the tasks of user {from_user}: only the user "
                           "responsible for a task or an administrator may") from None
        raise explain(error, "delegate tasks") from None
    except PortalError as error:
        raise explain(error, "delegate tasks") from None
