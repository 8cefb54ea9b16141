"""Shared pytest fixtures."""

from __future__ import annotations

import pytest
from php import PHP_BINARY, PHP_MISSING_REASON, Php


@pytest.fixture(scope="session")
def php() -> Php:
    """Real php-cli for fidelity checks; the test is skipped when php is not installed."""
    if PHP_BINARY is None:
        pytest.skip(PHP_MISSING_REASON)
    return Php(PHP_BINARY)
