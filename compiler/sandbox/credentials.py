"""Generating credentials in Bitrix24's shapes, and masking them wherever they might be logged."""

from __future__ import annotations

import re
import secrets
import string
import time

_ALNUM = string.ascii_lowercase + string.digits


def random_alnum(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def access_token() -> str:
    return secrets.token_hex(35)


def uniqid(now: float | None = None) -> str:
    """A PHP `uniqid('', true)`-like id: time as hex, a dot, 8 digits (66e81a641752f8.56521481)."""
    moment = time.time() if now is None else now
    seconds = int(moment)
    micros = int((moment - seconds) * 1_000_000) ^ secrets.randbelow(1 << 20)
    return f"{seconds:08x}{micros & 0xFFFFFF:06x}.{secrets.randbelow(10**8):08d}"


def client_id() -> str:
    return f"local.{uniqid()}"


def client_secret() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50))


def webhook_secret() -> str:
    return random_alnum(16)


def mask(secret: str | None) -> str:
    """Enough of a secret to tell two apart in a log, never enough to use it."""
    if not secret:
        return ""
    return secret[:4] + "…" if len(secret) > 8 else "…"


_AUTH_IN_QUERY = re.compile(
    r"(?i)((?:^|[?&])(?:auth|access_token|refresh_token|client_secret|code)=)[^&]*"
)
_WEBHOOK_PATH = re.compile(r"^(/rest/\d+/)([^/]+)(/.*)?$")


def mask_url(path: str, query: str = "") -> str:
    """A request target fit for a log line: webhook secret and auth values masked."""
    match = _WEBHOOK_PATH.match(path)
    if match:
        path = match.group(1) + mask(match.group(2)) + (match.group(3) or "")
    if query:
        masked = _AUTH_IN_QUERY.sub(
            lambda m: m.group(1) + mask(m.group(0)[len(m.group(1)) :]), query
        )
        return f"{path}?{masked}"
    return path
