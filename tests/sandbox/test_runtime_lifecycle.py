"""Runs over their lifetime: start parameters, timers that follow the sandbox clock,
terminate and kill, instances, status texts, errors and restarts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from handler.support import compile_bpl, template_data

from compiler.sandbox import Credentials, Limits, ManualClock, Sandbox, SandboxConfig, SystemClock

from .helpers import DEAL, Client, error, node, ok
from .helpers import template_data as raw_template_data

DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]
HOUR = 3600

PAUSE = """
workflow pause for crm.deal {
    param note: string = "none" "Note"
    status "Waiting an hour"
    wait 1h
    doc.COMMENTS = "after the pause: {param.note}"
    approve "Check {doc.TITLE}" by user(1) {
        timeout 1d
    } rejected {
        doc.COMMENTS = "nobody answered"
    }
}
"""


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def open_sandbox(data: Path, clock: ManualClock) -> Sandbox:
    # Tokens outlive the days these tests skip.
    return Sandbox(SandboxConfig(data=data, limits=Limits.off(), clock=clock,
                                 run_workflows=True, token_lifetime=30 * 86400))


@pytest.fixture
def sandbox(tmp_path: Path, clock: ManualClock) -> Iterator[Sandbox]:
    sb = open_sandbox(tmp_path / "sandbox.sqlite3", clock)
    yield sb
    sb.close()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    made = sandbox.ensure_default_app()
    sandbox.seed_document(DEAL_1, name="Deal #1", fields={"TITLE": "Big order"})
    return made


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    made = Client(sandbox.asgi_app)
    yield made
    made.close()


def deploy(client: Client, creds: Credentials, data: list[str]) -> int:
    result = ok(client.call("bizproc.workflow.template.add", creds.access_token,
                            DOCUMENT_TYPE=DEAL, NAME="T", TEMPLATE_DATA=data))
    assert isinstance(result, int)
    return result


def start(client: Client, creds: Credentials, template_id: int, **more: Any) -> str:
    wid = ok(client.call("bizproc.workflow.start", creds.access_token, TEMPLATE_ID=template_id,
                         DOCUMENT_ID=DEAL_1, **more))
    assert isinstance(wid, str)
    return wid


def status(sandbox: Sandbox, wid: str) -> tuple[str, str]:
    state = sandbox.workflow(wid)
    assert state is not None
    return state["status"], state["state_title"]


def test_a_pause_ends_when_the_clock_passes_it_on_the_next_request(
    client: Client, creds: Credentials, sandbox: Sandbox, clock: ManualClock
) -> None:
    wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))),
                PARAMETERS={"note": "from REST"})
    assert status(sandbox, wid) == ("running", "Waiting an hour")
    clock.advance(HOUR - 1)
    ok(client.call("profile", creds.access_token))
    assert "COMMENTS" not in (sandbox.document(DEAL_1) or {})
    clock.advance(1)
    # Any request lets due timers fire before it is served.
    listed = ok(client.call("bizproc.task.list", creds.access_token, SELECT=["NAME"]))
    assert [row["NAME"] for row in listed] == ["Check Big order"]
    assert (sandbox.document(DEAL_1) or {})["COMMENTS"] == "after the pause: from REST"


def test_the_advance_hook_fires_task_timeouts(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    assert sandbox.advance(HOUR) == 1
    assert sandbox.advance(86400) == 1
    assert status(sandbox, wid)[0] == "completed"
    assert (sandbox.document(DEAL_1) or {})["COMMENTS"] == "nobody answered"
    row = ok(client.call("bizproc.task.list", creds.access_token, SELECT=["STATUS"]))
    assert [r["STATUS"] for r in row] == ["4"]  # overdue
    assert sandbox.advance(86400) == 0


def test_instances_list_running_runs_only(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    waiting = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    done = start(client, creds, deploy(client, creds, raw_template_data()))  # one log line
    assert status(sandbox, done)[0] == "completed"
    rows = ok(client.call("bizproc.workflow.instances", creds.access_token, SELECT=["ID"]))
    assert [row["ID"] for row in rows] == [waiting]


def test_terminate_stops_the_run_and_removes_its_tasks(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    sandbox.advance(HOUR)
    assert ok(client.call("bizproc.task.list", creds.access_token))
    ok(client.call("bizproc.workflow.terminate", creds.access_token, ID=wid,
                   STATUS="Stopped by REST"))
    assert status(sandbox, wid) == ("terminated", "Stopped by REST")
    run = sandbox.run(wid)
    assert run is not None and run.status == "terminated"
    assert ok(client.call("bizproc.task.list", creds.access_token)) == []
    assert sandbox.advance(86400) == 0  # a terminated run has no timers
    again = client.call("bizproc.workflow.terminate", creds.access_token, ID=wid)
    assert error(again) == (400, "", "Workflow instance not found.")


def test_kill_removes_the_run(client: Client, creds: Credentials, sandbox: Sandbox) -> None:
    wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    ok(client.call("bizproc.workflow.kill", creds.access_token, ID=wid))
    assert sandbox.workflow(wid) is None and sandbox.run(wid) is None
    assert sandbox.advance(HOUR) == 0


def test_a_run_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    data = tmp_path / "sandbox.sqlite3"
    first = open_sandbox(data, clock)
    creds = first.ensure_default_app()
    first.seed_document(DEAL_1, fields={"TITLE": "Big order"})
    with Session(first) as client:
        wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    first.close()
    clock.advance(HOUR)
    second = open_sandbox(data, clock)
    try:
        # The earliest timer is read back from the database: the next request fires it.
        with Session(second) as client:
            ok(client.call("profile", creds.access_token))
        assert (second.document(DEAL_1) or {})["COMMENTS"] == "after the pause: none"
        run = second.run(wid)
        assert run is not None and [t.name for t in run.waiting_tasks] == ["Check Big order"]
    finally:
        second.close()


def test_a_template_the_simulator_cannot_run_stops_with_the_reason(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    # A PHP condition: Bitrix imports it, the simulator has no PHP to decide it with.
    php = node("IfElseBranchActivity", "A2", {"Title": "PHP decides",
                                             "codecondition": "return true;"})
    choice = node("IfElseActivity", "A1", {"Title": "Condition"}, [php])
    wid = start(client, creds, deploy(client, creds, raw_template_data([choice])))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "error"
    assert state["log"] == [("A2", "The workflow stopped with an error: codecondition runs "
                                   "PHP code, which the simulator cannot run")]
    assert ok(client.call("bizproc.workflow.instances", creds.access_token)) == []


def test_an_activity_the_simulator_cannot_carry_out_runs_and_says_so_in_the_log(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    # PHP code as an activity: it runs with its declared (no) results, and the log says so.
    code = node("CodeActivity", "A1", {"Title": "Run PHP", "ExecuteCode": "return 1;"})
    wid = start(client, creds, deploy(client, creds, raw_template_data([code])))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "completed"
    assert state["log"] == [("A1", "[simulator] CodeActivity 'Run PHP': not simulated: PHP "
                                   "code is not run")]


def test_a_template_bitrix_imports_but_cannot_load_does_not_start(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    # The import walks any tree of arrays; the loader needs Properties to be one.
    odd = node("SequenceActivity", "A1", "not an array")  # type: ignore[arg-type]
    wid = start(client, creds, deploy(client, creds, raw_template_data([odd])))
    state = sandbox.workflow(wid)
    assert state is not None and state["status"] == "error"
    assert state["log"] == [("", "The workflow could not start: TEMPLATE[0].Children[0]."
                                 "Properties: is a string, not an array of named values")]


def test_record_mode_is_the_default(tmp_path: Path) -> None:
    sb = Sandbox(SandboxConfig(data=tmp_path / "s.sqlite3", limits=Limits.off()))
    try:
        creds = sb.ensure_default_app()
        sb.seed_document(DEAL_1)
        with Session(sb) as client:
            wid = start(client, creds, deploy(client, creds, raw_template_data()))
        assert status(sb, wid)[0] == "running" and sb.run(wid) is None
    finally:
        sb.close()


def test_advance_moves_the_default_clock_for_every_process_on_the_file(tmp_path: Path) -> None:
    data = tmp_path / "portal.sqlite3"
    first = Sandbox(SandboxConfig(data=data, limits=Limits.off(), run_workflows=True))
    second = Sandbox(SandboxConfig(data=data, limits=Limits.off(), run_workflows=True))
    try:
        before = second.now()
        first.advance(3 * 86400)
        assert second.now() - before >= 3 * 86400  # read back from the file, not remembered
        with pytest.raises(ValueError, match="only goes forward"):
            first.advance(-1)
    finally:
        first.close()
        second.close()
    pinned = Sandbox(SandboxConfig(limits=Limits.off(), clock=SystemClock()))
    try:
        with pytest.raises(TypeError, match="ManualClock"):
            pinned.advance(1)
    finally:
        pinned.close()


class Session:
    """A Client as a context manager (closed on the way out)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.client = Client(sandbox.asgi_app)

    def __enter__(self) -> Client:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()



def test_a_run_that_cannot_be_replayed_is_parked(
    client: Client, creds: Credentials, sandbox: Sandbox
) -> None:
    wid = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    other = start(client, creds, deploy(client, creds, template_data(compile_bpl(PAUSE))))
    with sandbox.portal.store.transaction(write=True) as conn:
        row = conn.execute("SELECT data FROM runs WHERE workflow_id = ?", (wid,)).fetchone()
        data = json.loads(row["data"])
        data["journal"].append({"op": "complete_task", "task": 99, "user": 1, "status": "yes"})
        conn.execute("UPDATE runs SET data = ? WHERE workflow_id = ?", (json.dumps(data), wid))
    assert sandbox.advance(HOUR) == 2
    state = sandbox.workflow(wid)
    assert state is not None and state["log"][-1][1] == (
        "The sandbox could not continue this workflow (see its log); its timers are stopped")
    run = sandbox.run(other)  # the other run went on
    assert run is not None and [t.name for t in run.waiting_tasks] == ["Check Big order"]
    assert sandbox.advance(86400) == 1  # only the other one's task timeout is left
