"""Everything a running portal shares between requests: state, limits, faults and its secrets."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from compiler.sandbox.config import SandboxConfig
from compiler.sandbox.delivery import Deliveries
from compiler.sandbox.faults import FaultInjector
from compiler.sandbox.limits import LeakyBucket, OperatingMeter
from compiler.sandbox.store import Store


class Portal:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = config.clock
        self.store = Store(config.data)
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
        return self.served_url or self.request_url

    def note_timer(self, due: float | None) -> None:
        if due is not None and (self.next_timer is None or due < self.next_timer):
            self.next_timer = due

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
