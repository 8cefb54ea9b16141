"""Everything a running portal shares between requests: state, limits, faults and its secrets."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from compiler.sandbox import served
from compiler.sandbox.clock import ShiftedClock
from compiler.sandbox.config import SandboxConfig
from compiler.sandbox.delivery import Deliveries
from compiler.sandbox.faults import FaultInjector
from compiler.sandbox.limits import LeakyBucket, OperatingMeter
from compiler.sandbox.store import Store

CLOCK_OFFSET = "clock_offset"  # meta key: seconds the portal's clock is ahead of the system's


class Portal:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.store = Store(config.data)
        self._seen_version: int | None = None
        self._load_offset()
        self.bucket = LeakyBucket(config.limits, config.clock)
        self.meter = OperatingMeter(config.limits, config.clock)
        self.faults = FaultInjector(config.faults)
        self.signing_key = self._meta_secret("signing_key", lambda: secrets.token_hex(32))
        self.member_id = self._meta_secret("member_id", lambda: secrets.token_hex(16))
        # Where app handlers call back (auth[client_endpoint]): the served address when known,
        # else the address of the latest request.
        self.served_url: str | None = None
        self.request_url = "http://127.0.0.1"
        # The earliest timer of any stored run, so requests only look for due runs when one
        # can be due; None when no run waits for the clock.
        self.next_timer = self._earliest_timer()
        self.deliveries = Deliveries(self.store, config.clock, config.handler_timeout)

    @property
    def base_url(self) -> str:
        """This process's server, else the server of another process on the same file (a
        command run while `bpl sandbox serve` runs), else the address of the latest request."""
        if self.served_url:
            return self.served_url
        other = served.live(self.store) if self.config.data is not None else None
        return other.url if other is not None else self.request_url

    def note_timer(self, due: float | None) -> None:
        if due is not None and (self.next_timer is None or due < self.next_timer):
            self.next_timer = due

    def _load_offset(self) -> None:
        if isinstance(self.clock, ShiftedClock):
            self.clock.offset = float(self.store.meta(CLOCK_OFFSET) or 0.0)

    def sync(self) -> None:
        """Catch up with what other processes did to the same file: the clock moved
        (`bpl sandbox clock advance`), runs started with timers (`bpl workflows start`)."""
        if self.config.data is None:
            return
        version = self.store.data_version()
        if version == self._seen_version:
            return  # nobody else wrote since the last look
        self._seen_version = version
        with self.store.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (CLOCK_OFFSET,)).fetchone()
            earliest = conn.execute("SELECT MIN(next_timer) FROM runs").fetchone()[0]
        if isinstance(self.clock, ShiftedClock):
            self.clock.offset = float(row["value"]) if row is not None else 0.0
        self.next_timer = None if earliest is None else float(earliest)

    def shift_clock(self, seconds: float) -> float:
        """Move a ShiftedClock forward for every process using this portal; the new now."""
        if not isinstance(self.clock, ShiftedClock):
            raise TypeError("only a clock that follows the system's is shifted")
        with self.store.transaction(write=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (CLOCK_OFFSET,)).fetchone()
            offset = (float(row["value"]) if row is not None else 0.0) + seconds
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                         (CLOCK_OFFSET, repr(offset)))
        self.clock.offset = offset
        return self.clock.now()

    def _earliest_timer(self) -> float | None:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT MIN(next_timer) FROM runs").fetchone()
        return None if row[0] is None else float(row[0])

    def _meta_secret(self, key: str, make: Callable[[], str]) -> str:
        """A per-portal value made once and kept in the database, so restarts keep it."""
        with self.store.transaction(write=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row["value"])
            value = make()
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (key, value))
            return value
