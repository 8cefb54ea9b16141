"""A file of OAuth token pairs, one entry per portal, safe to share between processes.

Bitrix24 rotates the refresh token on every refresh and the old one stops working, so the file
is the only copy of a live credential: it is written atomically (a crash never leaves half a
file), privately (0600), and under an exclusive lock so that two processes never spend the
same refresh token.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.portal.errors import TokenStoreError
from compiler.portal.redact import register_secret

try:  # POSIX only; elsewhere the store still works, without the cross-process guard.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("compiler.portal")


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float | None = None

    def __post_init__(self) -> None:
        register_secret(self.access_token)
        register_secret(self.refresh_token)

    def __repr__(self) -> str:
        return f"Tokens(access_token='****', refresh_token='****', expires_at={self.expires_at!r})"

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
        }


class TokenStore:
    """`{portal_key: {access_token, refresh_token, expires_at}}` in one JSON file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        # The lock lives in a separate file: the data file is replaced on every save, and a
        # lock held on a replaced inode would no longer exclude anybody.
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._lock_fd: int | None = None

    def __repr__(self) -> str:
        return f"TokenStore({str(self.path)!r})"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store exclusively (threads of this process and other processes).
        Re-entrant within one thread, so `save` can be called inside."""
        with self._thread_lock:
            if self._depth == 0:
                self._lock_fd = self._acquire_file_lock()
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._lock_fd is not None:
                    os.close(self._lock_fd)  # closing the descriptor releases the flock
                    self._lock_fd = None

    def load(self, portal_key: str) -> Tokens | None:
        entry = self._read_all().get(portal_key)
        if entry is None:
            return None
        if not isinstance(entry, dict):
            raise self._corrupt(f'the entry "{portal_key}" is not an object')
        access, refresh = entry.get("access_token"), entry.get("refresh_token")
        if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
            raise self._corrupt(f'the entry "{portal_key}" needs access_token and refresh_token')
        expires_at = entry.get("expires_at")
        if expires_at is not None and not isinstance(expires_at, int | float):
            raise self._corrupt(f'the entry "{portal_key}" has a non-numeric expires_at')
        return Tokens(access, refresh, float(expires_at) if expires_at is not None else None)

    def save(self, portal_key: str, tokens: Tokens) -> None:
        with self.locked():
            data = self._read_all()
            data[portal_key] = tokens.to_json()
            self._write_all(data)

    def keys(self) -> list[str]:
        return sorted(self._read_all())

    # -- file handling ---------------------------------------------------------------------

    def _acquire_file_lock(self) -> int | None:
        self._ensure_parent()
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot open the token store lock {self.lock_path}: {exc.strerror}; "
                "check that its folder is writable"
            ) from None
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        return fd

    def _ensure_parent(self) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise TokenStoreError(
                f"cannot create the token store folder {self.path.parent}: {exc.strerror}"
            ) from None

    def _read_all(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise TokenStoreError(
                f"cannot read the token store {self.path}: {exc.strerror}; check its permissions"
            ) from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            logger.warning(
                "the token store %s is readable by other users; run: chmod 600 %s",
                self.path,
                self.path,
            )
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            # Only the position: the text itself holds tokens.
            raise self._corrupt(f"invalid JSON at line {exc.lineno}, column {exc.colno}") from None
        if not isinstance(data, dict):
            raise self._corrupt("the top level is not an object")
        return data

    def _write_all(self, data: dict[str, Any]) -> None:
        self._ensure_parent()
        # mkstemp creates the file 0600 in the target folder, so os.replace stays on one
        # filesystem (atomic) and the tokens are never readable by others, not even briefly.
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.write("\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise TokenStoreError(
                f"cannot write the token store {self.path}: {exc.strerror}; the refreshed "
                "tokens were not saved, so check the folder's permissions and free space"
            ) from None
        self._fsync_parent()

    def _fsync_parent(self) -> None:
        # Makes the rename itself durable; not every platform allows opening a folder.
        with contextlib.suppress(OSError):
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    def _corrupt(self, detail: str) -> TokenStoreError:
        return TokenStoreError(
            f"the token store {self.path} is corrupt ({detail}); fix the file or delete it "
            "and store the tokens again"
        )
