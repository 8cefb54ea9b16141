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


@pytest.fixture(autouse=True)
def _private_runtime_dir(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`bpl apply` keeps its deploy locks in the user's runtime folder: during the tests, one of
    the test session's (processes the tests start inherit it), never the real one."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path_factory.getbasetemp() / "runtime"))


@pytest.fixture(scope="session")
def php() -> Php:
    """Real php-cli for fidelity checks; the test is skipped when php is not installed."""
    if PHP_BINARY is None:
        pytest.skip(PHP_MISSING_REASON)
    return Php(PHP_BINARY)
