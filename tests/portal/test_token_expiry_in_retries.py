"""A refreshed token that runs out while its call is retried is refreshed again, and no message
asks to re-authorise while the refresh token works (the sandbox portal behind the client)."""

from __future__ import annotations

import random
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
)
from compiler.sandbox import Credentials, Faults, Limits, Sandbox, SandboxConfig
from compiler.sandbox.faults import FaultInjector

BASE = "https://sandbox.local"
LIST = "bizproc.workflow.template.list"
LIFETIME = 600


class SharedClock(ManualClock):
    def now(self) -> float:
        return self.time()


class BusyOnce:
    """In front of the portal: answers REST call number `at` with 503 QUERY_LIMIT_EXCEEDED,
    and lets `wait` seconds pass meanwhile: what a wait for the portal's limits costs (an
    operating-time block lasts up to ten minutes)."""

    def __init__(self, app: Any, clock: SharedClock, at: int, wait: float) -> None:
        self.app, self.clock, self.at, self.wait = app, clock, at, wait
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/rest/"):
            self.calls += 1
            if self.calls == self.at:
                self.clock.advance(self.wait)
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body":
                            b'{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many"}'})
                return
        await self.app(scope, receive, send)


@pytest.fixture
def sandbox() -> Any:
    clock = SharedClock()
    made = Sandbox(SandboxConfig(limits=Limits.off(), clock=clock, token_lifetime=LIFETIME))
    yield made, clock, made.ensure_default_app()
    made.close()


def client_for(creds: Credentials, clock: SharedClock, app: Any,
               store: TokenStore) -> PortalClient:
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url=f"{BASE}/oauth/token/", store=store)
    return PortalClient(PortalConfig(BASE, auth, limits="off", retries=5),
                        httpx.ASGITransport(app=app), clock=clock, rng=random.Random(3))


def test_a_token_that_expires_while_its_call_is_retried_is_refreshed_again(
        sandbox: Any, tmp_path: Path) -> None:
    portal, clock, creds = sandbox
    clock.advance(LIFETIME + 1)  # the seed's access token has expired
    # Call 1: expired → refresh; call 2: busy, and the wait outlasts the fresh token;
    # call 3: expired again → refresh again; call 4 answers.
    busy = BusyOnce(portal.asgi_app, clock, at=2, wait=LIFETIME + 1)
    client = client_for(creds, clock, busy, TokenStore(tmp_path / "tokens.json"))
    assert client.call(LIST) == []
    assert client.stats.refreshes == 2 and busy.calls == 4
    client.close()


def test_a_portal_refusing_fresh_tokens_is_not_blamed_on_the_refresh_token(
        sandbox: Any, tmp_path: Path) -> None:
    portal, clock, creds = sandbox
    store = TokenStore(tmp_path / "tokens.json")
    client = client_for(creds, clock, portal.asgi_app, store)
    # Every call finds its token expired, however fresh (the sandbox's forced expiry).
    portal.portal.faults = FaultInjector(Faults(expire_tokens_every=1))
    with pytest.raises(AuthError) as refused:
        client.call(LIST)
    message = str(refused.value)
    assert "again, after 2 token refreshes" in message and "re-authorise" not in message
    assert "the refresh token is valid" in message
    # The stored refresh token is indeed valid: the next run refreshes with it and goes on.
    portal.portal.faults = FaultInjector(Faults())
    again = client_for(creds, clock, portal.asgi_app, store)
    assert again.call(LIST) == [] and again.stats.refreshes == 1
    client.close()
    again.close()
