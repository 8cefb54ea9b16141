"""App robots at run time: the sandbox POSTs the call to the registered handler on loopback,
the handler answers with bizproc.event.send and the workflow goes on with the values. Every
way a call can go wrong ends in an outcome the workflow's log and `Sandbox.deliveries` show."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from handler.support import (
    EXAMPLE,
    closed_port,
    compile_bpl,
    load_example_handler,
    oauth_client,
    robot_node,
    serving,
    template_data,
    wait_for,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from compiler.handler import (
    RobotCall,
    create_handler_app,
    load_robots,
    portal_client,
    registration,
)
from compiler.portal import PortalClient
from compiler.sandbox import Credentials, Limits, ManualClock, Sandbox, SandboxConfig

pytestmark = pytest.mark.loopback

DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
DEAL_7 = ["crm", "CCrmDocumentDeal", "DEAL_7"]
ROBOTS = load_robots(EXAMPLE / "robots.bpl")
EXAMPLE_APP = load_example_handler()


@dataclass
class Portal:
    sandbox: Sandbox
    base: str
    creds: Credentials
    client: PortalClient
    app_token: str

    def deploy(self, handler_url: str, *, timeout: int = 0, source: Path | str | None = None,
               code: str = "erp_invoice") -> int:
        """Register the robot (as plan/apply will) and add a template calling it."""
        robots = ROBOTS if source is None else load_robots(source)
        self.client.call("bizproc.robot.add", registration(robots[code], handler_url))
        package = compile_bpl(EXAMPLE / "robots.bpl" if source is None else Path(source),
                              self.creds.client_id)
        # The rig sets the robot's timeout itself (in seconds; 0 = wait forever), whatever
        # the sample's own `timeout` option says, so each test states the timing it needs.
        step = robot_node(package, self.creds.client_id, code)
        step["Properties"]["TimeoutDuration"] = timeout
        step["Properties"]["TimeoutDurationType"] = "s"
        result = self.client.call("bizproc.workflow.template.add", {
            "DOCUMENT_TYPE": DEAL, "NAME": "Invoice", "TEMPLATE_DATA": template_data(package)})
        return int(result)

    def start(self, template_id: int) -> str:
        return str(self.client.call("bizproc.workflow.start", {
            "TEMPLATE_ID": template_id, "DOCUMENT_ID": DEAL_7}))

    def state(self, wid: str) -> dict[str, Any]:
        state = self.sandbox.workflow(wid)
        assert state is not None
        return state

    def messages(self, wid: str) -> list[str]:
        return [message for _, message in self.state(wid)["log"]]

    def comments(self) -> Any:
        return (self.sandbox.document(DEAL_7) or {}).get("COMMENTS")

    def result(self, wid: str) -> dict[str, Any]:
        run = self.sandbox.run(wid)
        assert run is not None
        (values,) = [v for k, v in run.results.items() if "IsTimeout" in v]
        return values


@contextmanager
def open_portal(tmp_path: Path, handler_timeout: float = 5.0) -> Iterator[Portal]:
    sandbox = Sandbox(SandboxConfig(
        data=tmp_path / "sandbox.sqlite3", limits=Limits.off(), clock=ManualClock(),
        run_workflows=True, handler_timeout=handler_timeout, token_lifetime=30 * 86400))
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(DEAL_7, name="Deal 7", fields={"TITLE": "ACME", "OPPORTUNITY": 1500})
    try:
        with sandbox.running() as base:
            client = oauth_client(base, creds)
            try:
                yield Portal(sandbox, base, creds, client,
                             sandbox.application_token(creds.client_id))
            finally:
                client.close()
    finally:
        sandbox.close()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    with open_portal(tmp_path) as made:
        yield made


def test_the_sample_robot_runs_end_to_end(portal: Portal) -> None:
    with serving(EXAMPLE_APP.build_app(portal.app_token)) as handler:
        wid = portal.start(portal.deploy(f"{handler}/robot"))
        portal.sandbox.deliver()
        assert portal.state(wid)["status"] == "completed"
    assert portal.comments() == "ERP invoice INV-DEAL_7-1500"
    assert portal.result(wid) == {"erp_id": "INV-DEAL_7-1500", "IsTimeout": 0}
    assert portal.messages(wid) == [
        "Creating the ERP invoice of 1500 for ACME",  # bizproc.activity.log
        "The application completed the action",  # event.send without LOG_MESSAGE
        "Invoiced in the ERP as INV-DEAL_7-1500",
    ]
    (delivery,) = portal.sandbox.deliveries(wid)
    assert (delivery["state"], delivery["outcome"]) == ("delivered", "HTTP 200")


def recorder(answer: int = 200) -> tuple[Starlette, list[list[tuple[str, str]]]]:
    """A handler that only records what it receives."""
    received: list[list[tuple[str, str]]] = []

    async def record(request: Request) -> JSONResponse:
        received.append(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        return JSONResponse({}, answer)

    return Starlette(routes=[Route("/{p:path}", record, methods=["POST"])]), received


def test_the_handler_gets_bitrix_form_fields_and_a_working_token(portal: Portal) -> None:
    app, received = recorder()
    with serving(app) as handler:
        wid = portal.start(portal.deploy(f"{handler}/hook?key=app-secret"))
        portal.sandbox.deliver()
    (pairs,) = received
    form = dict(pairs)
    assert form["workflow_id"] == wid and form["code"] == "erp_invoice"
    assert [form[f"document_id[{i}]"] for i in range(3)] == DEAL_7
    assert [form[f"document_type[{i}]"] for i in range(3)] == DEAL
    assert form["properties[amount]"] == "1500" and form["properties[client]"] == "ACME"
    assert (form["use_subscription"], form["timeout_duration"]) == ("Y", "0")
    assert form["event_token"].startswith(f"{wid}|")
    assert form["auth[application_token]"] == portal.app_token
    assert form["auth[client_endpoint]"] == f"{portal.base}/rest/"
    assert form["auth[member_id]"] == portal.sandbox.portal.member_id
    assert form["auth[user_id]"] == "1" and "auth[refresh_token]" not in form
    # The token is the app's, for the activity's user: the handler can call the portal.
    me = httpx.post(f"{portal.base}/rest/profile",
                    data={"auth": form["auth[access_token]"]}).json()["result"]
    assert me["ID"] == "1"
    answer = httpx.post(f"{portal.base}/rest/bizproc.event.send", json={
        "auth": form["auth[access_token]"], "event_token": form["event_token"],
        "return_values": {"ERP_ID": "INV-9"}, "log_message": "Done by hand"}).json()
    assert answer["result"] is True
    assert portal.comments() == "ERP invoice INV-9"
    assert "Done by hand" in portal.messages(wid)
    # The recorded payload keeps the shape without the secrets.
    (payload,) = portal.sandbox.handler_calls(wid)
    assert "access_token" not in payload["auth"] and "application_token" not in payload["auth"]
    (delivery,) = portal.sandbox.deliveries(wid)
    assert delivery["handler"] == f"{handler}/hook"  # the query string is not shown


def test_a_failing_function_completes_the_robot_with_its_error(portal: Portal) -> None:
    portal.sandbox.seed_document(DEAL_7, fields={"TITLE": "ACME", "OPPORTUNITY": 0})
    with serving(EXAMPLE_APP.build_app(portal.app_token)) as handler:
        wid = portal.start(portal.deploy(f"{handler}/robot"))
        portal.sandbox.deliver()
    assert portal.state(wid)["status"] == "completed"
    reason = "ValueError: an invoice needs a positive amount, not 0"
    assert portal.comments() == f"ERP invoice failed: {reason}"
    assert portal.messages(wid) == [f"Create invoice in ERP failed: {reason}",
                                    f"The ERP did not invoice the deal: {reason}"]


def test_outputs_of_the_wrong_type_are_an_error_of_the_call(portal: Portal) -> None:
    def sloppy(call: RobotCall) -> dict[str, Any]:
        return {"erp_id": ["INV-1", "INV-2"]}

    app = create_handler_app({"erp_invoice": (ROBOTS["erp_invoice"], sloppy)},
                             application_token=portal.app_token)
    with serving(app) as handler:
        wid = portal.start(portal.deploy(f"{handler}/robot"))
        portal.sandbox.deliver()
    assert portal.comments() == ("ERP invoice failed: output erp_id must be a string, not list "
                                 "['INV-1', 'INV-2']")
    assert portal.result(wid)["IsTimeout"] == 0


def test_a_handler_that_is_down_leaves_the_robot_waiting_until_its_timeout(
    portal: Portal,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/robot"
    wid = portal.start(portal.deploy(url, timeout=60))
    portal.sandbox.deliver()
    (delivery,) = portal.sandbox.deliveries(wid)
    assert delivery["state"] == "failed" and delivery["outcome"].startswith("unreachable: ")
    (line,) = portal.messages(wid)
    assert line.startswith(f"The application's handler {url} could not be reached (")
    assert line.endswith("; the action keeps waiting for bizproc.event.send until its timeout "
                         "(60 s)")
    assert portal.state(wid)["status"] == "running"
    portal.sandbox.advance(61)
    assert portal.state(wid)["status"] == "completed"
    assert portal.result(wid) == {"IsTimeout": 1}
    assert portal.comments() == "The ERP did not answer"


def gated(portal: Portal) -> tuple[Starlette, threading.Event, list[str]]:
    """The sample robot behind a gate the test opens; records the portal calls it makes."""
    gate = threading.Event()
    calls: list[str] = []

    def slow(call: RobotCall) -> dict[str, Any]:
        gate.wait(10)
        return {"erp_id": "LATE-1"}

    class Recording:
        def __init__(self, endpoint: str, token: str) -> None:
            self.inner = portal_client(endpoint, token)

        def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
            try:
                return self.inner.call(method, params)
            finally:
                calls.append(method)

        def close(self) -> None:
            self.inner.close()

    app = create_handler_app({"erp_invoice": (ROBOTS["erp_invoice"], slow)},
                             application_token=portal.app_token,
                             portal_client_factory=Recording)
    return app, gate, calls


def test_an_answer_after_the_call_timed_out_still_counts(tmp_path: Path) -> None:
    with open_portal(tmp_path, handler_timeout=0.5) as portal:
        app, gate, calls = gated(portal)
        with serving(app) as handler:
            wid = portal.start(portal.deploy(f"{handler}/robot", timeout=3600))
            portal.sandbox.deliver()
            (delivery,) = portal.sandbox.deliveries(wid)
            assert (delivery["state"], delivery["outcome"]) == ("failed", "timed out after 0.5 s")
            assert portal.messages(wid) == [
                f"The application's handler {handler}/robot did not answer within 0.5 s; the "
                "action keeps waiting for bizproc.event.send until its timeout (3600 s)"]
            gate.set()
            # As on Bitrix, the activity waits for the event, however late the handler is.
            assert wait_for(lambda: portal.state(wid)["status"] == "completed")
        assert calls == ["bizproc.event.send"]
        assert portal.comments() == "ERP invoice LATE-1"


def test_an_answer_after_the_robot_timed_out_is_dropped(tmp_path: Path) -> None:
    with open_portal(tmp_path, handler_timeout=0.5) as portal:
        app, gate, calls = gated(portal)
        with serving(app) as handler:
            wid = portal.start(portal.deploy(f"{handler}/robot", timeout=60))
            portal.sandbox.deliver()
            portal.sandbox.advance(61)
            assert portal.comments() == "The ERP did not answer"
            gate.set()
            assert wait_for(lambda: calls == ["bizproc.event.send"])
        assert portal.result(wid) == {"IsTimeout": 1}
        assert portal.comments() == "The ERP did not answer"


def test_a_handler_refusing_the_application_token_is_a_failed_call(portal: Portal) -> None:
    with serving(EXAMPLE_APP.build_app("not-the-portal-token")) as handler:
        wid = portal.start(portal.deploy(f"{handler}/robot", timeout=60))
        portal.sandbox.deliver()
    (delivery,) = portal.sandbox.deliveries(wid)
    assert (delivery["state"], delivery["outcome"]) == ("failed", "HTTP 401")
    assert portal.messages(wid) == [
        f"The application's handler {handler}/robot answered HTTP 401; the action keeps "
        "waiting for bizproc.event.send until its timeout (60 s)"]
    portal.sandbox.advance(61)
    assert portal.result(wid) == {"IsTimeout": 1}


SCORER = """
robot scorer "Score" {
    handler "http://127.0.0.1:9/score"
    input name: string "Name"
    output count: int "Count"
    output when: date "When"
    output ok: bool "OK"
    output tags: string[] "Tags"
}

workflow scoring for crm.deal {
    scorer(name: doc.TITLE) as score
    doc.COMMENTS = "count={score.count} when={score.when} ok={score.ok} tags={score.tags}"
}
"""


def test_return_values_are_internalized_by_type_or_logged_and_dropped(
    portal: Portal, tmp_path: Path
) -> None:
    source = tmp_path / "scorer.bpl"
    source.write_text(SCORER, encoding="utf-8")
    app, received = recorder()
    with serving(app) as handler:
        wid = portal.start(portal.deploy(f"{handler}/score", source=source, code="scorer"))
        portal.sandbox.deliver()
    form = dict(received[0])
    portal.client.call("bizproc.event.send", {
        "EVENT_TOKEN": form["event_token"],
        "RETURN_VALUES": {"COUNT": "abc", "When": "2025-02-03T10:00:00+03:00", "ok": "yes",
                          "tags": "one", "unknown": 1}})
    assert portal.comments() == "count= when=2025-02-03 ok=Y tags=one"
    assert portal.messages(wid) == [
        "Return value \"count\" is not a valid int: 'abc'; it was left empty",
        "The application completed the action"]
    assert portal.state(wid)["return_values"] == {
        form["event_token"].split("|")[1]: {"when": "2025-02-03", "ok": "Y", "tags": ["one"]}}


def test_forged_event_tokens_are_refused(portal: Portal) -> None:
    app, received = recorder()
    with serving(app) as handler:
        wid = portal.start(portal.deploy(f"{handler}/robot"))
        portal.sandbox.deliver()
    forged = dict(received[0])["event_token"][:-4] + "0000"
    answer = httpx.post(f"{portal.base}/rest/bizproc.event.send", json={
        "auth": portal.creds.access_token, "event_token": forged,
        "return_values": {"erp_id": "X"}})
    assert answer.status_code == 403
    assert answer.json()["error"] == "ACCESS_DENIED"
    assert portal.state(wid)["status"] == "running"


def test_handlers_elsewhere_than_this_machine_are_not_called(portal: Portal) -> None:
    wid = portal.start(portal.deploy("https://erp.example.com/robot"))
    portal.sandbox.deliver()
    (delivery,) = portal.sandbox.deliveries(wid)
    assert (delivery["state"], delivery["outcome"]) == (
        "refused", "refused: erp.example.com is not this machine")
    assert portal.messages(wid) == [
        "The application's handler https://erp.example.com/robot was not called: the sandbox "
        "only calls handlers on this machine (127.0.0.1, ::1, localhost); the action keeps "
        "waiting for bizproc.event.send (it has no timeout)"]
