"""The analysed grammar, cached per user so that a cold `bpl check` skips lark's LALR analysis.

Nothing in the cache is ever executed. The tables lark computes are plain data (dicts, lists,
tuples, strings, numbers); they are stored as a pickle of that data only and read back with an
unpickler that refuses every class and function, so a planted file can at worst be refused.
On top of that, a cache file is read only from a folder in the user's own cache directory that
belongs to the user and that nobody else may write to, and only when the file itself belongs to
the user and is writable by nobody else: a parser table from someone else could still make the
compiler read a program differently. Both are checked on the opened descriptors, not on paths,
so that nothing can be swapped between the check and the read. Anything unexpected means the
grammar is analysed afresh; the cache never makes a command fail.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import secrets
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import lark
from lark import Lark
from lark.grammar import Rule
from lark.lexer import TerminalDef

log = logging.getLogger(__name__)

# The tables of bpl's grammar take about 350 KB; anything far larger is not one of ours.
_MAX_CACHE_BYTES = 16 * 1024 * 1024
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600


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


def cached_parser(grammar: str, folder: Path | None = None, **options: Any) -> Lark:
    """A Lark LALR parser for `grammar`, from the user's cache when a trusted copy is there."""
    folder = user_cache_dir() if folder is None else folder
    name = f"grammar-{_digest(grammar, options)}.pickle"
    if folder is not None:
        tables = _read_tables(folder, name)
        if tables is not None:
            try:
                return Lark._load_from_dict(tables["data"], tables["memo"])
            except Exception as error:  # a stale or damaged file; analyse afresh
                log.debug("grammar cache %s not usable (%s); rebuilding", folder / name, error)
    parser = Lark(grammar, **options)
    if folder is not None:
        _write_tables(folder, name, parser)
    return parser


def _digest(grammar: str, options: dict[str, Any]) -> str:
    key = "\n".join([grammar, repr(sorted(options.items())), lark.__version__,
                     sys.version.split()[0]])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


# ── reading ────────────────────────────────────────────────────────────────────────────────


class _DataOnly(pickle.Unpickler):
    """Unpickles built-in containers and scalars only: any class or function is refused, so no
    constructor, __reduce__ or __setstate__ of a planted file can run."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"the grammar cache names {module}.{name}")


def _read_tables(folder: Path, name: str) -> dict[str, Any] | None:
    try:
        with _trusted_folder(folder, create=False) as folder_fd:
            raw = _read_trusted_file(folder_fd, folder, name)
    except (OSError, _Untrusted) as error:
        log.debug("grammar cache in %s not used: %s", folder, error)
        return None
    if raw is None:
        return None
    try:
        tables = _DataOnly(io.BytesIO(raw)).load()
    except Exception as error:  # refused names, truncation, garbage: all mean "not usable"
        log.debug("grammar cache %s not usable: %s", folder / name, error)
        return None
    if not isinstance(tables, dict) or not {"data", "memo"} <= tables.keys():
        return None
    return tables


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


def _read_trusted_file(folder_fd: int | None, folder: Path, name: str) -> bytes | None:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = (os.open(name, flags, dir_fd=folder_fd) if folder_fd is not None
              else os.open(folder / name, flags))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_owner(info, folder / name, is_folder=False)
        if info.st_size > _MAX_CACHE_BYTES:
            raise _Untrusted(f"{folder / name} is larger than any grammar cache")
        return handle.read(_MAX_CACHE_BYTES + 1)


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


def _write_tables(folder: Path, name: str, parser: Lark) -> None:
    """Store the parser's tables; a cache that cannot be written is simply not written."""
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    payload = pickle.dumps({"data": data, "memo": memo}, protocol=pickle.HIGHEST_PROTOCOL)
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
    except (OSError, _Untrusted) as error:
        log.debug("grammar cache not written to %s: %s", folder, error)
