"""`bpl plan` / `bpl apply` / `bpl templates` from a fresh project, as a user runs them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from compiler.portal import OAuthAuth, PortalClient, PortalConfig
from compiler.sandbox import Sandbox, SandboxConfig

from .rig import DEAL, PROJECT, run_bpl, write_sources

TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"
{extra}
[environments.sandbox.values]
head = "user_1"
vacation_list = 42
"""


def write_project(root: Path, sources: dict[str, str] = PROJECT, extra: str = "") -> None:
    write_sources(root, TOML.format(extra=extra), sources)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    yield tmp_path


def bpl(*args: str, input: str | None = None) -> Result:
    return run_bpl(*args, input=input)


def test_a_fresh_project_deploys_to_the_embedded_sandbox(project: Path) -> None:
    first = bpl("plan")
    assert first.exit_code == 0, first.output
    assert "Plan: 3 to add, 0 to update, 0 to replace, 0 to delete, 0 unchanged." in first.stdout
    assert '+ deal_approval "Large deal approval" (DEAL) will be added' in first.stdout
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "✓ add deal_approval (template 1): added" in applied.stderr
    assert "Applied 3 change(s)." in applied.stderr
    assert (project / ".bpl" / "sandbox.sqlite3").is_file()
    assert set(json.loads((project / ".bpl" / "state" / "sandbox.json").read_text())["templates"]) \
        == {"1", "2", "3"}
    again = bpl("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    write_project(project, {**PROJECT, "deal.bpl": DEAL.replace("2d", "4d")})
    changed = bpl("plan", "--detailed-exitcode")
    assert changed.exit_code == 2
    assert "TimeoutDuration: 2 → 4" in changed.stdout
    assert "src/deal.bpl:12  approve \"Approve deal {doc.TITLE}\"" in changed.stdout


def test_a_saved_plan_is_applied_exactly_once(project: Path) -> None:
    saved = bpl("plan", "--out", "plan.json", "--format", "json")
    assert saved.exit_code == 0
    assert json.loads(saved.stdout)["templates"][0]["action"] == "add"
    assert json.loads((project / "plan.json").read_text())["fingerprint"]
    applied = bpl("apply", "plan.json")
    assert applied.exit_code == 0, applied.output
    stale = bpl("apply", "plan.json")
    assert stale.exit_code == 1
    assert "the portal changed since the plan was made" in stale.stderr
    assert "nothing was applied" in stale.stderr
    assert bpl("apply", "plan.json", "--prune").exit_code == 1
    assert "was made for environment 'sandbox'" in bpl("apply", "plan.json", "--env",
                                                       "prod").stderr


def test_markdown_for_a_pull_request(project: Path) -> None:
    result = bpl("plan", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("### bpl plan: `sandbox`")
    assert "| + | `deal_approval` | new | DEAL | add |" in result.stdout


def test_apply_asks_first(project: Path) -> None:
    declined = bpl("apply", input="n\n")
    assert declined.exit_code == 1 and "not applied" in declined.stderr
    assert "No changes." in bpl("plan").stdout.replace("Plan: 3 to add", "No changes.")
    accepted = bpl("apply", input="y\n")
    assert accepted.exit_code == 0 and "Applied 3 change(s)." in accepted.stderr
    assert "No changes." in bpl("apply").stdout  # nothing left: no question asked


def test_compile_errors_stop_before_the_portal(project: Path) -> None:
    write_project(project, {"deal.bpl": DEAL.replace("doc.OPPORTUNITY", "doc.OPORTUNITY")})
    result = bpl("plan")
    assert result.exit_code == 1
    assert "error[E100]" in result.stderr and "nothing planned" in result.stderr
    assert not (project / ".bpl" / "state" / "sandbox.json").exists()


def test_a_protected_environment_needs_its_name(project: Path) -> None:
    write_project(project, extra="protect = true\n")
    refused = bpl("apply", "--auto-approve")
    assert refused.exit_code == 1 and "is protected" in refused.stderr
    assert bpl("apply", "--auto-approve", "--env", "sandbox").exit_code == 0


def _start_workflow(project: Path, template_id: int) -> str:
    sandbox = Sandbox(SandboxConfig(data=project / ".bpl" / "sandbox.sqlite3"))
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(["crm", "CCrmDocumentLead", "LEAD_9"])
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url="http://sb/oauth/token/")
    with PortalClient(PortalConfig("http://sb", auth),
                      httpx.ASGITransport(app=sandbox.asgi_app)) as client:
        run = client.call("bizproc.workflow.start", {
            "TEMPLATE_ID": template_id, "DOCUMENT_ID": ["crm", "CCrmDocumentLead", "LEAD_9"]})
    sandbox.close()
    return str(run)


def test_a_partial_apply_says_what_was_and_was_not_applied(project: Path) -> None:
    assert bpl("apply", "--auto-approve").exit_code == 0
    _start_workflow(project, 2)  # lead_check is template 2
    write_project(project, {"deal.bpl": DEAL.replace("2d", "6d")})
    result = bpl("apply", "--auto-approve", "--prune")
    assert result.exit_code == 1
    assert "Applied 2 of 3 change(s)." in result.stderr
    assert "Applied:\n  ✓ update deal_approval (template 1): updated" in result.stderr
    assert "Not applied:\n  ✗ delete lead_check (template 2): refused: 1 running" \
        in result.stderr
    listed = bpl("templates", "list", "--json")
    assert [(t["id"], t["managed_as"]) for t in json.loads(listed.stdout)] == [
        (1, "deal_approval"), (2, "lead_check")]


def _copy_templates(project: Path, *template_ids: int) -> list[int]:
    """Copies of templates, marker and all: what two applies racing used to leave."""
    sandbox = Sandbox(SandboxConfig(data=project / ".bpl" / "sandbox.sqlite3"))
    try:
        with sandbox.portal.store.transaction(write=True) as conn:
            columns = [c["name"] for c in conn.execute("PRAGMA table_info(templates)")
                       if c["name"] != "id"]
            listed = ", ".join(columns)
            return [int(conn.execute(f"INSERT INTO templates({listed}) SELECT {listed} FROM "
                                     "templates WHERE id = ?", (tid,)).lastrowid or 0)
                    for tid in template_ids]
    finally:
        sandbox.close()


def test_duplicates_are_planned_for_deletion_and_reported(project: Path) -> None:
    assert bpl("apply", "--auto-approve").exit_code == 0
    assert _copy_templates(project, 1, 2) == [4, 5]
    run = _start_workflow(project, 5)  # on the copy of lead_check
    planned = bpl("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert ('- deal_approval "Large deal approval" (DEAL) template 4 will be deleted, a '
            "duplicate of template 1") in planned.stdout
    assert "! blocked" not in planned.stdout and "1 running workflow(s) use template 5" \
        in planned.stdout
    assert "Plan: 0 to add, 0 to update, 0 to replace, 2 to delete (2 duplicates), 3 " \
           "unchanged." in planned.stdout
    assert "| - | `lead_check` | 5 | LEAD | delete (duplicate of 2) | duplicate, running |" in \
        bpl("plan", "--format", "markdown").stdout
    data = json.loads(bpl("plan", "--format", "json").stdout)
    assert [(t["template_id"], t["duplicate_of"]) for t in data["templates"]
            if t["action"] == "delete"] == [(4, 1), (5, 2)]
    blocked = bpl("apply", "--auto-approve")
    assert blocked.exit_code == 1
    assert "✓ delete deal_approval (template 4): deleted" in blocked.stderr
    assert "✗ delete lead_check (template 5): refused: 1 running workflow(s)" in blocked.stderr
    assert "the portal holds more than one template for:\n  lead_check: templates 2, 5\n" \
        in blocked.stderr
    assert bpl("workflows", "terminate", run).exit_code == 0
    finished = bpl("apply", "--auto-approve")
    assert finished.exit_code == 0 and "Applied 1 change(s)." in finished.stderr
    assert bpl("plan", "--detailed-exitcode").exit_code == 0


def test_templates_list_and_delete(project: Path) -> None:
    bpl("apply", "--auto-approve")
    listed = bpl("templates", "list")
    assert listed.exit_code == 0 and "bpl: deal_approval" in listed.stdout
    assert bpl("templates", "delete", "9", "--yes").exit_code == 1
    deleted = bpl("templates", "delete", "3", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "3" not in json.loads((project / ".bpl" / "state" / "sandbox.json").read_text())[
        "templates"]
    assert "+ vacation" in bpl("plan").stdout


def _secrets(project: Path) -> list[str]:
    """Every credential the sandbox ever issued or holds."""
    sandbox = Sandbox(SandboxConfig(data=project / ".bpl" / "sandbox.sqlite3"))
    try:
        with sandbox.portal.store.transaction() as conn:
            found = [str(v) for row in conn.execute(
                "SELECT access_token, refresh_token FROM tokens") for v in row]
            found += [str(r[0]) for r in conn.execute("SELECT client_secret FROM apps")]
            found += [str(r[0]) for r in conn.execute("SELECT secret FROM webhooks")]
    finally:
        sandbox.close()
    return [s for s in found if len(s) >= 8]


def test_no_secret_reaches_any_output(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Token expiry, errors and dropped connections make the portal layer retry, refresh and
    # log, verbosely: the output with the most chances to leak.
    write_project(project, extra='faults = "expire=3,error=0.15,drop=0.1,after_commit=0.2,'
                                 'seed=4"\n')
    caplog.set_level(logging.DEBUG)
    outputs = []
    for args in (["plan", "-v", "--out", "plan.json"], ["apply", "plan.json", "-v"],
                 ["apply", "--auto-approve", "-v"], ["plan", "-v", "--format", "json"],
                 ["templates", "list"]):
        result = bpl(*args)
        outputs += [result.stdout, result.stderr]
    outputs.append(caplog.text)
    outputs += [p.read_text() for p in project.rglob("*.json")]
    secrets = _secrets(project)
    assert len(secrets) > 4  # the refreshes did happen
    text = "\n".join(outputs)
    assert "refreshed the access token" in text  # the verbose log was captured
    leaked = [s for s in secrets if s in text]
    assert leaked == []


PORTAL_ENV = """\
[project]
sources = ["src"]

[environments.stage]
portal = "{base}"
client_id = "{client_id}"
client_secret_env = "BPL_TEST_SECRET"
access_token_env = "BPL_TEST_ACCESS"
refresh_token_env = "BPL_TEST_REFRESH"
oauth_url = "{base}/oauth/token/"

[environments.stage.values]
head = "user_1"
vacation_list = 42
"""


@pytest.mark.loopback
def test_a_real_portal_with_secrets_in_the_environment(project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from compiler.sandbox import Faults

    sandbox = Sandbox(SandboxConfig(data=project / "portal.sqlite3",
                                    faults=Faults(expire_tokens_every=5)))
    creds = sandbox.ensure_default_app()
    monkeypatch.setenv("BPL_TEST_SECRET", creds.client_secret)
    monkeypatch.setenv("BPL_TEST_ACCESS", creds.access_token)
    monkeypatch.setenv("BPL_TEST_REFRESH", creds.refresh_token)
    try:
        with sandbox.running() as base:
            (project / "bpl.toml").write_text(
                PORTAL_ENV.format(base=base, client_id=creds.client_id), encoding="utf-8")
            runs = [bpl("plan", "--env", "stage", "-v"),
                    bpl("apply", "--env", "stage", "--auto-approve", "-v"),
                    bpl("plan", "--env", "stage", "--detailed-exitcode")]
    finally:
        sandbox.close()
    assert [r.exit_code for r in runs] == [0, 0, 0], runs[1].output
    assert "Applied 3 change(s)." in runs[1].stderr
    assert "refreshed the access token" in runs[1].stderr
    stored = json.loads((project / ".bpl" / "tokens.json").read_text())
    assert list(stored) == [base.removeprefix("http://")]  # the rotated pair was kept
    text = "\n".join(r.output for r in runs)
    secrets = [creds.client_secret, creds.access_token, creds.refresh_token,
               *(v for pair in stored.values() for k, v in pair.items() if k != "expires_at")]
    assert [s for s in secrets if s in text] == []


def test_missing_secrets_are_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BPL_TEST_SECRET", raising=False)
    (project / "bpl.toml").write_text(PORTAL_ENV.format(base="https://example.bitrix24.com",
                                                        client_id="local.1"), encoding="utf-8")
    result = bpl("plan", "--env", "stage")
    assert result.exit_code == 1
    assert "environment variable BPL_TEST_SECRET, which is not set" in result.stderr


def test_without_bpl_toml_the_sandbox_is_the_default(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lead.bpl").write_text(PROJECT["lead.bpl"], encoding="utf-8")
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert (tmp_path / ".bpl" / "sandbox.sqlite3").is_file()
    assert bpl("plan", "--detailed-exitcode").exit_code == 0
