"""Driving a workflow by hand: documents with typed fields, a state machine's commands as
different users, the clock moved forward, and a run looked at from outside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from handler.support import compile_bpl, template_data

from compiler.sandbox import Limits, ManualClock, Sandbox, SandboxConfig

from .helpers import DEAL, Client, ok

DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]
DAY = 86400

PURCHASE = """
statemachine purchase for crm.deal {
    title "Purchase"

    state draft "Draft" initial {
        on command submit "Submit" by role.author {
            goto review
        }
    }

    state review "Waiting for approval" {
        on command decide "Decide" by role.responsible_head {
            approve "{doc.TITLE} : {doc.OPPORTUNITY} from {doc.ASSIGNED_BY_ID | printable}" \
by role.responsible_head
        }
        on delay 3d title "Reminder" {
            log "Still waiting for {doc.TITLE} ({doc.OPPORTUNITY})"
            goto review
        }
    }
}
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    sb = Sandbox(SandboxConfig(data=tmp_path / "portal.sqlite3", limits=Limits.off(),
                               clock=ManualClock(), run_workflows=True,
                               token_lifetime=30 * DAY))
    sb.ensure_default_app()
    sb.create_user("Boris")  # 2
    sb.create_user("Ann", last_name="Smith", head_id=2)  # 3
    yield sb
    sb.close()


def start(sandbox: Sandbox, source: str = PURCHASE) -> str:
    creds = sandbox.ensure_default_app()
    client = Client(sandbox.asgi_app)
    try:
        template = ok(client.call("bizproc.workflow.template.add", creds.access_token,
                                  DOCUMENT_TYPE=DEAL, NAME="Purchase",
                                  TEMPLATE_DATA=template_data(compile_bpl(source))))
        workflow = ok(client.call("bizproc.workflow.start", creds.access_token,
                                  TEMPLATE_ID=template, DOCUMENT_ID=DEAL_1))
    finally:
        client.close()
    assert isinstance(workflow, str)
    return workflow


def test_fields_are_typed_from_the_catalog_and_unknown_codes_refused(sandbox: Sandbox) -> None:
    sandbox.seed_document(DEAL_1, name="Purchase", check_fields=True, fields={
        "title": "Purchase", "OPPORTUNITY": 500, "ASSIGNED_BY_ID": "Ann Smith",
        "OPENED": "yes", "BEGINDATE": "2025-03-01", "UF_CRM_BUDGET": "B-7"})
    record = sandbox.document_record(DEAL_1)
    assert record is not None and record["fields"] == {
        "TITLE": "Purchase", "OPPORTUNITY": "500", "ASSIGNED_BY_ID": "user_3", "OPENED": "Y",
        "BEGINDATE": "2025-03-01", "UF_CRM_BUDGET": "B-7"}
    assert record["labels"]["OPPORTUNITY"] == "Amount"
    with pytest.raises(ValueError, match=r"crm.deal has no field 'TITEL' \(did you mean TITLE\?"):
        sandbox.update_document(DEAL_1, {"TITEL": "x"})
    with pytest.raises(ValueError, match="no user called 'Nobody'"):
        sandbox.update_document(DEAL_1, {"ASSIGNED_BY_ID": "Nobody"})
    assert sandbox.update_document(DEAL_1, {"COMMENTS": "ok"}) == {"COMMENTS": "ok"}
    record = sandbox.document_record(DEAL_1)
    assert record is not None and record["fields"]["TITLE"] == "Purchase"  # merged, not replaced


def test_commands_tasks_timers_and_the_view_of_a_run(sandbox: Sandbox) -> None:
    sandbox.seed_document(DEAL_1, name="Purchase", check_fields=True, fields={
        "TITLE": "Purchase", "OPPORTUNITY": "500", "ASSIGNED_BY_ID": "3"})
    workflow = start(sandbox)
    with pytest.raises(ValueError, match="user 2 may not send command 'submit'"):
        sandbox.send_command(workflow, "submit", 2)  # only the author (Ann) may
    with pytest.raises(ValueError, match=r"command 'approve' is not offered now \(offered: "
                                         r"Submit\)"):
        sandbox.send_command(workflow, "approve", 3)
    sandbox.send_command(workflow, "Submit", 3)  # the title works as well as the name
    view = sandbox.run_view(workflow)
    assert view is not None
    assert (view["status"], view["state_title"]) == ("running", "Waiting for approval")
    assert [(w["kind"], w.get("title"), w.get("users")) for w in view["waits"]] == [
        ("command", "Decide", [2]), ("timer", None, None)]
    assert [step["type"] for step in view["path"]][:4] == [
        "StateMachineWorkflowActivity", "StateActivity", "EventDrivenActivity",
        "HandleExternalEventActivity"]

    # An edit of the document reaches the run: the reminder reads the new amount.
    sandbox.update_document(DEAL_1, {"OPPORTUNITY": "650"})
    assert sandbox.advance(2 * DAY) == 0  # the reminder is not due yet
    assert sandbox.advance(DAY + 1) == 1
    view = sandbox.run_view(workflow)
    assert view is not None
    assert [line["message"] for line in view["log"]] == ["Still waiting for Purchase (650)"]

    sandbox.send_command(workflow, "decide", 2)
    view = sandbox.run_view(workflow)
    assert view is not None
    (task,) = view["tasks"]
    assert task["name"] == "Purchase : 650 from Ann Smith"
    assert task["users"] == [{"user_id": 2, "user_name": "Boris", "answer": "waiting",
                              "comment": ""}]
    assert [(w["kind"], w["task_id"]) for w in view["waits"]] == [("task", task["id"])]
    assert sandbox.task(task["id"]) == task | {"workflow_id": workflow}


def test_finished_runs_are_listed_and_refuse_commands(sandbox: Sandbox) -> None:
    sandbox.seed_document(DEAL_1, check_fields=True, fields={"ASSIGNED_BY_ID": "3"})
    workflow = start(sandbox)
    creds = sandbox.ensure_default_app()
    client = Client(sandbox.asgi_app)
    try:
        ok(client.call("bizproc.workflow.terminate", creds.access_token, ID=workflow))
    finally:
        client.close()
    assert [(w["id"], w["status"]) for w in sandbox.workflows()] == [(workflow, "terminated")]
    assert sandbox.workflows(include_finished=False) == []
    with pytest.raises(ValueError, match="is terminated, not running"):
        sandbox.send_command(workflow, "submit", 3)
    with pytest.raises(ValueError, match="no workflow nope"):
        sandbox.send_command("nope", "submit", 3)
    assert sandbox.run_view("nope") is None


def test_users_are_found_by_id_token_or_name(sandbox: Sandbox) -> None:
    assert [sandbox.find_user(who) for who in ("2", "user_3", "ann", "Ann Smith")] == [2, 3, 3, 3]
    sandbox.create_user("Ann")
    with pytest.raises(ValueError, match="more than one user is called 'Ann'"):
        sandbox.find_user("Ann")
    hook = sandbox.webhook_for(3)
    assert hook.startswith("/rest/3/") and sandbox.webhook_for(3) == hook  # made once
    with pytest.raises(ValueError, match="no user 9"):
        sandbox.webhook_for(9)


def test_a_server_fires_the_timers_of_runs_another_process_started(tmp_path: Path) -> None:
    clock = ManualClock()
    config = SandboxConfig(data=tmp_path / "shared.sqlite3", limits=Limits.off(), clock=clock,
                           run_workflows=True, token_lifetime=30 * DAY)
    served, command_line = Sandbox(config), Sandbox(config)
    try:
        creds = served.ensure_default_app()
        command_line.seed_document(DEAL_1)
        workflow = start(command_line, """
workflow pause for crm.deal {
    wait 1h
    doc.COMMENTS = "after the pause"
}
""")
        clock.advance(3600)
        client = Client(served.asgi_app)
        try:  # any request to the server lets due timers fire, whoever started the run
            ok(client.call("bizproc.workflow.instances", creds.access_token))
        finally:
            client.close()
        assert (served.document(DEAL_1) or {}).get("COMMENTS") == "after the pause"
        assert [w["status"] for w in served.workflows() if w["id"] == workflow] == ["completed"]
    finally:
        served.close()
        command_line.close()
