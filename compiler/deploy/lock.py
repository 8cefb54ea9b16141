"""One `bpl apply` at a time per portal and application, among the processes of one user.

Two applies planned from the same portal state both add every new workflow; the lock makes the
second wait until the first is done, and then plan from what the first left.

Its scope is the user, not the project: two checkouts of one project (or two projects sharing
an application) deploying to one portal must wait for each other too, so the lock file cannot
live in a project's `.bpl/`. It is not machine-wide either: a lock file in a folder every user
can write (/tmp) is one anybody can hold forever, or replace with a link to a file of ours. So
it lives in the user's runtime folder (`$XDG_RUNTIME_DIR/bpl`, private by definition) or else
in the user's cache folder, created 0700 and used only when owned by the user and writable by
nobody else. Processes on other machines (CI runners) are not covered here: for them, apply
checks the portal before each add and reads it back at the end (see `apply`).

`fcntl.flock` locks an open file description, so threads holding their own descriptors exclude
each other as processes do, and a process that dies releases its lock with its descriptors.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import stat
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

try:  # POSIX only; elsewhere apply runs without it (the checks on the portal still hold).
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT = 600.0  # seconds a second apply waits for the first (`--lock-timeout`)
POLL = 0.2


class LockError(Exception):
    """The lock cannot be taken (its folder is unusable, or the wait timed out)."""


def lock_folder() -> Path:
    """Where this user's deploy locks live (not created here)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return Path(runtime) / "bpl"
    cache = os.environ.get("XDG_CACHE_HOME", "")
    if cache and os.path.isabs(cache):
        return Path(cache) / "bpl" / "locks"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "bpl" / "locks"
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "bpl" / "locks"
    return Path.home() / ".cache" / "bpl" / "locks"


def private_folder(folder: Path) -> Path:
    """`folder`, created 0700 if missing; refused unless it is a real folder of this user that
    nobody else may write to."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError as error:
        raise LockError(f"cannot create the lock folder {folder}: {error.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise LockError(f"the lock folder {folder} is not a folder (a link?); remove it")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise LockError(f"the lock folder {folder} belongs to another user (uid {info.st_uid}); "
                        "bpl uses only a folder of its own")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise LockError(f"the lock folder {folder} is writable by other users; run: "
                        f"chmod 700 {folder}")
    return folder


class DeployLock:
    """Held while one apply plans and writes; `key` names the portal and the application,
    `label` is how messages name the portal (never with a secret)."""

    def __init__(self, key: str, label: str, *, folder: Path | None = None,
                 timeout: float = LOCK_TIMEOUT,
                 waiting: Callable[[str], None] | None = None,
                 project: Path | None = None) -> None:
        self.key = key
        self.label = label
        self.folder = folder
        self.timeout = timeout
        self.waiting = waiting
        self.project = project
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        self.name = f"apply-{digest}.lock"
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        return (self.folder or lock_folder()) / self.name

    def __enter__(self) -> DeployLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover - exercised on Windows only
            return
        folder = private_folder(self.folder or lock_folder())
        path = folder / self.name
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as error:
            raise LockError(f"cannot open the lock file {path}: {error.strerror}") from None
        try:
            self._wait(fd, path)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._describe(fd)

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def _wait(self, fd: int, path: Path) -> None:
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            holder = _holder(fd)
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another bpl apply to {self.label}{holder} still holds the deploy lock "
                    f"after {self.timeout:g} s; let it finish (or stop it), or wait longer "
                    f"with --lock-timeout (the lock file is {path})")
            if not told and self.waiting is not None:
                self.waiting(f"waiting for another bpl apply to {self.label}{holder} to finish "
                             f"(at most {self.timeout:g} s, --lock-timeout)")
                told = True
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))

    def _describe(self, fd: int) -> None:
        """Who holds the lock, for the message of whoever waits (nothing secret)."""
        about = {"pid": os.getpid(), "host": socket.gethostname(),
                 "since": datetime.now().astimezone().isoformat(timespec="seconds"),
                 "project": str(self.project) if self.project else None}
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(about).encode(), 0)


def _holder(fd: int) -> str:
    """" (process 123 on host, since …, project …)" as the holder wrote it, or ""."""
    try:
        about: Any = json.loads(os.pread(fd, 4096, 0) or b"null")
    except (OSError, ValueError):
        return ""
    if not isinstance(about, dict) or not about.get("pid"):
        return ""
    parts = [f"process {about['pid']} on {about.get('host') or 'this machine'}"]
    if about.get("since"):
        parts.append(f"since {about['since']}")
    if about.get("project"):
        parts.append(f"project {about['project']}")
    return f" ({', '.join(parts)})"
