"""Masking of secrets in any text that may reach a log line, an exception or a repr.

Two layers, because each misses what the other catches:
- a registry of secret *values* the process has seen (access and refresh tokens, client
  secrets, webhook codes), replaced wherever they occur, even inside an HTML error page;
- patterns for secret-*shaped* text whose value was never registered (a webhook URL pasted into
  a message, an `auth=` field or a `"refresh_token": "..."` pair in a dump).

Other layers (config, deploy, CLI) can reuse both: `register_secret(value)` when they load a
secret, `redact(text)` before they print anything that came from the network or the user.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

MASK = "****"

# Shorter values (a user id "1", a flag "Y") would blank out half of every sentence.
_MIN_SECRET_LENGTH = 6

_WEBHOOK_PATH = re.compile(r"(/rest/\d+/)([^/\s?#\"'<>]+)")
_SECRET_KEYS = r"access_token|refresh_token|client_secret|application_token|auth|password"
_QUERY_PAIR = re.compile(rf"(?i)\b({_SECRET_KEYS})((?:\]|%5D)?=)([^&\s\"'<>]+)")
_JSON_PAIR = re.compile(rf"(?i)([\"']({_SECRET_KEYS})[\"']\s*:\s*)([\"'])((?:\\.|(?!\3).)*)\3")


class SecretRegistry:
    """The secret values this process knows about. Thread-safe; values are never removed,
    because a rotated token can still sit in a log record or an exception created earlier."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._ordered: tuple[str, ...] = ()

    def add(self, value: str | None) -> None:
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value in self._values:
                return
            self._values.add(value)
            # Longest first, so that a secret containing another one is masked whole.
            self._ordered = tuple(sorted(self._values, key=len, reverse=True))

    def values(self) -> tuple[str, ...]:
        return self._ordered

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def __repr__(self) -> str:
        return f"SecretRegistry({len(self._values)} secrets)"


SECRETS = SecretRegistry()


def register_secret(value: str | None) -> None:
    """Remember a secret so that `redact` masks it everywhere from now on."""
    SECRETS.add(value)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every known secret and every secret-shaped fragment replaced by ****.

    `secrets` are extra values to mask on top of the process-wide registry."""
    extra = sorted(
        (s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True
    )
    for value in (*extra, *SECRETS.values()):
        if value in text:
            text = text.replace(value, MASK)
    text = _WEBHOOK_PATH.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _QUERY_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _JSON_PAIR.sub(lambda m: f"{m.group(1)}{m.group(3)}{MASK}{m.group(3)}", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's final message (and traceback) through `redact` before any handler
    sees it, so that even values passed as %-arguments or in exception text are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# httpx logs every request URL at INFO, and a webhook URL *is* the secret; the filters sit on
# the emitting loggers because filters on a parent logger do not apply to propagated records.
_PROTECTED_LOGGERS = (
    "compiler.portal",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
_install_lock = threading.Lock()
_installed = False


def protect_loggers() -> None:
    """Attach a `RedactingFilter` to this package's and httpx's loggers (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        shared = RedactingFilter()
        for name in _PROTECTED_LOGGERS:
            logging.getLogger(name).addFilter(shared)
        _installed = True
