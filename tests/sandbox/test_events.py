"""bizproc.event.send and bizproc.activity.log with the EVENT_TOKEN of a waiting app step."""

from __future__ import annotations

import hashlib

import pytest

from compiler.sandbox import Credentials, Sandbox

from .helpers import DEAL, Client, error, node, ok, template_data

DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]


@pytest.fixture
def started(client: Client, token: str, sandbox: Sandbox, creds: Credentials) -> str:
    """A running workflow whose template holds one app robot waiting for its answer."""
    ok(
        client.call(
            "bizproc.robot.add",
            token,
            CODE="md5",
            HANDLER="https://app.example.com/h",
            NAME="MD5",
            PROPERTIES={"input": {"Name": "Input", "Type": "string"}},
            RETURN_PROPERTIES={"outputString": {"Name": "MD5", "Type": "string"}},
        )
    )
    kind = "rest_" + hashlib.md5(f"{creds.client_id}@md5".encode()).hexdigest()
    step = node(kind, "A11111_22222_33333_44444", {"Title": "Hash", "input": "{=Document:TITLE}"})
    sandbox.seed_document(DEAL_1)
    tid = ok(
        client.call(
            "bizproc.workflow.template.add",
            token,
            DOCUMENT_TYPE=DEAL,
            NAME="T",
            TEMPLATE_DATA=template_data([step]),
        )
    )
    wid = ok(client.call("bizproc.workflow.start", token, TEMPLATE_ID=tid, DOCUMENT_ID=DEAL_1))
    assert isinstance(wid, str)
    return wid


def test_start_records_the_handler_payload(sandbox: Sandbox, started: str) -> None:
    (payload,) = sandbox.handler_calls(started)
    assert payload["workflow_id"] == started and payload["code"] == "md5"
    assert payload["document_id"] == DEAL_1 and payload["document_type"] == DEAL
    assert payload["properties"] == {"input": "{=Document:TITLE}"}
    assert payload["use_subscription"] == "Y"
    assert payload["event_token"].startswith(f"{started}|A11111_22222_33333_44444|")


def test_event_send_delivers_return_values(
    client: Client, token: str, sandbox: Sandbox, started: str
) -> None:
    event_token = sandbox.handler_calls(started)[0]["event_token"]
    response = client.call(
        "bizproc.event.send",
        token,
        event_token=event_token,
        return_values={"OUTPUTSTRING": "846c", "unknown": 1},
        log_message="hashed",
    )
    assert ok(response) is True
    state = sandbox.workflow(started)
    assert state is not None
    assert state["return_values"] == {"A11111_22222_33333_44444": {"outputString": "846c"}}
    assert ("A11111_22222_33333_44444", "hashed") in state["log"]
    # A second send with the same token is ignored (the event id was used up).
    again = client.call(
        "bizproc.event.send",
        token,
        EVENT_TOKEN=event_token,
        RETURN_VALUES={"outputString": "other"},
    )
    assert ok(again) is True
    state = sandbox.workflow(started)
    assert state is not None
    assert state["return_values"]["A11111_22222_33333_44444"]["outputString"] == "846c"


def test_event_send_works_through_a_webhook(
    client: Client, sandbox: Sandbox, started: str, creds: Credentials
) -> None:
    event_token = sandbox.handler_calls(started)[0]["event_token"]
    assert ok(client.hook(creds.webhook_path, "bizproc.event.send", EVENT_TOKEN=event_token))


@pytest.mark.parametrize("method", ["bizproc.event.send", "bizproc.activity.log"])
def test_forged_or_missing_tokens_are_refused(
    client: Client, token: str, sandbox: Sandbox, started: str, method: str
) -> None:
    genuine = sandbox.handler_calls(started)[0]["event_token"]
    forged = genuine[:-4] + ("0000" if not genuine.endswith("0000") else "1111")
    for value in (None, "", "abc", forged, genuine.replace("A11111", "A99999"), ["x"]):
        response = client.call(method, token, EVENT_TOKEN=value, LOG_MESSAGE="x")
        assert error(response) == (403, "ACCESS_DENIED", "Access denied!")


def test_activity_log_writes_without_completing(
    client: Client, token: str, sandbox: Sandbox, started: str
) -> None:
    event_token = sandbox.handler_calls(started)[0]["event_token"]
    assert (
        ok(
            client.call(
                "bizproc.activity.log",
                token,
                EVENT_TOKEN=event_token,
                LOG_MESSAGE="Please wait for answer!",
            )
        )
        is True
    )
    state = sandbox.workflow(started)
    assert state is not None
    assert ("A11111_22222_33333_44444", "Please wait for answer!") in state["log"]
    assert state["return_values"] == {}
    for empty in (None, "", "0", ["x"]):
        response = client.call(
            "bizproc.activity.log", token, EVENT_TOKEN=event_token, LOG_MESSAGE=empty
        )
        assert error(response) == (400, "ERROR_EMPTY_LOG_MESSAGE", "Empty log message!")


def test_activity_log_on_a_finished_workflow(
    client: Client, token: str, sandbox: Sandbox, started: str
) -> None:
    event_token = sandbox.handler_calls(started)[0]["event_token"]
    ok(client.call("bizproc.workflow.terminate", token, ID=started))
    assert error(
        client.call("bizproc.activity.log", token, EVENT_TOKEN=event_token, LOG_MESSAGE="late")
    )[:2] == (400, "ERROR_CORE")
    # event.send is queued on a real portal: it answers true and the event is dropped.
    assert ok(client.call("bizproc.event.send", token, EVENT_TOKEN=event_token)) is True


def test_issued_tokens_for_tests(
    client: Client, token: str, sandbox: Sandbox, started: str
) -> None:
    event_token = sandbox.issue_event_token(started, "A55555_55555_55555_55555")
    assert (
        ok(client.call("bizproc.event.send", token, EVENT_TOKEN=event_token, LOG_MESSAGE=""))
        is True
    )
    state = sandbox.workflow(started)
    assert state is not None
    assert state["return_values"] == {"A55555_55555_55555_55555": {}}


def test_no_subscription_means_no_waiting_event(
    client: Client, token: str, sandbox: Sandbox, creds: Credentials
) -> None:
    ok(
        client.call(
            "bizproc.activity.add",
            token,
            CODE="fire",
            HANDLER="https://app.example.com/",
            NAME="Fire",
            USE_SUBSCRIPTION="N",
        )
    )
    kind = "rest_" + hashlib.md5(f"{creds.client_id}@fire".encode()).hexdigest()
    sandbox.seed_document(DEAL_1)
    tid = ok(
        client.call(
            "bizproc.workflow.template.add",
            token,
            DOCUMENT_TYPE=DEAL,
            NAME="F",
            TEMPLATE_DATA=template_data([node(kind, "A1", {"Title": "Go"})]),
        )
    )
    wid = ok(client.call("bizproc.workflow.start", token, TEMPLATE_ID=tid, DOCUMENT_ID=DEAL_1))
    (payload,) = sandbox.handler_calls(wid)
    assert payload["use_subscription"] == "N"
    ok(
        client.call(
            "bizproc.event.send", token, EVENT_TOKEN=payload["event_token"], RETURN_VALUES={"x": 1}
        )
    )
    state = sandbox.workflow(wid)
    assert state is not None and state["return_values"] == {}
