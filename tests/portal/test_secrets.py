"""No secret ever reaches a log line, an exception text, a traceback or a repr."""

from __future__ import annotations

import logging
import random
import secrets
import traceback
from pathlib import Path

import httpx
import pytest

from compiler.portal import (
    ManualClock,
    OAuthAuth,
    PortalClient,
    PortalConfig,
    PortalError,
    Tokens,
    TokenStore,
    WebhookAuth,
)
from compiler.portal.redact import MASK, redact

from .fake_portal import OAUTH_URL, PORTAL, FakePortal, raise_, respond


def distinctive(label: str) -> str:
    return f"{label}{secrets.token_hex(12)}"


def everything_printed(errors: list[BaseException], caplog: pytest.LogCaptureFixture) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
    for error in errors:
        parts += [str(error), repr(error), "".join(traceback.format_exception(error))]
    return "\n".join(parts)


def test_webhook_code_never_printed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    code = distinctive("whk")
    url = f"{PORTAL}/rest/7/{code}/"
    portal = FakePortal(webhook=f"/rest/7/{code}/")
    portal.faults.extend(
        [
            # An error page that echoes the request URL back.
            lambda r, p: httpx.Response(500, text=f"<title>Error at {r.url}</title>"),
            raise_(httpx.ConnectError, f"cannot connect to {url}"),
            lambda r, p: httpx.Response(
                302, headers={"Location": f"https://new.example.com/rest/7/{code}/x"}
            ),
            respond(401, "NO_AUTH_FOUND", f"bad webhook {code}"),
        ]
    )
    auth = WebhookAuth(url)
    config = PortalConfig(base_url=PORTAL, auth=auth, limits="off", retries=0)
    errors: list[BaseException] = []
    with PortalClient(config, transport=portal.transport(), clock=ManualClock()) as client:
        for _ in range(4):
            try:
                client.call("profile")
            except PortalError as exc:
                errors.append(exc)
        assert client.call("profile") is True  # and a successful call logs its URL via httpx
        printed = everything_printed(errors, caplog) + repr(client) + repr(auth) + repr(config)
    assert len(errors) == 4
    assert "HTTP Request: POST https://portal.example.com/rest/7/****/profile" in caplog.text
    assert code not in printed
    assert "/rest/7/****/" in repr(auth)


def test_oauth_secrets_never_printed(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    client_secret = distinctive("cs")
    portal = FakePortal()
    access, refresh = portal.issue_pair()
    portal.access_tokens.discard(access)
    portal.expired_tokens.add(access)
    store = TokenStore(tmp_path / "tokens.json")
    auth = OAuthAuth(
        "local.app.1", client_secret, access, refresh, oauth_url=OAUTH_URL, store=store
    )
    config = PortalConfig(base_url=PORTAL, auth=auth, limits="off", retries=0)
    errors: list[BaseException] = []
    seen_secrets = {client_secret, access, refresh}
    with PortalClient(
        config, transport=portal.transport(), clock=ManualClock(), rng=random.Random(1)
    ) as client:
        client.config.auth._client_secret = "app-secret-Hh3"  # type: ignore[union-attr]
        seen_secrets.add("app-secret-Hh3")
        assert client.call("profile") is True  # refresh: new pair, logged OAuth URL
        tokens = store.load("portal.example.com")
        assert tokens is not None
        seen_secrets |= {tokens.access_token, tokens.refresh_token}
        echo_page = lambda r, p: httpx.Response(500, text=f"<title>{r.content.decode()}</title>")  # noqa: E731
        echo_error = lambda r, p: httpx.Response(  # noqa: E731
            400, json={"error": "X", "error_description": r.content.decode()}
        )
        portal.fail("bizproc.workflow.template.list", echo_page)
        portal.fail("profile", echo_error)
        portal.fail(
            "bizproc.workflow.template.update",
            raise_(httpx.ReadError, f"lost while sending {tokens.access_token}"),
        )
        for method in (
            "bizproc.workflow.template.list",
            "profile",
            "bizproc.workflow.template.update",
        ):
            try:
                client.call(method, {"ID": 1})
            except PortalError as exc:
                errors.append(exc)
        # A refresh token that the OAuth server rejects.
        portal.access_tokens.clear()
        portal.expired_tokens.add(tokens.access_token)
        portal.refresh_tokens.clear()
        try:
            client.call("profile")
        except PortalError as exc:
            errors.append(exc)
        printed = (
            everything_printed(errors, caplog)
            + repr(client)
            + repr(auth)
            + repr(store)
            + repr(tokens)
            + repr(config)
        )
    assert len(errors) == 4, errors
    assert any("oauth.example.com" in r.getMessage() for r in caplog.records)  # httpx logged it
    for value in seen_secrets:
        assert value not in printed, value


def test_redact_masks_registered_values_and_secret_shapes() -> None:
    extra = distinctive("tok")
    text = (
        f"value {extra} url https://p.example.com/rest/12/abcdefghijk/crm.deal.list "
        'body {"auth": "zzz-unregistered", "refresh_token": "r-unregistered"} '
        "query ?client_secret=qq-unregistered&x=1 auth[access_token]=aa-unregistered"
    )
    masked = redact(text, [extra])
    for leaked in (
        extra,
        "abcdefghijk",
        "zzz-unregistered",
        "r-unregistered",
        "qq-unregistered",
        "aa-unregistered",
    ):
        assert leaked not in masked
    assert "/rest/12/****/crm.deal.list" in masked
    assert "&x=1" in masked
    assert masked.count(MASK) == 6


def test_short_values_are_not_registered_as_secrets() -> None:
    assert redact("user 1 said Y", ["1", "Y"]) == "user 1 said Y"


def test_repr_of_tokens_and_store_hide_values(tmp_path: Path) -> None:
    tokens = Tokens(distinctive("a"), distinctive("r"))
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    assert repr(TokenStore(tmp_path / "t.json")) == f"TokenStore('{tmp_path / 't.json'}')"


def test_logged_tracebacks_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    from compiler.portal.redact import protect_loggers, register_secret

    protect_loggers()
    value = distinctive("trace")
    register_secret(value)
    logger = logging.getLogger("compiler.portal")
    with caplog.at_level(logging.ERROR, logger="compiler.portal"):
        try:
            raise RuntimeError(f"failed with {value}")
        except RuntimeError:
            logger.exception("while calling with %s", value)
    assert caplog.records
    assert value not in caplog.text
    assert "failed with ****" in caplog.text
