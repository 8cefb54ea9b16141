"""Credentials for the portal: an incoming webhook, or an OAuth application token pair.

Webhooks carry their secret in the URL path, so the URL itself is masked everywhere.
OAuth apps send the access token in the JSON body (never in the query string, where it
would land in server and proxy logs) and refresh it only when the portal says it expired;
refreshing on a timer is what the docs warn gets an app blocked by the auth server.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from compiler.portal.classify import Retry, failure_from_exception
from compiler.portal.errors import AuthError, PortalError, ServerError
from compiler.portal.redact import register_secret
from compiler.portal.tokens import Tokens, TokenStore

logger = logging.getLogger("compiler.portal")

DEFAULT_OAUTH_URL = "https://oauth.bitrix.info/oauth/token/"

_WEBHOOK_PATH = re.compile(r"(?P<prefix>.*?/rest/)(?P<user>\d+)/(?P<code>[^/]+)/?")


class WebhookAuth:
    """`https://<portal>/rest/<user id>/<code>/`: the code is the secret."""

    kind: Literal["webhook"] = "webhook"

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.strip())
        match = _WEBHOOK_PATH.fullmatch(parts.path)
        if match:
            register_secret(match["code"])
        if parts.scheme not in ("http", "https") or not parts.netloc or not match:
            # Only the portal part is shown: a malformed path may still hold the secret code.
            shown = f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "given"
            raise PortalError(
                f"the webhook URL ({shown}) does not look like "
                "https://<portal>/rest/<user id>/<code>/; copy it again from the portal's "
                "Developer resources page",
                code="CONFIG",
            )
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.user_id = int(match["user"])
        self._prefix = f"{self.base_url}{match['prefix']}{match['user']}/"
        self._code = match["code"]

    @property
    def masked_url(self) -> str:
        return f"{self._prefix}****/"

    def endpoint(self, base_url: str, method: str) -> str:
        return f"{self._prefix}{self._code}/{method}"

    def __repr__(self) -> str:
        return f"WebhookAuth({self.masked_url!r})"


class OAuthAuth:
    """An installed application's tokens, refreshed on `expired_token` and persisted to a
    `TokenStore` before the new access token is ever used.

    With a store, the stored pair wins over the one passed in: the passed pair (typically
    from environment variables) is only a seed, already spent after the first refresh. It is
    tried again only if the stored refresh token is rejected, which is how fresh tokens put
    into the environment after a re-authorisation take over.
    """

    kind: Literal["oauth"] = "oauth"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        access_token: str | None = None,
        refresh_token: str | None = None,
        oauth_url: str = DEFAULT_OAUTH_URL,
        store: TokenStore | None = None,
        *,
        portal_key: str | None = None,
    ) -> None:
        register_secret(client_secret)
        self.client_id = client_id
        self._client_secret = client_secret
        self.oauth_url = oauth_url
        self.store = store
        self.portal_key = portal_key
        # A refresh token alone is enough: the first call then starts with a refresh.
        has_seed = bool(access_token or refresh_token)
        self._seed = Tokens(access_token or "", refresh_token or "") if has_seed else None
        self._tokens = self._seed
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        store = f", store={self.store!r}" if self.store else ""
        return f"OAuthAuth(client_id={self.client_id!r}, client_secret='****'{store})"

    def attach(self, portal_key: str) -> None:
        """Bind to a portal (the store's key) and load its stored tokens."""
        with self._lock:
            if self.portal_key is None:
                self.portal_key = portal_key
            if self.store is not None:
                stored = self.store.load(self.portal_key)
                if stored is not None:
                    self._tokens = stored
            if self._tokens is None:
                where = f" or store them in {self.store.path}" if self.store else ""
                raise AuthError(
                    f"no OAuth tokens for {self.portal_key}: pass the app's access and "
                    f"refresh tokens{where} (see docs/portal-client.md)",
                    code="NO_TOKENS",
                )

    @property
    def access_token(self) -> str:
        with self._lock:
            if self._tokens is None:
                raise AuthError(
                    "the OAuth credentials are not attached to a portal yet", code="NO_TOKENS"
                )
            return self._tokens.access_token

    def endpoint(self, base_url: str, method: str) -> str:
        return f"{base_url}/rest/{method}"

    def refresh(self, http: httpx.Client, rejected: str, *, now: float) -> bool:
        """Replace the rejected access token. Returns True if a refresh was spent, False if
        another thread or process had already refreshed and its tokens were adopted."""
        lock = self.store.locked() if self.store else contextlib.nullcontext()
        with self._lock, lock:
            current = self._tokens
            if self.store is not None:
                assert self.portal_key is not None
                stored = self.store.load(self.portal_key)
                if stored is not None:
                    current = stored
            if current is not None and current.access_token != rejected:
                self._tokens = current
                return False
            new = self._refresh_from(http, current, now)
            if self.store is not None:
                assert self.portal_key is not None
                # The old refresh token is spent now; the new pair must be on disk before
                # anything else can fail, or the next run would have nothing valid.
                self.store.save(self.portal_key, new)
            self._tokens = new
            return True

    def _refresh_from(self, http: httpx.Client, current: Tokens | None, now: float) -> Tokens:
        refresh_token = current.refresh_token if current else ""
        seed = self._seed.refresh_token if self._seed else ""
        if not refresh_token and not seed:
            raise AuthError(
                "the access token expired and there is no refresh token to renew it; "
                "re-authorise the app and store new tokens (see docs/portal-client.md)",
                code="expired_token",
            )
        try:
            return self._exchange(http, refresh_token or seed, now)
        except AuthError as exc:
            if exc.code != "invalid_grant" or not seed or seed == refresh_token:
                raise
            logger.info("the stored refresh token was rejected; trying the one passed in")
            return self._exchange(http, seed, now)

    def _exchange(self, http: httpx.Client, refresh_token: str, now: float) -> Tokens:
        params = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": refresh_token,
        }
        server = self.oauth_url.split("?", 1)[0]
        try:
            # GET with a query string is the documented form of this endpoint.
            response = http.get(self.oauth_url, params=params)
        except httpx.HTTPError as exc:
            failure = failure_from_exception(
                exc,
                portal=server,
                method="the token refresh",
                read_timeout=http.timeout.read or 60.0,
            )
            hint = None
            if failure.retry is Retry.UNCERTAIN:
                hint = (
                    "the refresh token may already be spent; if the next run fails with "
                    "invalid_grant, re-authorise the app"
                )
            raise failure.error(hint=hint) from None
        return self._read_tokens(response, server, now)

    def _read_tokens(self, response: httpx.Response, server: str, now: float) -> Tokens:
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            raise ServerError(
                f"the OAuth server {server} answered HTTP {response.status_code} with a "
                "non-JSON page; try again later",
                http_status=response.status_code,
            )
        # Register first: nothing below may log or raise with an unmasked new token.
        register_secret(str(payload.get("access_token") or ""))
        register_secret(str(payload.get("refresh_token") or ""))
        code = str(payload.get("error") or "")
        if code:
            raise _oauth_error(
                code, str(payload.get("error_description") or ""), response.status_code, self
            )
        access, refresh = payload.get("access_token"), payload.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            raise AuthError(
                f"the OAuth server {server} answered without a token pair; try again later",
                code="invalid_response",
                http_status=response.status_code,
            )
        expires_in = payload.get("expires_in")
        expires_at = now + float(expires_in) if isinstance(expires_in, int | float) else None
        return Tokens(access, refresh, expires_at)


def _oauth_error(code: str, description: str, status: int, auth: OAuthAuth) -> AuthError:
    if code == "invalid_grant":
        if auth.store is not None:
            where = f'in {auth.store.path} (entry "{auth.portal_key}")'
        else:
            where = "where bpl reads them"
        return AuthError(
            "the refresh token was rejected (expired or already used); re-authorise the app "
            f"and store new tokens {where} — see docs/portal-client.md",
            code=code,
            http_status=status,
        )
    if code == "invalid_client":
        return AuthError(
            "the OAuth server rejected the app's client_id/client_secret (invalid_client); "
            "check them and that the app is installed on the portal",
            code=code,
            http_status=status,
        )
    return AuthError(
        f"the token refresh failed ({code}: {description or 'no description'}); "
        "re-authorise the app",
        code=code,
        http_status=status,
    )
