"""Started workflows run in the sandbox (run_workflows=True): their tasks are listed,
answered and delegated over REST, and the run decides what happens next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from handler.support import compile_bpl, template_data

from compiler.sandbox import Credentials, Limits, ManualClock, Sandbox, SandboxConfig

from .helpers import DEAL, Client, error, ok

DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]
SELECT = ["ID", "WORKFLOW_ID", "ACTIVITY", "ACTIVITY_NAME", "NAME", "DESCRIPTION", "USER_ID",
          "STATUS", "USER_STATUS", "PARAMETERS", "DOCUMENT_NAME", "WORKFLOW_TEMPLATE_NAME"]

APPROVAL = """
workflow big_deal for crm.deal {
    title "Big deal"
    approve "Approve {doc.TITLE}" by user(2) as vote {
        description "Amount {doc.OPPORTUNITY}"
        comment required_on_reject
        delegation all
        approve_button "Yes, go"
    } approved {
        doc.COMMENTS = "approved by {vote.LastApprover}"
    } rejected {
        doc.COMMENTS = "rejected: {vote.Comments}"
    }
    log "decided"
}
"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: ManualClock) -> Iterator[Sandbox]:
    sb = Sandbox(SandboxConfig(data=tmp_path / "sandbox.sqlite3", limits=Limits.off(),
                               clock=clock, run_workflows=True))
    yield sb
    sb.close()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    made = sandbox.ensure_default_app()
    assert sandbox.create_user("Ann") == 2
    assert sandbox.create_user("Bob") == 3
    sandbox.seed_document(DEAL_1, name="Deal #1",
                          fields={"TITLE": "Big order", "OPPORTUNITY": 250000})
    return made


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    made = Client(sandbox.asgi_app)
    yield made
    made.close()


def deploy(client: Client, creds: Credentials, source: str) -> int:
    package = compile_bpl(source, creds.client_id)
    result = ok(client.call("bizproc.workflow.template.add", creds.access_token,
                            DOCUMENT_TYPE=DEAL, NAME="T", TEMPLATE_DATA=template_data(package)))
    assert isinstance(result, int)
    return result


def start(client: Client, creds: Credentials, template_id: int, **more: Any) -> str:
    wid = ok(client.call("bizproc.workflow.start", creds.access_token, TEMPLATE_ID=template_id,
                         DOCUMENT_ID=DEAL_1, **more))
    assert isinstance(wid, str)
    return wid


def tasks(client: Client, creds: Credentials, **filters: Any) -> list[dict[str, Any]]:
    rows = ok(client.call("bizproc.task.list", creds.access_token, SELECT=SELECT,
                          FILTER=filters))
    assert isinstance(rows, list)
    return rows


def test_an_approval_round_trip_over_rest(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, APPROVAL))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "running"
    (task,) = tasks(client, creds)
    assert task["WORKFLOW_ID"] == wid
    assert task["ACTIVITY"] == "ApproveActivity" and task["ACTIVITY_NAME"].startswith("A")
    assert task["NAME"] == "Approve Big order" and task["DESCRIPTION"] == "Amount 250000"
    assert (task["USER_ID"], task["STATUS"], task["USER_STATUS"]) == ("2", "0", "0")
    assert task["DOCUMENT_NAME"] == "Deal #1" and task["WORKFLOW_TEMPLATE_NAME"] == "T"
    assert task["PARAMETERS"] == {"CommentLabel": "", "CommentRequired": "YR",
                                  "ShowComment": "Y", "StatusYesLabel": "Yes, go",
                                  "StatusNoLabel": "Reject"}
    ann = sandbox.create_webhook(2)
    assert ok(client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=1)) is True
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "completed"
    assert sandbox.document(DEAL_1) == {"TITLE": "Big order", "OPPORTUNITY": 250000,
                                        "COMMENTS": "approved by user_2"}
    assert [message for _, message in state["log"]] == ["decided"]
    (done,) = tasks(client, creds)
    assert (done["STATUS"], done["USER_STATUS"]) == ("1", "1")
    assert ok(client.call("bizproc.workflow.instances", creds.access_token)) == []


def test_rejecting_needs_the_comment_the_task_asks_for(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, APPROVAL))
    (task,) = tasks(client, creds)
    ann = sandbox.create_webhook(2)
    refused = client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS="no")
    assert error(refused) == (400, "ERROR_TASK_EXECUTION", "Comment is required")
    wrong_kind = client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS="ok")
    assert error(wrong_kind) == (400, "ERROR_TASK_EXECUTION", "Incorrect task status")
    ok(client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS="no",
                   COMMENT="Too expensive"))
    comments = (sandbox.document(DEAL_1) or {})["COMMENTS"]
    assert comments.startswith("rejected: Ann: Rejected") and "Too expensive" in comments
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "completed"


def test_only_the_assignee_answers(client: Client, creds: Credentials, sandbox: Sandbox) -> None:
    start(client, creds, deploy(client, creds, APPROVAL))
    (task,) = tasks(client, creds)
    admin = client.call("bizproc.task.complete", creds.access_token, TASK_ID=task["ID"],
                        STATUS=1)
    assert error(admin) == (400, "ERROR_TASK_NOT_FOUND", "Task not found")
    ann = sandbox.create_webhook(2)
    ok(client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=1))
    again = client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=1)
    assert error(again) == (400, "ERROR_TASK_COMPLETED", "Task already completed")


def test_a_delegated_task_is_answered_by_the_delegate(
    client: Client, creds: Credentials, sandbox: Sandbox, tmp_path: Path, clock: ManualClock
) -> None:
    wid = start(client, creds, deploy(client, creds, APPROVAL))
    (task,) = tasks(client, creds)
    ann, bob = sandbox.create_webhook(2), sandbox.create_webhook(3)
    ok(client.hook(ann, "bizproc.task.delegate", TASK_IDS=[task["ID"]], FROM_USER_ID=2,
                   TO_USER_ID=3))
    (moved,) = tasks(client, creds)
    assert moved["USER_ID"] == "3"
    late = client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=1)
    assert error(late)[1] == "ERROR_TASK_NOT_FOUND"
    # The delegation outlives a restart: the run is rebuilt from its stored journal.
    sandbox.close()
    reopened = Sandbox(SandboxConfig(data=tmp_path / "sandbox.sqlite3", limits=Limits.off(),
                                     clock=clock, run_workflows=True))
    again = Client(reopened.asgi_app)
    try:
        ok(again.hook(bob, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=1))
        assert (reopened.document(DEAL_1) or {})["COMMENTS"] == "approved by user_3"
        run = reopened.run(wid)
        assert run is not None and run.status == "completed"
        assert run.tasks[0].users == [3]
    finally:
        again.close()
        reopened.close()


REQUEST = """
workflow details for crm.deal {
    var serial: string "Serial"
    var count: int "Count"
    ask "Tell us more" by user(2) as details {
        field var.serial "Serial number" required
        field var.count "How many"
    }
    doc.COMMENTS = "serial {var.serial} x{var.count}"
}
"""


def test_request_information_fields_fill_the_variables(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, REQUEST))
    (task,) = tasks(client, creds)
    assert task["ACTIVITY"] == "RequestInformationActivity"
    fields = task["PARAMETERS"]["Fields"]
    assert [(f["Id"], f["Name"], f["Type"], f["Required"]) for f in fields] == [
        ("serial", "Serial number", "string", True), ("count", "How many", "int", False)]
    ann = sandbox.create_webhook(2)
    missing = client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=3,
                          FIELDS={"count": "2"})
    assert error(missing) == (400, "ERROR_TASK_EXECUTION",
                              'The field "Serial number" is required')
    ok(client.hook(ann, "bizproc.task.complete", TASK_ID=task["ID"], STATUS=3,
                   FIELDS={"serial": "SN-7", "count": "2"}))
    run = sandbox.run(wid)
    assert run is not None and run.variables == {"serial": "SN-7", "count": 2}
    assert (sandbox.document(DEAL_1) or {})["COMMENTS"] == "serial SN-7 x2"


def test_run_tasks_and_seeded_tasks_live_side_by_side(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, APPROVAL))
    seeded = sandbox.seed_task(wid, [2], name="Seeded", activity="ReviewActivity")
    listed = {row["NAME"]: row for row in tasks(client, creds)}
    assert set(listed) == {"Approve Big order", "Seeded"}
    ann = sandbox.create_webhook(2)
    ok(client.hook(ann, "bizproc.task.complete", TASK_ID=seeded, STATUS="ok"))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "running"  # the run still waits
    assert ok(client.hook(ann, "bizproc.task.complete", TASK_ID=listed["Approve Big order"]["ID"],
                          STATUS="yes"))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "completed"
