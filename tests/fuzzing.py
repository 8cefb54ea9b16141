"""Budgets of the fuzz tests: small in `make test`, as large as asked for in `make fuzz`.

`BPL_FUZZ_SCALE` multiplies every budget (`make fuzz` sets it); the examples stay random, so a
longer run explores new inputs instead of replaying the short one.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

SCALE = max(1, int(os.environ.get("BPL_FUZZ_SCALE", "1") or "1"))


def budget(examples: int) -> settings:
    """Hypothesis settings for a fuzz test worth `examples` cases in CI."""
    return settings(max_examples=examples * SCALE, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))
