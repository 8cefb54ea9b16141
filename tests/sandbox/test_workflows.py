"""bizproc.workflow.start / instances / instance.list / terminate / kill."""

from __future__ import annotations

import re
from typing import Any

import pytest

from compiler.sandbox import Credentials, ManualClock, Sandbox

from .helpers import DEAL, LEAD, Client, error, ok, template_data

START = "bizproc.workflow.start"
DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]


@pytest.fixture
def template(client: Client, token: str, sandbox: Sandbox) -> int:
    sandbox.seed_document(DEAL_1, name="Big deal")
    parameters = {"Amount": {"Name": "Amount", "Type": "double", "Default": "100"}}
    result = ok(
        client.call(
            "bizproc.workflow.template.add",
            token,
            DOCUMENT_TYPE=DEAL,
            NAME="T",
            TEMPLATE_DATA=template_data(PARAMETERS=parameters),
        )
    )
    assert isinstance(result, int)
    return result


def start(client: Client, token: str, template_id: Any, document: Any = DEAL_1, **more: Any) -> Any:
    return client.call(START, token, TEMPLATE_ID=template_id, DOCUMENT_ID=document, **more)


def test_start_returns_an_instance_id_string(
    client: Client, token: str, template: int, sandbox: Sandbox
) -> None:
    wid = ok(start(client, token, template, PARAMETERS={"Extra": "user_14"}))
    assert re.fullmatch(r"[0-9a-f]{14}\.\d{8}", wid)
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "running"
    assert state["parameters"] == {"Amount": "100", "Extra": "user_14", "TargetUser": "user_1"}
    assert state["document_id"] == DEAL_1


def test_start_through_a_webhook_and_with_form_keys(
    client: Client, template: int, creds: Credentials
) -> None:
    assert ok(client.hook(creds.webhook_path, START, TEMPLATE_ID=template, DOCUMENT_ID=DEAL_1))
    form = {
        "auth": creds.access_token,
        "TEMPLATE_ID": str(template),
        "DOCUMENT_ID[0]": "crm",
        "DOCUMENT_ID[1]": "CCrmDocumentDeal",
        "DOCUMENT_ID[2]": "DEAL_1",
    }
    assert isinstance(ok(client.post(f"/rest/{START}", data=form)), str)


@pytest.mark.parametrize("template_id", [None, "", 0, "abc", -3])
def test_start_without_template_id(client: Client, token: str, template_id: Any) -> None:
    assert error(start(client, token, template_id)) == (
        400,
        "ERROR_WRONG_WORKFLOW_ID",
        "Empty TEMPLATE_ID",
    )


def test_start_with_an_unknown_template(client: Client, token: str) -> None:
    assert error(start(client, token, 999)) == (
        400,
        "ERROR_WRONG_WORKFLOW_ID",
        "Template not found",
    )


@pytest.mark.parametrize(
    ("document", "text"),
    [
        (None, "Wrong DOCUMENT_ID!"),
        (["crm", "CCrmDocumentDeal"], "Wrong DOCUMENT_ID!"),
        ("DEAL_1", "Wrong DOCUMENT_ID!"),
        (["crm", "CCrmDocumentDeal", "DEAL_404"], "Wrong DOCUMENT_ID!"),
        (["crm", "CCrmDocumentNope", "X_1"], "Incorrect document type!"),
        (["crm", "CCrmDocumentLead", "LEAD_1"], "Template type and DOCUMENT_ID mismatch!"),
    ],
)
def test_start_document_errors_have_no_code(
    client: Client, token: str, template: int, sandbox: Sandbox, document: Any, text: str
) -> None:
    sandbox.seed_document(["crm", "CCrmDocumentLead", "LEAD_1"])
    assert error(start(client, token, template, document)) == (400, "", text)


def test_start_by_a_non_admin(client: Client, template: int, sandbox: Sandbox) -> None:
    hook = sandbox.create_webhook(sandbox.create_user("Bob"))
    response = client.hook(hook, START, TEMPLATE_ID=template, DOCUMENT_ID=DEAL_1)
    assert error(response) == (403, "ACCESS_DENIED", "Access denied!")


def test_running_instance_keeps_its_template_copy(
    client: Client, token: str, template: int, sandbox: Sandbox
) -> None:
    wid = ok(start(client, token, template))
    ok(
        client.call(
            "bizproc.workflow.template.update",
            token,
            ID=template,
            FIELDS={"TEMPLATE_DATA": template_data([])},
        )
    )
    with sandbox.portal.store.transaction() as conn:
        row = conn.execute("SELECT template FROM workflows WHERE id = ?", (wid,)).fetchone()
    assert '"LogActivity"' in row["template"]


@pytest.mark.parametrize("method", ["bizproc.workflow.instances", "bizproc.workflow.instance.list"])
def test_instances_list(
    client: Client, token: str, template: int, clock: ManualClock, method: str
) -> None:
    first = ok(start(client, token, template))
    clock.advance(60)
    second = ok(start(client, token, template))
    body = client.call(method, token).json()
    assert [r["ID"] for r in body["result"]] == [second, first]  # MODIFIED desc
    assert set(body["result"][0]) == {"ID", "MODIFIED", "OWNED_UNTIL"}
    assert body["result"][0]["OWNED_UNTIL"] is None and body["total"] == 2
    select = ["ID", "MODULE_ID", "ENTITY", "DOCUMENT_ID", "STARTED", "STARTED_BY", "TEMPLATE_ID"]
    full = ok(client.call(method, token, select=select, order={"STARTED": "ASC"}))
    assert full[0] == {
        "ID": first,
        "MODULE_ID": "crm",
        "ENTITY": "CCrmDocumentDeal",
        "DOCUMENT_ID": "DEAL_1",
        "STARTED": full[0]["STARTED"],
        "STARTED_BY": "1",
        "TEMPLATE_ID": str(template),
    }
    assert full[0]["STARTED"].endswith("+00:00")


def test_instances_filter(client: Client, token: str, template: int, clock: ManualClock) -> None:
    first = ok(start(client, token, template))
    clock.advance(600)
    second = ok(start(client, token, template))
    started = ok(
        client.call("bizproc.workflow.instances", token, select=["STARTED"], filter={"id": second})
    )[0]["STARTED"]
    later = ok(client.call("bizproc.workflow.instances", token, filter={">=STARTED": started}))
    assert [r["ID"] for r in later] == [second]
    older = ok(
        client.call(
            "bizproc.workflow.instances", token, filter={"<STARTED": started.replace("+00:00", "Z")}
        )
    )
    assert [r["ID"] for r in older] == [first]
    by_template = ok(
        client.call(
            "bizproc.workflow.instances", token, filter={"TEMPLATE_ID": template, ">STARTED_BY": 0}
        )
    )
    assert len(by_template) == 2


def test_instances_page_by_fifty(client: Client, token: str, template: int) -> None:
    for _ in range(55):
        ok(start(client, token, template))
    page = client.call("bizproc.workflow.instances", token).json()
    assert len(page["result"]) == 50 and page["next"] == 50 and page["total"] == 55
    rest = client.call("bizproc.workflow.instances", token, start=50).json()
    assert len(rest["result"]) == 5 and "next" not in rest


def test_instances_for_admins_only(client: Client, sandbox: Sandbox) -> None:
    hook = sandbox.create_webhook(sandbox.create_user("Bob"))
    assert error(client.hook(hook, "bizproc.workflow.instances")) == (
        403,
        "ACCESS_DENIED",
        "Access denied!",
    )


def test_terminate_keeps_the_record(
    client: Client, token: str, template: int, sandbox: Sandbox
) -> None:
    wid = ok(start(client, token, template))
    task = sandbox.seed_task(wid, [1])
    assert (
        ok(
            client.call(
                "bizproc.workflow.terminate", token, ID=wid, STATUS="Terminated by rest app."
            )
        )
        is True
    )
    assert ok(client.call("bizproc.workflow.instances", token)) == []
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "terminated"
    assert state["state_title"] == "Terminated by rest app."
    assert error(client.call("bizproc.task.complete", token, TASK_ID=task, STATUS=1))[1] == (
        "ERROR_TASK_NOT_FOUND"
    )
    assert error(client.call("bizproc.workflow.terminate", token, ID=wid)) == (
        400,
        "",
        "Workflow instance not found.",
    )


def test_kill_deletes_everything(
    client: Client, token: str, template: int, sandbox: Sandbox
) -> None:
    wid = ok(start(client, token, template))
    sandbox.seed_task(wid, [1])
    assert ok(client.call("bizproc.workflow.kill", token, ID=wid)) is True
    assert sandbox.workflow(wid) is None
    assert ok(client.call("bizproc.task.list", token)) == []
    assert error(client.call("bizproc.workflow.kill", token, ID=wid)) == (
        400,
        "",
        "Workflow instance not found.",
    )


@pytest.mark.parametrize("method", ["bizproc.workflow.terminate", "bizproc.workflow.kill"])
@pytest.mark.parametrize("workflow_id", [None, "", "  ", 12345, ["x"]])
def test_terminate_and_kill_need_a_string_id(
    client: Client, token: str, method: str, workflow_id: Any
) -> None:
    assert error(client.call(method, token, ID=workflow_id)) == (
        400,
        "ERROR_WRONG_WORKFLOW_ID",
        "Empty workflow instance ID",
    )


@pytest.mark.parametrize("method", ["bizproc.workflow.terminate", "bizproc.workflow.kill"])
def test_terminate_and_kill_for_admins_only(client: Client, sandbox: Sandbox, method: str) -> None:
    hook = sandbox.create_webhook(sandbox.create_user("Bob"))
    assert error(client.hook(hook, method, ID="x")) == (403, "ACCESS_DENIED", "Access denied!")


def test_documents_of_lists_need_their_type(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="document type"):
        sandbox.seed_document(["lists", "BizprocDocument", "7"])
    assert sandbox.seed_document(["lists", "BizprocDocument", "7"], document_type="iblock_3") == (
        "lists",
        "BizprocDocument",
        "7",
        "iblock_3",
    )
    assert sandbox.seed_document(["CRM", "ccrmdocumentlead", "lead_4"])[3] == LEAD[2]
