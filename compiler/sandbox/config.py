"""Run-time settings of a sandbox portal: rate limits, injected faults and where the state lives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from compiler.sandbox.clock import Clock, ShiftedClock, SystemClock

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bitrix24 REST limits.

    `burst`/`drain_per_second` describe the per-portal, per-IP leaky bucket (None = no bucket).
    `operating_limit` is the per-method, per-app/webhook execution-time budget in seconds over a
    sliding window of `operating_buckets` buckets of `bucket_seconds` each (None = unlimited).
    `cost_per_call` is added to the measured time of every call so tests can reach the budget
    without doing real work.
    """

    burst: int | None = 50
    drain_per_second: float = 2.0
    operating_limit: float | None = 480.0
    bucket_seconds: float = 60.0
    operating_buckets: int = 10
    cost_per_call: float = 0.0

    @classmethod
    def standard(cls) -> Limits:
        return cls(burst=50, drain_per_second=2.0)

    @classmethod
    def enterprise(cls) -> Limits:
        return cls(burst=250, drain_per_second=5.0)

    @classmethod
    def off(cls) -> Limits:
        return cls(burst=None, operating_limit=None)

    @classmethod
    def named(cls, name: str) -> Limits:
        presets = {"standard": cls.standard, "enterprise": cls.enterprise, "off": cls.off}
        try:
            return presets[name.strip().lower()]()
        except KeyError:
            raise ValueError(
                f"unknown limits preset '{name}' (expected standard, enterprise or off)"
            ) from None

    @property
    def operating_window(self) -> float:
        return self.bucket_seconds * self.operating_buckets


@dataclass(frozen=True)
class Faults:
    """Injected misbehaviour of the portal, reproducible through `seed`.

    - `error_rate`: share of REST calls answered with one of `codes` before doing anything;
    - `drop_rate`: share of REST calls whose connection closes without any response;
    - `after_commit_rate`: share of *successful writes* whose response is lost after the write
      was committed (`after_commit_mode` "drop" closes the connection, "error" answers 500);
    - `latency`: seconds added to every REST call;
    - `expire_tokens_every`: every N-th call made with an OAuth token finds that token expired.
    """

    error_rate: float = 0.0
    codes: tuple[int, ...] = (500, 503)
    drop_rate: float = 0.0
    after_commit_rate: float = 0.0
    after_commit_mode: str = "drop"
    latency: float = 0.0
    expire_tokens_every: int = 0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("error_rate", "drop_rate", "after_commit_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.latency < 0:
            raise ValueError("latency must not be negative")
        if self.expire_tokens_every < 0:
            raise ValueError("expire_tokens_every must not be negative")
        if self.after_commit_mode not in ("drop", "error"):
            raise ValueError("after_commit_mode must be 'drop' or 'error'")
        if not self.codes or any(code not in FAULT_CODES for code in self.codes):
            raise ValueError(f"fault codes must be among {sorted(FAULT_CODES)}")

    @classmethod
    def none(cls) -> Faults:
        return cls()

    @property
    def active(self) -> bool:
        return bool(
            self.error_rate
            or self.drop_rate
            or self.after_commit_rate
            or self.latency
            or self.expire_tokens_every
        )

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """Read `error=0.2,drop=0.1,after_commit=0.05,latency=50ms,codes=500|503,seed=1`."""
        values: dict[str, object] = {}
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            key, value = key.strip().lower().replace("-", "_"), value.strip()
            if not sep or not value:
                raise ValueError(f"fault setting '{item}' needs the form name=value")
            target = _FAULT_KEYS.get(key)
            if target is None:
                known = ", ".join(sorted(_FAULT_KEYS))
                raise ValueError(f"unknown fault setting '{key}' (known: {known})")
            values[target] = _parse_fault_value(target, value)
        return cls(**values)  # type: ignore[arg-type]


# Status codes a fault may answer with; each maps to the Bitrix error code used in the body.
FAULT_CODES: dict[int, str] = {
    500: "INTERNAL_SERVER_ERROR",
    502: "ERROR_UNEXPECTED_ANSWER",
    503: "QUERY_LIMIT_EXCEEDED",
    504: "ERROR_UNEXPECTED_ANSWER",
}

_FAULT_KEYS = {
    "error": "error_rate",
    "error_rate": "error_rate",
    "drop": "drop_rate",
    "drop_rate": "drop_rate",
    "after_commit": "after_commit_rate",
    "after_commit_rate": "after_commit_rate",
    "after_commit_mode": "after_commit_mode",
    "latency": "latency",
    "codes": "codes",
    "expire": "expire_tokens_every",
    "expire_tokens_every": "expire_tokens_every",
    "seed": "seed",
}

_DURATION = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?$")


def _parse_fault_value(target: str, value: str) -> object:
    try:
        if target in ("error_rate", "drop_rate", "after_commit_rate"):
            rate = value[:-1] if value.endswith("%") else value
            return float(rate) / (100.0 if value.endswith("%") else 1.0)
        if target == "latency":
            match = _DURATION.match(value.lower())
            if match is None:
                raise ValueError
            number = float(match.group(1))
            return number / 1000.0 if match.group(2) == "ms" else number
        if target == "codes":
            return tuple(int(code) for code in re.split(r"[|/ ]+", value) if code)
        if target in ("expire_tokens_every", "seed"):
            return int(value)
        return value.lower()
    except ValueError:
        raise ValueError(f"fault setting '{target}' has an unreadable value '{value}'") from None


@dataclass(frozen=True)
class SandboxConfig:
    """Where the portal keeps its state and how it behaves.

    `data=None` keeps everything in memory (fine for a single-process test).
    `strict_auto_execute` follows the server code: AUTO_EXECUTE must be a *string* "0".."3".
    `run_workflows` executes started workflows with the simulator (tasks, timers, SetField,
    app robots called over loopback HTTP); off, `workflow.start` only records the instance
    and tasks are seeded, which is what tests that script the portal by hand rely on.
    `handler_timeout` bounds each POST to an app robot's handler (seconds).
    """

    data: Path | None = None
    limits: Limits = field(default_factory=Limits.standard)
    faults: Faults = field(default_factory=Faults.none)
    # The system's time, plus what `bpl sandbox clock advance` added (kept in the database).
    clock: Clock = field(default_factory=lambda: ShiftedClock(SystemClock()))
    token_lifetime: int = 3600
    refresh_token_lifetime: int = 180 * 24 * 3600
    max_body_bytes: int = 32 * MIB
    strict_auto_execute: bool = True
    run_workflows: bool = False
    handler_timeout: float = 10.0
