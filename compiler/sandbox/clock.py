"""Time sources: everything time-dependent reads one injected clock, so tests never sleep."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Unix time in seconds."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to; shared by threads, hence the lock."""

    def __init__(self, start: float = 1_726_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, when: float) -> None:
        with self._lock:
            self._now = when


class ShiftedClock:
    """Another clock moved forward by `offset` seconds: the sandbox's clock when it follows
    the system's. `bpl sandbox clock advance` adds to the offset (kept in the portal's
    database, so every process serving or using the portal sees the same time) and timers
    fire without waiting; it never goes back."""

    def __init__(self, base: Clock, offset: float = 0.0) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> float:
        return self.base.now() + self.offset


def iso(ts: float) -> str:
    """REST datetime format: ISO-8601 with an explicit offset, whole seconds (portal time = UTC)."""
    return datetime.fromtimestamp(int(ts), UTC).isoformat()


def parse_iso(text: str) -> float | None:
    """Read a REST datetime ('Z' or an offset; a bare date is midnight UTC); None if unreadable."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
