"""`bpl apply` run by several processes at once, as two terminals or two checkouts do: they wait
for each other, and every workflow ends with exactly one template."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from compiler.bitrix.canonical import Normaliser
from compiler.catalog import load_catalog
from compiler.cli.targets import open_target
from compiler.deploy import PlanInputs, plan_deploy
from compiler.deploy.apply import apply_plan
from compiler.deploy.identity import read_marker
from compiler.deploy.lock import DeployLock
from compiler.deploy.target import Target
from compiler.pipeline import build
from compiler.project.config import load_project
from compiler.sandbox import Credentials, Sandbox, SandboxConfig
from compiler.semantics.environment import APP_CLIENT_ID, Environment

from .rig import PROJECT, VALUES, numbered, run_bpl, write_sources

SOURCES = {**PROJECT, **numbered(9)}

SANDBOX_TOML = """\
[project]
sources = ["src"]

[environments.sandbox]
portal = "sandbox"
limits = "off"
faults = "latency=20ms"    # long enough for two applies to overlap

[environments.sandbox.values]
head = "user_1"
vacation_list = 42
"""

SERVED_TOML = """\
[project]
sources = ["src"]
default_environment = "served"

[environments.served]
portal = "{base}"
client_id = "{client_id}"
client_secret_env = "BPL_TEST_SECRET"
access_token_env = "BPL_TEST_ACCESS"
refresh_token_env = "BPL_TEST_REFRESH"
oauth_url = "{base}/oauth/token/"
limits = "off"

[environments.served.values]
head = "user_1"
vacation_list = 42
"""


def bpl_process(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "compiler.cli.main", *args], cwd=root,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def templates_in(data: Path) -> Counter[str | None]:
    sandbox = Sandbox(SandboxConfig(data=data))
    try:
        with sandbox.portal.store.transaction() as conn:
            rows = conn.execute("SELECT description FROM templates").fetchall()
    finally:
        sandbox.close()
    return Counter(read_marker(str(r["description"]))[0] for r in rows)


@contextmanager
def target_of(root: Path) -> Iterator[Target]:
    project = load_project(root)
    name, config = project.environment(None)
    with open_target(project, name, config) as target:
        yield target


def test_two_applies_at_once_deploy_each_workflow_once(tmp_path: Path) -> None:
    write_sources(tmp_path, SANDBOX_TOML, SOURCES)
    run_bpl("sandbox", "seed", "--data", str(tmp_path / ".bpl" / "sandbox.sqlite3"))
    both = [bpl_process(tmp_path, "apply", "--auto-approve") for _ in range(2)]
    results = [finished(p) for p in both]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    counts = templates_in(tmp_path / ".bpl" / "sandbox.sqlite3")
    assert set(counts.values()) == {1} and len(counts) == len(SOURCES)
    # One of them waited for the other, then found nothing left to do.
    waited = [out for _, out, err in results if "Waiting for another bpl apply" in err]
    assert all("No changes." in out for out in waited)


def test_an_apply_waits_while_another_holds_the_lock(tmp_path: Path) -> None:
    write_sources(tmp_path, SANDBOX_TOML.replace('faults = "latency=20ms"', ""), PROJECT)
    with target_of(tmp_path) as target, DeployLock(target.lock_key, target.label):
        waiting = bpl_process(tmp_path, "apply", "--auto-approve")
        assert waiting.stderr is not None
        line = waiting.stderr.readline()
        assert line.startswith("Waiting for another bpl apply to the embedded sandbox portal, "
                               f".bpl/sandbox.sqlite3 (process {os.getpid()} on "), line
        # Meanwhile the holder deploys, as the first apply would.
        env = Environment("sandbox", {**VALUES, APP_CLIENT_ID: target.app_client_id or ""},
                          symbolic=False)
        result = build([tmp_path / "src"], env, emit=True, sandbox=True)
        plan, snapshot = plan_deploy(target.client, result.templates, result.sources,
                                     PlanInputs("sandbox", target.label))
        assert apply_plan(target.client, plan, result.templates, snapshot=snapshot,
                          normaliser=Normaliser(load_catalog())).ok
        assert waiting.poll() is None  # still waiting
    code, out, err = finished(waiting)
    assert code == 0, err
    assert "No changes." in out
    assert set(templates_in(tmp_path / ".bpl" / "sandbox.sqlite3").values()) == {1}


def test_an_apply_that_waited_too_long_says_so(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_sources(tmp_path, SANDBOX_TOML, PROJECT)
    with target_of(tmp_path) as target, DeployLock(target.lock_key, target.label):
        refused = run_bpl("apply", "--auto-approve", "--lock-timeout", "0")
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: another bpl apply to the embedded sandbox portal, .bpl/sandbox.sqlite3 "
        f"(process {os.getpid()} on ")
    assert refused.stderr.rstrip().endswith(
        "after 0 s; let it finish (or stop it), or wait longer with --lock-timeout (the lock "
        f"file is {DeployLock(target.lock_key, target.label).path}); nothing was applied")
    assert not templates_in(tmp_path / ".bpl" / "sandbox.sqlite3")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(data: Path) -> Iterator[tuple[str, Credentials]]:
    """`bpl sandbox serve` in its own process, and the credentials of its default app."""
    sandbox = Sandbox(SandboxConfig(data=data))
    try:
        creds = sandbox.ensure_default_app()
    finally:
        sandbox.close()
    port = free_port()
    server = bpl_process(data.parent, "sandbox", "serve", "--port", str(port), "--data",
                         str(data), "--limits", "off", "--faults", "latency=20ms",
                         "--log-level", "warning")
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # at most 10 s to start listening
            try:
                httpx.post(f"{base}/rest/profile.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, creds
    finally:
        server.terminate()
        server.communicate(timeout=10)


@pytest.mark.loopback
def test_two_checkouts_applying_to_one_served_sandbox(tmp_path: Path) -> None:
    data = tmp_path / "portal.sqlite3"
    with served(data) as (base, creds):
        checkouts = [tmp_path / "one", tmp_path / "two"]
        for root in checkouts:
            root.mkdir()
            write_sources(root, SERVED_TOML.format(base=base, client_id=creds.client_id),
                          SOURCES)
        secrets = {"BPL_TEST_SECRET": creds.client_secret,
                   "BPL_TEST_ACCESS": creds.access_token,
                   "BPL_TEST_REFRESH": creds.refresh_token}
        both = [bpl_process(root, "apply", "--auto-approve", env=secrets)
                for root in checkouts]
        results = [finished(p) for p in both]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    counts = templates_in(data)
    assert set(counts.values()) == {1} and len(counts) == len(SOURCES)
    for _, out, err in results:
        assert creds.access_token not in out + err and creds.client_secret not in out + err
