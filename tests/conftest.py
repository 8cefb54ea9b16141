"""Shared pytest fixtures."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from php import PHP_BINARY, PHP_MISSING_REASON, Php

# Property tests judge results, never speed: on a shared 2-core machine a slow example is not a
# failure (speed is measured by the benchmark commands instead).
settings.register_profile("bpl", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("bpl")


@pytest.fixture(scope="session")
def php() -> Php:
    """Real php-cli for fidelity checks; the test is skipped when php is not installed."""
    if PHP_BINARY is None:
        pytest.skip(PHP_MISSING_REASON)
    return Php(PHP_BINARY)
