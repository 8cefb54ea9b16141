"""A scripted stand-in for a Bitrix24 portal and its OAuth server, served via httpx.MockTransport.

It keeps just enough state to make the client's behaviour observable: templates, token pairs
that rotate on refresh, the portal's leaky bucket and per-method operating time (on the same
ManualClock as the client), and a queue of faults to inject before normal handling.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx

from compiler.portal import ManualClock

PORTAL = "https://portal.example.com"
OAUTH_URL = "https://oauth.example.com/oauth/token/"
PAGE = 50

Fault = Callable[[httpx.Request, "FakePortal"], httpx.Response]


def ok(result: Any, **extra: Any) -> dict[str, Any]:
    return {"result": result, **extra}


def error_response(status: int, code: str, description: str = "") -> httpx.Response:
    return httpx.Response(status, json={"error": code, "error_description": description})


def raise_(exc_type: type[httpx.TransportError], message: str = "boom") -> Fault:
    def fault(request: httpx.Request, portal: FakePortal) -> httpx.Response:
        raise exc_type(message, request=request)

    return fault


def respond(status: int, code: str = "", description: str = "") -> Fault:
    def fault(request: httpx.Request, portal: FakePortal) -> httpx.Response:
        if code or description:
            return error_response(status, code, description)
        return httpx.Response(status, text="<html><title>Bad Gateway</title></html>")

    return fault


def after_commit(exc_type: type[httpx.TransportError] = httpx.ReadError) -> Fault:
    """Run the request for real, then lose the answer: the classic duplicate-create trap."""

    def fault(request: httpx.Request, portal: FakePortal) -> httpx.Response:
        portal.handle_normally(request)
        raise exc_type("connection lost after the server committed", request=request)

    return fault


def parse_php_query(query: str) -> dict[str, Any]:
    """PHP's parse_str, enough of it: `A[0]=x&A[1]=y&F[K]=v` → nested dicts (lists for 0..n)."""
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(query, keep_blank_values=True):
        match = re.match(r"([^\[]*)(.*)", raw_key)
        assert match is not None
        keys = [match.group(1), *re.findall(r"\[([^\]]*)\]", match.group(2))]
        node = root
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node) and sorted(map(int, node)) == list(range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node


@dataclass
class Seen:
    method: str
    body: dict[str, Any]
    url: str
    headers: httpx.Headers
    content: bytes


@dataclass
class FakePortal:
    clock: ManualClock = field(default_factory=ManualClock)
    burst: int | None = None  # simulate the portal's bucket when set
    drain: float = 2.0
    webhook: str | None = None  # "/rest/1/<code>/" when calls come through a webhook
    access_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    operating_cost: dict[str, float] = field(default_factory=dict)
    operating_limit: float = 480.0
    omit_time: bool = False
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)  # for whichever request comes next
    method_faults: dict[str, deque[Fault]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    oauth_calls: list[dict[str, str]] = field(default_factory=list)
    on_call: Callable[[Seen], None] | None = None
    on_oauth: Callable[[dict[str, str]], None] | None = None
    rate_limited: int = 0
    _level: float = 0.0
    _level_at: float = 0.0
    _operating: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    _next_id: int = 1
    _issued: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- wiring ---------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def issue_pair(self) -> tuple[str, str]:
        with self._lock:
            self._issued += 1
            access, refresh = f"access-{self._issued}-x7Q", f"refresh-{self._issued}-k9Z"
            self.access_tokens.add(access)
            self.refresh_tokens.add(refresh)
            return access, refresh

    def add_template(self, name: str, **fields: Any) -> int:
        with self._lock:
            template_id = self._next_id
            self._next_id += 1
            self.templates[template_id] = {"ID": template_id, "NAME": name, **fields}
            return template_id

    def fail(self, method: str, *faults: Fault) -> None:
        """Queue faults for the next calls of one method only."""
        self.method_faults.setdefault(method, deque()).extend(faults)

    def calls(self, method: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method]

    # -- the handler ------------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "oauth.example.com":
            return self._oauth(request)
        method = self._method_of(request)
        body = json.loads(request.content or b"{}")
        seen = Seen(method, body, str(request.url), request.headers, request.content)
        with self._lock:
            self.seen.append(seen)
        if self.on_call is not None:
            self.on_call(seen)
        queued = self.method_faults.get(method)
        if queued:
            return queued.popleft()(request, self)
        if self.faults:
            return self.faults.popleft()(request, self)
        return self.handle_normally(request)

    def _method_of(self, request: httpx.Request) -> str:
        path = request.url.path
        prefix = self.webhook or "/rest/"
        assert path.startswith(prefix), f"unexpected path {path}"
        return path[len(prefix) :]

    def handle_normally(self, request: httpx.Request) -> httpx.Response:
        method = self._method_of(request)
        body = json.loads(request.content or b"{}")
        with self._lock:
            if self.burst is not None and not self._bucket_admits():
                self.rate_limited += 1
                return error_response(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
            denied = self._check_auth(body)
            if denied is not None:
                return denied
            if self._operating_used(method) > self.operating_limit:
                return error_response(
                    429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit"
                )
            payload = self._run(method, body)
            if "error" in payload:
                return httpx.Response(400, json=payload)
            if not self.omit_time:
                payload["time"] = self._time_block(method)
            return httpx.Response(200, json=payload)

    def _bucket_admits(self) -> bool:
        now = self.clock.monotonic()
        self._level = max(0.0, self._level - (now - self._level_at) * self.drain)
        self._level_at = now
        self._level += 1
        return self._level <= (self.burst or 0)

    def _check_auth(self, body: dict[str, Any]) -> httpx.Response | None:
        if self.webhook is not None:
            return None
        token = body.get("auth")
        if token in self.expired_tokens:
            return error_response(401, "expired_token", "The access token provided has expired.")
        if token not in self.access_tokens:
            return error_response(401, "NO_AUTH_FOUND", "Wrong authorization data")
        return None

    def _operating_used(self, method: str) -> float:
        window = self._operating.get(method, [])
        now = self.clock.time()
        window[:] = [(t, c) for t, c in window if t > now - 600]
        return sum(c for _, c in window)

    def _time_block(self, method: str) -> dict[str, Any]:
        cost = self.operating_cost.get(method, 0.0)
        now = self.clock.time()
        window = self._operating.setdefault(method, [])
        if cost:
            window.append((now, cost))
        used = self._operating_used(method)
        oldest = window[0][0] if window else now
        return {
            "start": now,
            "finish": now + 0.01,
            "duration": 0.01,
            "operating": used,
            "operating_reset_at": int(oldest + 600),
        }

    # -- methods ----------------------------------------------------------------------------

    def _run(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "batch":
            return self._batch(body)
        if method == "bizproc.workflow.template.list":
            return self._list(body)
        if method == "bizproc.workflow.template.add":
            new_id = self.add_template(
                str(body.get("NAME")), DOCUMENT_TYPE=body.get("DOCUMENT_TYPE")
            )
            return ok(new_id)
        if method == "bizproc.workflow.template.update":
            template = self.templates.get(int(body["ID"]))
            if template is None:
                return {
                    "error": "ERROR_TEMPLATE_NOT_FOUND",
                    "error_description": "Workflow template not found.",
                }
            template.update(body.get("FIELDS", {}))
            return ok(int(body["ID"]))
        if method == "bizproc.workflow.template.delete":
            self.templates.pop(int(body["ID"]), None)
            return ok(None)
        if method == "bizproc.workflow.start":
            return ok(f"wf-{body.get('TEMPLATE_ID')}-{body.get('DOCUMENT_ID')}")
        if method in ("profile", "server.time", "bizproc.event.send"):
            return ok(True)
        return {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        rows = sorted(self.templates.values(), key=lambda t: t["ID"])
        name = (body.get("FILTER") or {}).get("NAME")
        if name is not None:
            rows = [r for r in rows if r["NAME"] == name]
        start = int(body.get("start") or 0)
        page = rows[start : start + PAGE]
        payload = ok(page, total=len(rows))
        if start + PAGE < len(rows):
            payload["next"] = start + PAGE
        return payload

    def _batch(self, body: dict[str, Any]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        totals: dict[str, Any] = {}
        for key, command in body["cmd"].items():
            method, _, query = command.partition("?")
            params = parse_php_query(query)
            answer = self._run(unquote(method), params)
            if "error" in answer:
                errors[key] = {
                    "error": answer["error"],
                    "error_description": answer["error_description"],
                }
                if body.get("halt") in (1, "1", True):
                    break
                continue
            results[key] = answer["result"]
            if "total" in answer:
                totals[key] = answer["total"]
        return ok(
            {
                "result": results or [],
                "result_error": errors or [],
                "result_total": totals or [],
                "result_next": [],
                "result_time": [],
            }
        )

    # -- OAuth server -----------------------------------------------------------------------

    def _oauth(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        with self._lock:
            self.oauth_calls.append(params)
        if self.on_oauth is not None:
            self.on_oauth(params)
        if self.faults:
            return self.faults.popleft()(request, self)
        with self._lock:
            if params.get("client_secret") != "app-secret-Hh3":
                return error_response(401, "invalid_client", "Invalid client")
            token = params.get("refresh_token")
            if token not in self.refresh_tokens:
                return error_response(400, "invalid_grant", "The refresh token is invalid")
            self.refresh_tokens.discard(token)  # rotation: a refresh token works once
            access, refresh = self.issue_pair()
            return httpx.Response(
                200,
                json={
                    "access_token": access,
                    "refresh_token": refresh,
                    "expires_in": 3600,
                    "client_endpoint": f"{PORTAL}/rest/",
                    "status": "L",
                },
            )
