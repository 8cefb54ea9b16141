"""Public Bitrix24 SDKs, unpatched, against `bpl sandbox serve --tls` running as a process:
the app in sdk_client.py registers a robot, adds and lists a template, starts a workflow,
answers its task, answers the robot's call with bizproc.event.send, and sees the workflow
finish — trusting the sandbox's CA only through the export line serve printed."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from handler.support import compile_bpl, template_data

from compiler.cli.main import main
from compiler.handler import load_robots, registration
from compiler.sandbox import Sandbox, SandboxConfig

pytestmark = pytest.mark.loopback

HERE = Path(__file__).resolve().parent
DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
SOURCE = """
robot {code} "SDK check" {{
    handler "http://127.0.0.1:9/robot"
    input amount: string "Amount"
    output verdict: string "Verdict"
}}

workflow sdk_flow for crm.deal {{
    title "SDK flow"
    approve "Approve {{doc.TITLE}}" by user(1)
    {code}(amount: doc.OPPORTUNITY) as check
    doc.COMMENTS = "verdict {{check.verdict}}"
}}
"""
EXPORT = re.compile(r"export SSL_CERT_FILE=(\S+) REQUESTS_CA_BUNDLE=(\S+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bpl(*args: str) -> str:
    """A command that only reads and writes the state file: run in this process."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Served:
    data: Path
    trust: dict[str, str]  # the environment variables of the printed export line
    creds: dict[str, Any]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("sdk")
    data = folder / "portal.sqlite3"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli.main", "sandbox", "serve", "--tls", "--port",
         str(port), "--data", str(data), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stderr is not None
        printed = ""
        while (found := EXPORT.search(printed)) is None:
            line = server.stderr.readline()
            assert line, f"serve stopped before printing the export line: {printed}"
            printed += line
        assert f"sandbox portal on https://127.0.0.1:{port}" in printed
        trust = {"SSL_CERT_FILE": found.group(1), "REQUESTS_CA_BUNDLE": found.group(2)}
        deadline = time.monotonic() + 15
        while not listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        creds = json.loads(bpl("sandbox", "seed", "--data", str(data), "--json"))
        assert creds["served"] and creds["portal_url"] == f"https://127.0.0.1:{port}"
        bpl("sandbox", "seed", "--data", str(data), "document", "crm.deal:1",
            "--field", "TITLE=Purchase", "--field", "OPPORTUNITY=500")
        yield Served(data, trust, creds)
    finally:
        server.terminate()
        server.communicate(timeout=10)


def plan(served: Served, folder: Path, code: str) -> Path:
    source = folder / f"{code}.bpl"
    source.write_text(SOURCE.format(code=code), encoding="utf-8")
    client_id = served.creds["client_id"]
    port = free_port()
    creds = served.creds
    steps = {
        "domain": creds["domain"], "rest_url": creds["rest_url"],
        "client_id": client_id, "client_secret": creds["client_secret"],
        "access_token": creds["access_token"], "refresh_token": creds["refresh_token"],
        "robot": registration(load_robots(source)[code], f"http://127.0.0.1:{port}/robot"),
        "handler_port": port, "document_type": DEAL, "document_id": [*DEAL[:2], "DEAL_1"],
        "name": f"SDK flow {code}",
        "template_data": template_data(compile_bpl(source, client_id)),
    }
    path = folder / f"{code}.json"
    path.write_text(json.dumps(steps), encoding="utf-8")
    return path


@pytest.mark.parametrize("sdk", ["b24pysdk", "fast_bitrix24"])
def test_an_sdk_app_works_unpatched_over_https(served: Served, tmp_path: Path,
                                               sdk: str) -> None:
    pytest.importorskip(sdk)
    code = f"check_{sdk}"
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE",
                                                               "REQUESTS_CA_BUNDLE")}
    done = subprocess.run([sys.executable, str(HERE / "sdk_client.py"), sdk,
                           str(plan(served, tmp_path, code))],
                          capture_output=True, text=True, env={**env, **served.trust},
                          timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen.pop("workflow")
    assert seen == {
        "bizproc.robot.add": True,
        "bizproc.workflow.template.add": True,
        "bizproc.workflow.template.list": True,
        "bizproc.workflow.start": True,
        "bizproc.task.list": ["Approve Purchase"],
        "bizproc.task.complete": True,
        "bizproc.event.send": True,
        "finished": True,
    }
    sandbox = Sandbox(SandboxConfig(data=served.data))
    try:
        document = sandbox.document(["crm", "CCrmDocumentDeal", "DEAL_1"]) or {}
    finally:
        sandbox.close()
    assert document["COMMENTS"] == "verdict ok 500"  # the robot's answer reached the deal


def test_without_the_printed_ca_the_sdk_refuses_the_certificate(served: Served,
                                                                tmp_path: Path) -> None:
    pytest.importorskip("b24pysdk")
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE",
                                                               "REQUESTS_CA_BUNDLE")}
    done = subprocess.run([sys.executable, str(HERE / "sdk_client.py"), "b24pysdk",
                           str(plan(served, tmp_path, "check_untrusted"))],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode != 0 and "CERTIFICATE_VERIFY_FAILED" in done.stderr


def test_the_token_answer_has_the_oauth_servers_fields(tmp_path: Path) -> None:
    # b24pysdk sends its refresh to a fixed host (BitrixOAuthRequester._OAUTH_TOKEN_URL is
    # https://oauth.bitrix24.tech/oauth/token/); what it would read there is what the
    # sandbox answers at the same path, with the same query.
    auth = pytest.importorskip("b24pysdk.credentials.auth")
    sandbox = Sandbox(SandboxConfig(data=tmp_path / "portal.sqlite3"))
    try:
        creds = sandbox.ensure_default_app()
        with sandbox.running() as base:
            answer = httpx.get(f"{base}/oauth/token/", params={
                "grant_type": "refresh_token", "client_id": creds.client_id,
                "client_secret": creds.client_secret, "refresh_token": creds.refresh_token})
    finally:
        sandbox.close()
    body = answer.json()
    assert answer.status_code == 200 and list(body) == [
        "access_token", "expires", "expires_in", "scope", "domain", "server_endpoint",
        "status", "client_endpoint", "member_id", "user_id", "refresh_token"]
    renewed = auth.RenewedOAuth.from_dict(body)
    assert renewed.user_id == 1 and renewed.oauth_token.refresh_token != creds.refresh_token
    assert body["client_endpoint"] == f"{base}/rest/" == body["server_endpoint"]
