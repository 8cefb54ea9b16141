"""End to end against a real server on 127.0.0.1 (uvicorn in a background thread)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from compiler.sandbox import (
    Credentials,
    Faults,
    Limits,
    ManualClock,
    RemoteHostRefused,
    Sandbox,
    SandboxConfig,
)
from compiler.sandbox.loadcheck import run as loadcheck

from .helpers import DEAL, template_data

pytestmark = pytest.mark.loopback

LIST = "bizproc.workflow.template.list"


class Live:
    def __init__(self, tmp_path: Path, **config: Any) -> None:
        self.clock = ManualClock()
        config.setdefault("limits", Limits.off())
        self.sandbox = Sandbox(
            SandboxConfig(data=tmp_path / "live.sqlite3", clock=self.clock, **config)
        )
        self.creds: Credentials = self.sandbox.ensure_default_app()
        self._running = self.sandbox.running()
        self.base = self._running.__enter__()
        self.http = httpx.Client(base_url=self.base, timeout=10)

    def call(self, method: str, token: str | None = None, **params: Any) -> httpx.Response:
        return self.http.post(
            f"/rest/{method}.json", json={"auth": token or self.creds.access_token, **params}
        )

    def close(self) -> None:
        self.http.close()
        self._running.__exit__(None, None, None)
        self.sandbox.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    made = Live(tmp_path)
    yield made
    made.close()


def test_serves_on_a_free_loopback_port(live: Live) -> None:
    assert live.base.startswith("http://127.0.0.1:")
    assert live.http.get("/").json()["rest"] == "/rest/"
    assert live.call("profile").json()["result"]["ID"] == "1"


def test_token_refresh_rotation(live: Live) -> None:
    creds = live.creds
    live.clock.advance(3600)
    expired = live.call("profile")
    assert expired.status_code == 401 and expired.json()["error"] == "expired_token"
    params = {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": creds.refresh_token,
    }
    fresh = live.http.get("/oauth/token/", params=params).json()
    assert fresh["client_endpoint"] == f"{live.base}/rest/"
    assert live.call("profile", fresh["access_token"]).status_code == 200
    spent = live.http.post("/oauth/token/", data=params)
    assert spent.status_code == 400 and spent.json()["error"] == "invalid_grant"
    again = live.http.post(
        "/oauth/token/", data={**params, "refresh_token": fresh["refresh_token"]}
    )
    assert again.status_code == 200


def test_template_add_list_update_delete(live: Live) -> None:
    name, data = template_data()
    form = {
        "auth": live.creds.access_token,
        "DOCUMENT_TYPE[]": ["crm", "CCrmDocumentDeal", "DEAL"],
        "NAME": "Loopback",
        "AUTO_EXECUTE": "1",
        "TEMPLATE_DATA[0]": name,
        "TEMPLATE_DATA[1]": data,
    }
    tid = live.http.post("/rest/bizproc.workflow.template.add", data=form).json()["result"]
    rows = live.call(LIST, SELECT=["ID", "NAME", "AUTO_EXECUTE", "SYSTEM_CODE"]).json()["result"]
    assert rows == [
        {
            "ID": str(tid),
            "NAME": "Loopback",
            "AUTO_EXECUTE": "1",
            "SYSTEM_CODE": f"rest_app_{live.creds.app_id}",
        }
    ]
    updated = live.call(
        "bizproc.workflow.template.update",
        ID=tid,
        FIELDS={"NAME": "Renamed", "TEMPLATE_DATA": template_data([])},
    )
    assert updated.json()["result"] == tid
    hook = live.http.post(f"{live.creds.webhook_path}{LIST}.json", json={"select": ["NAME"]})
    assert hook.json()["result"] == [{"NAME": "Renamed"}]
    assert live.call("bizproc.workflow.template.delete", ID=tid).json()["result"] is None
    assert live.call(LIST).json()["result"] == []


def test_batch(live: Live) -> None:
    cmd = {"p": "profile", "l": f"{LIST}?select[]=ID", "x": "batch?cmd[0]=profile"}
    body = live.call("batch", cmd=cmd, halt=0).json()["result"]
    assert body["result"]["p"]["ID"] == "1" and body["result"]["l"] == []
    assert body["result_total"] == {"l": 0}
    assert body["result_error"]["x"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"


def test_the_limiter_on_a_real_socket(tmp_path: Path) -> None:
    live = Live(tmp_path, limits=Limits.standard())
    try:
        assert [live.call("scope").status_code for _ in range(50)] == [200] * 50
        refused = live.call("scope")
        assert refused.status_code == 503 and refused.json()["error"] == "QUERY_LIMIT_EXCEEDED"
        live.clock.advance(0.5)
        assert live.call("scope").status_code == 200
        assert live.call("scope").status_code == 503
        live.clock.advance(25)
        assert [live.call("scope").status_code for _ in range(50)] == [200] * 50
    finally:
        live.close()


def test_dropped_connections_and_lost_answers(tmp_path: Path) -> None:
    live = Live(tmp_path, faults=Faults(drop_rate=0.3, seed=7))
    try:
        outcomes = []
        for _ in range(30):
            try:
                outcomes.append(live.call("scope").status_code)
            except httpx.TransportError:
                outcomes.append("dropped")
        assert "dropped" in outcomes and 200 in outcomes
    finally:
        live.close()
    live = Live(tmp_path / "b", faults=Faults(after_commit_rate=1.0))
    try:
        with pytest.raises(httpx.TransportError):
            live.call(
                "bizproc.workflow.template.add",
                DOCUMENT_TYPE=DEAL,
                NAME="lost",
                TEMPLATE_DATA=template_data(),
            )
        rows = live.call(LIST, SELECT=["NAME"]).json()["result"]
        assert rows == [{"NAME": "lost"}]  # committed although the answer never came
    finally:
        live.close()


def test_concurrent_writers(live: Live) -> None:
    errors: list[Any] = []

    def writer(worker: int) -> None:
        with httpx.Client(base_url=live.base, timeout=30) as http:
            for n in range(15):
                response = http.post(
                    "/rest/bizproc.robot.add.json",
                    json={
                        "auth": live.creds.access_token,
                        "CODE": f"w{worker}_{n}",
                        "HANDLER": "https://app.example.com/h",
                        "NAME": "R",
                    },
                )
                if response.status_code != 200:
                    errors.append(response.text)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(live.call("bizproc.robot.list").json()["result"]) == 120


def test_malformed_http_does_not_stop_the_server(live: Live) -> None:
    host, port = live.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"POST /rest/profile.json HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
        raw.shutdown(socket.SHUT_WR)  # the body never completes
        raw.recv(100)
    assert live.call("profile").status_code == 200


def test_state_survives_a_restart(tmp_path: Path) -> None:
    live = Live(tmp_path)
    try:
        tid = live.call(
            "bizproc.workflow.template.add",
            DOCUMENT_TYPE=DEAL,
            NAME="kept",
            TEMPLATE_DATA=template_data(),
        ).json()["result"]
        token = live.creds.access_token
    finally:
        live.close()
    again = Live(tmp_path)
    try:
        assert again.creds.access_token == token
        assert again.call(LIST, SELECT=["ID", "NAME"]).json()["result"] == [
            {"ID": str(tid), "NAME": "kept"}
        ]
    finally:
        again.close()


def test_remote_hosts_are_refused_unless_allowed(tmp_path: Path) -> None:
    sandbox = Sandbox(SandboxConfig(data=None))
    try:
        with pytest.raises(RemoteHostRefused), sandbox.running("0.0.0.0"):
            pass
        with pytest.raises(RemoteHostRefused):
            sandbox.serve("192.0.2.1")
    finally:
        sandbox.close()


def test_bounded_load_check() -> None:
    result = loadcheck(requests=300, concurrency=4)
    assert result.ok == 300 and result.failures == 0
    assert result.per_second > 0
    assert "req/s" in result.describe()
