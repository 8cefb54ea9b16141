"""What every run operation works in: one open transaction of the portal, at one moment."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from compiler.sandbox.portal import Portal


@dataclass(frozen=True)
class Ctx:
    conn: sqlite3.Connection
    portal: Portal
    now: float

    @property
    def moment(self) -> datetime:
        return to_moment(self.now)


def to_moment(ts: float) -> datetime:
    """The simulator's clock is naive portal time, and portal time is UTC (see clock.iso)."""
    return datetime.fromtimestamp(int(ts), UTC).replace(tzinfo=None)


def to_unix(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()
