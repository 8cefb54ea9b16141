"""Which calls may be repeated, and how long to wait before repeating them.

A read can be sent again whatever happened to the first copy. A write that may already have
run is never sent again blindly: updates and deletes would usually be harmless, but a create
(`template.add`, `workflow.start`) would make a duplicate, so all writes repeat only when the
first copy certainly did not run (never sent, or refused by a rate limit), and creates recover
through `PortalClient.create`'s reconcile step instead.
"""

from __future__ import annotations

import random
from enum import Enum

from compiler.portal.classify import Retry


class MethodKind(Enum):
    READ = "read"
    WRITE = "write"
    CREATE = "create"


# The last segment of a method name says what it does (`bizproc.workflow.template.list`).
_READ_VERBS = frozenset({"list", "get", "fields", "instances", "info", "current", "search"})
_READ_METHODS = frozenset({"profile", "scope", "methods", "server.time", "app.info", "user.admin"})
_CREATE_VERBS = frozenset({"add", "start", "create", "copy", "import"})


def classify_method(method: str) -> MethodKind:
    name = method.lower()
    verb = name.rsplit(".", 1)[-1]
    if name in _READ_METHODS or verb in _READ_VERBS:
        return MethodKind.READ
    if verb in _CREATE_VERBS:
        return MethodKind.CREATE
    return MethodKind.WRITE


def may_retry(kind: MethodKind, retry: Retry) -> bool:
    if retry in (Retry.NOT_SENT, Retry.REJECTED):
        return True
    return retry is Retry.UNCERTAIN and kind is MethodKind.READ


BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)].
    Full jitter spreads concurrent clients apart instead of retrying in lockstep."""
    return rng.uniform(0.0, min(BACKOFF_CAP, BACKOFF_BASE * 2.0**attempt))
