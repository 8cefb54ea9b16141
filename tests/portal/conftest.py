"""Fixtures for the portal client tests: a fake portal and clients wired to it."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from compiler.portal import (
    ManualClock,
    OAuthAuth,
    PortalClient,
    PortalConfig,
    TokenStore,
    WebhookAuth,
)
from compiler.portal.client import Limits

from .fake_portal import OAUTH_URL, PORTAL, FakePortal

WEBHOOK_CODE = "whk7sEcReT9q2xZa"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def portal(clock: ManualClock) -> FakePortal:
    return FakePortal(clock=clock)


MakeClient = Callable[..., PortalClient]


@pytest.fixture
def make_oauth_client(portal: FakePortal, clock: ManualClock, tmp_path) -> Iterator[MakeClient]:
    made: list[PortalClient] = []

    def make(
        *,
        store: TokenStore | None = None,
        limits: Limits = "off",
        retries: int = 5,
        access: str | None = None,
        refresh: str | None = None,
        seed: int = 7,
    ) -> PortalClient:
        if access is None and refresh is None:
            access, refresh = portal.issue_pair()
        auth = OAuthAuth(
            "local.app.1", "app-secret-Hh3", access, refresh, oauth_url=OAUTH_URL, store=store
        )
        config = PortalConfig(base_url=PORTAL, auth=auth, limits=limits, retries=retries)
        client = PortalClient(
            config, transport=portal.transport(), clock=clock, rng=random.Random(seed)
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def oauth_client(make_oauth_client: MakeClient) -> PortalClient:
    return make_oauth_client()


@pytest.fixture
def webhook_client(portal: FakePortal, clock: ManualClock) -> Iterator[PortalClient]:
    portal.webhook = f"/rest/1/{WEBHOOK_CODE}/"
    config = PortalConfig(
        base_url=PORTAL, auth=WebhookAuth(f"{PORTAL}/rest/1/{WEBHOOK_CODE}/"), limits="off"
    )
    client = PortalClient(config, transport=portal.transport(), clock=clock, rng=random.Random(3))
    yield client
    client.close()
