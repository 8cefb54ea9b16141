"""`bpl sandbox seed / info / serve` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.sandbox import Sandbox, SandboxConfig, tls


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
    code, out = run("seed", "--data", data, "document", "crm.deal:7")
    assert code == 0 and out.startswith("document crm.deal:7")
    code, out = run("seed", "--data", data, "document", "lists.element:7")
    assert code == 1 and "lists.element(N):7" in out
    code, out = run("seed", "--data", data, "document", "lists.element(5):7")
    assert code == 0

    code, out = run("info", "--data", data)
    assert code == 0
    assert "Worker" in out and "crm.deal:7" in out and "lists.element(5):7" in out
    assert "rest_app_2" in out
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


def test_one_portal_per_project_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bpl.toml").write_text('[project]\nsources = ["src"]\n', encoding="utf-8")
    deep = tmp_path / "src" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    code, out = run("seed", "--json")
    assert code == 0 and (tmp_path / ".bpl" / "sandbox.sqlite3").exists()
    monkeypatch.chdir(tmp_path)
    assert json.loads(run("seed", "--json")[1]) == json.loads(out)  # the same portal
    assert not (deep / ".bpl").exists()


def test_seed_prints_the_urls_of_the_server_that_serves_the_portal(tmp_path: Path) -> None:
    data = tmp_path / "s.sqlite3"
    idle = json.loads(run("seed", "--data", str(data), "--json")[1])
    assert (idle["served"], idle["portal_url"]) == (False, "http://127.0.0.1:8124")
    assert idle["webhook_url"] == "http://127.0.0.1:8124" + idle["webhook_path"]
    code, out = run("seed", "--data", str(data))
    assert "no server runs for this portal now" in out
    files = tls.ensure(tmp_path / "tls", tls.server_names("127.0.0.1"))
    sb = Sandbox(SandboxConfig(data=data))
    try:
        with sb.running(tls=files) as url:
            creds = json.loads(run("seed", "--data", str(data), "--json")[1])
            code, out = run("info", "--data", str(data))
            assert code == 0
    finally:
        sb.close()
    assert creds["served"] is True and creds["portal_url"] == url
    assert creds["domain"] == url.removeprefix("https://")
    assert creds["webhook_url"] == url + creds["webhook_path"]
    assert creds["oauth_token_url"] == f"{url}/oauth/token/"
    assert creds["ca_file"] == str(files.ca)
    assert creds["trust"] == files.exports()
    assert f"portal {url}\n" in out and files.exports() in out
    assert creds["webhook_path"].split("/")[3] not in out  # info masks the webhook's secret
