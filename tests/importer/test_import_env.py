"""`bpl import --env NAME`: a template compiled from a .bpl with env symbols, declared fields
and a robot call imports back to the same symbols, fields and call; without --env the values
stay literal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler.bitrix.bpt import unpack
from compiler.bitrix.canonical import Header, Normaliser
from compiler.catalog import load_catalog
from compiler.cli.main import main
from compiler.importer.verify import compare
from compiler.pipeline import build
from compiler.semantics.environment import Environment

CONFIG = """\
[project]
sources = ["src"]
default_environment = "prod"

[environments.prod]
portal = "https://example.bitrix24.com/rest/1/abc/"
client_id = "local.abc123"

[environments.prod.values]
sales_head = "user_12"
legal = "group_hrr7"
note_field = "UF_CRM_1700000001"
paid_stage = "C1:WON"
vacation_list = 42
twin_a = "same"
twin_b = "same"
"""

ROBOTS = """\
robot erp_invoice "Create invoice in ERP" {
    handler "https://erp.example.com/robot"
    input amount: double required "Amount"
    input client: string = "" "Client"
    output erp_id: string "ERP id"
}
"""

DEAL = """\
import "robots.bpl"

workflow deal for crm.deal {
    field note: text = env.note_field "Approval note"
    field amount: double = "PROPERTY_AMOUNT" "Amount"

    notify env.sales_head "Deal {doc.TITLE}"
    erp_invoice(amount: doc.OPPORTUNITY) as inv {
        timeout 1h
        status "Waiting for the ERP"
    }
    set doc.note = "ERP {inv.erp_id}"
    set doc.amount = 5
    log env.twin_a
    notify [env.sales_head, env.legal] "Done"
    stage env.paid_stage
}
"""

VALUES = {"sales_head": "user_12", "legal": "group_hrr7", "note_field": "UF_CRM_1700000001",
          "paid_stage": "C1:WON", "vacation_list": 42, "twin_a": "same", "twin_b": "same",
          "app_client_id": "local.abc123"}


def bpl(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bpl.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "robots.bpl").write_text(ROBOTS, encoding="utf-8")
    (tmp_path / "src" / "deal.bpl").write_text(DEAL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    compiled = bpl("compile", "-o", "out")
    assert compiled.exit_code == 0, compiled.output
    return tmp_path


def test_env_values_and_robot_calls_come_back_as_written(project: Path) -> None:
    result = bpl("import", "out/deal.bpt", "--document", "crm.deal", "--env", "prod",
                 "-o", "imported")
    assert result.exit_code == 0, result.stderr
    assert "0 in the generic form; equivalent" in result.stderr
    text = (project / "imported" / "deal.bpl").read_text(encoding="utf-8")
    assert text.startswith('import "../src/robots.bpl"\n')
    assert "rest_" not in text and "user(12)" not in text
    for line in ('field note: text = env.note_field "Approval note"',
                 'field amount: double = "PROPERTY_AMOUNT" "Amount"',
                 'notify env.sales_head "Deal {doc.TITLE}"',
                 "erp_invoice(amount: doc.OPPORTUNITY) as a1 {",
                 "timeout 1h", 'status "Waiting for the ERP"',
                 'notify [env.sales_head, env.legal] "Done"',
                 "stage env.paid_stage",
                 # Two symbols share the value: which one was meant is unknown.
                 'log "same"'):
        assert line in text, text
    # Independently of the import's own check: compiled in the environment, the written
    # file gives the template it came from.
    built = build([project / "imported" / "deal.bpl"], Environment("prod", VALUES, False))
    assert not [d for d in built.diagnostics if d.severity.name == "ERROR"]
    catalog = load_catalog()
    normaliser = Normaliser(catalog)
    original = normaliser.template(unpack((project / "out" / "deal.bpt").read_bytes()),
                                   Header("", "", ("crm", "CCrmDocumentDeal", "DEAL"), 0))
    assert compare(original, built.templates[0], normaliser, header=False).equal


def test_a_list_id_comes_back_as_its_symbol(project: Path) -> None:
    (project / "src" / "vac.bpl").write_text(
        'workflow vac for lists.element(env.vacation_list) {\n    log "hi"\n}\n', encoding="utf-8")
    assert bpl("compile", "-o", "out").exit_code == 0
    result = bpl("import", "out/vac.bpt", "--document", "lists.element(42)", "--env", "prod",
                 "-o", "imported")
    assert result.exit_code == 0, result.stderr
    text = (project / "imported" / "vac.bpl").read_text(encoding="utf-8")
    assert text.startswith("workflow vac for lists.element(env.vacation_list) {")
    plain = bpl("import", "out/vac.bpt", "--document", "lists.element(42)", "-o", "plain")
    assert plain.exit_code == 0, plain.stderr
    assert "lists.element(42)" in (project / "plain" / "vac.bpl").read_text(encoding="utf-8")


def test_without_env_values_stay_literal(project: Path) -> None:
    result = bpl("import", "out/deal.bpt", "--document", "crm.deal", "-o", "plain")
    assert result.exit_code == 0, result.stderr
    text = (project / "plain" / "deal.bpl").read_text(encoding="utf-8")
    assert "env." not in text and "import" not in text
    assert 'notify user(12) "Deal {doc.TITLE}"' in text
    assert 'stage "C1:WON"' in text
    assert "activity rest_" in text
    # The project still declares PROPERTY_AMOUNT: its name, type and label come back.
    assert 'field amount: double = "PROPERTY_AMOUNT" "Amount"' in text


def test_an_unknown_environment_is_a_sentence(project: Path) -> None:
    result = bpl("import", "out/deal.bpt", "--document", "crm.deal", "--env", "nope")
    assert result.exit_code != 0
    assert "nope" in result.output and "Traceback" not in result.output


def test_robots_the_sources_lost_come_back_from_the_deploy_state(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Deploy the samples to the sandbox, then import into a project without them: the robot's
    # declaration comes back from what `apply` recorded, and plan sees nothing to do.
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "samples", tmp_path / "samples")
    shutil.copy(root / "bpl.toml", tmp_path / "bpl.toml")
    monkeypatch.chdir(tmp_path)
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output + applied.stderr
    config = Path("bpl.toml").read_text(encoding="utf-8")
    Path("bpl.toml").write_text(config.replace('sources = ["samples"]',
                                               'sources = ["imported"]'), encoding="utf-8")
    Path("imported").mkdir()
    imported = bpl("import", "--env", "sandbox", "--all", "-o", "imported")
    assert imported.exit_code == 0, imported.stderr
    invoice = Path("imported/invoice_in_erp.bpl").read_text(encoding="utf-8")
    assert invoice.startswith('import "app_robots.bpl"\n') and "erp_invoice(" in invoice
    robots = Path("imported/app_robots.bpl").read_text(encoding="utf-8")
    assert 'robot erp_invoice "Create invoice in ERP" {' in robots
    assert "input amount: double required" in robots
    plan = bpl("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output + plan.stderr
    assert "1 unchanged: robot erp_invoice" in plan.output + plan.stderr
