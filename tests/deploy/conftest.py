"""Fixtures of the deploy tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .rig import Rig, rig


@pytest.fixture
def sandbox_rig(tmp_path: Path) -> Iterator[Rig]:
    with rig(tmp_path) as made:
        yield made
