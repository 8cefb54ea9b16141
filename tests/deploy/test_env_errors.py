"""Every command taking --env turns an environment it cannot use into one sentence: no
traceback, no secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .rig import run_bpl, write_sources

SECRET = "s3cr3tc0de9x"

TOML = """\
[project]
sources = ["src"]

[environments.hook]
portal = "https://example.bitrix24.com"
auth = "webhook"
webhook_env = "BPL_TEST_HOOK"

[environments.app]
portal = "https://example.bitrix24.com"
client_id = "local.test.1"
client_secret_env = "BPL_TEST_SECRET"
refresh_token_env = "BPL_TEST_REFRESH"
token_store = "tokens.json"

[environments.local]
portal = "sandbox"
"""

COMMANDS = [
    ("plan",), ("apply", "--auto-approve"), ("workflows", "list"), ("tasks", "list"),
    ("templates", "list"), ("import", "--all", "-o", "out"),
    ("import", "--template", "3", "-o", "out"),
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    write_sources(tmp_path, TOML, {"w.bpl": 'workflow w for crm.deal {\n    log "x"\n}\n'})
    monkeypatch.setenv("BPL_TEST_SECRET", SECRET + "secret")
    monkeypatch.setenv("BPL_TEST_REFRESH", SECRET + "refresh")
    yield tmp_path


def one_sentence(args: tuple[str, ...], env: str) -> str:
    result = run_bpl(*args, "--env", env)  # a traceback would raise here
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert SECRET not in result.output
    return lines[0]


@pytest.mark.parametrize("args", COMMANDS)
@pytest.mark.parametrize("url", [
    f"https://example.bitrix24.com/rest/{SECRET}",  # no user id
    f"ftp://example.bitrix24.com/rest/1/{SECRET}/",
    SECRET,
])
def test_a_malformed_webhook_url(project: Path, monkeypatch: pytest.MonkeyPatch,
                                 args: tuple[str, ...], url: str) -> None:
    monkeypatch.setenv("BPL_TEST_HOOK", url)
    line = one_sentence(args, "hook")
    assert "does not look like https://<portal>/rest/<user id>/<code>/" in line


@pytest.mark.parametrize("args", COMMANDS)
def test_a_corrupt_token_store(project: Path, args: tuple[str, ...]) -> None:
    store = project / "tokens.json"
    store.write_text('{"example.bitrix24.com": {"access_token": "' + SECRET)
    store.chmod(0o600)
    line = one_sentence(args, "app")
    assert f"the token store {store} is corrupt (invalid JSON" in line


@pytest.mark.parametrize("args", [*COMMANDS, ("compile", "-o", "out"), ("check",)])
def test_a_file_that_is_not_the_sandbox(project: Path, args: tuple[str, ...]) -> None:
    (project / ".bpl").mkdir()
    (project / ".bpl" / "sandbox.sqlite3").write_text("not a database")
    line = one_sentence(args, "local")
    assert "is not a sandbox database" in line


@pytest.mark.parametrize("args", [*COMMANDS, ("compile", "-o", "out")])
def test_a_file_where_the_state_folder_goes(project: Path, args: tuple[str, ...]) -> None:
    (project / ".bpl").write_text("in the way")
    line = one_sentence(args, "local")
    assert line == (f"error: cannot open the sandbox portal: {project / '.bpl'} is a file where "
                    "bpl keeps a folder (its state and the sandbox's)")
