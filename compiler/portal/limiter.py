"""Client-side mirror of the portal's two limits, so that a well-behaved run is never refused.

1. The request-rate leaky bucket (per portal and source IP): every request adds 1, the level
   drains at a fixed rate, and the portal answers QUERY_LIMIT_EXCEEDED once the level passes the
   burst size. We keep our own copy of the level and wait before a request would overflow it,
   a few requests short of the portal's limit: our clock reads send times while the portal
   reads arrival times, and network jitter between the two must not tip it over.
2. The per-method operating-time budget (480 s of execution per method per 10 minutes): every
   answer reports the method's `operating` seconds and `operating_reset_at`; when the budget is
   nearly spent we wait until the reset instead of collecting OPERATION_TIME_LIMIT.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.portal.clock import Clock, SystemClock


@dataclass(frozen=True)
class LimitPreset:
    burst: int
    drain_per_second: float
    # Requests kept in reserve: about two seconds of drain, which absorbs that much jitter.
    margin: int

    @property
    def capacity(self) -> int:
        return self.burst - self.margin


PRESETS: dict[str, LimitPreset | None] = {
    "standard": LimitPreset(burst=50, drain_per_second=2.0, margin=4),
    "enterprise": LimitPreset(burst=250, drain_per_second=5.0, margin=10),
    "off": None,
}

OPERATING_BUDGET = 480.0
# One more call can run for many seconds after the last report; stop this far short of it.
OPERATING_RESERVE = 10.0
# Without a reset time the portal's window moves in one-minute buckets.
OPERATING_BUCKET = 60.0


@dataclass
class _MethodBudget:
    operating: float = 0.0
    reset_at: float | None = None
    blocked_until: float | None = None


class RateLimiter:
    """Thread-safe; `acquire` before every request, `record` after every answer."""

    def __init__(
        self,
        limits: str | LimitPreset | None = "standard",
        *,
        clock: Clock | None = None,
        operating_budget: float = OPERATING_BUDGET,
        operating_reserve: float = OPERATING_RESERVE,
    ) -> None:
        if isinstance(limits, str):
            if limits not in PRESETS:
                raise ValueError(f"limits must be one of {', '.join(PRESETS)}, not {limits!r}")
            limits = PRESETS[limits]
        self.preset = limits
        self.clock: Clock = clock or SystemClock()
        self.operating_budget = operating_budget
        self.operating_reserve = operating_reserve
        self._lock = threading.Lock()
        self._level = 0.0
        self._level_at = self.clock.monotonic()
        self._methods: dict[str, _MethodBudget] = {}
        self.waits = 0
        self.waited = 0.0

    def acquire(self, method: str) -> float:
        """Wait until `method` may be sent; return the seconds waited."""
        waited = self._sleep(self._operating_delay(method))
        return waited + self._sleep(self._reserve_slot())

    def record(self, method: str, time_block: Mapping[str, Any] | None) -> None:
        """Note the method's operating time from an answer's `time` block (fields optional)."""
        if not isinstance(time_block, Mapping):
            return
        operating = _number(time_block.get("operating"))
        reset_at = _number(time_block.get("operating_reset_at"))
        if operating is None:
            return
        with self._lock:
            budget = self._methods.setdefault(method.lower(), _MethodBudget())
            budget.operating = operating
            budget.reset_at = reset_at

    def penalise(self) -> None:
        """The portal said QUERY_LIMIT_EXCEEDED: someone else shares the bucket, so take it as
        full and let the next requests drip out at the drain rate."""
        if self.preset is None:
            return
        with self._lock:
            self._drain()
            self._level = max(self._level, float(self.preset.capacity))

    def block(self, method: str) -> float:
        """The portal said OPERATION_TIME_LIMIT for `method`: hold its calls until the oldest
        one-minute bucket drops out (the last reported reset, or a minute from now)."""
        now = self.clock.time()
        with self._lock:
            budget = self._methods.setdefault(method.lower(), _MethodBudget())
            if budget.reset_at is not None and budget.reset_at > now:
                until = budget.reset_at + 1.0
            else:
                until = now + OPERATING_BUCKET
            budget.blocked_until = until
            return until - now

    # -- internals ---------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> float:
        if seconds <= 0:
            return 0.0
        with self._lock:
            self.waits += 1
            self.waited += seconds
        self.clock.sleep(seconds)
        return seconds

    def _operating_delay(self, method: str) -> float:
        # Nothing is cleared here: once the clock passes the reset, the stale state stops
        # causing waits by itself, and concurrent callers all see the same deadline.
        now = self.clock.time()
        with self._lock:
            budget = self._methods.get(method.lower())
            if budget is None:
                return 0.0
            deadlines = [budget.blocked_until or 0.0]
            nearly_spent = budget.operating >= self.operating_budget - self.operating_reserve
            if nearly_spent and budget.reset_at is not None:
                # The integer reset time may be truncated, so one second of slack.
                deadlines.append(budget.reset_at + 1.0)
            return max(max(deadlines) - now, 0.0)

    def _reserve_slot(self) -> float:
        if self.preset is None:
            return 0.0
        with self._lock:
            self._drain()
            # The slot is taken now and drains while the caller sleeps, so concurrent callers
            # line up one drain interval apart instead of all waking at once.
            self._level += 1.0
            excess = self._level - self.preset.capacity
            return excess / self.preset.drain_per_second if excess > 0 else 0.0

    def _drain(self) -> None:
        assert self.preset is not None
        now = self.clock.monotonic()
        elapsed = max(now - self._level_at, 0.0)
        self._level = max(self._level - elapsed * self.preset.drain_per_second, 0.0)
        self._level_at = now


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
