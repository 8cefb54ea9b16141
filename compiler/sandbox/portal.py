"""Everything a running portal shares between requests: state, limits, faults and its secrets."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from compiler.sandbox.config import SandboxConfig
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

    def _meta_secret(self, key: str, make: Callable[[], str]) -> str:
        """A per-portal value made once and kept in the database, so restarts keep it."""
        with self.store.transaction(write=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return str(row["value"])
            value = make()
            conn.execute("INSERT INTO meta(key, value) VALUES (?, ?)", (key, value))
            return value
