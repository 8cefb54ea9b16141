"""The two Bitrix24 REST limits: the leaky-bucket request rate and the per-method operating time."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from compiler.sandbox.clock import Clock, iso
from compiler.sandbox.config import Limits


class LeakyBucket:
    """Each admitted request adds 1; the level drains by `drain_per_second`. A request that would
    lift the level above `burst` is refused and not counted, so a client that backs off recovers."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self._burst = limits.burst
        self._rate = limits.drain_per_second
        self._clock = clock
        self._levels: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str) -> bool:
        if self._burst is None:
            return True
        now = self._clock.now()
        with self._lock:
            level, last = self._levels.get(key, (0.0, now))
            level = max(0.0, level - max(0.0, now - last) * self._rate)
            if level + 1 > self._burst:
                self._levels[key] = (level, now)
                return False
            self._levels[key] = (level + 1, now)
            return True

    def level(self, key: str) -> float:
        now = self._clock.now()
        with self._lock:
            level, last = self._levels.get(key, (0.0, now))
        return max(0.0, level - max(0.0, now - last) * self._rate)


@dataclass
class _Bucket:
    opened: float
    seconds: float


class OperatingMeter:
    """Execution seconds per (app or webhook, method) over a sliding window of one-minute buckets.

    A bucket opens with the first call recorded in it and drops out `operating_window` seconds
    later; `operating_reset_at` is when the oldest live bucket drops out.
    """

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self._limits = limits
        self._clock = clock
        self._buckets: dict[tuple[str, str], list[_Bucket]] = {}
        self._lock = threading.Lock()

    def _live(self, key: tuple[str, str], now: float) -> list[_Bucket]:
        window = self._limits.operating_window
        buckets = [b for b in self._buckets.get(key, []) if b.opened + window > now]
        self._buckets[key] = buckets
        return buckets

    def blocked(self, caller: str, method: str) -> bool:
        limit = self._limits.operating_limit
        if limit is None:
            return False
        operating, _ = self.snapshot(caller, method)
        return operating > limit

    def charge(self, caller: str, method: str, seconds: float) -> None:
        now = self._clock.now()
        with self._lock:
            buckets = self._live((caller, method), now)
            if not buckets or buckets[-1].opened + self._limits.bucket_seconds <= now:
                buckets.append(_Bucket(now, 0.0))
            buckets[-1].seconds += seconds

    def snapshot(self, caller: str, method: str) -> tuple[float, int]:
        """(accumulated seconds, unix time the oldest bucket drops out)."""
        now = self._clock.now()
        with self._lock:
            buckets = self._live((caller, method), now)
            total = sum(b.seconds for b in buckets)
            oldest = buckets[0].opened if buckets else now
        return total, int(oldest + self._limits.operating_window)


def time_block(
    start: float,
    elapsed: float,
    *,
    operating: tuple[float, int] | None = None,
) -> dict[str, float | int | str]:
    """The `time` member of a response. `start` is clock time, `elapsed` measured seconds."""
    finish = start + elapsed
    block: dict[str, float | int | str] = {
        "start": round(start, 6),
        "finish": round(finish, 6),
        "duration": round(elapsed, 6),
        "processing": round(elapsed, 6),
        "date_start": iso(start),
        "date_finish": iso(finish),
    }
    if operating is not None:
        block["operating_reset_at"] = operating[1]
        block["operating"] = round(operating[0], 6)
    return block
