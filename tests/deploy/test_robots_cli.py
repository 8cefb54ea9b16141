"""`bpl plan` / `bpl apply` with robots and actions, as a user runs them against the embedded
sandbox, and the app client id every command compiles robot calls with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from compiler.sandbox import Sandbox, SandboxConfig
from compiler.semantics.checker import robot_activity_type

from .rig import run_bpl, write_sources
from .test_robots_plan import INVOICES, ROBOTS

TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"
{extra}
[environments.prod]
portal = "https://example.bitrix24.com"
client_id = "local.prod.1"
client_secret_env = "BPL_TEST_ROBOTS_SECRET"
"""


def write_project(root: Path, sources: dict[str, str], extra: str = "") -> None:
    write_sources(root, TOML.format(extra=extra), sources)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, {"robots.bpl": ROBOTS, "invoices.bpl": INVOICES})
    yield tmp_path


def bpl(*args: str) -> Result:
    return run_bpl(*args)


def sandbox_client_id(root: Path) -> str:
    sandbox = Sandbox(SandboxConfig(data=root / ".bpl" / "sandbox.sqlite3"))
    try:
        return sandbox.ensure_default_app().client_id
    finally:
        sandbox.close()


def test_plan_and_apply_register_robots_before_the_templates(project: Path) -> None:
    first = bpl("plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert '+ robot erp_invoice "Create invoice in ERP" will be registered' in first.stdout
    assert "robots and actions: 2 to register" in first.stdout
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    lines = [line for line in applied.stderr.splitlines() if line.startswith("✓")]
    assert lines == ["✓ add robot erp_invoice: registered", "✓ add action erp_ping: registered",
                     "✓ add invoices (template 1): added"]
    assert "Applied 3 change(s)." in applied.stderr
    state = json.loads((project / ".bpl" / "state" / "sandbox.json").read_text())
    (robots,) = state["robots"].values()  # the one application's
    assert set(robots) == {"robot:erp_invoice", "action:erp_ping"}
    again = bpl("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "= 2 unchanged: robot erp_invoice, action erp_ping" in again.stdout


def test_the_compiled_calls_use_the_sandbox_default_app(project: Path) -> None:
    compiled = bpl("compile", "--json")
    assert compiled.exit_code == 0, compiled.output
    tree = json.loads(compiled.stdout)["invoices"]["template"]["TEMPLATE"][0]
    expected = robot_activity_type(sandbox_client_id(project), "erp_invoice")
    assert tree["Children"][0]["Type"] == expected
    # And the same id as plan and apply use: after an apply, nothing differs.
    assert bpl("apply", "--auto-approve").exit_code == 0
    assert bpl("plan", "--detailed-exitcode").exit_code == 0


def test_a_real_environment_compiles_with_its_client_id(project: Path) -> None:
    compiled = bpl("compile", "--json", "--env", "prod")
    assert compiled.exit_code == 0, compiled.output
    tree = json.loads(compiled.stdout)["invoices"]["template"]["TEMPLATE"][0]
    assert tree["Children"][0]["Type"] == robot_activity_type("local.prod.1", "erp_invoice")


def test_a_loopback_handler_deploys_to_the_sandbox_without_a_warning(project: Path) -> None:
    local = ROBOTS.replace("https://erp.example.com/bitrix/robot",
                           "http://127.0.0.1:8090/robot")
    write_project(project, {"robots.bpl": local, "invoices.bpl": INVOICES})
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "warning" not in applied.stderr


def test_a_broken_declaration_stops_the_plan(project: Path) -> None:
    write_project(project, {"robots.bpl": ROBOTS.replace("input amount", "input _amount")
                            .replace("required", ""),
                            "invoices.bpl": INVOICES.replace("amount:", "_amount:")})
    planned = bpl("plan")
    assert planned.exit_code == 1
    assert "error[E304]" in planned.stderr and "'_amount' is not a valid input name" in \
        planned.stderr
    assert "nothing planned: fix the errors above first" in planned.stderr


STAGING = '\n[environments.staging]\nportal = "sandbox"\n'


def test_two_environments_on_one_portal_share_what_bpl_registered(project: Path) -> None:
    write_project(project, {"robots.bpl": ROBOTS, "invoices.bpl": INVOICES}, extra=STAGING)
    assert bpl("apply", "--auto-approve", "--env", "sandbox").exit_code == 0
    other = bpl("plan", "--env", "staging", "--detailed-exitcode")
    assert other.exit_code == 0, other.output
    assert "= 2 unchanged: robot erp_invoice, action erp_ping" in other.stdout
    assert "registered outside bpl" not in other.stdout
    assert sorted(p.name for p in (project / ".bpl").glob("state*")) == ["state"]


def test_state_files_of_earlier_versions_are_merged_per_portal(project: Path) -> None:
    """Earlier versions kept one file per environment: each environment of the portal brings
    its own, and the first apply leaves one file for the portal."""
    write_project(project, {"robots.bpl": ROBOTS, "invoices.bpl": INVOICES}, extra=STAGING)
    assert bpl("apply", "--auto-approve").exit_code == 0
    current = project / ".bpl" / "state" / "sandbox.json"
    saved = json.loads(current.read_text())
    (robots,) = saved["robots"].values()
    current.unlink()
    # As version 1 wrote them: the templates applied through one environment, the robots
    # through the other.
    (project / ".bpl" / "state-sandbox.json").write_text(json.dumps(
        {"version": 1, "templates": saved["templates"]}))
    (project / ".bpl" / "state-staging.json").write_text(json.dumps(
        {"version": 1, "templates": {}, "robots": robots}))
    planned = bpl("plan", "--env", "staging", "--detailed-exitcode", "-v")
    assert planned.exit_code == 0, planned.output
    assert "= invoices" in planned.stdout and "robot erp_invoice" in planned.stdout
    assert "registered outside bpl" not in planned.stdout
    write_project(project, {"robots.bpl": ROBOTS, "invoices.bpl": INVOICES.replace(
        "invoices", "invoices_v2", 1)}, extra=STAGING)
    assert bpl("apply", "--auto-approve", "--env", "staging").exit_code == 0
    assert not (project / ".bpl" / "state-sandbox.json").exists()
    assert not (project / ".bpl" / "state-staging.json").exists()
    merged = json.loads(current.read_text())
    assert merged["version"] == 2 and merged["robots"] == saved["robots"]
    assert set(merged["templates"]) == {"1", "2"}
