"""`bpl sandbox serve` as a user runs it: a real process on a loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.loopback


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_bitrix_calls_until_stopped(tmp_path: Path) -> None:
    data = tmp_path / "portal.sqlite3"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "compiler.cli.main", "sandbox", "serve", "--port", str(port),
         "--data", str(data), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # at most 10 s for the process to start listening
            try:
                httpx.post(f"{base}/rest/profile.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        creds = json.loads(subprocess.run(
            [sys.executable, "-m", "compiler.cli.main", "sandbox", "seed", "--data", str(data),
             "--json"], capture_output=True, text=True, check=True).stdout)
        answer = httpx.post(f"{base}/rest/bizproc.workflow.template.list.json",
                            json={"auth": creds["access_token"]}, timeout=5)
        assert answer.status_code == 200 and answer.json()["result"] == []
        refused = httpx.post(f"{base}/rest/bizproc.workflow.template.list.json",
                             json={"auth": "wrong"}, timeout=5)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    assert f"sandbox portal on http://127.0.0.1:{port}" in stderr
    assert creds["access_token"] not in stderr  # the server log never shows a token
