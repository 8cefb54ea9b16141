"""The client-side limits: the leaky bucket and per-method operating time, on a fake clock."""

from __future__ import annotations

import pytest

from compiler.portal import ManualClock, PortalClient, RateLimited, RateLimiter
from compiler.portal.limiter import PRESETS

from .conftest import MakeClient
from .fake_portal import FakePortal, respond


@pytest.mark.parametrize(
    ("limits", "burst", "drain", "calls"),
    [("standard", 50, 2.0, 200), ("enterprise", 250, 5.0, 600)],
)
def test_a_well_behaved_client_is_never_refused_and_waits_only_the_minimum(
    make_oauth_client: MakeClient,
    portal: FakePortal,
    clock: ManualClock,
    limits: str,
    burst: int,
    drain: float,
    calls: int,
) -> None:
    portal.burst, portal.drain = burst, drain  # the portal's own bucket, on the same clock
    client = make_oauth_client(limits=limits, retries=0)
    for _ in range(calls):
        client.call("profile")
    assert portal.rate_limited == 0
    capacity = PRESETS[limits].capacity  # type: ignore[union-attr]
    expected = (calls - capacity) / drain
    assert clock.slept == pytest.approx(expected)
    assert clock.slept >= (calls - burst) / drain  # never faster than the portal allows
    assert clock.slept <= (calls - burst) / drain + 2.5  # the margin costs at most ~2 s
    assert client.stats.throttled_waits == calls - capacity


def test_the_fake_bucket_does_refuse_a_client_without_limits(
    make_oauth_client: MakeClient, portal: FakePortal
) -> None:
    # Guards the test above: without the client's limiter the same load is refused.
    portal.burst = 50
    client = make_oauth_client(limits="off", retries=0)
    with pytest.raises(RateLimited):
        for _ in range(200):
            client.call("profile")
    assert portal.rate_limited == 1


def test_the_bucket_drains_between_bursts() -> None:
    clock = ManualClock()
    limiter = RateLimiter("standard", clock=clock)
    for _ in range(46):
        assert limiter.acquire("m") == 0
    assert limiter.acquire("m") == pytest.approx(0.5)
    clock.advance(60)  # a minute idle empties the bucket
    for _ in range(46):
        assert limiter.acquire("m") == 0


def test_off_never_waits() -> None:
    clock = ManualClock()
    limiter = RateLimiter("off", clock=clock)
    for _ in range(1000):
        limiter.acquire("m")
    assert clock.sleeps == []


def test_unknown_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="standard, enterprise, off"):
        RateLimiter("turbo")


def test_a_nearly_spent_operating_budget_waits_until_the_reset(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    portal.operating_cost["bizproc.workflow.template.list"] = 50.0
    client = make_oauth_client(retries=0)
    started = clock.time()
    for _ in range(12):
        client.call("bizproc.workflow.template.list")
    # Ten calls spend 500 s > 470 s; the eleventh waits for the window to move on.
    assert clock.sleeps == [pytest.approx(601.0)]
    assert clock.time() >= started + 600
    assert client.stats.throttled_waits == 1
    assert client.stats.retries == 0  # never answered OPERATION_TIME_LIMIT


def test_operating_time_is_accounted_per_method(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    portal.operating_cost["bizproc.workflow.template.list"] = 100.0
    client = make_oauth_client(retries=0)
    for _ in range(5):
        client.call("bizproc.workflow.template.list")
    for _ in range(5):
        client.call("profile")  # another method's budget is untouched
    assert clock.sleeps == []


def test_missing_time_fields_are_tolerated(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    portal.omit_time = True
    client = make_oauth_client()
    for _ in range(20):
        client.call("bizproc.workflow.template.list")
    assert clock.sleeps == []
    limiter = RateLimiter("off", clock=clock)
    limiter.record("m", {"operating": "n/a", "operating_reset_at": None})
    limiter.record("m", None)
    limiter.record("m", {"operating": 475.0})  # no reset time: nothing to wait for
    assert limiter.acquire("m") == 0


def test_operation_time_limit_waits_until_the_reported_reset(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    portal.operating_cost["bizproc.workflow.template.list"] = 1.0
    client = make_oauth_client()
    client.call("bizproc.workflow.template.list")
    reset_at = client.call_raw("bizproc.workflow.template.list").time["operating_reset_at"]
    portal.faults.append(respond(429, "OPERATION_TIME_LIMIT", "Method is blocked"))
    client.call("bizproc.workflow.template.list")
    assert clock.sleeps == [pytest.approx(reset_at + 1 - 1_700_000_000.0)]
    assert client.stats.retries == 1


def test_operation_time_limit_without_a_reset_waits_a_bucket(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    portal.omit_time = True
    client = make_oauth_client()
    portal.faults.append(respond(429, "OPERATION_TIME_LIMIT", "Method is blocked"))
    client.call("bizproc.workflow.template.list")
    assert clock.sleeps == [pytest.approx(60.0)]


def test_query_limit_exceeded_from_a_neighbour_slows_the_following_calls(
    make_oauth_client: MakeClient, portal: FakePortal, clock: ManualClock
) -> None:
    client = make_oauth_client(limits="standard")
    portal.faults.append(respond(503, "QUERY_LIMIT_EXCEEDED", "Too many requests"))
    client.call("profile")
    assert client.stats.retries == 1
    before = clock.slept
    client.call("profile")
    # The bucket is taken as full after the refusal, so the next call drips at 2/s.
    assert clock.slept - before == pytest.approx(0.5)


def test_concurrent_acquires_line_up_one_drain_interval_apart() -> None:
    clock = ManualClock()
    limiter = RateLimiter("standard", clock=clock)
    waits = [limiter._reserve_slot() for _ in range(50)]  # reservations made at the same instant
    assert waits[:46] == [0] * 46
    assert waits[46:] == pytest.approx([0.5, 1.0, 1.5, 2.0])


def test_client_stats_count_waits(make_oauth_client: MakeClient, portal: FakePortal) -> None:
    client: PortalClient = make_oauth_client(limits="standard")
    for _ in range(48):
        client.call("profile")
    # Calls 47 and 48 each wait half a second (the level drains while the caller sleeps).
    assert client.stats.throttled_waits == 2
    assert client.stats.throttled_seconds == pytest.approx(1.0)
