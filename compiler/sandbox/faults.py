"""Deciding, reproducibly, which REST calls misbehave and how."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from compiler.sandbox.config import FAULT_CODES, Faults
from compiler.sandbox.errors import RestError


@dataclass(frozen=True)
class Fault:
    """`drop` closes the connection without an answer; otherwise answer `status`."""

    drop: bool
    status: int = 0

    def error(self) -> RestError:
        code = FAULT_CODES.get(self.status, "INTERNAL_SERVER_ERROR")
        text = "Too many requests" if code == "QUERY_LIMIT_EXCEEDED" else "Internal server error"
        return RestError(code, text, self.status)


class FaultInjector:
    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)
        self._lock = threading.Lock()
        self._token_calls = 0

    def _draws(self, count: int) -> list[float]:
        # A fixed number of draws per decision keeps a seeded run reproducible.
        with self._lock:
            return [self._rng.random() for _ in range(count)]

    def _pick_code(self, draw: float) -> int:
        codes = self.faults.codes
        return codes[min(int(draw * len(codes)), len(codes) - 1)]

    def before(self) -> Fault | None:
        """A fault that strikes before the call does anything."""
        if not (self.faults.drop_rate or self.faults.error_rate):
            return None
        drop, error, code = self._draws(3)
        if drop < self.faults.drop_rate:
            return Fault(drop=True)
        if error < self.faults.error_rate:
            return Fault(drop=False, status=self._pick_code(code))
        return None

    def after_commit(self) -> Fault | None:
        """A fault that strikes after a write was committed: the answer is lost."""
        if not self.faults.after_commit_rate:
            return None
        (draw,) = self._draws(1)
        if draw >= self.faults.after_commit_rate:
            return None
        if self.faults.after_commit_mode == "drop":
            return Fault(drop=True)
        return Fault(drop=False, status=500)

    def expire_token_now(self) -> bool:
        """Counts calls made with an OAuth token; every N-th finds its token expired."""
        every = self.faults.expire_tokens_every
        if not every:
            return False
        with self._lock:
            self._token_calls += 1
            return self._token_calls % every == 0
