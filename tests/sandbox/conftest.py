from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.sandbox import Credentials, Limits, ManualClock, Sandbox, SandboxConfig

from .helpers import Client


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(tmp_path: Path, clock: ManualClock) -> Iterator[Sandbox]:
    sb = Sandbox(SandboxConfig(data=tmp_path / "sandbox.sqlite3", limits=Limits.off(), clock=clock))
    yield sb
    sb.close()


@pytest.fixture
def creds(sandbox: Sandbox) -> Credentials:
    return sandbox.ensure_default_app()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    made = Client(sandbox.asgi_app)
    yield made
    made.close()


@pytest.fixture
def token(creds: Credentials) -> str:
    return creds.access_token
