"""`bpl sandbox seed / info / serve` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from compiler.cli.main import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["sandbox", *args])
    return result.exit_code, result.output


def test_seed_prints_the_default_credentials_once_created(tmp_path: Path) -> None:
    data = tmp_path / "s.sqlite3"
    code, out = run("seed", "--data", str(data), "--json")
    assert code == 0
    first = json.loads(out)
    assert first["client_id"].startswith("local.") and first["system_code"] == "rest_app_1"
    assert first["webhook_path"].startswith("/rest/1/") and len(first["client_secret"]) == 50
    code, out = run("seed", "--data", str(data), "--json")
    assert json.loads(out) == first  # idempotent
    code, out = run("seed", "--data", str(data))
    assert code == 0 and first["client_secret"] in out and first["access_token"] in out


def test_seed_objects_and_info_masks_secrets(tmp_path: Path) -> None:
    data = str(tmp_path / "s.sqlite3")
    creds = json.loads(run("seed", "--data", data, "--json")[1])
    assert run("seed", "--data", data, "user", "Boss", "--admin")[1].startswith("user 2: Boss")
    code, out = run("seed", "--data", data, "--json", "user", "Worker", "--head", "2")
    assert json.loads(out) == {"user_id": 3}
    code, out = run(
        "seed", "--data", data, "--json", "webhook", "--user", "3", "--scope", "bizproc"
    )
    hook = json.loads(out)["webhook_path"]
    assert hook.startswith("/rest/3/")
    code, out = run("seed", "--data", data, "--json", "app", "Second", "--scope", "bizproc")
    assert json.loads(out)["app_id"] == 2
    code, out = run("seed", "--data", data, "document", "crm", "CCrmDocumentDeal", "DEAL_7")
    assert code == 0 and "DEAL" in out
    code, out = run("seed", "--data", data, "document", "lists", "BizprocDocument", "7")
    assert code != 0 and "document type" in out
    code, out = run(
        "seed", "--data", data, "document", "lists", "BizprocDocument", "7", "--type", "iblock_5"
    )
    assert code == 0

    code, out = run("info", "--data", data)
    assert code == 0
    assert "Worker" in out and "DEAL_7" in out and "rest_app_2" in out
    for secret in (
        creds["client_secret"],
        creds["access_token"],
        creds["refresh_token"],
        hook.split("/")[3],
    ):
        assert secret not in out
    code, out = run("info", "--data", data, "--json", "--show-secrets")
    summary = json.loads(out)
    assert summary["apps"][0]["client_secret"] == creds["client_secret"]
    assert [u["id"] for u in summary["users"]] == [1, 2, 3]


def test_info_without_state(tmp_path: Path) -> None:
    code, out = run("info", "--data", str(tmp_path / "none.sqlite3"))
    assert code != 0 and "bpl sandbox seed" in out


def test_serve_refuses_remote_hosts_and_bad_specs(tmp_path: Path) -> None:
    data = str(tmp_path / "s.sqlite3")
    code, out = run("serve", "--data", data, "--host", "0.0.0.0")
    assert code == 2 and "--allow-remote" in out
    code, out = run("serve", "--data", data, "--faults", "error=3")
    assert code == 2 and "between 0 and 1" in out
    code, out = run("serve", "--data", data, "--limits", "huge")
    assert code == 2


def test_a_file_that_is_not_a_sandbox_database(tmp_path: Path) -> None:
    data = tmp_path / "notes.sqlite3"
    data.write_text("these are notes, not a database " * 20)
    for args in (["info"], ["seed"], ["seed", "user", "Ann"]):
        code, out = run(*args[:1], "--data", str(data), *args[1:])
        assert code == 1 and "is not a sandbox database" in out
