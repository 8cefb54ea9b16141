"""bizproc.task.list / complete / delegate over tasks seeded with Sandbox.seed_task."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.sandbox import Credentials, Sandbox

from .helpers import DEAL, Client, error, ok, template_data

DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]


class People:
    def __init__(self, sandbox: Sandbox) -> None:
        self.boss = sandbox.create_user("Boss")
        self.worker = sandbox.create_user("Worker", head_id=self.boss)
        self.other = sandbox.create_user("Other")
        self.guest = sandbox.create_user("Guest", extranet=True)
        self.hooks = {
            user: sandbox.create_webhook(user)
            for user in (self.boss, self.worker, self.other, self.guest)
        }


@pytest.fixture
def people(sandbox: Sandbox) -> People:
    return People(sandbox)


@pytest.fixture
def workflow(client: Client, token: str, sandbox: Sandbox) -> str:
    sandbox.seed_document(DEAL_1, name="Deal #1")
    tid = ok(
        client.call(
            "bizproc.workflow.template.add",
            token,
            DOCUMENT_TYPE=DEAL,
            NAME="Flow",
            TEMPLATE_DATA=template_data(),
        )
    )
    wid = ok(client.call("bizproc.workflow.start", token, TEMPLATE_ID=tid, DOCUMENT_ID=DEAL_1))
    assert isinstance(wid, str)
    return wid


def complete(client: Client, hook: str, task: int, status: Any, **more: Any) -> Any:
    return client.hook(hook, "bizproc.task.complete", TASK_ID=task, STATUS=status, **more)


def test_list_shape_and_defaults(
    client: Client, token: str, sandbox: Sandbox, workflow: str, people: People
) -> None:
    parameters = {
        "CommentLabelMessage": "Why?",
        "CommentRequired": "YR",
        "ShowComment": "Y",
        "TaskButton1Message": "Yes",
        "TaskButton2Message": "No",
        "Secret": "hidden",
    }
    task = sandbox.seed_task(
        workflow, [people.worker], name="Approve it", parameters=parameters, document_name="Deal #1"
    )
    body = client.call("bizproc.task.list", token).json()
    (row,) = body["result"]
    assert row == {
        "ENTITY": "CCrmDocumentDeal",
        "DOCUMENT_ID": "DEAL_1",
        "ID": str(task),
        "WORKFLOW_ID": workflow,
        "DOCUMENT_NAME": "Deal #1",
        "NAME": "Approve it",
        "DOCUMENT_URL": row["DOCUMENT_URL"],
    }
    assert body["total"] == 1
    select = [
        "ID",
        "STATUS",
        "USER_ID",
        "USER_STATUS",
        "ACTIVITY",
        "PARAMETERS",
        "WORKFLOW_TEMPLATE_NAME",
        "WORKFLOW_STARTED_BY",
        "MODIFIED",
        "OVERDUE_DATE",
    ]
    (full,) = ok(client.call("bizproc.task.list", token, SELECT=select))
    assert full["STATUS"] == "0" and full["USER_STATUS"] == "0"
    assert full["USER_ID"] == str(people.worker) and full["ACTIVITY"] == "ApproveActivity"
    assert full["WORKFLOW_TEMPLATE_NAME"] == "Flow" and full["WORKFLOW_STARTED_BY"] == "1"
    assert full["OVERDUE_DATE"] is None and full["MODIFIED"].endswith("+00:00")
    assert full["PARAMETERS"] == {
        "CommentLabel": "Why?",
        "CommentRequired": "YR",
        "ShowComment": "Y",
        "StatusYesLabel": "Yes",
        "StatusNoLabel": "No",
    }


def test_request_fields_are_described(
    client: Client, token: str, sandbox: Sandbox, workflow: str
) -> None:
    request = [
        {
            "Name": "phone",
            "Title": "Phone",
            "Type": "string",
            "Required": "Y",
            "Multiple": "N",
            "Default": "",
        }
    ]
    sandbox.seed_task(
        workflow,
        [1],
        activity="RequestInformationActivity",
        parameters={"REQUEST": request, "TaskButtonMessage": "Send"},
    )
    (row,) = ok(client.call("bizproc.task.list", token, SELECT=["PARAMETERS"]))
    assert row["PARAMETERS"]["StatusOkLabel"] == "Send"
    (field,) = row["PARAMETERS"]["Fields"]
    assert field["Id"] == "phone" and field["Name"] == "Phone" and field["Required"] is True
    assert field["Multiple"] is False and field["Type"] == "string"


def test_non_admins_see_their_own_and_their_subordinates_tasks(
    client: Client, sandbox: Sandbox, workflow: str, people: People
) -> None:
    mine = sandbox.seed_task(workflow, [people.worker])
    sandbox.seed_task(workflow, [people.other])
    worker_hook = people.hooks[people.worker]
    assert [r["ID"] for r in ok(client.hook(worker_hook, "bizproc.task.list"))] == [str(mine)]
    boss_hook = people.hooks[people.boss]
    assert ok(client.hook(boss_hook, "bizproc.task.list")) == []  # own tasks by default
    theirs = ok(client.hook(boss_hook, "bizproc.task.list", FILTER={"USER_ID": people.worker}))
    assert [r["ID"] for r in theirs] == [str(mine)]
    denied = client.hook(worker_hook, "bizproc.task.list", FILTER={"USER_ID": people.boss})
    assert error(denied) == (403, "ACCESS_DENIED", "Access denied!")


def test_list_validates_select(client: Client, token: str) -> None:
    assert error(client.call("bizproc.task.list", token, SELECT=[{"a": 1}])) == (
        400,
        "ERROR_SELECT_VALIDATION_FAILURE",
        "Invalid data in SELECT parameter",
    )


def test_list_filter_order_and_pages(
    client: Client, token: str, sandbox: Sandbox, workflow: str
) -> None:
    ids = [sandbox.seed_task(workflow, [1], name=f"t{n}") for n in range(60)]
    page = client.call("bizproc.task.list", token).json()
    assert page["result"][0]["ID"] == str(ids[-1])  # ID desc by default
    assert len(page["result"]) == 50 and page["next"] == 50 and page["total"] == 60
    picked = ok(client.call("bizproc.task.list", token, FILTER={"NAME": "t3"}, SELECT=["NAME"]))
    assert picked == [{"NAME": "t3", "DOCUMENT_URL": picked[0]["DOCUMENT_URL"]}]
    ascending = ok(client.call("bizproc.task.list", token, ORDER={"ID": "ASC"}, start=-1))
    assert ascending[0]["ID"] == str(ids[0])


def test_complete_approve(
    client: Client, token: str, sandbox: Sandbox, workflow: str, people: People
) -> None:
    task = sandbox.seed_task(workflow, [people.worker])
    hook = people.hooks[people.worker]
    assert ok(complete(client, hook, task, "yes", COMMENT="fine")) is True
    (row,) = ok(client.call("bizproc.task.list", token, SELECT=["STATUS", "USER_STATUS"]))
    assert row["STATUS"] == "1" and row["USER_STATUS"] == "1"
    assert error(complete(client, hook, task, 1)) == (
        400,
        "ERROR_TASK_COMPLETED",
        "Task already completed",
    )


def test_complete_validation(client: Client, token: str) -> None:
    for task_id in (None, 0, "", "abc"):
        response = client.call("bizproc.task.complete", token, TASK_ID=task_id, STATUS=1)
        assert error(response) == (400, "ERROR_TASK_VALIDATION", "empty TASK_ID")
    for status in (None, 7, "maybe", -1, ["1"]):
        response = client.call("bizproc.task.complete", token, TASK_ID=1, STATUS=status)
        assert error(response) == (400, "ERROR_TASK_VALIDATION", "incorrect STATUS")


def test_complete_only_own_tasks(
    client: Client, sandbox: Sandbox, workflow: str, people: People
) -> None:
    task = sandbox.seed_task(workflow, [people.worker])
    assert error(complete(client, people.hooks[people.other], task, 1)) == (
        400,
        "ERROR_TASK_NOT_FOUND",
        "Task not found",
    )
    assert error(complete(client, people.hooks[people.other], 9999, 1))[1] == (
        "ERROR_TASK_NOT_FOUND"
    )


def test_complete_type_and_status_rules(
    client: Client, token: str, sandbox: Sandbox, workflow: str
) -> None:
    other = sandbox.seed_task(workflow, [1], activity="Task2Activity")
    assert error(client.call("bizproc.task.complete", token, TASK_ID=other, STATUS=3)) == (
        400,
        "ERROR_TASK_TYPE",
        "Incorrect task type",
    )
    review = sandbox.seed_task(workflow, [1], activity="ReviewActivity")
    assert error(client.call("bizproc.task.complete", token, TASK_ID=review, STATUS=1))[:2] == (
        400,
        "ERROR_TASK_EXECUTION",
    )
    assert ok(client.call("bizproc.task.complete", token, TASK_ID=review, STATUS="ok")) is True
    optional = sandbox.seed_task(workflow, [1], activity="RequestInformationOptionalActivity")
    assert ok(client.call("bizproc.task.complete", token, TASK_ID=optional, STATUS=4)) is True


def test_complete_comment_and_field_requirements(
    client: Client, token: str, sandbox: Sandbox, workflow: str
) -> None:
    strict = sandbox.seed_task(workflow, [1], parameters={"CommentRequired": "YR"})
    assert error(client.call("bizproc.task.complete", token, TASK_ID=strict, STATUS=2)) == (
        400,
        "ERROR_TASK_EXECUTION",
        "Comment is required",
    )
    assert (
        ok(client.call("bizproc.task.complete", token, TASK_ID=strict, STATUS=2, COMMENT="no way"))
        is True
    )
    request = [{"Name": "phone", "Title": "Phone", "Type": "string", "Required": "Y"}]
    ask = sandbox.seed_task(
        workflow, [1], activity="RequestInformationActivity", parameters={"REQUEST": request}
    )
    assert error(client.call("bizproc.task.complete", token, TASK_ID=ask, STATUS=3)) == (
        400,
        "ERROR_TASK_EXECUTION",
        'The field "Phone" is required',
    )
    assert (
        ok(
            client.call(
                "bizproc.task.complete", token, TASK_ID=ask, STATUS=3, FIELDS={"phone": "+1999"}
            )
        )
        is True
    )


def test_all_approvers_must_answer(
    client: Client, sandbox: Sandbox, workflow: str, people: People, token: str
) -> None:
    task = sandbox.seed_task(workflow, [people.worker, people.other], approve_type="all")
    ok(complete(client, people.hooks[people.worker], task, 1))
    rows = ok(client.call("bizproc.task.list", token, SELECT=["STATUS"], FILTER={"ID": task}))
    assert {r["STATUS"] for r in rows} == {"0"}
    ok(complete(client, people.hooks[people.other], task, 2))
    rows = ok(client.call("bizproc.task.list", token, SELECT=["STATUS"], FILTER={"ID": task}))
    assert {r["STATUS"] for r in rows} == {"2"}


def test_delegate(
    client: Client, token: str, sandbox: Sandbox, workflow: str, people: People
) -> None:
    tasks = [sandbox.seed_task(workflow, [people.boss]) for _ in range(2)]
    hook = people.hooks[people.boss]
    response = client.hook(
        hook,
        "bizproc.task.delegate",
        TASK_IDS=tasks,
        FROM_USER_ID=people.boss,
        TO_USER_ID=people.worker,
    )
    assert ok(response) is True
    mine = ok(client.hook(people.hooks[people.worker], "bizproc.task.list"))
    assert sorted(int(r["ID"]) for r in mine) == tasks


@pytest.mark.parametrize(
    ("params", "code", "text"),
    [
        ({"TASK_IDS": None}, "ERROR_TASK_VALIDATION", "Invalid TASK_IDS"),
        ({"TASK_IDS": []}, "ERROR_TASK_VALIDATION", "Invalid TASK_IDS"),
        ({"TASK_IDS": ["x"]}, "ERROR_TASK_VALIDATION", "Invalid TASK_IDS"),
        ({"FROM_USER_ID": None}, "ERROR_INVALID_USER_ID", "Invalid FROM_USER_ID"),
        ({"FROM_USER_ID": -1}, "ERROR_INVALID_USER_ID", "Invalid FROM_USER_ID"),
        ({"TO_USER_ID": "abc"}, "ERROR_INVALID_USER_ID", "Invalid TO_USER_ID"),
        ({"TO_USER_ID": 4242}, "ERROR_INVALID_USER_ID", "Invalid TO_USER_ID"),
    ],
)
def test_delegate_validation(
    client: Client, token: str, people: People, params: dict[str, Any], code: str, text: str
) -> None:
    base = {"TASK_IDS": [1], "FROM_USER_ID": people.boss, "TO_USER_ID": people.worker}
    response = client.call("bizproc.task.delegate", token, **{**base, **params})
    assert error(response) == (400, code, text)


def test_delegation_refusals(
    client: Client, token: str, sandbox: Sandbox, workflow: str, people: People
) -> None:
    def delegate(tasks: list[int], source: int, target: int) -> Any:
        return client.call(
            "bizproc.task.delegate", token, TASK_IDS=tasks, FROM_USER_ID=source, TO_USER_ID=target
        )

    owned = sandbox.seed_task(workflow, [people.boss])
    foreign = sandbox.seed_task(workflow, [people.other])
    assert error(delegate([owned, foreign], people.boss, people.worker)) == (
        400,
        "ERROR_DELEGATION_NOT_ALLOWED",
        "User is not responsible for the task",
    )
    assert error(delegate([owned], people.boss, people.guest)) == (
        400,
        "ERROR_DELEGATION_NOT_ALLOWED",
        "Task delegation is only available for intranet users",
    )
    # DelegationType 0 (default): only to subordinates.
    assert error(delegate([owned], people.boss, people.other))[1:] == (
        "ERROR_DELEGATION_NOT_ALLOWED",
        "Task delegation is not allowed for this user",
    )
    both = error(delegate([foreign, 4242], people.boss, people.worker))[2]
    assert both == "User is not responsible for the task; User is not responsible for the task"
    anyone = sandbox.seed_task(workflow, [people.boss], delegation_type=1)
    assert ok(delegate([anyone], people.boss, people.other)) is True


def test_only_the_responsible_user_may_delegate(
    client: Client, sandbox: Sandbox, workflow: str, people: People
) -> None:
    task = sandbox.seed_task(workflow, [people.boss])
    response = client.hook(
        people.hooks[people.worker],
        "bizproc.task.delegate",
        TASK_IDS=[task],
        FROM_USER_ID=people.boss,
        TO_USER_ID=people.worker,
    )
    assert error(response) == (403, "ACCESS_DENIED", "Access denied!")


def test_seed_task_checks_its_workflow(sandbox: Sandbox, creds: Credentials) -> None:
    with pytest.raises(ValueError, match="no workflow"):
        sandbox.seed_task("nope", [1])
