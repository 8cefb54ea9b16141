"""Who is calling: OAuth access tokens of installed apps and incoming webhooks."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from compiler.sandbox import credentials
from compiler.sandbox.errors import RestError
from compiler.sandbox.store import one

# Scopes every caller has: `basic` covers batch, profile, scope, app.info, user.admin.
BASE_SCOPES = frozenset({"basic"})


@dataclass(frozen=True)
class Caller:
    user_id: int
    is_admin: bool
    scopes: frozenset[str]
    app_id: int | None = None
    client_id: str | None = None
    webhook_id: int | None = None

    @property
    def is_app(self) -> bool:
        """Application context: an app's OAuth token (a webhook carries no client id)."""
        return self.client_id is not None

    @property
    def meter_key(self) -> str:
        return f"app:{self.app_id}" if self.app_id is not None else f"webhook:{self.webhook_id}"

    @property
    def system_code(self) -> str | None:
        return None if self.app_id is None else f"rest_app_{self.app_id}"

    def allows(self, scope: str) -> bool:
        return scope in BASE_SCOPES or scope in self.scopes


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: float
    app_id: int
    user_id: int


def parse_scopes(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.replace(" ", ",").split(",") if part)


def no_auth() -> RestError:
    return RestError("NO_AUTH_FOUND", "Wrong authorization data", 401)


def _user(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return one(conn, "SELECT id, is_admin FROM users WHERE id = ? AND active = 1", (user_id,))


def by_token(conn: sqlite3.Connection, token: str, now: float) -> tuple[Caller, float]:
    """The caller of an access token and when the token expires; 401 if unusable."""
    row = conn.execute(
        "SELECT t.app_id, t.user_id, t.access_expires_at, a.client_id, a.scopes "
        "FROM tokens t JOIN apps a ON a.id = t.app_id WHERE t.access_token = ?",
        (token,),
    ).fetchone()
    if row is None:
        raise RestError("invalid_token", "The access token provided is invalid.", 401)
    if row["access_expires_at"] <= now:
        raise RestError("expired_token", "The access token provided has expired.", 401)
    user = _user(conn, int(row["user_id"]))
    if user is None:
        raise RestError("invalid_token", "The access token provided is invalid.", 401)
    caller = Caller(
        user_id=int(user["id"]),
        is_admin=bool(user["is_admin"]),
        scopes=parse_scopes(row["scopes"]),
        app_id=int(row["app_id"]),
        client_id=str(row["client_id"]),
    )
    return caller, float(row["access_expires_at"])


def expire_token(conn: sqlite3.Connection, token: str, now: float) -> None:
    conn.execute("UPDATE tokens SET access_expires_at = ? WHERE access_token = ?", (now, token))


def by_webhook(conn: sqlite3.Connection, user_id: int, secret: str, now: float) -> Caller:
    row = conn.execute(
        "SELECT id, scopes, expires_at FROM webhooks WHERE user_id = ? AND secret = ?",
        (user_id, secret),
    ).fetchone()
    if row is None or (row["expires_at"] is not None and row["expires_at"] <= now):
        raise no_auth()
    user = _user(conn, user_id)
    if user is None:
        raise no_auth()
    return Caller(
        user_id=user_id,
        is_admin=bool(user["is_admin"]),
        scopes=parse_scopes(row["scopes"]),
        webhook_id=int(row["id"]),
    )


def issue_tokens(
    conn: sqlite3.Connection,
    app_id: int,
    user_id: int,
    now: float,
    lifetime: float,
    refresh_lifetime: float,
) -> TokenPair:
    pair = TokenPair(
        access_token=credentials.access_token(),
        refresh_token=credentials.access_token(),
        expires_at=now + lifetime,
        app_id=app_id,
        user_id=user_id,
    )
    conn.execute(
        "INSERT INTO tokens(access_token, refresh_token, app_id, user_id, issued_at, "
        "access_expires_at, refresh_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            pair.access_token,
            pair.refresh_token,
            app_id,
            user_id,
            now,
            pair.expires_at,
            now + refresh_lifetime,
        ),
    )
    return pair
