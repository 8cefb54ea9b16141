"""Retries by method kind, and creates that reconcile instead of duplicating."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.portal import (
    ManualClock,
    OAuthAuth,
    PortalClient,
    PortalConfig,
    PortalError,
    RateLimited,
    ServerError,
    Unreachable,
)
from compiler.portal.policy import BACKOFF_BASE, BACKOFF_CAP, MethodKind, classify_method

from .conftest import MakeClient
from .fake_portal import OAUTH_URL, PORTAL, FakePortal, Fault, after_commit, raise_, respond

LIST = "bizproc.workflow.template.list"
ADD = "bizproc.workflow.template.add"
UPDATE = "bizproc.workflow.template.update"

TRANSIENT: dict[str, Fault] = {
    "500": respond(500, "INTERNAL_SERVER_ERROR", "Internal server error"),
    "502 page": respond(502),
    "503 page": respond(503),
    "504 page": respond(504),
    "503 limit": respond(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
    "429 limit": respond(429, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
    "429 operating": respond(429, "OPERATION_TIME_LIMIT", "Method is blocked"),
    "connect": raise_(httpx.ConnectError, "[Errno 111] Connection refused"),
    "read error": raise_(httpx.ReadError, "connection reset by peer"),
    "dropped": raise_(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
    "read timeout": raise_(httpx.ReadTimeout, "timed out"),
}


@pytest.mark.parametrize("fault", sorted(TRANSIENT))
def test_reads_retry_every_transient_fault(
    make_oauth_client: MakeClient, portal: FakePortal, fault: str
) -> None:
    client = make_oauth_client()
    portal.faults.extend([TRANSIENT[fault]] * 3)
    assert client.call(LIST) == []
    assert len(portal.seen) == 4
    assert client.stats.retries == 3


def test_backoff_is_exponential_with_full_jitter(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    client = make_oauth_client(retries=8)
    portal.faults.extend([TRANSIENT["500"]] * 8)
    client.call(LIST)
    assert len(clock.sleeps) == 8
    for attempt, slept in enumerate(clock.sleeps):
        assert 0 <= slept <= min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    assert max(clock.sleeps[5:]) > BACKOFF_BASE * 2**2  # it does grow


def test_reads_give_up_after_the_budget(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    client = make_oauth_client(retries=2)
    portal.faults.extend([TRANSIENT["503 page"]] * 3)
    with pytest.raises(ServerError) as info:
        client.call(LIST)
    assert "(gave up after 3 attempts)" in str(info.value)
    assert info.value.http_status == 503
    assert len(portal.seen) == 3


def test_method_errors_are_not_retried(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    client = make_oauth_client()
    portal.faults.append(respond(400, "ERROR_SELECT_VALIDATION_FAILURE", "Invalid data in SELECT"))
    with pytest.raises(PortalError, match="Invalid data in SELECT"):
        client.call(LIST)
    assert len(portal.seen) == 1


@pytest.mark.parametrize("fault", ["read error", "dropped", "read timeout", "500", "502 page"])
def test_writes_are_not_repeated_when_they_may_have_run(
    make_oauth_client: MakeClient, portal: FakePortal, fault: str
) -> None:
    template = portal.add_template("t")
    client = make_oauth_client()
    portal.faults.append(TRANSIENT[fault])
    with pytest.raises(PortalError) as info:
        client.call(UPDATE, {"ID": template, "FIELDS": {"NAME": "u"}})
    assert isinstance(info.value, Unreachable | ServerError)
    assert info.value.outcome_unknown
    assert f"the outcome is unknown: {UPDATE} may or may not have been applied" in str(info.value)
    assert len(portal.seen) == 1


@pytest.mark.parametrize("fault", ["connect", "503 limit", "429 limit", "429 operating"])
def test_writes_are_repeated_when_they_certainly_did_not_run(
    make_oauth_client: MakeClient, portal: FakePortal, fault: str
) -> None:
    template = portal.add_template("t")
    client = make_oauth_client()
    portal.faults.append(TRANSIENT[fault])
    assert client.call(UPDATE, {"ID": template, "FIELDS": {"NAME": "u"}}) == template
    assert portal.templates[template]["NAME"] == "u"
    assert len(portal.seen) == 2


def test_a_create_called_directly_warns_about_duplicates(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.faults.append(after_commit())
    with pytest.raises(Unreachable, match="repeating it could create a duplicate"):
        client.call(ADD, {"NAME": "n"})
    assert len(portal.templates) == 1


def find_by_name(client: PortalClient, name: str) -> Any:
    def reconcile() -> Any:
        rows = client.list_all(LIST, {"FILTER": {"NAME": name}, "SELECT": ["ID"]})
        return rows[0]["ID"] if rows else None

    return reconcile


def test_create_adopts_the_object_committed_before_the_answer_was_lost(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.fail(ADD, after_commit(httpx.ReadError))
    created = client.create(
        ADD, {"NAME": "Approve deal"}, reconcile=find_by_name(client, "Approve deal")
    )
    assert created == 1
    assert [t["NAME"] for t in portal.templates.values()] == ["Approve deal"]  # no duplicate
    assert len(portal.calls(ADD)) == 1
    assert client.stats.reconciled == 1


def test_create_sends_again_when_reconcile_finds_nothing(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.fail(ADD, TRANSIENT["read timeout"], TRANSIENT["502 page"])
    created = client.create(ADD, {"NAME": "n"}, reconcile=find_by_name(client, "n"))
    assert created == 1
    assert len(portal.templates) == 1
    assert len(portal.calls(ADD)) == 3
    assert len(portal.calls(LIST)) == 2


def test_create_gives_up_and_says_nothing_was_created(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client(retries=2)
    portal.fail(ADD, *[raise_(httpx.ReadError, "connection reset by peer")] * 3)
    with pytest.raises(Unreachable) as info:
        client.create(ADD, {"NAME": "n"}, reconcile=find_by_name(client, "n"))
    assert "(3 attempts)" in str(info.value)
    assert "so nothing was created" in str(info.value)
    assert portal.templates == {}


def test_create_retries_a_refused_send_without_reconciling(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.faults.extend([TRANSIENT["connect"], TRANSIENT["503 limit"]])

    def reconcile() -> None:
        raise AssertionError("a request that never ran needs no reconcile")

    assert client.create(ADD, {"NAME": "n"}, reconcile=reconcile) == 1


def test_create_passes_method_errors_through(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    client = make_oauth_client()
    portal.faults.append(respond(400, "ERROR_TEMPLATE_VALIDATION_FAILURE", "Empty template name!"))
    with pytest.raises(PortalError, match="Empty template name!"):
        client.create(ADD, {"NAME": ""}, reconcile=lambda: None)


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("bizproc.workflow.template.list", MethodKind.READ),
        ("bizproc.workflow.instances", MethodKind.READ),
        ("bizproc.task.list", MethodKind.READ),
        ("profile", MethodKind.READ),
        ("user.admin", MethodKind.READ),
        ("bizproc.workflow.template.add", MethodKind.CREATE),
        ("bizproc.workflow.start", MethodKind.CREATE),
        ("bizproc.robot.add", MethodKind.CREATE),
        ("bizproc.workflow.template.update", MethodKind.WRITE),
        ("bizproc.workflow.template.delete", MethodKind.WRITE),
        ("bizproc.event.send", MethodKind.WRITE),
        ("bizproc.activity.log", MethodKind.WRITE),
        ("batch", MethodKind.WRITE),
    ],
)
def test_method_classification(method: str, kind: MethodKind) -> None:
    assert classify_method(method) is kind


@settings(max_examples=150, deadline=None)
@given(
    faults=st.lists(st.sampled_from(sorted(TRANSIENT)), max_size=8),
    retries=st.integers(min_value=0, max_value=5),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_transient_faults_end_in_a_result_or_a_portal_error(
    faults: list[str], retries: int, seed: int
) -> None:
    portal = FakePortal()
    access, refresh = portal.issue_pair()
    portal.faults.extend(TRANSIENT[f] for f in faults)
    auth = OAuthAuth("local.app.1", "app-secret-Hh3", access, refresh, oauth_url=OAUTH_URL)
    config = PortalConfig(base_url=PORTAL, auth=auth, limits="standard", retries=retries)
    with PortalClient(
        config, transport=portal.transport(), clock=portal.clock, rng=random.Random(seed)
    ) as client:
        try:
            result = client.call(LIST)
        except PortalError as exc:
            assert len(faults) > retries
            assert isinstance(exc, Unreachable | ServerError | RateLimited)
            assert str(exc)
        else:
            assert result == []
            assert len(faults) <= retries
        assert len(portal.seen) == min(len(faults), retries) + 1
