"""The leaky bucket and the operating-time budget, on an injected clock (no sleeping)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compiler.sandbox import Limits, ManualClock, Sandbox, SandboxConfig
from compiler.sandbox.limits import LeakyBucket, OperatingMeter

from .helpers import Client, error, ok

LIST = "bizproc.workflow.template.list"


class Rig:
    def __init__(self, limits: Limits) -> None:
        self.clock = ManualClock()
        self.sandbox = Sandbox(SandboxConfig(limits=limits, clock=self.clock, token_lifetime=10**9))
        self.token = self.sandbox.ensure_default_app().access_token
        self.client = Client(self.sandbox.asgi_app)

    def status(self, method: str = "scope") -> int:
        return self.client.call(method, self.token).status_code

    def close(self) -> None:
        self.client.close()
        self.sandbox.close()


@pytest.fixture
def standard() -> Iterator[Rig]:
    rig = Rig(Limits.standard())
    yield rig
    rig.close()


def test_the_51st_request_of_a_burst_is_refused_until_the_bucket_drains(standard: Rig) -> None:
    assert [standard.status() for _ in range(50)] == [200] * 50
    response = standard.client.call("scope", standard.token)
    assert error(response) == (503, "QUERY_LIMIT_EXCEEDED", "Too many requests")
    # Refused requests are not counted: the level stays at the burst.
    assert standard.sandbox.portal.bucket.level("127.0.0.1") == 50
    standard.clock.advance(0.49)  # 0.98 drained: still no room for one more
    assert standard.status() == 503
    standard.clock.advance(0.01)  # exactly one request's worth drained
    assert standard.status() == 200
    assert standard.status() == 503
    standard.clock.advance(25.0)  # 50 / 2 per second: the bucket is empty again
    assert standard.sandbox.portal.bucket.level("127.0.0.1") == 0
    assert [standard.status() for _ in range(50)] == [200] * 50
    assert standard.status() == 503


def test_a_client_at_the_drain_rate_is_never_refused(standard: Rig) -> None:
    for _ in range(300):
        assert standard.status() == 200
        standard.clock.advance(0.5)


def test_the_bucket_is_per_source_address(standard: Rig) -> None:
    for _ in range(50):
        standard.status()
    elsewhere = Client(standard.sandbox.asgi_app, client_ip="10.0.0.7")
    try:
        assert elsewhere.call("scope", standard.token).status_code == 200
    finally:
        elsewhere.close()


def test_unauthenticated_requests_count_too(standard: Rig) -> None:
    for _ in range(50):
        standard.client.call("scope", "wrong")
    assert standard.status() == 503


def test_enterprise_and_off_presets() -> None:
    enterprise = Rig(Limits.enterprise())
    try:
        assert all(enterprise.status() == 200 for _ in range(250))
        assert enterprise.status() == 503
        enterprise.clock.advance(0.2)  # 5 per second
        assert enterprise.status() == 200
    finally:
        enterprise.close()
    unlimited = Rig(Limits.off())
    try:
        assert all(unlimited.status() == 200 for _ in range(400))
    finally:
        unlimited.close()


def test_limits_presets_by_name() -> None:
    assert Limits.named("Enterprise") == Limits.enterprise()
    assert Limits.named("off").burst is None
    with pytest.raises(ValueError, match="unknown limits preset"):
        Limits.named("turbo")


def test_operating_time_blocks_one_method_of_one_caller() -> None:
    rig = Rig(Limits(burst=None, operating_limit=480.0, cost_per_call=100.0))
    try:
        times = [rig.client.call(LIST, rig.token).json()["time"] for _ in range(5)]
        assert [round(t["operating"]) for t in times] == [100, 200, 300, 400, 500]
        assert error(rig.client.call(LIST, rig.token)) == (
            429,
            "OPERATION_TIME_LIMIT",
            "Method is blocked due to operation time limit.",
        )
        assert rig.status("scope") == 200  # another method
        other = rig.sandbox.create_app("other").access_token
        assert rig.client.call(LIST, other).status_code == 200  # another app
        hook = rig.sandbox.ensure_default_app().webhook_path
        assert rig.client.hook(hook, LIST).status_code == 200  # a webhook is its own caller
        reset_at = times[0]["operating_reset_at"]
        assert reset_at == int(rig.clock.now()) + 600
        rig.clock.set(reset_at - 1)
        assert rig.client.call(LIST, rig.token).status_code == 429
        rig.clock.set(reset_at)  # the one bucket (all calls fell in one minute) drops out
        assert ok(rig.client.call(LIST, rig.token)) == []
    finally:
        rig.close()


def test_operating_buckets_expire_one_minute_at_a_time() -> None:
    clock = ManualClock(start=1000.0)
    meter = OperatingMeter(Limits(operating_limit=100.0), clock)
    meter.charge("app:1", "m", 60.0)  # bucket opened at 1000
    clock.advance(90)
    meter.charge("app:1", "m", 50.0)  # a new bucket at 1090
    assert meter.snapshot("app:1", "m") == (110.0, 1600)
    assert meter.blocked("app:1", "m")
    clock.set(1600)  # the first bucket drops out
    assert meter.snapshot("app:1", "m") == (50.0, 1690)
    assert not meter.blocked("app:1", "m")
    clock.set(1690)
    assert meter.snapshot("app:1", "m") == (0.0, 2290)


def test_every_response_carries_the_time_block(standard: Rig) -> None:
    for response in (
        standard.client.call("scope", standard.token),
        standard.client.call("scope", "wrong"),
        standard.client.call("no.such", standard.token),
    ):
        block = response.json()["time"]
        assert set(block) == {
            "start",
            "finish",
            "duration",
            "processing",
            "date_start",
            "date_finish",
            "operating_reset_at",
            "operating",
        }
        assert block["finish"] >= block["start"] and block["date_start"].endswith("+00:00")


def test_bucket_level_drains_continuously() -> None:
    clock = ManualClock(start=0.0)
    bucket = LeakyBucket(Limits.standard(), clock)
    for _ in range(10):
        assert bucket.admit("ip")
    clock.advance(2.5)
    assert bucket.level("ip") == pytest.approx(5.0)
    assert LeakyBucket(Limits.off(), clock).admit("ip")
