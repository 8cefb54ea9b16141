"""The real client against the sandbox portal (compiler.sandbox), in-process via ASGITransport.

Where the unit tests script each answer, here the portal keeps its own state, limits and
faults, so these check that both sides agree on the protocol.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from compiler.portal import (
    AuthError,
    ManualClock,
    OAuthAuth,
    PortalClient,
    PortalConfig,
    TokenStore,
    Unreachable,
    WebhookAuth,
)
from compiler.portal.client import Limits as ClientLimits

try:
    from compiler.sandbox import Faults, Limits, Sandbox, SandboxConfig
except ImportError as exc:  # the sandbox is developed alongside; run these once it exists
    pytest.skip(
        f"the sandbox portal is not importable yet ({exc}); these tests run once "
        "compiler.sandbox exposes Sandbox",
        allow_module_level=True,
    )

from compiler.bitrix.bpt import encode_template_data, pack_package

BASE = "https://sandbox.local"
DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
LIST = "bizproc.workflow.template.list"
ADD = "bizproc.workflow.template.add"


class SharedClock(ManualClock):
    """One fake time for both sides: the client sleeps on it, the sandbox reads `now()`."""

    def now(self) -> float:
        return self.time()


def template_data(title: str) -> list[str]:
    package = {
        "VERSION": 2,
        "TEMPLATE": [
            {
                "Type": "SequentialWorkflowActivity",
                "Name": "Template",
                "Activated": "Y",
                "Properties": {"Title": title},
                "Children": [],
            }
        ],
        "PARAMETERS": [],
        "VARIABLES": [],
        "CONSTANTS": [],
        "DOCUMENT_FIELDS": [],
    }
    return [f"{title}.bpt", encode_template_data(pack_package(package))]


class Rig:
    def __init__(
        self,
        tmp_path: Path,
        *,
        limits: Limits | None = None,
        faults: Faults | None = None,
        client_limits: ClientLimits = "off",
    ) -> None:
        self.clock = SharedClock()
        self.sandbox = Sandbox(
            SandboxConfig(
                limits=limits or Limits.off(), faults=faults or Faults.none(), clock=self.clock
            )
        )
        self.creds = self.sandbox.ensure_default_app()
        self.store = TokenStore(tmp_path / "tokens.json")
        self.client_limits = client_limits
        self.clients: list[PortalClient] = []

    def oauth(self, **overrides: Any) -> PortalClient:
        auth = OAuthAuth(
            overrides.get("client_id", self.creds.client_id),
            self.creds.client_secret,
            overrides.get("access_token", self.creds.access_token),
            overrides.get("refresh_token", self.creds.refresh_token),
            oauth_url=f"{BASE}/oauth/token/",
            store=self.store,
        )
        return self._client(auth)

    def webhook(self) -> PortalClient:
        return self._client(WebhookAuth(f"{BASE}{self.creds.webhook_path}"))

    def _client(self, auth: OAuthAuth | WebhookAuth) -> PortalClient:
        config = PortalConfig(base_url=BASE, auth=auth, limits=self.client_limits, retries=5)
        client = PortalClient(
            config,
            transport=httpx.ASGITransport(app=self.sandbox.asgi_app),
            clock=self.clock,
            rng=random.Random(5),
        )
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.sandbox.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    made = Rig(tmp_path)
    yield made
    made.close()


def add(client: PortalClient, name: str) -> Any:
    params = {
        "DOCUMENT_TYPE": DEAL,
        "NAME": name,
        "TEMPLATE_DATA": template_data(name),
        "AUTO_EXECUTE": "0",
    }

    def reconcile() -> Any:
        rows = client.list_all(LIST, {"SELECT": ["ID"], "FILTER": {"NAME": name}})
        return int(rows[0]["ID"]) if rows else None

    return client.create(ADD, params, reconcile=reconcile)


def test_deploy_cycle_over_oauth(rig: Rig) -> None:
    client = rig.oauth()
    ids = [add(client, f"t{n}") for n in range(60)]
    rows = client.list_all(LIST, {"SELECT": ["ID", "NAME", "SYSTEM_CODE"]})
    assert [int(r["ID"]) for r in rows] == ids
    assert {r["SYSTEM_CODE"] for r in rows} == {f"rest_app_{rig.creds.app_id}"}
    client.call("bizproc.workflow.template.update", {"ID": ids[0], "FIELDS": {"NAME": "renamed"}})
    client.call("bizproc.workflow.template.delete", {"ID": ids[1]})
    names = {r["NAME"] for r in client.list_all(LIST, {"SELECT": ["NAME"]})}
    assert "renamed" in names and "t1" not in names and len(names) == 59


def test_batch_over_the_sandbox(rig: Rig) -> None:
    client = rig.oauth()
    ids = [add(client, f"b{n}") for n in range(3)]
    commands = {
        f"k{n}": (LIST, {"FILTER": {"ID": ids[n % 3]}, "SELECT": ["ID"]}) for n in range(120)
    }
    commands["bad"] = ("bizproc.workflow.template.update", {"ID": 999_999, "FIELDS": {"NAME": "x"}})
    result = client.batch(commands)
    assert client.stats.calls_by_method["batch"] == 3
    assert result["k4"] == [{"ID": str(ids[1])}]
    assert result.result_error["bad"].code == "ERROR_TEMPLATE_NOT_FOUND"


def test_webhooks_cannot_deploy(rig: Rig) -> None:
    client = rig.webhook()
    assert client.call(LIST) == []  # reading works through a webhook
    with pytest.raises(AuthError) as info:
        add(client, "nope")
    assert "needs an application token; webhooks cannot deploy templates" in str(info.value)


def test_expired_tokens_are_refreshed_and_stored(tmp_path: Path) -> None:
    rig = Rig(tmp_path, faults=Faults(expire_tokens_every=4))
    try:
        client = rig.oauth()
        for n in range(12):
            add(client, f"e{n}")
        assert client.stats.refreshes >= 2
        stored = rig.store.load("sandbox.local")
        assert stored is not None
        assert client.config.auth.access_token == stored.access_token  # type: ignore[union-attr]
        # A second run picks the rotated pair from the store, not the spent seed.
        again = rig.oauth()
        assert len(again.list_all(LIST)) == 12
    finally:
        rig.close()


def test_a_spent_refresh_token_says_reauthorise(rig: Rig) -> None:
    rig.clock.advance(3601)  # the seed's access token expires
    rig.oauth().call(LIST)  # refreshes with the seed's refresh token, which is now spent
    rig.store.path.unlink()  # as if the store were lost between two CI runs
    rig.clock.advance(3601)
    with pytest.raises(AuthError, match="re-authorise the app"):
        rig.oauth().call(LIST)


def test_a_well_behaved_client_never_meets_the_rate_limit(tmp_path: Path) -> None:
    rig = Rig(tmp_path, limits=Limits.standard(), client_limits="standard")
    try:
        client = rig.oauth()
        for _ in range(150):
            client.call(LIST)
        assert client.stats.retries == 0
        assert client.stats.throttled_waits > 0
        assert rig.clock.slept >= (150 - 50) / 2.0
    finally:
        rig.close()


def test_the_operating_budget_is_waited_out_not_hit(tmp_path: Path) -> None:
    limits = Limits(burst=None, operating_limit=480.0, cost_per_call=50.0)
    rig = Rig(tmp_path, limits=limits)
    try:
        client = rig.oauth()
        for _ in range(15):
            client.call(LIST)
        assert client.stats.retries == 0  # never answered OPERATION_TIME_LIMIT
        assert client.stats.throttled_waits >= 1
    finally:
        rig.close()


def test_lost_create_answers_never_duplicate(tmp_path: Path) -> None:
    rig = Rig(tmp_path, faults=Faults(after_commit_rate=1.0, seed=3))
    try:
        client = rig.oauth()
        ids = [add(client, f"c{n}") for n in range(5)]
        assert client.stats.reconciled == 5
        rows = client.list_all(LIST, {"SELECT": ["ID", "NAME"]})
        assert sorted(r["NAME"] for r in rows) == [f"c{n}" for n in range(5)]
        assert sorted(int(r["ID"]) for r in rows) == sorted(ids)
    finally:
        rig.close()


def test_reads_survive_drops_and_server_errors(tmp_path: Path) -> None:
    rig = Rig(
        tmp_path, faults=Faults(drop_rate=0.1, error_rate=0.1, codes=(500, 502, 503), seed=11)
    )
    try:
        client = rig.oauth()
        for _ in range(40):
            assert client.call(LIST) == []
        assert client.stats.retries > 0
    finally:
        rig.close()


@pytest.mark.loopback
def test_over_real_http_with_dropped_connections(tmp_path: Path) -> None:
    sandbox = Sandbox(
        SandboxConfig(
            limits=Limits.off(), faults=Faults(drop_rate=0.2, after_commit_rate=0.5, seed=2)
        )
    )
    creds = sandbox.ensure_default_app()
    try:
        with sandbox.running() as base:
            auth = OAuthAuth(
                creds.client_id,
                creds.client_secret,
                creds.access_token,
                creds.refresh_token,
                oauth_url=f"{base}/oauth/token/",
            )
            config = PortalConfig(base_url=base, auth=auth, limits="off", retries=8, timeout=10)
            with PortalClient(config, clock=SharedClock(), rng=random.Random(1)) as client:
                ids = [add(client, f"r{n}") for n in range(6)]
                rows = client.list_all(LIST, {"SELECT": ["ID"]})
                assert sorted(int(r["ID"]) for r in rows) == sorted(ids)
                assert client.stats.retries + client.stats.reconciled > 0
    finally:
        sandbox.close()


@pytest.mark.loopback
def test_a_closed_port_reads_as_connection_refused() -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago, with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    config = PortalConfig(
        base_url=base, auth=WebhookAuth(f"{base}/rest/1/abcdef123456/"), retries=0
    )
    with PortalClient(config) as client, pytest.raises(Unreachable) as info:
        client.call(LIST)
    assert str(info.value) == (
        f"cannot reach {base}: connection refused; check the portal URL and your network"
    )
