"""Authentication: app tokens, webhooks, the OAuth token endpoint, scopes and routing."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.sandbox import Credentials, ManualClock, Sandbox

from .helpers import Client, error, ok

LIST = "bizproc.workflow.template.list"


def refresh(client: Client, creds: Credentials, refresh_token: str, **overrides: str) -> Any:
    params = {
        "grant_type": "refresh_token",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "refresh_token": refresh_token,
        **overrides,
    }
    return client.get("/oauth/token/", params=params)


def test_default_app_is_idempotent(sandbox: Sandbox) -> None:
    first = sandbox.ensure_default_app()
    second = sandbox.ensure_default_app()
    assert first == second
    assert first.webhook_path.startswith("/rest/1/") and first.webhook_path.endswith("/")
    assert first.client_id.startswith("local.") and first.app_id == 1
    assert len(sandbox.info()["apps"]) == 1


@pytest.mark.parametrize("path", ["/rest/profile.json", "/rest/profile", "/rest/PROFILE.json"])
def test_token_in_query_or_body_or_header(client: Client, token: str, path: str) -> None:
    assert ok(client.get(path, params={"auth": token}))["ID"] == "1"
    assert ok(client.post(path, json={"auth": token}))["ADMIN"] is True
    assert ok(client.post(path, data={"auth": token}))["ID"] == "1"
    assert ok(client.post(path, headers={"Authorization": f"Bearer {token}"}))["ID"] == "1"


def test_missing_or_wrong_credentials(client: Client, creds: Credentials) -> None:
    assert error(client.post("/rest/profile.json")) == (
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    )
    assert error(client.call("profile", "not-a-token")) == (
        401,
        "invalid_token",
        "The access token provided is invalid.",
    )
    wrong_hook = creds.webhook_path.replace("/rest/1/", "/rest/2/")
    assert error(client.hook(wrong_hook, "profile")) == (
        401,
        "NO_AUTH_FOUND",
        "Wrong authorization data",
    )
    assert error(client.hook("/rest/1/not-the-secret/", "profile"))[1] == "NO_AUTH_FOUND"


def test_access_tokens_expire(
    client: Client, sandbox: Sandbox, creds: Credentials, clock: ManualClock
) -> None:
    clock.advance(3599)
    assert ok(client.call("profile", creds.access_token))["ID"] == "1"
    clock.advance(1)
    assert error(client.call("profile", creds.access_token)) == (
        401,
        "expired_token",
        "The access token provided has expired.",
    )
    # A fresh default pair is minted once the old one is unusable.
    assert sandbox.ensure_default_app().access_token != creds.access_token


def test_token_lifetime_is_configurable(tmp_path: Any) -> None:
    from compiler.sandbox import Limits, SandboxConfig

    clock = ManualClock()
    sb = Sandbox(SandboxConfig(limits=Limits.off(), clock=clock, token_lifetime=60))
    client = Client(sb.asgi_app)
    try:
        token = sb.ensure_default_app().access_token
        clock.advance(60)
        assert error(client.call("profile", token))[1] == "expired_token"
    finally:
        client.close()
        sb.close()


def test_refresh_rotates_the_pair(client: Client, creds: Credentials, clock: ManualClock) -> None:
    clock.advance(4000)
    response = refresh(client, creds, creds.refresh_token)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "access_token",
        "refresh_token",
        "expires",
        "expires_in",
        "scope",
        "domain",
        "client_endpoint",
        "server_endpoint",
        "member_id",
        "user_id",
        "status",
    }
    assert body["expires_in"] == 3600 and body["user_id"] == 1 and body["status"] == "L"
    assert body["client_endpoint"] == "http://sandbox.test/rest/"
    assert body["domain"] == "sandbox.test"
    assert body["refresh_token"] != creds.refresh_token
    assert ok(client.call("profile", body["access_token"]))["ID"] == "1"
    # The used refresh token is spent.
    again = refresh(client, creds, creds.refresh_token)
    assert error(again)[:2] == (400, "invalid_grant")
    # ...while the new one works, once.
    assert refresh(client, creds, body["refresh_token"]).status_code == 200


def test_refresh_errors(client: Client, sandbox: Sandbox, creds: Credentials) -> None:
    assert error(refresh(client, creds, creds.refresh_token, client_secret="nope"))[:2] == (
        401,
        "invalid_client",
    )
    assert error(refresh(client, creds, creds.refresh_token, client_id="local.x"))[:2] == (
        401,
        "invalid_client",
    )
    assert error(refresh(client, creds, "unknown"))[:2] == (400, "invalid_grant")
    assert error(refresh(client, creds, ""))[:2] == (400, "invalid_request")
    assert error(refresh(client, creds, "x", grant_type="password"))[:2] == (400, "invalid_request")
    other = sandbox.create_app("other")
    # Another app's refresh token is not this app's grant.
    assert error(refresh(client, creds, other.refresh_token))[:2] == (400, "invalid_grant")
    assert error(client.post("/oauth/token/"))[:2] == (400, "invalid_request")


def test_refresh_tokens_expire_after_180_days(
    client: Client, creds: Credentials, clock: ManualClock
) -> None:
    clock.advance(180 * 24 * 3600)
    assert error(refresh(client, creds, creds.refresh_token))[1] == "invalid_grant"


def test_authorization_code_grant(
    client: Client, sandbox: Sandbox, creds: Credentials, clock: ManualClock
) -> None:
    code = sandbox.issue_auth_code(creds.client_id)
    params = {
        "grant_type": "authorization_code",
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "code": code,
    }
    response = client.post("/oauth/token", data=params)
    assert response.status_code == 200 and response.json()["access_token"]
    assert error(client.post("/oauth/token/", data=params))[1] == "invalid_grant"  # used once
    stale = sandbox.issue_auth_code(creds.client_id)
    clock.advance(31)
    assert error(client.post("/oauth/token/", data={**params, "code": stale}))[1] == (
        "invalid_grant"
    )


def test_scopes_limit_what_a_webhook_or_app_may_call(client: Client, sandbox: Sandbox) -> None:
    hook = sandbox.create_webhook(1, scopes=["crm"])
    assert error(client.hook(hook, LIST))[:2] == (403, "insufficient_scope")
    assert ok(client.hook(hook, "profile"))["ID"] == "1"  # basic needs no scope
    app = sandbox.create_app("crm only", scopes=["crm"])
    assert error(client.call(LIST, app.access_token))[1] == "insufficient_scope"


def test_webhooks_expire(client: Client, sandbox: Sandbox, clock: ManualClock) -> None:
    hook = sandbox.create_webhook(1, expires_in=10)
    assert ok(client.hook(hook, "profile"))
    clock.advance(10)
    assert error(client.hook(hook, "profile"))[:2] == (401, "NO_AUTH_FOUND")


def test_a_webhook_user_id_beyond_64_bits_is_refused_not_a_500(client: Client,
                                                                 creds: Credentials) -> None:
    secret = creds.webhook_path.strip("/").split("/")[-1]
    for user in ("99999999999999999999", "9223372036854775808", "\u0661"):  # last: Arabic 1
        assert error(client.post(f"/rest/{user}/{secret}/profile.json", json={}))[:2] == (
            401, "NO_AUTH_FOUND")


def test_webhook_runs_as_its_user(client: Client, sandbox: Sandbox) -> None:
    user = sandbox.create_user("Bob", last_name="Smith")
    hook = sandbox.create_webhook(user)
    result = ok(client.hook(hook, "profile"))
    assert result["ID"] == str(user) and result["ADMIN"] is False
    assert result["LAST_NAME"] == "Smith"


def test_app_info_and_scope(client: Client, token: str, creds: Credentials) -> None:
    info = ok(client.call("app.info", token))
    assert info["ID"] == creds.app_id and info["INSTALLED"] is True
    assert ok(client.call("scope", token)) == ["bizproc", "user"]
    assert "SCOPE" in ok(client.hook(creds.webhook_path, "app.info"))
    assert ok(client.call("server.time", token)).endswith("+00:00")


def test_unknown_methods_and_paths(client: Client, token: str, creds: Credentials) -> None:
    assert error(client.call("bizproc.no.such", token)) == (
        404,
        "ERROR_METHOD_NOT_FOUND",
        "Method not found!",
    )
    assert error(client.hook(creds.webhook_path, "crm.deal.get"))[1] == "ERROR_METHOD_NOT_FOUND"
    assert error(client.post("/rest/", json={"auth": token}))[1] == "ERROR_METHOD_NOT_FOUND"
    assert error(client.post("/rest/a/b", json={"auth": token}))[1] == "ERROR_METHOD_NOT_FOUND"
    assert client.get("/elsewhere").status_code == 404
    assert client.get("/").json()["rest"] == "/rest/"


def test_top_level_names_are_case_insensitive(client: Client, token: str) -> None:
    ok(
        client.call(
            "bizproc.robot.add", token, code="r", handler="https://a.example.com/", name="R"
        )
    )
    assert ok(client.post("/rest/bizproc.robot.list", data={"AUTH": token})) == ["r"]


def test_query_and_body_merge_body_wins(client: Client, token: str) -> None:
    response = client.post(
        "/rest/bizproc.workflow.template.list.json?select[]=NAME&auth=" + token,
        json={"SELECT": ["ID"]},
    )
    assert response.json()["result"] == []
    assert response.status_code == 200


def test_multipart_bodies(client: Client, token: str) -> None:
    files = {
        "auth": (None, token),
        "CODE": (None, "mp"),
        "HANDLER": (None, "https://a.b.c/"),
        "NAME": (None, "Multipart"),
    }
    assert ok(client.post("/rest/bizproc.robot.add", files=files)) is True


def test_secrets_never_reach_the_log(
    client: Client, creds: Credentials, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="bpl.sandbox")
    client.get("/rest/profile.json", params={"auth": creds.access_token})
    client.hook(creds.webhook_path, "profile")
    client.get(
        "/oauth/token/",
        params={
            "grant_type": "refresh_token",
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "refresh_token": creds.refresh_token,
        },
    )
    text = caplog.text
    assert "profile" in text
    secret = creds.webhook_path.split("/")[3]
    for value in (creds.access_token, creds.refresh_token, creds.client_secret, secret):
        assert value not in text
