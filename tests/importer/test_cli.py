"""`bpl import` from files and from a portal; `bpl plan` right after an import changes
nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler.cli.main import main
from compiler.importer.names import file_stem
from tests.importer.support import ROOT, compile_samples

SAMPLES = {t.workflow: t for t in compile_samples()}


def bpl(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_bpt_files_become_bpl_files_and_a_report(tmp_path: Path) -> None:
    files = []
    for name in ("deal_approval", "lead_qualification"):
        path = tmp_path / f"{name}.bpt"
        path.write_bytes(SAMPLES[name].bpt())
        files.append(str(path))
    result = bpl("import", files[0], "--document", "crm.deal", "-o", str(tmp_path / "out"),
                 "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.stderr
    assert "1 of 1 template(s) imported and equivalent" in result.stderr
    text = (tmp_path / "out" / "deal_approval.bpl").read_text(encoding="utf-8")
    assert text.startswith("workflow deal_approval for crm.deal {")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report[0]["equivalent"] and report[0]["workflow"] == "deal_approval"
    assert report[0]["generic"] == 0 and report[0]["error"] is None
    # The same file again: not overwritten without --force.
    again = bpl("import", files[0], "--document", "crm.deal", "-o", str(tmp_path / "out"))
    assert again.exit_code == 1 and "exists; not overwritten" in again.stderr
    assert bpl("import", files[0], "--document", "crm.deal", "-o", str(tmp_path / "out"),
               "--force").exit_code == 0


def test_names_windows_reserves_get_safe_file_names(tmp_path: Path) -> None:
    # CON, NUL, COM1, LPT9 … are devices in every Windows folder, whatever the extension.
    files = []
    for stem in ("con", "NUL", "Com1", "lpt9", "aux", "CON"):
        folder = tmp_path / stem
        folder.mkdir()
        path = folder / f"{stem}.bpt"
        path.write_bytes(SAMPLES["deal_approval"].bpt())
        files.append(str(path))
    result = bpl("import", *files, "--document", "crm.deal", "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["aux_.bpl", "com1_.bpl", "con_.bpl", "con_2.bpl", "lpt9_.bpl", "nul_.bpl"]
    # The workflow keeps its name; only the file avoids the device.
    text = (tmp_path / "out" / "con_.bpl").read_text(encoding="utf-8")
    assert text.startswith("workflow con for crm.deal {")
    assert (tmp_path / "out" / "con_2.bpl").read_text(encoding="utf-8").startswith(
        "workflow con_2 for crm.deal {")


def test_file_stems_are_safe_everywhere() -> None:
    assert [file_stem(n) for n in ("con", "CON", "con.x", "aux ", "prn.", "com\u00b9", "com0",
                                   "console", "a:b", "")] == [
        "con_", "CON_", "con_.x", "aux_", "prn_", "com\u00b9_", "com0", "console", "a_b",
        "workflow"]


def test_a_bare_bpt_needs_its_document_type(tmp_path: Path) -> None:
    path = tmp_path / "x.bpt"
    path.write_bytes(SAMPLES["deal_approval"].bpt())
    result = bpl("import", str(path), "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "document type is unknown; give it with --document" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--template", "3"), "give --env too"),
    (("--env", "sandbox"), "--env needs --template ID"),
    ((), "nothing to import"),
    (("x.bpt", "--env", "sandbox", "--all"), "not both"),
    (("x.bpt", "--document", "crm.nothing"), "unknown document type"),
    (("x.bpt", "--document", "lists.element"), "needs its id"),
])
def test_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = bpl("import", *args)
    assert result.exit_code == 1 and message in result.stderr


def test_documents_given_by_option(tmp_path: Path) -> None:
    path = tmp_path / "vacation.bpt"
    path.write_bytes(SAMPLES["vacation_request"].bpt())
    result = bpl("import", str(path), "--document", "lists.element(42)", "-o", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "statemachine vacation for lists.element(42) {" in \
        (tmp_path / "vacation.bpl").read_text(encoding="utf-8")
    triple = bpl("import", str(path), "--document", "lists,BizprocDocument,iblock_42", "-o",
                 str(tmp_path / "again"))
    assert triple.exit_code == 0, triple.stderr


def test_portal_import_then_plan_shows_no_changes(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "samples", tmp_path / "samples")
    shutil.copy(ROOT / "bpl.toml", tmp_path / "bpl.toml")
    monkeypatch.chdir(tmp_path)
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output + applied.stderr
    imported = bpl("import", "--env", "sandbox", "--all", "-o", "imported",
                   "--report", "report.json")
    assert imported.exit_code == 0, imported.stderr
    report = json.loads(Path("report.json").read_text(encoding="utf-8"))
    assert sorted(r["workflow"] for r in report) == sorted(SAMPLES)
    # --env maps the sandbox's values back to the symbols the samples use, and the app
    # robot's node back to a call of the robot the samples declare.
    invoice = Path("imported/invoice_in_erp.bpl").read_text(encoding="utf-8")
    assert invoice.startswith('import "../samples/robot_app/robots.bpl"\n')
    assert "erp_invoice(" in invoice and "rest_" not in invoice
    texts = "".join(p.read_text(encoding="utf-8") for p in Path("imported").glob("*.bpl"))
    assert "env.sales_head" in texts and "user(12)" not in texts
    one = bpl("import", "--env", "sandbox", "--template", "1", "--template", "999", "-o",
              "single")
    assert "no template 999" in one.stderr and one.exit_code == 1
    # The imported files are the project now: the portal already has exactly them.
    config = Path("bpl.toml").read_text(encoding="utf-8")
    Path("bpl.toml").write_text(config.replace('sources = ["samples"]',
                                               'sources = ["imported"]'), encoding="utf-8")
    plan = bpl("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output + plan.stderr
    assert "No changes." in plan.output + plan.stderr
