"""`bpl workflows|tasks|templates --as USER` on the sandbox portal, workflows started by name
and finished ones listed: one person's task answered by another, as Bitrix allows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler.cli.main import main

TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"

[environments.prod]
portal = "https://example.bitrix24.com"
auth = "webhook"
webhook_env = "BPL_ACTING_NEVER_SET"
"""
FLOW = """\
workflow purchase_check for crm.deal {
    title "Purchase check"
    approve "{doc.TITLE} : {doc.OPPORTUNITY} from {doc.ASSIGNED_BY_ID | printable}" by user(2) {
        delegation all
    } approved {
        doc.COMMENTS = "approved"
    }
}
"""


def bpl(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "bpl.toml").write_text(TOML, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "purchase.bpl").write_text(FLOW, encoding="utf-8")
    for args in (["sandbox", "seed", "user", "Ann"], ["sandbox", "seed", "user", "Boris"],
                 ["sandbox", "seed", "document", "crm.deal:1", "--field", "TITLE=Purchase",
                  "--field", "OPPORTUNITY=500", "--field", "ASSIGNED_BY_ID=Ann"],
                 ["apply", "--auto-approve"]):
        assert bpl(*args).exit_code == 0
    yield tmp_path


def test_a_task_of_another_user_is_answered_as_them(project: Path) -> None:
    started = bpl("workflows", "start", "purchase_check", "-d", "crm.deal:1")
    assert started.exit_code == 0, started.output
    workflow = started.stdout.strip()
    assert bpl("workflows", "start", "Purchase CHECK", "-d", "crm.deal:1",
               "--json").exit_code == 0  # the template's own name, any case
    (task, _) = json.loads(bpl("tasks", "list", "--json").stdout)
    assert (task["name"], task["user_id"]) == ("Purchase : 500 from Ann", 2)

    mine = bpl("tasks", "complete", str(task["id"]), "--approve")
    assert mine.exit_code == 1
    assert mine.stderr == (f"error: task {task['id']} waits for user 2 (Ann), not for the user "
                           f"of these credentials: answer as them with bpl tasks complete "
                           f"{task['id']} --approve --as 2\n")
    # Boris, no administrator, sees only his own tasks and may not hand on Ann's.
    assert bpl("tasks", "list", "--as", "Boris").stdout.startswith("No tasks waiting")
    refused = bpl("tasks", "delegate", str(task["id"]), "--from", "2", "--to", "3",
                  "--as", "Boris")
    assert refused.exit_code == 1 and "only the user responsible for a task or an " \
                                      "administrator may" in refused.stderr
    handed = bpl("tasks", "delegate", str(task["id"]), "--from", "2", "--to", "3", "--as", "Ann")
    assert handed.exit_code == 0, handed.output
    done = bpl("tasks", "complete", str(task["id"]), "--approve", "--as", "3")
    assert done.exit_code == 0, done.output

    listed = json.loads(bpl("workflows", "list", "--all", "--json").stdout)
    assert {(row["id"], row["status"]) for row in listed} >= {(workflow, "completed")}
    assert [row["document"] for row in listed] == ["crm.deal:1", "crm.deal:1"]
    running = json.loads(bpl("workflows", "list", "--json").stdout)
    assert workflow not in [row["id"] for row in running]
    shown = json.loads(bpl("sandbox", "run", "show", workflow, "--json").stdout)
    assert shown["document"]["fields"]["COMMENTS"] == "approved"
    assert shown["tasks"][0]["users"][0] == {"user_id": 3, "user_name": "Boris",
                                             "answer": "yes", "comment": ""}


@pytest.mark.parametrize(("args", "message"), [
    (["tasks", "list", "--as", "2", "--env", "prod"],
     "error: --as works on the sandbox portal only: on 'prod' bpl acts as the user whose "
     "credentials the environment has\n"),
    (["workflows", "list", "--all", "--env", "prod"],
     "error: --all works on the sandbox portal only: Bitrix lists running workflows alone "
     "(bizproc.workflow.instances), and 'prod' is a Bitrix24 portal\n"),
    (["workflows", "start", "no_such_flow", "-d", "crm.deal:1"],
     "error: there is no template or bpl workflow called 'no_such_flow' on the portal "
     "(bpl templates list --all shows them)\n"),
    (["tasks", "list", "--as", "9"],
     "error: there is no user 9 on the sandbox portal (bpl sandbox seed user NAME adds one)\n"),
])
def test_refusals(project: Path, args: list[str], message: str) -> None:
    result = bpl(*args)
    assert (result.exit_code, result.stderr) == (1, message)
