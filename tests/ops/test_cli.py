"""`bpl workflows|tasks|templates` as a user runs them: against the embedded sandbox of the
default environment, and against a served sandbox that runs workflows, through a webhook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from compiler.bitrix.bpt import encode_template_data, pack_package
from compiler.cli.main import main
from compiler.sandbox import Credentials, Limits, Sandbox, SandboxConfig

from .rig import APPROVAL, DEAL, DEAL_1, package

TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"
{extra}
"""
LIVE = """
[environments.live]
portal = "{base}"
auth = "webhook"
webhook_env = "BPL_OPS_WEBHOOK"
limits = "off"

[environments.bob]
portal = "{base}"
auth = "webhook"
webhook_env = "BPL_OPS_BOB"
limits = "off"
"""

OUTPUTS: list[str] = []  # everything the commands printed, for the secrets check


def bpl(*args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    OUTPUTS.extend([result.stdout, result.stderr])
    return result


def write_project(root: Path, extra: str = "") -> None:
    (root / "bpl.toml").write_text(TOML.format(extra=extra), encoding="utf-8")
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "approval.bpl").write_text(APPROVAL, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")  # a terminal wide enough for the tables' rows
    write_project(tmp_path)
    yield tmp_path


def embedded(project: Path) -> Sandbox:
    return Sandbox(SandboxConfig(data=project / ".bpl" / "sandbox.sqlite3"))


def test_the_embedded_sandbox_end_to_end(project: Path) -> None:
    assert bpl("apply", "--auto-approve").exit_code == 0
    listed = bpl("templates", "list")
    assert listed.exit_code == 0 and "bpl: approval_flow" in listed.stdout
    (row,) = json.loads(bpl("templates", "list", "--json").stdout)
    assert (row["id"], row["managed_as"], row["ownership"]) == (1, "approval_flow", "managed")
    sandbox = embedded(project)
    sandbox.seed_document(DEAL_1, name="Deal #1", fields={"TITLE": "Big order"})
    sandbox.close()

    started = bpl("workflows", "start", "1", "--document", "crm.deal:1", "-p", "reason=ops")
    assert started.exit_code == 0, started.output
    wid = started.stdout.strip()
    assert started.stderr == f"Started workflow {wid} from template 1 on " \
                             "crm.deal:1.\n"
    (running,) = json.loads(bpl("workflows", "list", "--json").stdout)
    assert (running["id"], running["template_id"], running["document"]) == (wid, 1, DEAL_1)
    assert wid in bpl("workflows", "list").stdout

    # The embedded sandbox runs what is started on it: the approval waits as a task.
    table = bpl("tasks", "list")
    assert "Approve Big order" in table.stdout and "--approve --reject" in table.stdout
    (listed_task,) = json.loads(bpl("tasks", "list", "--json").stdout)
    task = listed_task["id"]
    assert (listed_task["workflow_id"], listed_task["kind"], listed_task["status"]) == (
        wid, "approval", "waiting")
    answered = bpl("tasks", "complete", str(task), "--approve", "--comment", "fine")
    assert answered.exit_code == 0 and answered.stderr == f"Answered task {task}: approve.\n"
    assert bpl("tasks", "list").stdout.startswith("No tasks waiting on the embedded sandbox")
    assert len(json.loads(bpl("tasks", "list", "--all", "--json").stdout)) == 1
    sandbox = embedded(project)
    assert (sandbox.document(DEAL_1) or {})["COMMENTS"] == "approved (ops)"
    sandbox.close()
    assert bpl("workflows", "list").stdout.startswith("No running workflows on")

    # A second run to stop from outside: terminate, then kill.
    started = bpl("workflows", "start", "1", "--document", "crm.deal:1")
    wid = started.stdout.strip()
    assert bpl("workflows", "terminate", wid, "--status", "Stop").exit_code == 0
    assert bpl("workflows", "list").stdout.startswith("No running workflows on")
    assert bpl("workflows", "kill", wid, "--yes").exit_code == 0
    gone = bpl("workflows", "kill", wid, "--yes")
    assert gone.exit_code == 1
    assert gone.stderr == f"error: there is no running workflow {wid} (bpl workflows list " \
                          "shows them)\n"

    deleted = bpl("templates", "delete", "1", "--yes")
    assert deleted.exit_code == 0 and deleted.stderr == "Deleted template 1.\n"
    state = json.loads((project / ".bpl" / "state" / "sandbox.json").read_text())
    assert "1" not in state["templates"]


@pytest.mark.parametrize(("args", "message"), [
    (["workflows", "start", "9", "-d", "crm.deal:1"],
     "error: there is no template 9 on the portal (bpl templates list --all shows them)"),
    (["workflows", "start", "1", "-d", "deal 1"],
     "error: cannot read the document 'deal 1': write it as crm.deal:123, crm.lead:5, "
     "crm.dynamic(147):1 or lists.element(42):7"),
    (["workflows", "start", "1", "-d", "crm.deal:1", "-p", "reason"],
     "error: -p takes NAME=VALUE, not 'reason'"),
    (["workflows", "terminate", "nope"],
     "error: there is no running workflow nope (bpl workflows list shows them)"),
    (["tasks", "complete", "5"], "error: give one answer: --approve, --reject, --ok or --cancel"),
    (["tasks", "complete", "5", "--approve", "--reject"],
     "error: give one answer: --approve, --reject, --ok or --cancel"),
    (["tasks", "complete", "5", "--ok"],
     "error: there is no task 5 on the sandbox portal (bpl tasks list shows them)"),
    (["tasks", "complete", "5", "--ok", "--as", "Nobody"],
     "error: there is no user called 'Nobody' on the sandbox portal (bpl sandbox info lists "
     "them)"),
    (["workflows", "list", "--all", "--as", "1"],
     "error: --all reads the sandbox's own records, as no user: drop --as"),
    (["tasks", "complete", "5", "--ok", "--field", "=x"], "error: --field takes NAME=VALUE, "
                                                           "not '=x'"),
    (["tasks", "delegate", "5", "--from", "1", "--to", "1"],
     "error: cannot delegate: User is not responsible for the task"),
    (["templates", "delete", "9", "--yes"],
     "error: there is no template 9 on the portal (bpl templates list --all shows them)"),
    (["workflows", "list", "--env", "prod"],
     "error: {toml}: no environment 'prod' (known: sandbox)"),
])
def test_refusals_are_one_sentence(project: Path, args: list[str], message: str) -> None:
    result = bpl(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message.format(toml=project / "bpl.toml") + "\n"


def test_protected_environments_need_their_name_to_kill_or_delete(project: Path) -> None:
    write_project(project, "protect = true\n")
    for args in (["workflows", "kill", "x", "--yes"], ["templates", "delete", "1", "--yes"]):
        result = bpl(*args)
        assert result.exit_code == 1 and "environment 'sandbox' is protected" in result.stderr
    assert bpl("workflows", "kill", "x", "--yes", "--env", "sandbox").stderr == (
        "error: there is no running workflow x (bpl workflows list shows them)\n")


def test_kill_asks_first(project: Path) -> None:
    result = bpl("workflows", "kill", "x", input="n\n")
    assert result.exit_code == 1 and result.stderr.endswith("error: not killed\n")


@dataclass
class Live:
    sandbox: Sandbox
    creds: Credentials
    base: str


@pytest.fixture
def live(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """A served sandbox that runs workflows; the `live` environment reaches it by webhook."""
    sandbox = Sandbox(SandboxConfig(data=project / "served.sqlite3", limits=Limits.off(),
                                    run_workflows=True))
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(DEAL_1, name="Deal #1", fields={"TITLE": "Big order"})
    bob = sandbox.create_webhook(sandbox.create_user("Bob"))
    with sandbox.running() as base:
        write_project(project, LIVE.format(base=base))
        monkeypatch.setenv("BPL_OPS_WEBHOOK", f"{base}{creds.webhook_path}")
        monkeypatch.setenv("BPL_OPS_BOB", f"{base}{bob}")
        data = ["t.bpt", encode_template_data(pack_package(package(APPROVAL, project)))]
        added = httpx.post(f"{base}/rest/bizproc.workflow.template.add", json={
            "auth": creds.access_token, "DOCUMENT_TYPE": DEAL, "NAME": "Approval",
            "TEMPLATE_DATA": data}).json()
        assert added["result"] == 1
        yield Live(sandbox, creds, base)
    sandbox.close()


@pytest.mark.loopback
def test_a_task_round_trip_through_a_webhook(live: Live) -> None:
    wid = bpl("workflows", "start", "1", "-d", "crm.deal:1", "-p", "reason=cli",
              "--env", "live").stdout.strip()
    table = bpl("tasks", "list", "--env", "live")
    assert "Approve Big order" in table.stdout and "--approve --reject" in table.stdout
    (task,) = json.loads(bpl("tasks", "list", "--json", "--env", "live").stdout)
    assert (task["workflow_id"], task["user_id"]) == (wid, 1)
    wrong = bpl("tasks", "complete", str(task["id"]), "--ok", "--env", "live")
    assert wrong.stderr == f"error: task {task['id']} is an approval: answer it with " \
                           "--approve or --reject\n"
    done = bpl("tasks", "complete", str(task["id"]), "--approve", "--env", "live")
    assert done.exit_code == 0, done.output
    assert (live.sandbox.document(DEAL_1) or {})["COMMENTS"] == "approved (cli)"
    assert bpl("workflows", "list", "--env", "live").stdout.startswith("No running workflows")


@pytest.mark.loopback
def test_what_a_webhook_cannot_do(live: Live) -> None:
    delete = bpl("templates", "delete", "1", "--yes", "--env", "live")
    assert delete.exit_code == 1
    assert delete.stderr == (
        "error: deleting a template needs the application's own OAuth token: Bitrix allows it "
        "only in an application's context, never through a webhook (use an environment with "
        "auth = \"oauth\")\n")
    mine = bpl("templates", "list", "--env", "live")
    assert mine.exit_code == 1 and "pass --all" in mine.stderr
    (row,) = json.loads(bpl("templates", "list", "--all", "--json", "--env", "live").stdout)
    assert (row["id"], row["ownership"]) == (1, "unknown")
    bob = bpl("workflows", "list", "--env", "bob")
    assert bob.exit_code == 1
    assert bob.stderr == ("error: cannot list workflows: the portal user of this environment's "
                          "credentials is not an administrator, and only administrators may "
                          "list workflows\n")
    assert bpl("tasks", "list", "--env", "bob").stdout.startswith("No tasks waiting")


def _secrets(*files: Path) -> list[str]:
    found: list[str] = []
    for data in files:
        sandbox = Sandbox(SandboxConfig(data=data))
        try:
            with sandbox.portal.store.transaction() as conn:
                for sql in ("SELECT access_token, refresh_token FROM tokens",
                            "SELECT client_secret FROM apps", "SELECT secret FROM webhooks",
                            "SELECT token FROM application_tokens"):
                    found += [str(v) for row in conn.execute(sql) for v in row]
        finally:
            sandbox.close()
    return [s for s in found if len(s) >= 8]


@pytest.mark.loopback
def test_no_secret_reaches_any_output(project: Path, live: Live) -> None:
    OUTPUTS.clear()
    for env in ("live", "sandbox", "bob"):
        for args in (["workflows", "start", "1", "-d", "crm.deal:1"],
                     ["workflows", "list"], ["workflows", "list", "--json"],
                     ["tasks", "list", "--all"], ["tasks", "list", "--json"],
                     ["templates", "list", "--all"], ["templates", "list", "--json"],
                     ["tasks", "complete", "1", "--approve"],
                     ["tasks", "list", "--as", "Bob"], ["tasks", "list", "--as", "1"],
                     ["templates", "delete", "1", "--yes"]):
            bpl(*args, "--env", env)
    secrets = _secrets(project / "served.sqlite3", project / ".bpl" / "sandbox.sqlite3")
    assert len(secrets) >= 8
    text = "\n".join(OUTPUTS)
    assert "Approve Big order" in text  # the commands did run
    assert [s for s in secrets if s in text] == []
