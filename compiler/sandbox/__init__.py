"""The sandbox portal: a local Bitrix24 REST server for the bizproc scope.

It is bpl's default deployment target (no Bitrix24 account needed) and the integration-test
target of the deployer. Choices made where the reference is only inferred are listed in
`compiler.sandbox.choices`.

    from compiler.sandbox import Sandbox, SandboxConfig, Limits, Faults
    sb = Sandbox(SandboxConfig(data=Path(".bpl/sandbox.sqlite3")))
    creds = sb.ensure_default_app()
    with sb.running() as base_url:
        ...
"""

from compiler.sandbox.clock import Clock, ManualClock, SystemClock
from compiler.sandbox.config import Faults, Limits, SandboxConfig
from compiler.sandbox.errors import ConnectionDropped
from compiler.sandbox.sandbox import DEFAULT_PORT, RemoteHostRefused, Sandbox, is_loopback
from compiler.sandbox.seed import Credentials

__all__ = [
    "DEFAULT_PORT",
    "Clock",
    "ConnectionDropped",
    "Credentials",
    "Faults",
    "Limits",
    "ManualClock",
    "RemoteHostRefused",
    "Sandbox",
    "SandboxConfig",
    "SystemClock",
    "is_loopback",
]
