"""The portal client: Bitrix24 method calls in, results or one `PortalError` out.

Everything between the two happens here: the rate limiter before each request, the token
refresh on `expired_token`, retries by method kind (see `policy`), pagination, batching, and
one log line per call. Nothing above this layer sees HTTP.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx

from compiler import __version__
from compiler.portal.auth import OAuthAuth, WebhookAuth
from compiler.portal.batch import (
    BatchResult,
    Command,
    check_references,
    chunks,
    merge,
    parse_chunk,
)
from compiler.portal.bridge import SyncBridgeTransport
from compiler.portal.classify import Failure, Retry, failure_from_exception, interpret
from compiler.portal.clock import Clock, SystemClock
from compiler.portal.encoding import FormError, encode_command
from compiler.portal.errors import PortalError, ServerError
from compiler.portal.limiter import PRESETS, RateLimiter
from compiler.portal.policy import MethodKind, backoff, classify_method, may_retry
from compiler.portal.redact import protect_loggers

logger = logging.getLogger("compiler.portal")

USER_AGENT = f"bpl/{__version__}"
# Refreshes of the access token within one call. A token can expire again while the call is
# retried (waits for the portal's limits), so one is not enough; a portal that refuses every
# token the OAuth server issues must not make the call refresh forever.
MAX_REFRESHES = 2
_METHOD_NAME = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")

Limits = Literal["standard", "enterprise", "off"]


@dataclass(frozen=True)
class PortalConfig:
    """Where and how to call. `timeout` is the read timeout: a cloud REST request is capped at
    60 s, so the default never cuts off a request the portal would still finish."""

    base_url: str
    auth: WebhookAuth | OAuthAuth
    timeout: float = 60.0
    connect_timeout: float = 10.0
    limits: Limits = "standard"
    retries: int = 5

    def __post_init__(self) -> None:
        base = self.base_url.strip().rstrip("/")
        if not base and isinstance(self.auth, WebhookAuth):
            base = self.auth.base_url
        base = re.sub(r"/rest$", "", base)
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PortalError(
                f"the portal URL {self.base_url!r} is not an http(s) address; use e.g. "
                "https://example.bitrix24.com",
                code="CONFIG",
            )
        if isinstance(self.auth, WebhookAuth) and self.auth.base_url != base:
            raise PortalError(
                f"the webhook points at {self.auth.base_url} but the portal URL is {base}; "
                "use the same portal for both",
                code="CONFIG",
            )
        if self.limits not in PRESETS:
            raise PortalError(
                f"limits must be one of {', '.join(PRESETS)}, not {self.limits!r}", code="CONFIG"
            )
        if self.retries < 0 or self.timeout <= 0 or self.connect_timeout <= 0:
            raise PortalError("retries must be ≥ 0 and timeouts > 0", code="CONFIG")
        object.__setattr__(self, "base_url", base)


@dataclass(frozen=True)
class PortalResponse:
    result: Any
    total: int | None = None
    next: int | None = None
    time: Mapping[str, Any] = field(default_factory=dict)
    http_status: int = 200


@dataclass
class ClientStats:
    """Counters since the client was made. `calls_by_method` counts calls (one per `call`,
    page or batch chunk), `http_requests` every request sent, retries and refreshes included."""

    http_requests: int = 0
    calls_by_method: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    throttled_waits: int = 0
    throttled_seconds: float = 0.0
    refreshes: int = 0
    reconciled: int = 0


class _OutcomeUnknown(Exception):
    """Internal: a create may have run; `create` reconciles instead of failing."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.what)
        self.failure = failure


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PortalClient:
    """Synchronous and thread-safe. Use as a context manager, or call `close()`."""

    def __init__(
        self,
        config: PortalConfig,
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        protect_loggers()
        self.config = config
        self.portal = config.base_url
        self.clock: Clock = clock or SystemClock()
        self.limiter = limiter or RateLimiter(config.limits, clock=self.clock)
        self.stats = ClientStats()
        self._rng = rng or random.Random()
        self._stats_lock = threading.Lock()
        if isinstance(config.auth, OAuthAuth):
            # First, so that a missing or corrupt token store fails before anything is opened.
            config.auth.attach(urlsplit(self.portal).netloc)
        if transport is not None and not isinstance(transport, httpx.BaseTransport):
            transport = SyncBridgeTransport(transport)
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(config.timeout, connect=config.connect_timeout),
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            event_hooks={"request": [self._count_request]},
        )

    def __repr__(self) -> str:
        return f"PortalClient({self.portal!r}, auth={self.config.auth!r})"

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- public calls ------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """Call `method` and return its `result`."""
        return self.call_raw(method, params).result

    def call_raw(self, method: str, params: Mapping[str, Any] | None = None) -> PortalResponse:
        """Call `method` and return the whole answer (result, total, next, time)."""
        return self._request(method, dict(params or {}), classify_method(method))

    def list_all(self, method: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every row of a list method, following `next` page by page (50 rows each)."""
        query = dict(params or {})
        start_key = "START" if "START" in query else "start"
        start = _as_int(query.get(start_key)) or 0
        rows: list[Any] = []
        while True:
            query[start_key] = start
            page = self._request(method, query, MethodKind.READ)
            rows.extend(self._page_rows(method, page.result))
            if page.next is None:
                return rows
            if page.next <= start:
                raise ServerError(
                    f"{self.portal} answered {method} with next={page.next} after start={start}; "
                    "the pagination does not advance, so the list cannot be read completely",
                    method=method,
                )
            start = page.next

    def batch(self, commands: Mapping[str, Command], halt: bool = False) -> BatchResult:
        """Run commands `{key: (method, params)}` in `batch` calls of at most 50 each."""
        items = list(commands.items())
        methods: dict[str, str] = {}
        for key, command in items:
            if not isinstance(key, str) or not isinstance(command, tuple) or len(command) != 2:
                raise PortalError(
                    f"batch command {key!r} must be a (method, params) pair under a string key",
                    code="BATCH_COMMAND",
                )
            self._check_method_name(command[0])
            methods[key] = command[0]
        kind = (
            MethodKind.READ
            if all(classify_method(m) is MethodKind.READ for m in methods.values())
            else MethodKind.WRITE
        )
        out = BatchResult()
        pending = [key for key, _ in items]
        for chunk in chunks(items):
            encoded = [(key, self._encode(method, params)) for key, (method, params) in chunk]
            check_references(encoded)
            answer = self._request("batch", {"halt": 1 if halt else 0, "cmd": dict(encoded)}, kind)
            part = parse_chunk(
                answer.result,
                {key: methods[key] for key, _ in chunk},
                portal=self.portal,
                auth_kind=self.config.auth.kind,
            )
            for key, time_block in part.result_time.items():
                self.limiter.record(methods[key], time_block)
            merge(out, part)
            del pending[: len(chunk)]
            if halt and part.result_error:
                out.skipped.extend(pending)
                break
        return out

    def create(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        reconcile: Callable[[], Any | None],
    ) -> Any:
        """Call a non-idempotent create (`...template.add`) without ever making a duplicate.

        When the outcome is uncertain (timeout, dropped connection, 5xx after sending),
        `reconcile()` looks for the object on the portal (e.g. `template.list` by NAME): if it
        returns something, that is the result; if it returns None, nothing was created and the
        call is sent again, up to `retries` times."""
        last: Failure | None = None
        for attempt in range(self.config.retries + 1):
            try:
                return self._request(method, dict(params), MethodKind.CREATE, reconcile=True).result
            except _OutcomeUnknown as unknown:
                last = unknown.failure
            logger.warning("%s: %s; checking whether it was created", method, last.what)
            found = reconcile()
            if found is not None:
                with self._stats_lock:
                    self.stats.reconciled += 1
                logger.info("%s had been applied after all; using what the portal has", method)
                return found
            if attempt < self.config.retries:
                with self._stats_lock:
                    self.stats.retries += 1
                self.clock.sleep(backoff(attempt, self._rng))
        assert last is not None
        raise last.error(
            note=f" ({self.config.retries + 1} attempts)",
            hint=f"the portal shows no result of {method}, so nothing was created; try again later",
        )

    # -- one call, with its retries ------------------------------------------------------------

    def _request(
        self,
        method: str,
        params: dict[str, Any],
        kind: MethodKind,
        *,
        reconcile: bool = False,
    ) -> PortalResponse:
        self._check_method_name(method)
        with self._stats_lock:
            self.stats.calls_by_method[method] += 1
        started = self.clock.monotonic()
        retries = 0
        refreshes = 0
        while True:
            self._throttle(method)
            token, outcome = self._exchange(method, params)
            if isinstance(outcome, PortalResponse):
                self.limiter.record(method, outcome.time)
                logger.info(
                    "call %s status=%d duration=%.2fs retries=%d",
                    method,
                    outcome.http_status,
                    self.clock.monotonic() - started,
                    retries,
                )
                return outcome
            failure = outcome
            if failure.retry is Retry.REFRESH and refreshes < MAX_REFRESHES:
                refreshes += 1
                self._refresh(token)
                continue
            if failure.retry is Retry.UNCERTAIN and kind is not MethodKind.READ:
                self._log_failure(method, failure, started, retries)
                if reconcile:
                    raise _OutcomeUnknown(failure)
                raise failure.error(hint=_unknown_outcome_hint(method, kind), outcome_unknown=True)
            if not may_retry(kind, failure.retry) or retries >= self.config.retries:
                self._log_failure(method, failure, started, retries)
                raise self._final_error(failure, retries, refreshes)
            retries += 1
            with self._stats_lock:
                self.stats.retries += 1
            delay = self._retry_delay(method, failure, retries)
            logger.info(
                "call %s: %s; retry %d of %d in %.1fs",
                method,
                failure.what,
                retries,
                self.config.retries,
                delay,
            )
            if delay > 0:
                self.clock.sleep(delay)

    def _exchange(
        self, method: str, params: dict[str, Any]
    ) -> tuple[str | None, PortalResponse | Failure]:
        auth = self.config.auth
        token: str | None = None
        body = dict(params)
        if isinstance(auth, OAuthAuth):
            token = auth.access_token
            if not token:  # seeded with a refresh token only
                self._refresh(token)
                token = auth.access_token
            body["auth"] = token
        try:
            content = json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise PortalError(
                f"the parameters of {method} cannot be sent as JSON ({exc})",
                code="BAD_PARAMS",
                method=method,
            ) from None
        try:
            response = self._http.post(
                auth.endpoint(self.portal, method),
                content=content,
                headers={"Content-Type": "application/json"},
            )
        except httpx.HTTPError as exc:
            return token, failure_from_exception(
                exc, portal=self.portal, method=method, read_timeout=self.config.timeout
            )
        outcome = interpret(response, portal=self.portal, method=method, auth_kind=auth.kind)
        if isinstance(outcome, Failure):
            return token, outcome
        time_block = outcome.get("time")
        return token, PortalResponse(
            result=outcome.get("result"),
            total=_as_int(outcome.get("total")),
            next=_as_int(outcome.get("next")),
            time=time_block if isinstance(time_block, Mapping) else {},
            http_status=response.status_code,
        )

    # -- helpers -----------------------------------------------------------------------------

    def _throttle(self, method: str) -> None:
        waited = self.limiter.acquire(method)
        if waited > 0:
            with self._stats_lock:
                self.stats.throttled_waits += 1
                self.stats.throttled_seconds += waited
            logger.debug("call %s waited %.2fs for the portal's limits", method, waited)

    def _refresh(self, rejected: str | None) -> None:
        auth = self.config.auth
        assert isinstance(auth, OAuthAuth)
        if auth.refresh(self._http, rejected or "", now=self.clock.time()):
            with self._stats_lock:
                self.stats.refreshes += 1
            logger.info("refreshed the access token for %s", self.portal)

    def _retry_delay(self, method: str, failure: Failure, retry_number: int) -> float:
        if (failure.code or "").upper() == "OPERATION_TIME_LIMIT":
            # The limiter holds this method until the portal's reset; `acquire` does the wait.
            self.limiter.block(method)
            return 0.0
        if failure.retry is Retry.REJECTED:
            self.limiter.penalise()
        return backoff(retry_number - 1, self._rng)

    def _final_error(self, failure: Failure, retries: int, refreshes: int) -> PortalError:
        if failure.retry is Retry.REFRESH:
            # The refresh token is fine (the OAuth server accepted it and issued new tokens),
            # so re-authorising would not help: this portal refuses what the server issues.
            auth = self.config.auth
            app = f" {auth.client_id}" if isinstance(auth, OAuthAuth) else ""
            return failure.error(
                note=f" again, after {refreshes} token refreshes",
                hint=f"the OAuth server did issue new tokens, so the refresh token is valid; "
                f"check that the app{app} is installed on {self.portal} (it refuses the tokens "
                "of an app installed on another portal), and if it is, run again",
            )
        note = f" (gave up after {retries + 1} attempts)" if retries else ""
        return failure.error(note=note)

    def _log_failure(self, method: str, failure: Failure, started: float, retries: int) -> None:
        logger.warning(
            "call %s status=%s duration=%.2fs retries=%d failed: %s",
            method,
            failure.http_status or "-",
            self.clock.monotonic() - started,
            retries,
            failure.what,
        )

    def _count_request(self, request: httpx.Request) -> None:
        with self._stats_lock:
            self.stats.http_requests += 1

    def _encode(self, method: str, params: Mapping[str, Any] | None) -> str:
        try:
            return encode_command(method, params)
        except (TypeError, FormError) as exc:
            raise PortalError(
                f"batch command {method}: {exc}", code="BAD_PARAMS", method=method
            ) from None

    @staticmethod
    def _check_method_name(method: str) -> None:
        # The name becomes part of the URL path; anything else would change the endpoint.
        if not isinstance(method, str) or not _METHOD_NAME.fullmatch(method):
            raise PortalError(f"{method!r} is not a Bitrix24 method name", code="BAD_METHOD")

    def _page_rows(self, method: str, result: Any) -> list[Any]:
        if isinstance(result, list):
            return result
        # Some list methods wrap the rows: {"tasks": [...]}.
        if isinstance(result, Mapping) and len(result) == 1:
            (rows,) = result.values()
            if isinstance(rows, list):
                return rows
        raise ServerError(
            f"{self.portal} answered {method} with a {type(result).__name__} where a list of "
            "rows was expected; list_all only reads list methods",
            method=method,
        )


def _unknown_outcome_hint(method: str, kind: MethodKind) -> str:
    if kind is MethodKind.CREATE:
        return (
            f"the outcome is unknown: {method} may or may not have been applied, and "
            "repeating it could create a duplicate; check the portal before running it "
            "again"
        )
    return (
        f"the outcome is unknown: {method} may or may not have been applied; check the "
        "portal before running it again"
    )
