"""`bpl check` resolves env symbols in every environment of bpl.toml (or the one of --env):
a missing or misspelt symbol is one error per environment with "did you mean", and a value
of the wrong shape is reported where it is used."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler.cli.main import main

PROJECT = """\
[project]
sources = ["src"]
default_environment = "dev"

[environments.dev]
portal = "sandbox"
[environments.dev.values]
head = "user_12"
list_id = 42

[environments.prod]
portal = "https://example.bitrix24.com"
client_id = "local.abc.123"
[environments.prod.values]
head = "Bob"
list_id = "forty"
"""

SOURCE = """\
workflow w for crm.deal {
    const boss: user = env.haed
    var n: int = env.list_id
    notify env.head "hi"
    notify env.haed "again"
    log "{env.haed} {var.n} {const.boss}"
}
statemachine s for lists.element(env.list_id) {
    state a { enter { terminate } }
}
"""


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bpl.toml").write_text(PROJECT, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "w.bpl").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def check(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", "--format", "json", *args],
                              catch_exceptions=False)


def reported(result: Result) -> list[tuple[str, int, int, str]]:
    import json

    return sorted((d["code"], d["line"], d["column"], d["message"])
                  for d in json.loads(result.stdout or "[]"))


def test_plain_check_resolves_every_environment(project: Path) -> None:
    result = check()
    assert result.exit_code == 1
    assert reported(result) == [
        ("E201", 3, 18, "default env.list_id ('forty') is not a number (Bitrix reads it as 0)"),
        ("E600", 2, 24, "env.haed has no value in environment 'dev'"),
        ("E600", 2, 24, "env.haed has no value in environment 'prod'"),
        ("E601", 4, 12, "env.head is 'Bob' in environment 'prod', which is not a user"),
        ("E601", 8, 34, "env.list_id must be a number, not 'forty' (environment 'prod')"),
    ]


def test_a_misspelt_symbol_is_one_error_per_environment_with_its_other_uses(
        project: Path) -> None:
    import json

    result = check("--env", "dev")
    [missing] = [d for d in json.loads(result.stdout) if d["code"] == "E600"]
    assert missing["help"].startswith("did you mean 'head'?")
    assert missing["notes"] == ["also read at 5:12, 6:11"]


def test_one_environment_with_env(project: Path) -> None:
    result = check("--env", "dev")
    assert [r[:3] for r in reported(result)] == [("E600", 2, 24)]


def test_a_project_without_environments_checks_symbols_only_for_their_use(
        project: Path) -> None:
    (project / "bpl.toml").write_text('[project]\nsources = ["src"]\n', encoding="utf-8")
    assert check().exit_code == 0


def test_check_opens_no_sandbox(project: Path) -> None:
    check()
    # The state folder holds the result cache at most (docs/cache.md), no sandbox portal.
    assert {p.name for p in (project / ".bpl").iterdir()} <= {"cache"}


def test_compile_reports_a_missing_symbol_once(project: Path) -> None:
    result = CliRunner().invoke(main, ["compile", "--env", "dev", "-o", "out"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.count("error[E600]") == 1
    assert "also read at 5:12, 6:11" in result.stderr
