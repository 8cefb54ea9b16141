"""The ASGI application: routing, the rate limiter, faults, authentication and the response.

Routes (as on a Bitrix24 portal):
    /rest/<method>[.json]                      OAuth: `auth` in query or body, or a Bearer header
    /rest/<user_id>/<secret>/<method>[.json]   incoming webhook
    /oauth/token/                              OAuth server: refresh_token / authorization_code
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from compiler.php.values import to_int
from compiler.sandbox import auth, batch, oauth, runs
from compiler.sandbox.auth import Caller
from compiler.sandbox.credentials import mask_url
from compiler.sandbox.dispatch import Outcome, execute, failure
from compiler.sandbox.errors import ConnectionDropped, RestError, method_not_found
from compiler.sandbox.faults import Fault
from compiler.sandbox.limits import time_block
from compiler.sandbox.portal import Portal
from compiler.sandbox.request import parse_params, read_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("bpl.sandbox")


class _Drop(Exception):
    """Internal signal: close the connection without answering."""


def too_many_requests() -> RestError:
    return RestError("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)


class SandboxApp:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        try:
            await self._http(scope, receive, send)
        except _Drop:
            await _drop_connection(send)
        except (ConnectionDropped, asyncio.CancelledError):
            raise
        except Exception:
            # A sandbox bug must not take the server down: answer like Bitrix's 500 and go on.
            log.exception("unexpected failure serving %s", mask_url(scope.get("path", "")))
            error = RestError("INTERNAL_SERVER_ERROR", "Internal server error", 500)
            await _respond(send, 500, error.body())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path") or "/"
        if path.rstrip("/") == "/oauth/token":
            await self._oauth(scope, receive, send)
        elif path.startswith("/rest/") or path == "/rest":
            await self._rest(scope, receive, send, path)
        elif path == "/":
            await _respond(send, 200, {"portal": "bpl sandbox", "rest": "/rest/"})
        else:
            await _respond(send, 404, {"error": "NOT_FOUND", "error_description": "Not found"})

    async def _body_params(self, scope: Scope, receive: Receive) -> dict[str, Any]:
        headers = _headers(scope)
        declared = headers.get("content-length", "")
        body = await read_body(
            receive,
            int(declared) if declared.isdigit() else None,
            self.portal.config.max_body_bytes,
        )
        return parse_params(scope.get("query_string", b""), body, headers.get("content-type", ""))

    async def _oauth(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.portal.sync()
        try:
            params = {k.lower(): v for k, v in (await self._body_params(scope, receive)).items()}
            body = oauth.exchange(
                self.portal.store, self.portal.config, self.portal.clock, params, _base_url(scope)
            )
            status = 200
        except RestError as error:
            body, status = error.body(), error.status
        log.info(
            "oauth %s -> %d %s", mask_url(scope.get("path", "")), status, body.get("error", "")
        )
        await _respond(send, status, body)

    async def _rest(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        portal = self.portal
        portal.sync()
        began = time.perf_counter()
        started = portal.clock.now()
        client = scope.get("client") or ("local", 0)
        method, webhook = _route(path)
        outcome: Outcome
        try:
            if not portal.bucket.admit(str(client[0])):
                raise too_many_requests()
            params = await self._body_params(scope, receive)
            if portal.faults.faults.latency:
                await asyncio.sleep(portal.faults.faults.latency)
            self._strike(portal.faults.before())
            caller = self._authenticate(scope, params, webhook)
            if not method:
                raise method_not_found()
            portal.request_url = _base_url(scope)
            self._tick()
            if method == "batch":
                outcome = batch.run(portal, caller, params)
            else:
                outcome = execute(portal, caller, method, params)
            if outcome.wrote:
                self._strike(portal.faults.after_commit())
        except RestError as error:
            outcome = failure(error, started, time.perf_counter() - began)
        body = dict(outcome.payload)
        body["time"] = time_block(
            outcome.started,
            outcome.elapsed,
            operating=outcome.operating
            or (0.0, int(started + portal.config.limits.operating_window)),
        )
        log.info(
            "%s %s -> %d %s",
            method or "-",
            mask_url(path, scope.get("query_string", b"").decode("latin-1")),
            outcome.status,
            body.get("error", ""),
        )
        await _respond(send, outcome.status, body)
        if portal.deliveries.pending:
            await self._deliver()

    def _tick(self) -> None:
        """Timers of runs that fell due since the last request fire before this one is served,
        so what it reads or answers is the workflow as of now."""
        try:
            runs.tick(self.portal)
        except Exception:
            log.exception("firing the timers of running workflows failed")

    async def _deliver(self) -> None:
        """App handler calls the answered request queued, sent after the answer has gone out."""
        try:
            await self.portal.deliveries.send_async()
        except Exception:
            log.exception("calling app handlers failed")

    def _strike(self, fault: Fault | None) -> None:
        if fault is None:
            return
        if fault.drop:
            raise _Drop()
        raise fault.error()

    def _authenticate(
        self, scope: Scope, params: dict[str, Any], webhook: tuple[int, str] | None
    ) -> Caller:
        portal = self.portal
        token = params.pop("AUTH", None)
        now = portal.clock.now()
        if webhook is not None:
            with portal.store.transaction() as conn:
                return auth.by_webhook(conn, webhook[0], webhook[1], now)
        if token is None:
            token = _bearer(scope)
        if not isinstance(token, str) or not token:
            raise auth.no_auth()
        if portal.faults.expire_token_now():
            # Committed on its own: the refusal below must not roll the expiry back.
            with portal.store.transaction(write=True) as conn:
                auth.expire_token(conn, token, now)
        with portal.store.transaction() as conn:
            caller, _ = auth.by_token(conn, token, now)
            return caller


def _route(path: str) -> tuple[str, tuple[int, str] | None]:
    """(lower-cased method name, (user id, secret) of a webhook or None)."""
    parts = [part for part in path.split("/")[2:] if part]
    webhook: tuple[int, str] | None = None
    if len(parts) == 3 and parts[0].isascii() and parts[0].isdigit():
        # PHP's (int) saturates a longer number; no user has that id, so the webhook is refused.
        webhook = (to_int(parts[0]), parts[1])
        parts = parts[2:]
    if len(parts) != 1:
        return "", webhook
    name = parts[0].lower()
    for suffix in (".json", ".xml"):
        name = name.removesuffix(suffix)
    return name, webhook


def _headers(scope: Scope) -> dict[str, str]:
    return {
        key.decode("latin-1").lower(): value.decode("latin-1")
        for key, value in scope.get("headers", [])
    }


def _bearer(scope: Scope) -> str | None:
    value = _headers(scope).get("authorization", "")
    kind, _, token = value.partition(" ")
    return token.strip() if kind.lower() == "bearer" and token.strip() else None


def _base_url(scope: Scope) -> str:
    host = _headers(scope).get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _drop_connection(send: Send) -> None:
    """Close the socket without a byte of answer.

    Under uvicorn the `send` callable belongs to the request cycle, which holds the transport;
    aborting it is what a crashed or overloaded portal looks like to the client. In-process
    (httpx.ASGITransport) there is no socket, so raise the error a client would see instead.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        raise ConnectionDropped()
    transport.abort()
    # Let the server notice the disconnect, so it does not try to answer on its own.
    for _ in range(50):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0.001)
