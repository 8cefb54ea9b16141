"""Time as the portal layer sees it, behind one seam so that tests never really sleep.

Two readings are needed: a monotonic one for the leaky bucket (immune to NTP steps) and the
wall clock for the portal's `operating_reset_at`, which is a unix timestamp.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """A clock that only moves when someone sleeps on it or calls `advance`.

    Both readings move together; `sleeps` records every requested sleep, in order."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._epoch = start
        self._elapsed = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self._elapsed

    def time(self) -> float:
        return self._epoch + self._elapsed

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._elapsed += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._elapsed += seconds

    @property
    def slept(self) -> float:
        return sum(self.sleeps)
