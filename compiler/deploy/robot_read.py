"""What the portal says about this application's robots and actions: their CODEs, nothing more.

`bizproc.robot.list` and `bizproc.activity.list` return bare CODEs, so a registered definition
can never be read back (the state file remembers what bpl registered instead). Both lists ride
in the plan's first `batch` call, so knowing them costs no request of its own. Through a
webhook the portal refuses them (they need an application's token); the listing then says why
instead of failing the whole plan, because templates can still be planned.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from compiler.portal import MethodError, PortalClient
from compiler.portal.batch import BatchResult, Command

Kind = Literal["robot", "action"]
LISTS: dict[Kind, str] = {"robot": "bizproc.robot.list", "action": "bizproc.activity.list"}
# Batch keys of the two lists (next to the template pages).
KEYS: dict[Kind, str] = {"robot": "robots", "action": "actions"}
APP_CONTEXT = ("registering robots and actions needs the application's OAuth token: through a "
               "webhook the portal answers 'Application context required' (see "
               "docs/deploying.md, Deploying to a real portal)")


@dataclass
class RobotListing:
    """The CODEs registered by this application, per kind; `denied` says why they are unknown."""

    codes: dict[Kind, list[str]] = field(default_factory=lambda: {"robot": [], "action": []})
    denied: str | None = None

    @property
    def readable(self) -> bool:
        return self.denied is None

    def kind_of(self, code: str) -> Kind | None:
        for kind, codes in self.codes.items():
            if code in codes:
                return kind
        return None

    def has(self, kind: str, code: str) -> bool:
        return code in self.codes.get(kind, [])  # type: ignore[call-overload]

    def fingerprint(self) -> str:
        """What a saved plan checks before it applies: the same CODEs are registered."""
        payload = json.dumps({"denied": self.denied is not None,
                              "codes": {k: sorted(v) for k, v in self.codes.items()}},
                             sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def listing_commands() -> dict[str, Command]:
    return {KEYS[kind]: (method, {}) for kind, method in LISTS.items()}


def _codes(result: Any) -> list[str]:
    if isinstance(result, Mapping):  # a PHP list that lost its shape
        result = list(result.values())
    return sorted(str(c) for c in result) if isinstance(result, list) else []


def listing_from(batch: BatchResult) -> RobotListing:
    """The listing out of a batch that ran `listing_commands()`."""
    listing = RobotListing()
    for kind, key in KEYS.items():
        error = batch.result_error.get(key)
        if error is not None:
            listing.denied = _why(error)
            listing.codes = {"robot": [], "action": []}
            return listing
        listing.codes[kind] = _codes(batch.result.get(key))
    return listing


def _why(error: MethodError) -> str:
    text = f"{error.code} {error.description}".lower()
    if "application context" in text or (error.code or "") == "ACCESS_DENIED":
        return APP_CONTEXT
    return f"the portal did not list this application's robots and actions ({error})"


def is_listed(client: PortalClient, kind: Kind, code: str) -> bool:
    """Whether `code` is registered now as `kind` (checks what an interrupted write did)."""
    result = client.call(LISTS[kind], {})
    return code in _codes(result)
