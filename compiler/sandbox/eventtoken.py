"""EVENT_TOKEN: `<workflowId>|<activityName>|<eventId>.<signature>`, keyed per portal."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

_SALT = b"bizproc"


def _signature(key: str, payload: str) -> str:
    return hmac.new(key.encode(), _SALT + b"\0" + payload.encode(), hashlib.sha256).hexdigest()


def sign(key: str, workflow_id: str, activity_name: str, event_id: str) -> str:
    payload = f"{workflow_id}|{activity_name}|{event_id}"
    return f"{payload}.{_signature(key, payload)}"


def verify(key: str, token: Any) -> tuple[str, str, str] | None:
    """(workflow id, activity name, event id) of a genuine token, else None."""
    if not isinstance(token, str):
        return None
    payload, dot, signature = token.rpartition(".")
    if not dot or not hmac.compare_digest(signature.encode(), _signature(key, payload).encode()):
        return None
    parts = payload.split("|")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]
