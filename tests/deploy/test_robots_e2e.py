"""End to end: `bpl apply` registers the sample app's robot and deploys the workflow calling
it; the workflow is started over REST; the sandbox calls the sample handler on loopback; the
handler answers with bizproc.event.send; the workflow goes on with the returned values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from handler.support import EXAMPLE, load_example_handler, oauth_client, serving

from compiler.cli.main import main
from compiler.sandbox import Limits, Sandbox, SandboxConfig

pytestmark = pytest.mark.loopback

DEAL_7 = ["crm", "CCrmDocumentDeal", "DEAL_7"]
# The sample's robots.bpl names the port docs/robots.md starts the handler on; the test serves
# the handler on a free port instead and points the declaration there.
EXAMPLE_HANDLER = "http://127.0.0.1:8765/robot"
TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"
limits = "off"
"""


def sandbox(root: Path, *, run: bool = False) -> Sandbox:
    """The project's sandbox portal (the one `bpl apply` deploys to), optionally running
    started workflows and calling robot handlers."""
    return Sandbox(SandboxConfig(data=root / ".bpl" / "sandbox.sqlite3", limits=Limits.off(),
                                 run_workflows=run, handler_timeout=10.0))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bpl.toml").write_text(TOML, encoding="utf-8")
    (tmp_path / "src").mkdir()
    yield tmp_path


def test_apply_registers_the_robot_and_its_workflow_runs_through_the_handler(
        project: Path) -> None:
    portal = sandbox(project)
    creds = portal.ensure_default_app()
    app_token = portal.application_token(creds.client_id)
    portal.seed_document(DEAL_7, name="Deal 7", fields={"TITLE": "ACME", "OPPORTUNITY": 1500})
    portal.close()
    example = load_example_handler()
    source = (EXAMPLE / "robots.bpl").read_text(encoding="utf-8")
    assert EXAMPLE_HANDLER in source

    with serving(example.build_app(app_token)) as handler:
        (project / "src" / "robots.bpl").write_text(
            source.replace(EXAMPLE_HANDLER, f"{handler}/robot"), encoding="utf-8")
        applied = CliRunner().invoke(main, ["apply", "--auto-approve"],
                                     catch_exceptions=False)
        assert applied.exit_code == 0, applied.output
        assert '+ robot erp_invoice "Create invoice in ERP" will be registered' in applied.stdout
        done = [line for line in applied.stderr.splitlines() if line.startswith("✓")]
        assert done == ["✓ add robot erp_invoice: registered",
                        "✓ add invoice_in_erp (template 1): added"]

        running = sandbox(project, run=True)
        try:
            with running.running() as base:
                client = oauth_client(base, running.ensure_default_app())
                try:
                    workflow_id = str(client.call("bizproc.workflow.start", {
                        "TEMPLATE_ID": 1, "DOCUMENT_ID": DEAL_7}))
                    running.deliver()
                finally:
                    client.close()
            state = running.workflow(workflow_id)
            run = running.run(workflow_id)
            document = running.document(DEAL_7)
            (delivery,) = running.deliveries(workflow_id)
        finally:
            running.close()

    assert state is not None and state["status"] == "completed"
    assert (delivery["state"], delivery["outcome"]) == ("delivered", "HTTP 200")
    assert run is not None
    (results,) = [v for v in run.results.values() if "IsTimeout" in v]
    assert results == {"erp_id": "INV-DEAL_7-1500", "IsTimeout": 0}
    assert document is not None and document["COMMENTS"] == "ERP invoice INV-DEAL_7-1500"
    assert [message for _, message in state["log"]][-1] == "Invoiced in the ERP as INV-DEAL_7-1500"

    # And bpl sees the robot it registered as unchanged.
    again = CliRunner().invoke(main, ["plan", "--detailed-exitcode"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert "= 1 unchanged: robot erp_invoice" in again.stdout
