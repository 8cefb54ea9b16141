"""What a REST method implementation receives and returns, and the method registry."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from compiler.sandbox.auth import Caller
from compiler.sandbox.errors import access_denied, app_context_required
from compiler.sandbox.portal import Portal


@dataclass
class Call:
    params: dict[str, Any]  # top-level names already upper-cased
    caller: Caller
    conn: sqlite3.Connection
    now: float
    portal: Portal

    def require_app_admin(self) -> None:
        """The check order of the server: application context first, then the admin right."""
        if not self.caller.is_app:
            raise app_context_required()
        self.require_admin()

    def require_admin(self) -> None:
        if not self.caller.is_admin:
            raise access_denied()


@dataclass
class Result:
    value: Any
    total: int | None = None
    next: int | None = None


Handler = Callable[[Call], Result]


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    scope: str = "bizproc"
    writes: bool = False


@dataclass
class Registry:
    methods: dict[str, Method] = field(default_factory=dict)

    def add(
        self, name: str, *, scope: str = "bizproc", writes: bool = False
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.methods[name] = Method(name, handler, scope, writes)
            return handler

        return register

    def alias(self, alias: str, name: str) -> None:
        self.methods[alias] = Method(
            alias, self.methods[name].handler, self.methods[name].scope, self.methods[name].writes
        )

    def get(self, name: str) -> Method | None:
        return self.methods.get(name.lower())


REGISTRY = Registry()
