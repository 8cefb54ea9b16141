"""Turns one HTTP exchange (an answer or a transport exception) into a classified failure.

The portal's HTTP statuses are inconsistent between methods (ACCESS_DENIED comes as 400 or
403, rate limits as 429 or 503), so the `error` code decides, then `error_description` when the
code is empty, and the status only when there is no JSON at all.

Each failure says what happened, what to do, and whether a retry can help:
- NOT_SENT: the request never left (connect errors): any method may be retried;
- REJECTED: the portal refused it without running it (rate limits): any method may be retried;
- UNCERTAIN: it may have run (timeouts, dropped connections, 5xx): only reads are retried;
- REFRESH: the access token expired: refresh once, then retry;
- NEVER: retrying cannot help.
"""

from __future__ import annotations

import re
import socket
import ssl
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx

from compiler.portal.errors import (
    AuthError,
    MethodError,
    PortalError,
    PortalMoved,
    RateLimited,
    ServerError,
    Unreachable,
)

AuthKind = Literal["webhook", "oauth"]


class Retry(Enum):
    NEVER = "never"
    NOT_SENT = "not sent"
    REJECTED = "rejected"
    UNCERTAIN = "uncertain"
    REFRESH = "refresh"


@dataclass(frozen=True)
class Failure:
    kind: type[PortalError]
    what: str
    hint: str
    retry: Retry
    method: str
    code: str | None = None
    description: str = ""
    http_status: int | None = None
    location: str | None = None

    def error(
        self, *, note: str = "", hint: str | None = None, outcome_unknown: bool = False
    ) -> PortalError:
        message = f"{self.what}{note}; {hint or self.hint}"
        if self.kind is MethodError:
            return MethodError(
                self.code or "",
                self.description,
                self.method,
                http_status=self.http_status,
                message=message,
            )
        if self.kind is PortalMoved:
            return PortalMoved(
                message,
                location=self.location or "",
                method=self.method,
                http_status=self.http_status,
            )
        return self.kind(
            message,
            code=self.code,
            method=self.method,
            http_status=self.http_status,
            outcome_unknown=outcome_unknown,
        )


# -- transport exceptions ---------------------------------------------------------------------

_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "temporary failure in name resolution",
    "no address associated",
)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return re.sub(r"^\[Errno -?\d+\]\s*", "", text) or type(exc).__name__


def failure_from_exception(
    exc: httpx.HTTPError, *, portal: str, method: str, read_timeout: float
) -> Failure:
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    network_hint = "check the portal URL and your network"

    if isinstance(exc, httpx.ConnectTimeout):
        return Failure(
            Unreachable,
            f"cannot reach {portal}: the connection timed out",
            network_hint,
            Retry.NOT_SENT,
            method,
        )
    if isinstance(exc, httpx.ConnectError):
        if (
            any(isinstance(e, ssl.SSLError) for e in chain)
            or "ssl" in text
            or "certificate" in text
        ):
            return Failure(
                Unreachable,
                f"cannot open a secure connection to {portal}: {_reason(exc)}",
                "check that the URL is the portal's https:// address; behind a proxy that "
                "intercepts TLS, point SSL_CERT_FILE at the proxy's CA certificate",
                Retry.NEVER,
                method,
            )
        if any(isinstance(e, socket.gaierror) for e in chain) or any(h in text for h in _DNS_HINTS):
            what = f"cannot reach {portal}: the host name does not resolve"
        elif any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            what = f"cannot reach {portal}: connection refused"
        else:
            what = f"cannot reach {portal}: {_reason(exc)}"
        return Failure(Unreachable, what, network_hint, Retry.NOT_SENT, method)
    if isinstance(exc, httpx.PoolTimeout):
        return Failure(
            Unreachable,
            f"cannot reach {portal}: no free connection in time",
            network_hint,
            Retry.NOT_SENT,
            method,
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return Failure(
            Unreachable,
            f"cannot call {portal}: the URL is not an http(s) address",
            "use the portal address, e.g. https://example.bitrix24.com",
            Retry.NEVER,
            method,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return Failure(
            Unreachable,
            f"{portal} did not answer {method} within {read_timeout:g} s",
            "the portal may be overloaded; try again later",
            Retry.UNCERTAIN,
            method,
        )
    if isinstance(exc, httpx.TransportError):
        return Failure(
            Unreachable,
            f"the connection to {portal} dropped during {method} ({_reason(exc)})",
            "check your network and try again",
            Retry.UNCERTAIN,
            method,
        )
    return Failure(
        ServerError,
        f"the answer of {portal} to {method} could not be read ({_reason(exc)})",
        "try again later",
        Retry.NEVER,
        method,
    )


# -- answers ------------------------------------------------------------------------------------


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _page_title(response: httpx.Response) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", response.text[:4000], re.I | re.S)
    if match and match.group(1).strip():
        return f' ("{" ".join(match.group(1).split())[:80]}")'
    return ""


def interpret(
    response: httpx.Response, *, portal: str, method: str, auth_kind: AuthKind
) -> dict[str, Any] | Failure:
    """The JSON payload of a successful answer, or the failure it describes."""
    status = response.status_code
    if 300 <= status < 400:
        # Following a redirect would turn the POST into a GET and drop the body, and a moved
        # portal should be fixed in the configuration, not silently chased on every run.
        target = urljoin(str(response.request.url), response.headers.get("location", ""))
        new = _origin(target)
        return Failure(
            PortalMoved,
            f"{portal} redirected {method} to {new}: the portal has moved",
            f"update the portal URL (and the webhook URL, if you use one) to {new}",
            Retry.NEVER,
            method,
            http_status=status,
            location=new,
        )
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return _non_json(response, portal=portal, method=method)
    if "error" in payload:
        code = str(payload.get("error") or "")
        description = str(payload.get("error_description") or "")
        return failure_from_code(
            code, description, status=status, method=method, portal=portal, auth_kind=auth_kind
        )
    if 200 <= status < 300 and "result" in payload:
        return payload
    return Failure(
        ServerError,
        f"{portal} answered {method} with HTTP {status} but no result",
        "the portal may be misbehaving; try again later",
        Retry.UNCERTAIN if status >= 500 else Retry.NEVER,
        method,
        http_status=status,
    )


def _non_json(response: httpx.Response, *, portal: str, method: str) -> Failure:
    status = response.status_code
    what = (
        f"{portal} answered {method} with HTTP {status} and a non-JSON page{_page_title(response)}"
    )
    if status == 429:
        return Failure(
            RateLimited,
            what,
            "wait a minute and run again",
            Retry.REJECTED,
            method,
            http_status=status,
        )
    if status >= 500:
        return Failure(
            ServerError,
            what,
            "the portal or a proxy in front of it is failing; try again later",
            Retry.UNCERTAIN,
            method,
            http_status=status,
        )
    if status in (401, 403):
        return Failure(
            AuthError,
            what,
            "check the portal URL and the credentials",
            Retry.NEVER,
            method,
            http_status=status,
        )
    return Failure(
        ServerError,
        what,
        "check that the portal URL is the Bitrix24 address (https://<name>.bitrix24.com), "
        "not a login page or a proxy",
        Retry.NEVER,
        method,
        http_status=status,
    )


def _scope_of(method: str) -> str:
    return method.split(".", 1)[0] if "." in method else "basic"


def failure_from_code(
    code: str,
    description: str,
    *,
    status: int | None,
    method: str,
    portal: str,
    auth_kind: AuthKind,
) -> Failure:
    """Classify a `{"error": code, "error_description": description}` answer."""
    key = code.upper()
    desc = description.lower()

    def fail(kind: type[PortalError], what: str, hint: str, retry: Retry = Retry.NEVER) -> Failure:
        return Failure(
            kind, what, hint, retry, method, code=code, description=description, http_status=status
        )

    if key in ("EXPIRED_TOKEN", "INVALID_TOKEN"):
        if auth_kind == "oauth":
            return fail(
                AuthError,
                f"the portal rejected the access token ({code})",
                "re-authorise the app and store new tokens",
                Retry.REFRESH,
            )
        return fail(
            AuthError,
            f"the portal rejected the webhook ({code})",
            "the webhook may have expired or been deleted; create a new one and "
            "update the webhook URL",
        )
    if key == "NO_AUTH_FOUND":
        if auth_kind == "webhook":
            return fail(
                AuthError,
                "the portal did not accept the webhook (NO_AUTH_FOUND)",
                "check the webhook URL and that the webhook still exists",
            )
        return fail(
            AuthError,
            "the portal did not accept the access token (NO_AUTH_FOUND)",
            f"check that the app is installed on {portal}, then re-authorise it",
        )
    if key in ("INSUFFICIENT_SCOPE", "INVALID_SCOPE"):
        return fail(
            AuthError,
            f"the token lacks the {_scope_of(method)} scope needed by {method}",
            "add it to the app (or to the webhook's permissions) and reinstall it",
        )
    if key == "ACCESS_DENIED" and "application context" in desc:
        return fail(
            AuthError,
            f"{method} needs an application token",
            "webhooks cannot deploy templates — see README 'Deploying to a real portal'",
        )
    if key == "ACCESS_DENIED" and "commercial plan" in desc:
        return fail(
            AuthError,
            f"the REST API is not available on the plan of {portal}",
            "it needs a commercial plan, a trial or an NFR licence",
        )
    if key == "INVALID_CREDENTIALS":
        return fail(
            AuthError,
            f"the user behind the token lacks the rights for {method}",
            "use a token of a portal administrator",
        )
    if key == "USER_ACCESS_ERROR":
        return fail(
            AuthError,
            "the app is installed but this user may not use it",
            "ask a portal administrator to grant the user access to the app",
        )
    if key == "PAYMENT_REQUIRED":
        return fail(
            AuthError,
            f"{portal} requires payment for this app (PAYMENT_REQUIRED)",
            "check the portal's plan and the app's subscription",
        )
    if key == "QUERY_LIMIT_EXCEEDED" or (not key and status == 429):
        return fail(
            RateLimited,
            f"the portal answered {method} with 'too many requests' (QUERY_LIMIT_EXCEEDED)",
            "other apps calling from this IP share the limit; wait a minute and run again",
            Retry.REJECTED,
        )
    if key == "OPERATION_TIME_LIMIT":
        return fail(
            RateLimited,
            f"{method} is blocked for this app by the portal's "
            "operating-time limit (OPERATION_TIME_LIMIT)",
            "wait up to 10 minutes and run again",
            Retry.REJECTED,
        )
    if key == "OVERLOAD_LIMIT":
        return fail(
            RateLimited,
            f"REST calls to {portal} are blocked by Bitrix24 support for overload (OVERLOAD_LIMIT)",
            "contact Bitrix24 support",
        )
    if key == "PORTAL_DELETED":
        return fail(
            ServerError,
            f"the portal {portal} is deleted or closed (PORTAL_DELETED)",
            "check the portal URL",
        )
    if key == "INVALID_REQUEST" and "https" in desc:
        return fail(
            PortalError,
            f"{portal} accepts REST calls over HTTPS only",
            "use an https:// portal URL",
        )
    if key in ("INTERNAL_SERVER_ERROR", "ERROR_UNEXPECTED_ANSWER") or (
        not key and status is not None and status >= 500
    ):
        return fail(
            ServerError,
            f"the portal failed while running {method} "
            f"({code or 'HTTP ' + str(status)}: {description or 'no description'})",
            "try again later",
            Retry.UNCERTAIN,
        )
    if key in ("ERROR_METHOD_NOT_FOUND", "METHOD_NOT_FOUND"):
        return fail(
            MethodError,
            f"{portal} does not know the method {method} ({code})",
            "check the method name; older on-premise portals lack newer methods",
        )
    if key == "ACCESS_DENIED":
        return fail(
            MethodError,
            f"the portal denied {method} ({code}: {description})",
            "most bizproc methods need a portal administrator's token",
        )
    label = code or "error"
    return fail(
        MethodError,
        f"{method} failed: {label}: {description or 'no description'}",
        "fix the call and run again",
    )
