"""The OAuth server (`/oauth/token/`): refresh-token rotation and authorization-code exchange."""

from __future__ import annotations

from typing import Any

from compiler.sandbox.auth import TokenPair, issue_tokens
from compiler.sandbox.clock import Clock
from compiler.sandbox.config import SandboxConfig
from compiler.sandbox.errors import RestError
from compiler.sandbox.params import param_text
from compiler.sandbox.store import Store


def _oauth_error(code: str, text: str, status: int = 400) -> RestError:
    return RestError(code, text, status)


def token_response(
    pair: TokenPair, scopes: str, base_url: str, member_id: str, lifetime: int
) -> dict[str, Any]:
    """The fields and order of Bitrix's OAuth server (oauth.bitrix.info/oauth/token/). There
    `domain` and `server_endpoint` name the OAuth server itself and `client_endpoint` the
    portal; the sandbox is both, so all three point at it."""
    domain = base_url.split("://", 1)[-1].rstrip("/")
    return {
        "access_token": pair.access_token,
        "expires": int(pair.expires_at),
        "expires_in": lifetime,
        "scope": scopes,
        "domain": domain,
        "server_endpoint": f"{base_url}/rest/",
        "status": "L",
        "client_endpoint": f"{base_url}/rest/",
        "member_id": member_id,
        "user_id": pair.user_id,
        "refresh_token": pair.refresh_token,
    }


def exchange(
    store: Store, config: SandboxConfig, clock: Clock, params: dict[str, Any], base_url: str
) -> dict[str, Any]:
    """Answer a token request; raises RestError carrying the OAuth error code."""
    grant = param_text(params.get("grant_type")).strip()
    client_id = param_text(params.get("client_id")).strip()
    client_secret = param_text(params.get("client_secret"))
    if not grant or not client_id or not client_secret:
        raise _oauth_error(
            "invalid_request", "grant_type, client_id and client_secret are required"
        )
    if grant not in ("refresh_token", "authorization_code"):
        raise _oauth_error("invalid_request", f"Unsupported grant_type '{grant}'")
    now = clock.now()
    with store.transaction(write=True) as conn:
        app = conn.execute(
            "SELECT id, client_secret, scopes FROM apps WHERE client_id = ?", (client_id,)
        ).fetchone()
        if app is None or app["client_secret"] != client_secret:
            raise _oauth_error("invalid_client", "Invalid client credentials", 401)
        if grant == "refresh_token":
            user_id = _spend_refresh_token(conn, int(app["id"]), params, now)
        else:
            user_id = _spend_code(conn, int(app["id"]), params, now)
        pair = issue_tokens(
            conn, int(app["id"]), user_id, now, config.token_lifetime, config.refresh_token_lifetime
        )
        member = conn.execute("SELECT value FROM meta WHERE key = 'member_id'").fetchone()
    return token_response(
        pair,
        str(app["scopes"]),
        base_url,
        "" if member is None else member[0],
        config.token_lifetime,
    )


def _spend_refresh_token(conn: Any, app_id: int, params: dict[str, Any], now: float) -> int:
    token = param_text(params.get("refresh_token")).strip()
    if not token:
        raise _oauth_error("invalid_request", "refresh_token is required")
    row = conn.execute(
        "SELECT app_id, user_id, refresh_expires_at, refresh_spent FROM tokens "
        "WHERE refresh_token = ?",
        (token,),
    ).fetchone()
    if (
        row is None
        or row["refresh_spent"]
        or row["refresh_expires_at"] <= now
        or int(row["app_id"]) != app_id
    ):
        raise _oauth_error("invalid_grant", "Invalid refresh token")
    # Rotation: a refresh token works once.
    conn.execute("UPDATE tokens SET refresh_spent = 1 WHERE refresh_token = ?", (token,))
    return int(row["user_id"])


def _spend_code(conn: Any, app_id: int, params: dict[str, Any], now: float) -> int:
    code = param_text(params.get("code")).strip()
    if not code:
        raise _oauth_error("invalid_request", "code is required")
    row = conn.execute(
        "SELECT app_id, user_id, expires_at, used FROM auth_codes WHERE code = ?", (code,)
    ).fetchone()
    if row is None or row["used"] or row["expires_at"] <= now or int(row["app_id"]) != app_id:
        raise _oauth_error("invalid_grant", "Invalid authorization code")
    conn.execute("UPDATE auth_codes SET used = 1 WHERE code = ?", (code,))
    return int(row["user_id"])
