"""Plain calls, request shape and pagination."""

from __future__ import annotations

import httpx
import pytest

from compiler import __version__
from compiler.portal import PortalClient, PortalConfig, PortalError, WebhookAuth

from .conftest import WEBHOOK_CODE
from .fake_portal import PORTAL, FakePortal


def test_call_returns_result_and_call_raw_the_whole_answer(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    portal.add_template("Approve deal")
    assert oauth_client.call("bizproc.workflow.template.list") == [
        {"ID": 1, "NAME": "Approve deal"}
    ]
    raw = oauth_client.call_raw("bizproc.workflow.template.list", {"SELECT": ["ID"]})
    assert raw.total == 1
    assert raw.next is None
    assert raw.http_status == 200
    assert "operating" in raw.time


def test_request_is_a_json_post_with_auth_in_the_body(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    oauth_client.call("profile", {"X": [1, 2]})
    seen = portal.seen[-1]
    assert seen.url == f"{PORTAL}/rest/profile"  # no token in the query string
    assert seen.body["X"] == [1, 2]
    assert seen.body["auth"] == oauth_client.config.auth.access_token  # type: ignore[union-attr]
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["user-agent"] == f"bpl/{__version__}"


def test_webhook_calls_go_to_the_webhook_path(
    webhook_client: PortalClient, portal: FakePortal
) -> None:
    assert webhook_client.call("server.time") is True
    seen = portal.seen[-1]
    assert seen.url == f"{PORTAL}/rest/1/{WEBHOOK_CODE}/server.time"
    assert "auth" not in seen.body


def test_list_all_collects_every_page(oauth_client: PortalClient, portal: FakePortal) -> None:
    for n in range(137):
        portal.add_template(f"t{n}")
    rows = oauth_client.list_all("bizproc.workflow.template.list", {"SELECT": ["ID", "NAME"]})
    assert [r["ID"] for r in rows] == list(range(1, 138))
    starts = [s.body["start"] for s in portal.calls("bizproc.workflow.template.list")]
    assert starts == [0, 50, 100]
    assert oauth_client.stats.calls_by_method["bizproc.workflow.template.list"] == 3


def test_list_all_of_an_empty_list(oauth_client: PortalClient) -> None:
    assert oauth_client.list_all("bizproc.workflow.template.list") == []


def test_list_all_refuses_pagination_that_does_not_advance(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    portal.faults.append(lambda request, p: httpx.Response(200, json={"result": [1], "next": 0}))
    with pytest.raises(PortalError, match="pagination does not advance"):
        oauth_client.list_all("bizproc.workflow.template.list")


def test_json_body_is_utf8(oauth_client: PortalClient, portal: FakePortal) -> None:
    oauth_client.call("profile", {"NAME": "Согласование"})
    assert "Согласование".encode() in portal.seen[-1].content


@pytest.mark.parametrize("method", ["../admin", "profile?x=1", "a b", ""])
def test_method_names_cannot_change_the_url(oauth_client: PortalClient, method: str) -> None:
    with pytest.raises(PortalError, match="is not a Bitrix24 method name"):
        oauth_client.call(method)


def test_parameters_that_are_not_json_give_a_portal_error(oauth_client: PortalClient) -> None:
    with pytest.raises(PortalError, match="cannot be sent as JSON"):
        oauth_client.call("profile", {"X": object()})


def test_config_rejects_a_webhook_of_another_portal() -> None:
    auth = WebhookAuth(f"https://other.example.com/rest/1/{WEBHOOK_CODE}/")
    with pytest.raises(PortalError, match="use the same portal for both"):
        PortalConfig(base_url=PORTAL, auth=auth)


def test_config_takes_the_portal_from_the_webhook_when_no_url_is_given() -> None:
    config = PortalConfig(base_url="", auth=WebhookAuth(f"{PORTAL}/rest/1/{WEBHOOK_CODE}"))
    assert config.base_url == PORTAL


@pytest.mark.parametrize(
    "bad", ["portal.example.com", "ftp://portal.example.com", f"{PORTAL}/rest/{WEBHOOK_CODE}/"]
)
def test_malformed_webhook_urls_are_refused_without_echoing_the_code(bad: str) -> None:
    with pytest.raises(PortalError) as info:
        WebhookAuth(bad)
    assert "rest/<user id>/<code>" in str(info.value)
    assert WEBHOOK_CODE not in str(info.value)


def test_list_all_unwraps_a_single_list_and_refuses_other_shapes(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    portal.faults.append(lambda r, p: httpx.Response(200, json={"result": {"tasks": [1, 2]}}))
    assert oauth_client.list_all("bizproc.task.list") == [1, 2]
    portal.faults.append(lambda r, p: httpx.Response(200, json={"result": {"a": 1, "b": 2}}))
    with pytest.raises(PortalError, match="where a list of rows was expected"):
        oauth_client.list_all("bizproc.task.list")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"base_url": "example.bitrix24.com"}, "is not an http\\(s\\) address"),
        ({"limits": "turbo"}, "limits must be one of standard, enterprise, off"),
        ({"retries": -1}, "retries must be ≥ 0"),
        ({"timeout": 0}, "timeouts > 0"),
    ],
)
def test_config_mistakes_are_portal_errors(overrides: dict[str, object], message: str) -> None:
    settings: dict[str, object] = {
        "base_url": PORTAL,
        "auth": WebhookAuth(f"{PORTAL}/rest/1/{WEBHOOK_CODE}/"),
        **overrides,
    }
    with pytest.raises(PortalError, match=message):
        PortalConfig(**settings)  # type: ignore[arg-type]
