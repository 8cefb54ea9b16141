"""OAuth refresh on expired_token: rotation, persistence before use, and refresh guards."""

from __future__ import annotations

import json
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from compiler.portal import AuthError, PortalClient, Tokens, TokenStore

from .conftest import MakeClient
from .fake_portal import FakePortal, Seen

KEY = "portal.example.com"


def expired_pair(portal: FakePortal) -> tuple[str, str]:
    access, refresh = portal.issue_pair()
    portal.access_tokens.discard(access)
    portal.expired_tokens.add(access)
    return access, refresh


def test_expired_token_is_refreshed_once_and_persisted_before_the_retry(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    store_path = tmp_path / "state" / "tokens.json"
    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(store=TokenStore(store_path), access=old_access, refresh=old_refresh)
    on_disk_during_retry: list[dict[str, object]] = []

    def inspect_store(seen: Seen) -> None:
        if seen.body["auth"] != old_access:
            # The retried request is being handled: the new pair must already be on disk.
            on_disk_during_retry.append(json.loads(store_path.read_text())[KEY])
            assert stat.S_IMODE(store_path.stat().st_mode) == 0o600

    portal.on_call = inspect_store
    assert client.call("profile") is True

    [stored] = on_disk_during_retry
    retried_with = portal.seen[-1].body["auth"]
    assert stored["access_token"] == retried_with
    assert stored["refresh_token"] not in (old_refresh, None)
    assert stored["refresh_token"] in portal.refresh_tokens  # the live one
    assert old_refresh not in portal.refresh_tokens  # spent
    assert isinstance(stored["expires_at"], float)
    assert [c["grant_type"] for c in portal.oauth_calls] == ["refresh_token"]
    assert portal.oauth_calls[0]["refresh_token"] == old_refresh
    assert client.stats.refreshes == 1
    assert sorted(p.name for p in store_path.parent.iterdir()) == [
        "tokens.json",
        "tokens.json.lock",
    ]  # no temp file left behind


def test_the_next_run_starts_from_the_stored_pair(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    old_access, old_refresh = expired_pair(portal)
    make_oauth_client(store=store, access=old_access, refresh=old_refresh).call("profile")
    # A second run is seeded with the same (now stale) environment values.
    second = make_oauth_client(
        store=TokenStore(tmp_path / "tokens.json"), access=old_access, refresh=old_refresh
    )
    assert second.call("profile") is True
    assert len(portal.oauth_calls) == 1
    assert portal.seen[-1].body["auth"] == store.load(KEY).access_token  # type: ignore[union-attr]


def test_a_portal_refusing_every_fresh_token_stops_after_two_refreshes(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(access=old_access, refresh=old_refresh)

    def expire_everything(seen: Seen) -> None:
        portal.access_tokens.discard(seen.body["auth"])
        portal.expired_tokens.add(seen.body["auth"])

    portal.on_call = expire_everything
    with pytest.raises(AuthError) as info:
        client.call("profile")
    message = str(info.value)
    assert message.startswith("the portal rejected the access token (expired_token) again, "
                              "after 2 token refreshes; the OAuth server did issue new tokens, "
                              "so the refresh token is valid; check that the app ")
    assert "re-authorise" not in message  # the refresh token works: that would not help
    assert info.value.code == "expired_token"
    assert len(portal.oauth_calls) == 2


def test_invalid_grant_says_to_reauthorise(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    old_access, _ = expired_pair(portal)
    store = TokenStore(tmp_path / "tokens.json")
    client = make_oauth_client(store=store, access=old_access, refresh="spent-refresh-token")
    with pytest.raises(AuthError) as info:
        client.call("profile")
    message = str(info.value)
    assert message.startswith(
        "the refresh token was rejected (expired or already used); re-authorise the app and "
        "store new tokens"
    )
    assert str(store.path) in message
    assert info.value.code == "invalid_grant"
    assert store.load(KEY) is None  # nothing half-written


def test_invalid_client_is_explained(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(access=old_access, refresh=old_refresh)
    client.config.auth._client_secret = "wrong-secret-value"  # type: ignore[union-attr]
    with pytest.raises(AuthError, match="rejected the app's client_id/client_secret"):
        client.call("profile")


def test_threads_share_one_refresh(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(access=old_access, refresh=old_refresh)
    barrier = threading.Barrier(4, timeout=5)

    def hold_old_token_requests(seen: Seen) -> None:
        if seen.body["auth"] == old_access:
            barrier.wait()  # all four are in flight with the old token

    portal.on_call = hold_old_token_requests
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.call("profile"), range(4)))
    assert results == [True] * 4
    assert len(portal.oauth_calls) == 1
    assert client.stats.refreshes == 1


def test_two_processes_sharing_a_store_spend_one_refresh_token(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    # Two clients with their own TokenStore objects: only the file lock keeps them apart,
    # exactly as between two processes.
    old_access, old_refresh = expired_pair(portal)
    path = tmp_path / "tokens.json"
    TokenStore(path).save(KEY, Tokens(old_access, old_refresh))
    clients = [
        make_oauth_client(store=TokenStore(path), access=None, refresh="unused-seed")
        for _ in range(2)
    ]
    barrier = threading.Barrier(2, timeout=5)

    def hold(seen: Seen) -> None:
        if seen.body["auth"] == old_access:
            barrier.wait()

    portal.on_call = hold
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: c.call("profile"), clients))
    assert results == [True, True]
    assert len(portal.oauth_calls) == 1
    assert sum(c.stats.refreshes for c in clients) == 1


def test_fresh_tokens_from_the_environment_take_over_a_dead_stored_pair(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    dead_access, _ = expired_pair(portal)
    store.save(KEY, Tokens(dead_access, "revoked-refresh-token"))
    new_access, new_refresh = expired_pair(portal)  # the user re-authorised
    client = make_oauth_client(store=store, access=new_access, refresh=new_refresh)
    assert client.call("profile") is True
    assert [c["refresh_token"] for c in portal.oauth_calls] == [
        "revoked-refresh-token",
        new_refresh,
    ]
    assert store.load(KEY).access_token == portal.seen[-1].body["auth"]  # type: ignore[union-attr]


def test_a_refresh_token_alone_is_enough(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    _, refresh = portal.issue_pair()
    client = make_oauth_client(access=None, refresh=refresh)
    assert client.call("profile") is True
    assert len(portal.oauth_calls) == 1
    assert len(portal.seen) == 1  # no wasted call with an empty token


def test_no_tokens_at_all_is_a_clear_error(make_oauth_client: MakeClient, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match=r"no OAuth tokens for portal\.example\.com"):
        make_oauth_client(store=TokenStore(tmp_path / "t.json"), access="", refresh="")


def test_the_stored_pair_wins_over_the_seed(
    make_oauth_client: MakeClient, portal: FakePortal, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    stored_access, stored_refresh = portal.issue_pair()
    store.save(KEY, Tokens(stored_access, stored_refresh))
    client = make_oauth_client(store=store)
    client.call("profile")
    assert portal.seen[-1].body["auth"] == stored_access


def test_webhooks_are_never_refreshed(webhook_client: PortalClient, portal: FakePortal) -> None:
    from .fake_portal import respond

    portal.faults.append(respond(401, "expired_token", "The access token provided has expired."))
    with pytest.raises(AuthError, match="the webhook may have expired"):
        webhook_client.call("profile")
    assert portal.oauth_calls == []


def test_a_refresh_without_answer_warns_that_the_token_may_be_spent(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    import httpx

    from compiler.portal import Unreachable

    from .fake_portal import raise_

    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(access=old_access, refresh=old_refresh)
    portal.faults.extend([lambda r, p: p.handle_normally(r), raise_(httpx.ReadTimeout)])
    with pytest.raises(Unreachable, match="the refresh token may already be spent"):
        client.call("profile")


@pytest.mark.parametrize(
    ("answer", "kind", "message"),
    [
        (httpx.Response(502, text="<html>bad gateway</html>"), "ServerError", "non-JSON page"),
        (
            httpx.Response(200, json={"access_token": "only-half-x"}),
            "AuthError",
            "without a token pair",
        ),
        (
            httpx.Response(400, json={"error": "invalid_scope", "error_description": "Bad scope"}),
            "AuthError",
            r"the token refresh failed \(invalid_scope: Bad scope\)",
        ),
    ],
)
def test_odd_oauth_server_answers(
    make_oauth_client: MakeClient,
    portal: FakePortal,
    answer: httpx.Response,
    kind: str,
    message: str,
) -> None:
    import compiler.portal as portal_module

    old_access, old_refresh = expired_pair(portal)
    client = make_oauth_client(access=old_access, refresh=old_refresh)
    portal.faults.extend([lambda r, p: p.handle_normally(r), lambda r, p: answer])
    with pytest.raises(getattr(portal_module, kind), match=message):
        client.call("profile")
