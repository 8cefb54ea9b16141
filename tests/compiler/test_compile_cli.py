"""`bpl check`, `bpl compile` and `bpl explain` as a user runs them.

Commands run through click's CliRunner in a scratch folder (no bpl.toml above it), and once
through a real subprocess, so the entry point, exit codes and output streams are the real
ones.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from compile_support import FIXTURES, REPO

from compiler.bitrix.bpt import unpack_package
from compiler.cli.main import main

GOOD = FIXTURES / "compile" / "documents.bpl"  # four workflows, needs two env values
GOOD_DEFINES = ["-D", "invoices_type=147", "-D", "budget_field=UF_CRM_1700000000",
                "-D", "app_client_id=local.abc"]
BROKEN = FIXTURES / "errors" / "activity_missing_required_property.bpl"  # E300 + W301


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with copies of the inputs and no project file, as the current directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(GOOD, tmp_path / "good.bpl")
    shutil.copy(BROKEN, tmp_path / "broken.bpl")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_clean_file_exits_zero(workdir: Path) -> None:
    result = run("check", "good.bpl")
    assert result.exit_code == 0
    assert "1 file(s), 4 workflow(s): 0 error(s), 0 warning(s)" in result.stderr


def test_check_verbose_says_once_that_it_assumes_an_administrator_imports(
    workdir: Path
) -> None:
    quiet = run("check", "good.bpl")
    assert "administrator" not in quiet.stderr
    verbose = run("check", "-v", "good.bpl")
    assert verbose.exit_code == 0
    assert verbose.stderr.count("checked for a portal administrator importing") == 1


def test_check_broken_file_exits_one_with_located_messages(workdir: Path) -> None:
    result = run("check", "broken.bpl")
    assert result.exit_code == 1
    assert "broken.bpl:7:5: error[E300]" in result.stderr
    assert "broken.bpl:7:28: warning[W301]" in result.stderr
    assert "1 error(s), 1 warning(s)" in result.stderr
    assert result.stdout == ""


def test_check_warnings_alone_exit_zero(workdir: Path) -> None:
    shutil.copy(FIXTURES / "errors" / "activity_unknown_type.bpl", "warn.bpl")
    result = run("check", "warn.bpl")
    assert result.exit_code == 0
    assert "warning[W302]" in result.stderr


def test_check_folder_takes_every_bpl_file(workdir: Path) -> None:
    result = run("check", ".")
    assert result.exit_code == 1
    assert "2 file(s), 5 workflow(s)" in result.stderr


def test_check_format_json(workdir: Path) -> None:
    result = run("check", "--format", "json", "broken.bpl")
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert [(i["code"], i["line"], i["column"]) for i in items] == [("E300", 7, 5),
                                                                     ("W301", 7, 28)]


def test_check_format_github(workdir: Path) -> None:
    result = run("check", "--format", "github", "broken.bpl")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=broken.bpl,line=7,col=5,")
    assert lines[1].startswith("::warning file=broken.bpl,line=7,col=28,")


def test_check_format_sarif(workdir: Path) -> None:
    result = run("check", "--format", "sarif", "broken.bpl")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["E300", "W301"]


def test_check_format_json_of_a_clean_file(workdir: Path) -> None:
    result = run("check", "--format", "json", "good.bpl")
    assert result.exit_code == 0
    assert json.loads(result.stdout or "[]") == []


def test_compile_writes_one_bpt_per_workflow(workdir: Path) -> None:
    result = run("compile", "good.bpl", "-o", "out", *GOOD_DEFINES)
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (workdir / "out").iterdir())
    assert written == ["explicit_type.bpt", "fixed_list.bpt", "smart_invoice.bpt",
                       "unknown_explicit.bpt"]
    # The files hold the same packages the golden fixture shows.
    golden = json.loads(GOOD.with_suffix(".json").read_text(encoding="utf-8"))
    for name, expected in golden["templates"].items():
        package = unpack_package((workdir / "out" / f"{name}.bpt").read_bytes())
        assert package["TEMPLATE"] == expected["package"]["TEMPLATE"]
    assert "compiled 4 workflow(s)" in result.stderr


def test_compile_json_prints_the_templates(workdir: Path) -> None:
    result = run("compile", "good.bpl", "--json", *GOOD_DEFINES)
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert sorted(payload) == ["explicit_type", "fixed_list", "smart_invoice",
                               "unknown_explicit"]
    assert payload["smart_invoice"]["document_type"][2] == "DYNAMIC_147"
    assert payload["fixed_list"]["template"]["VERSION"] == 2
    assert not (workdir / "out").exists()


def test_compile_with_errors_writes_nothing(workdir: Path) -> None:
    result = run("compile", "broken.bpl", "-o", "out")
    assert result.exit_code == 1
    assert "nothing written" in result.stderr
    assert not (workdir / "out").exists()


def test_compile_needs_env_values(workdir: Path) -> None:
    result = run("compile", "good.bpl", "-o", "out")
    assert result.exit_code == 1
    assert "error[E600]" in result.stderr
    assert "env.invoices_type has no value" in result.stderr


def test_compile_takes_values_from_a_file(workdir: Path) -> None:
    Path("values.toml").write_text('invoices_type = 147\nbudget_field = "UF_CRM_1"\n'
                                   'app_client_id = "local.abc"\n', encoding="utf-8")
    result = run("compile", "good.bpl", "--values", "values.toml", "-o", "out")
    assert result.exit_code == 0, result.output
    assert len(list((workdir / "out").glob("*.bpt"))) == 4


def test_explain_a_code() -> None:
    result = run("explain", "E100")
    assert result.exit_code == 0
    assert result.stdout.startswith("E100 (unknown-reference): ")
    assert run("explain", "e100").stdout == result.stdout


def test_explain_every_code() -> None:
    from compiler.diagnostics import RULES

    for code, rule in RULES.items():
        result = run("explain", code)
        assert result.exit_code == 0 and rule.explanation in result.stdout


def test_explain_unknown_code() -> None:
    result = run("explain", "E999")
    assert result.exit_code == 1
    assert "no rule E999" in result.stderr
    assert "E100" in result.stderr  # the known codes are listed


def test_missing_path_is_a_clear_error(workdir: Path) -> None:
    result = run("check", "nowhere.bpl")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no such file or folder: nowhere.bpl"


BROKEN_INVOCATIONS = {
    "missing path": ["check", "nowhere.bpl"],
    "missing path on compile": ["compile", "nowhere.bpl"],
    "define without value": ["compile", "good.bpl", "-D", "novalue"],
    "define with a bad name": ["check", "good.bpl", "-D", "1x=2"],
    "values file missing": ["compile", "good.bpl", "--values", "none.toml"],
    "values file not toml": ["compile", "good.bpl", "--values", "broken.bpl"],
    "unknown environment": ["compile", "good.bpl", "--env", "mars"],
    "output is a file": ["compile", "good.bpl", "-o", "good.bpl", "-D", "invoices_type=1",
                         "-D", "budget_field=UF_CRM_1", "-D", "app_client_id=x"],
    "unknown format": ["check", "--format", "xml", "good.bpl"],
    "unknown command": ["chek", "good.bpl"],
    "binary garbage": ["check", "garbage.bpl"],
    "explain without code": ["explain"],
}


@pytest.mark.parametrize("args", BROKEN_INVOCATIONS.values(), ids=BROKEN_INVOCATIONS.keys())
def test_broken_invocations_never_show_a_traceback(workdir: Path, args: list[str]) -> None:
    Path("garbage.bpl").write_bytes(bytes(range(256)) * 4)
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (1, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip(), "the user is told what went wrong"


def test_bad_project_file_is_a_clear_error(workdir: Path) -> None:
    Path("bpl.toml").write_text("[project\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", "good.bpl"])
    assert result.exit_code == 1
    assert "not valid TOML" in result.stderr
    assert "Traceback" not in result.output


def test_real_process_exit_code_and_streams(workdir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compiler.cli.main", "check", "broken.bpl"],
        capture_output=True, text=True, cwd=workdir, timeout=120,
        env={"PATH": "", "PYTHONPATH": str(REPO), "NO_COLOR": "1"}, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "broken.bpl:7:5: error[E300]" in done.stderr
    assert "Traceback" not in done.stderr
    assert '7 |     activity LogActivity { Txt: "hello" }' in done.stderr
