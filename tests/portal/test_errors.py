"""Every failure kind reaches the user as one PortalError sentence they can act on."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from compiler.portal import (
    AuthError,
    MethodError,
    PortalClient,
    PortalError,
    PortalMoved,
    RateLimited,
    ServerError,
    TokenStore,
    TokenStoreError,
    Unreachable,
)

from .conftest import MakeClient
from .fake_portal import PORTAL, FakePortal, Fault, raise_, respond

LIST = "bizproc.workflow.template.list"
ADD = "bizproc.workflow.template.add"


def html(status: int, title: str) -> Fault:
    page = f"<html><head><title>{title}</title></head><body>...</body></html>"
    return lambda request, portal: httpx.Response(status, text=page)


# (fault, method, expected type, expected sentence, code, http_status)
CASES: dict[str, tuple[Fault, str, type[PortalError], str, str | None, int | None]] = {
    "connection refused": (
        raise_(httpx.ConnectError, "[Errno 111] Connection refused"),
        LIST,
        Unreachable,
        f"cannot reach {PORTAL}: connection refused; check the portal URL and your network",
        None,
        None,
    ),
    "dns": (
        raise_(httpx.ConnectError, "[Errno -2] Name or service not known"),
        LIST,
        Unreachable,
        f"cannot reach {PORTAL}: the host name does not resolve; check the portal URL and "
        "your network",
        None,
        None,
    ),
    "connect timeout": (
        raise_(httpx.ConnectTimeout, "timed out"),
        LIST,
        Unreachable,
        f"cannot reach {PORTAL}: the connection timed out; check the portal URL and your network",
        None,
        None,
    ),
    "read timeout": (
        raise_(httpx.ReadTimeout, "timed out"),
        LIST,
        Unreachable,
        f"{PORTAL} did not answer {LIST} within 60 s; the portal may be overloaded; try again "
        "later",
        None,
        None,
    ),
    "tls": (
        raise_(httpx.ConnectError, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
        LIST,
        Unreachable,
        f"cannot open a secure connection to {PORTAL}: [SSL: CERTIFICATE_VERIFY_FAILED] "
        "certificate verify failed; check that the URL is the portal's https:// address; behind "
        "a proxy that intercepts TLS, point SSL_CERT_FILE at the proxy's CA certificate",
        None,
        None,
    ),
    "domain change": (
        lambda r, p: httpx.Response(302, headers={"Location": "https://new.bitrix24.com/rest/x"}),
        LIST,
        PortalMoved,
        f"{PORTAL} redirected {LIST} to https://new.bitrix24.com: the portal has moved; update "
        "the portal URL (and the webhook URL, if you use one) to https://new.bitrix24.com",
        None,
        302,
    ),
    "no auth": (
        respond(401, "NO_AUTH_FOUND", "Wrong authorization data"),
        LIST,
        AuthError,
        "the portal did not accept the access token (NO_AUTH_FOUND); check that the app is "
        f"installed on {PORTAL}, then re-authorise it",
        "NO_AUTH_FOUND",
        401,
    ),
    "scope": (
        respond(403, "insufficient_scope", ""),
        LIST,
        AuthError,
        f"the token lacks the bizproc scope needed by {LIST}; add it to the app (or to the "
        "webhook's permissions) and reinstall it",
        "insufficient_scope",
        403,
    ),
    "application context": (
        respond(400, "ACCESS_DENIED", "Application context required"),
        ADD,
        AuthError,
        f"{ADD} needs an application token; webhooks cannot deploy templates — see README "
        "'Deploying to a real portal'",
        "ACCESS_DENIED",
        400,
    ),
    "commercial plan": (
        respond(403, "ACCESS_DENIED", "REST API is available only on commercial plans"),
        LIST,
        AuthError,
        f"the REST API is not available on the plan of {PORTAL}; it needs a commercial plan, "
        "a trial or an NFR licence",
        "ACCESS_DENIED",
        403,
    ),
    "not an admin": (
        respond(403, "ACCESS_DENIED", "Access denied!"),
        LIST,
        MethodError,
        f"the portal denied {LIST} (ACCESS_DENIED: Access denied!); most bizproc methods need "
        "a portal administrator's token",
        "ACCESS_DENIED",
        403,
    ),
    "payment": (
        respond(402, "PAYMENT_REQUIRED", "Payment required"),
        LIST,
        AuthError,
        f"{PORTAL} requires payment for this app (PAYMENT_REQUIRED); check the portal's plan "
        "and the app's subscription",
        "PAYMENT_REQUIRED",
        402,
    ),
    "overload": (
        respond(503, "OVERLOAD_LIMIT", "REST API is blocked due to overload"),
        LIST,
        RateLimited,
        f"REST calls to {PORTAL} are blocked by Bitrix24 support for overload (OVERLOAD_LIMIT); "
        "contact Bitrix24 support",
        "OVERLOAD_LIMIT",
        503,
    ),
    "portal deleted": (
        respond(500, "PORTAL_DELETED", "Portal was deleted"),
        LIST,
        ServerError,
        f"the portal {PORTAL} is deleted or closed (PORTAL_DELETED); check the portal URL",
        "PORTAL_DELETED",
        500,
    ),
    "https": (
        respond(400, "INVALID_REQUEST", "Https required."),
        LIST,
        PortalError,
        f"{PORTAL} accepts REST calls over HTTPS only; use an https:// portal URL",
        "INVALID_REQUEST",
        400,
    ),
    "login page": (
        html(200, "Authorization"),
        LIST,
        ServerError,
        f'{PORTAL} answered {LIST} with HTTP 200 and a non-JSON page ("Authorization"); check '
        "that the portal URL is the Bitrix24 address (https://<name>.bitrix24.com), not a login "
        "page or a proxy",
        None,
        200,
    ),
    "unknown method": (
        respond(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"),
        "bizproc.task.delegate",
        MethodError,
        f"{PORTAL} does not know the method bizproc.task.delegate (ERROR_METHOD_NOT_FOUND); "
        "check the method name; older on-premise portals lack newer methods",
        "ERROR_METHOD_NOT_FOUND",
        404,
    ),
    "method error": (
        respond(400, "ERROR_TEMPLATE_VALIDATION_FAILURE", "Incorrect field DOCUMENT_TYPE!"),
        ADD,
        MethodError,
        f"{ADD} failed: ERROR_TEMPLATE_VALIDATION_FAILURE: Incorrect field DOCUMENT_TYPE!; fix "
        "the call and run again",
        "ERROR_TEMPLATE_VALIDATION_FAILURE",
        400,
    ),
    "empty code": (
        respond(400, "", "Wrong DOCUMENT_ID!"),
        "bizproc.workflow.start",
        MethodError,
        "bizproc.workflow.start failed: error: Wrong DOCUMENT_ID!; fix the call and run again",
        "",
        400,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_error_kind_has_its_sentence(
    make_oauth_client: MakeClient, portal: FakePortal, case: str
) -> None:
    fault, method, kind, sentence, code, status = CASES[case]
    client = make_oauth_client(retries=0)
    portal.faults.append(fault)
    with pytest.raises(PortalError) as info:
        client.call(method, {"NAME": "x"} if method == ADD else None)
    error = info.value
    assert type(error) is kind
    assert str(error) == sentence
    assert error.code == code
    assert error.method == method
    assert error.http_status == status


def test_method_error_keeps_code_description_and_method(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.faults.append(respond(400, "ERROR_TEMPLATE_NOT_OWNER", "You can update ONLY ..."))
    with pytest.raises(MethodError) as info:
        client.call("bizproc.workflow.template.update", {"ID": 1})
    assert (info.value.code, info.value.description, info.value.method) == (
        "ERROR_TEMPLATE_NOT_OWNER",
        "You can update ONLY ...",
        "bizproc.workflow.template.update",
    )


def test_webhook_no_auth_points_at_the_webhook(
    webhook_client: PortalClient, portal: FakePortal
) -> None:
    portal.faults.append(respond(401, "NO_AUTH_FOUND", "Wrong authorization data"))
    with pytest.raises(AuthError) as info:
        webhook_client.call("profile")
    assert str(info.value) == (
        "the portal did not accept the webhook (NO_AUTH_FOUND); check the webhook URL and that "
        "the webhook still exists"
    )


def test_rate_limits_exhausted_after_retries(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client(retries=3)
    portal.faults.extend([respond(503, "QUERY_LIMIT_EXCEEDED", "Too many requests")] * 4)
    with pytest.raises(RateLimited) as info:
        client.call(LIST)
    assert str(info.value) == (
        f"the portal answered {LIST} with 'too many requests' (QUERY_LIMIT_EXCEEDED) (gave up "
        "after 4 attempts); other apps calling from this IP share the limit; wait a minute and "
        "run again"
    )


def test_bad_gateway_pages_after_retries(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    client = make_oauth_client(retries=1)
    portal.faults.extend([html(502, "502 Bad Gateway")] * 2)
    with pytest.raises(ServerError) as info:
        client.call(LIST)
    assert str(info.value) == (
        f'{PORTAL} answered {LIST} with HTTP 502 and a non-JSON page ("502 Bad Gateway") (gave '
        "up after 2 attempts); the portal or a proxy in front of it is failing; try again later"
    )


def test_expired_token_after_a_failed_refresh(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    access, _ = portal.issue_pair()
    portal.access_tokens.discard(access)
    portal.expired_tokens.add(access)
    client = make_oauth_client(access=access, refresh="refresh-token-nobody-knows")
    with pytest.raises(AuthError, match=r"^the refresh token was rejected \(expired or already"):
        client.call(LIST)


def test_a_corrupt_token_store(make_oauth_client: MakeClient, tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json")
    with pytest.raises(TokenStoreError, match="is corrupt"):
        make_oauth_client(store=TokenStore(path))


def test_every_sentence_names_an_action() -> None:
    for _fault, _method, _kind, sentence, _code, _status in CASES.values():
        assert "; " in sentence, sentence
        assert "Traceback" not in sentence


def test_repr_shows_the_code_and_method(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    client = make_oauth_client()
    portal.faults.append(respond(403, "insufficient_scope", ""))
    with pytest.raises(AuthError) as info:
        client.call(LIST)
    assert repr(info.value).startswith("AuthError(") and "the token lacks" in repr(info.value)
    assert "code='insufficient_scope'" in repr(info.value)
    assert f"method='{LIST}'" in repr(info.value)
