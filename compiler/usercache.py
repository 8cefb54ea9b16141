"""Files bpl keeps in the user's own cache folder, trusted only when nobody else could write them.

The parse tables of the grammar (syntax.tables) and the validated catalog (catalog.cache) are
kept here. Nothing in the cache is ever executed: an entry is a pickle of plain data (dicts,
lists, tuples, sets, strings, numbers) read back with an unpickler that refuses every class and
function, so a planted file can at worst be refused. On top of that, an entry is read only from
a folder in the user's own cache directory that belongs to the user and that nobody else may
write to, and only when the file itself belongs to the user and is writable by nobody else: a
parser table from someone else could still make the compiler read a program differently. Both
are checked on the opened descriptors, not on paths, so that nothing can be swapped between the
check and the read. Anything unexpected means "not cached"; the cache never makes a command
fail.
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

# The largest entry read: bpl's own entries take a few hundred KB.
MAX_ENTRY_BYTES = 16 * 1024 * 1024
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600


def _debug(message: str, *args: object) -> None:
    """A debug line about the cache; logging loads only then (a cold command does without it)."""
    import logging

    logging.getLogger(__name__).debug(message, *args)


def user_cache_dir() -> Path | None:
    """bpl's folder in the platform's per-user cache directory (None when there is no home).

    Linux and other Unixes: $XDG_CACHE_HOME/bpl, or ~/.cache/bpl (a relative XDG_CACHE_HOME is
    ignored, as the XDG base directory specification asks); macOS: ~/Library/Caches/bpl;
    Windows: %LOCALAPPDATA%\\bpl\\Cache.
    """
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA")
            base = Path(local) if local else Path.home() / "AppData" / "Local"
            return base / "bpl" / "Cache" if base.is_absolute() else None
        if sys.platform == "darwin":
            base = Path.home() / "Library" / "Caches"
            return base / "bpl" if base.is_absolute() else None
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # Path.home() without HOME or a passwd entry (Python 3.12+)
        return None
    # Python 3.11 answers "~" when it knows no home: never a folder relative to the cwd.
    return base / "bpl" if base.is_absolute() else None


# ── reading ────────────────────────────────────────────────────────────────────────────────


class _DataOnly(pickle.Unpickler):
    """Unpickles built-in containers and scalars only: any class or function is refused, so no
    constructor, __reduce__ or __setstate__ of a planted file can run."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the cache names {module}.{name}")


def loads_data(raw: bytes) -> Any:
    """Plain data from the bytes of a cache entry; pickle.UnpicklingError (or another error)
    for anything else."""
    return _DataOnly(io.BytesIO(raw)).load()


def read_entry(folder: Path, name: str, max_bytes: int = MAX_ENTRY_BYTES) -> Any | None:
    """The data of entry `name` in `folder`, or None when it is missing, untrusted or damaged."""
    try:
        with _trusted_folder(folder, create=False) as folder_fd:
            raw = _read_trusted_file(folder_fd, folder, name, max_bytes)
    except (OSError, _Untrusted) as error:
        _debug("cache in %s not used: %s", folder, error)
        return None
    if raw is None:
        return None
    try:
        return loads_data(raw)
    except Exception as error:  # refused names, truncation, garbage: all mean "not usable"
        _debug("cache entry %s not usable: %s", folder / name, error)
        return None


class _Untrusted(Exception):
    """A cache folder or file that someone other than the user could have written."""


@contextmanager
def _trusted_folder(folder: Path, *, create: bool) -> Iterator[int | None]:
    """The folder opened as a descriptor (None where the platform has no descriptors for
    folders), after checking that it belongs to the user and nobody else may write to it."""
    if create:
        folder.parent.mkdir(parents=True, exist_ok=True)
        with suppress(FileExistsError):
            folder.mkdir(mode=_FOLDER_MODE)
    if not _HAS_DIR_FD:
        _check_owner(folder.stat(follow_symlinks=False), folder, is_folder=True)
        yield None
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        _check_owner(os.fstat(fd), folder, is_folder=True)
        yield fd
    finally:
        os.close(fd)


def _read_trusted_file(folder_fd: int | None, folder: Path, name: str,
                       max_bytes: int) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = (os.open(name, flags, dir_fd=folder_fd) if folder_fd is not None
              else os.open(folder / name, flags))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_owner(info, folder / name, is_folder=False)
        if info.st_size > max_bytes:
            raise _Untrusted(f"{folder / name} is larger than any entry of the cache")
        return handle.read(max_bytes + 1)


def _check_owner(info: os.stat_result, path: Path, *, is_folder: bool) -> None:
    kind_ok = stat.S_ISDIR(info.st_mode) if is_folder else stat.S_ISREG(info.st_mode)
    if not kind_ok:
        raise _Untrusted(f"{path} is not a {'folder' if is_folder else 'regular file'}")
    if not hasattr(os, "geteuid"):
        return  # Windows: the user's LOCALAPPDATA is private by its access control list
    if info.st_uid != os.geteuid():
        raise _Untrusted(f"{path} belongs to user {info.st_uid}, not to this user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise _Untrusted(f"{path} is writable by other users")


_HAS_DIR_FD = os.open in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


# ── writing ────────────────────────────────────────────────────────────────────────────────


def write_entry(folder: Path, name: str, data: Any) -> bool:
    """Store `data` (plain values only) as entry `name`; False when the cache cannot be
    written, which is never an error."""
    payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    temp = f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        with _trusted_folder(folder, create=True) as folder_fd:
            flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_BINARY", 0))
            fd = (os.open(temp, flags, _FILE_MODE, dir_fd=folder_fd) if folder_fd is not None
                  else os.open(folder / temp, flags, _FILE_MODE))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(payload)
                # One rename, so that a concurrent reader sees the old file or the whole new one.
                if folder_fd is not None:
                    os.replace(temp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
                else:
                    os.replace(folder / temp, folder / name)
            except BaseException:
                with suppress(OSError):
                    if folder_fd is not None:
                        os.unlink(temp, dir_fd=folder_fd)
                    else:
                        os.unlink(folder / temp)
                raise
            _prune(folder_fd, folder, name)
    except (OSError, _Untrusted) as error:
        _debug("cache entry %s not written to %s: %s", name, folder, error)
        return False
    return True


# Entries of one kind (`tables-…`, `catalog-…`) kept besides the one just written: each bpl
# version, grammar or catalog makes a new one, and a user may switch between a few checkouts.
KEEP_PER_KIND = 3


def _prune(folder_fd: int | None, folder: Path, name: str) -> None:
    """Remove the oldest entries of `name`'s kind beyond KEEP_PER_KIND, so the folder does not
    grow with every upgrade. Best effort: an entry that cannot be removed stays."""
    kind = name.rsplit("-", 1)[0] + "-"
    aged: list[tuple[float, str]] = []
    for other in os.listdir(folder_fd if folder_fd is not None else folder):
        if other == name or not other.startswith(kind) or not other.endswith(".pickle"):
            continue
        with suppress(OSError):
            info = (os.stat(other, dir_fd=folder_fd, follow_symlinks=False)
                    if folder_fd is not None else (folder / other).lstat())
            if stat.S_ISREG(info.st_mode):
                aged.append((info.st_mtime, other))
    aged.sort(reverse=True)
    for _, stale in aged[KEEP_PER_KIND:]:
        with suppress(OSError):
            if folder_fd is not None:
                os.unlink(stale, dir_fd=folder_fd)
            else:
                (folder / stale).unlink()
