"""Running one REST method for an authenticated caller: scope, operating-time limit, one
transaction, the error mapping of the REST server and the time accounting."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from compiler.sandbox.auth import Caller
from compiler.sandbox.errors import PhpFatal, RestError, method_not_found
from compiler.sandbox.methods import REGISTRY, Call
from compiler.sandbox.portal import Portal

log = logging.getLogger("bpl.sandbox")


@dataclass
class Outcome:
    status: int
    payload: dict[str, Any]  # {"result", "total"?, "next"?} or {"error", "error_description"}
    started: float
    elapsed: float
    operating: tuple[float, int] | None = None
    wrote: bool = False
    fatal: bool = False  # a PHP Error: a batch dies with it

    @property
    def failed(self) -> bool:
        return "error" in self.payload


def failure(error: RestError, started: float, elapsed: float = 0.0) -> Outcome:
    return Outcome(error.status, error.body(), started, elapsed)


def insufficient_scope() -> RestError:
    return RestError(
        "insufficient_scope",
        "The request requires higher privileges than provided by the access token",
        403,
    )


def operation_time_limit() -> RestError:
    return RestError("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429)


def execute(portal: Portal, caller: Caller, name: str, params: dict[str, Any]) -> Outcome:
    started = portal.clock.now()
    began = time.perf_counter()
    method = REGISTRY.get(name)
    if method is None:
        return failure(method_not_found(), started)
    if not caller.allows(method.scope):
        return failure(insufficient_scope(), started)
    key = caller.meter_key
    if portal.meter.blocked(key, method.name):
        error = operation_time_limit()
        return Outcome(
            error.status, error.body(), started, 0.0, portal.meter.snapshot(key, method.name)
        )
    fatal = False
    try:
        with portal.store.transaction(write=method.writes) as conn:
            result = method.handler(Call(params, caller, conn, started, portal))
        payload: dict[str, Any] = {"result": result.value}
        if result.total is not None:
            payload["total"] = result.total
        if result.next is not None:
            payload["next"] = result.next
        status = 200
    except RestError as error:
        payload, status = error.body(), error.status
        fatal = isinstance(error, PhpFatal)
    except Exception:
        # A bug in the sandbox, not a portal answer: keep serving, answer like Bitrix's 500.
        log.exception("unexpected failure in %s", method.name)
        payload = RestError("INTERNAL_SERVER_ERROR", "Internal server error", 500).body()
        status = 500
    elapsed = time.perf_counter() - began
    portal.meter.charge(key, method.name, elapsed + portal.config.limits.cost_per_call)
    return Outcome(
        status,
        payload,
        started,
        elapsed,
        portal.meter.snapshot(key, method.name),
        wrote=method.writes and status == 200,
        fatal=fatal,
    )
