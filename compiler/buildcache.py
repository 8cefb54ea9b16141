"""What `bpl check` and `bpl compile` found last time, replayed when nothing they read changed.

An entry is one run of a command over one set of files. Its name is a hash of everything the
result can depend on that is known before reading the sources: the command, the compiler (its
version and a fingerprint of its own files), the catalog (the bytes of stdlib's data files),
the environments' names and values, the working directory (diagnostics print paths relative
to it) and every root file by its display name and content hash. The entry holds the other
files the run read, the imports, each with its content hash (or that it could not be read),
and a hit needs every one of them unchanged. What it replays are the diagnostics, in the
order they were found (same output, same exit code), the file and workflow counts and, for
`compile`, the .bpt bytes.

A run that is not replayed whole parses the project again (declarations are program-wide) and
checks only the workflows whose own file, or the files declaring macros and robots, changed
(`WorkflowMemo`: one file per command of the workflows the last run checked).

The entries live in the project's state folder (`.bpl/cache/`), so deleting the folder is
always safe. They are JSON, never code, and each carries an HMAC made with a key kept in the
user's own cache directory: an entry someone else wrote (committed to the repository, or
restored from a shared CI cache) does not verify and is ignored, so it cannot make a broken
project pass. A damaged, foreign or unreadable entry is a miss; the cache never makes a command
fail, and it is written atomically (a temporary file renamed over the entry).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterable, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from compiler import __version__
from compiler.diagnostics.model import Diagnostic, Diagnostics, Label, Severity
from compiler.record import record
from compiler.source import MAX_FILE_BYTES, SourceFile, Span, display_path

# Bumped when an entry's layout changes, so that an older entry is a miss.
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent
_KEY_NAME = "result-cache.key"
_MAX_ENTRY_BYTES = 64 * 1024 * 1024
SPECIAL = "not a regular file"  # a root or import the cache cannot stand for
# Entries kept per project: every edit makes a new one, and only recent ones are read again.
KEEP = 32


@record(frozen=False, slots=False)
class CachedRun:
    """A replayed run: what the command prints and writes."""

    diagnostics: Diagnostics
    sources: dict[str, SourceFile]
    workflows: int
    outputs: dict[str, bytes] = field(default_factory=dict)  # compile: workflow → .bpt bytes
    unread: list[str] = field(default_factory=list)  # files tried and not read (display names)


@record(slots=False)
class RunKey:
    name: str  # the entry's file name
    head: bytes  # what the name hashes besides the root files
    roots: tuple[Path, ...]
    # The root files as read when the key was made: display name → text hash and source.
    read: dict[str, tuple[str, SourceFile | None]]


class BuildCache:
    """The cache folder of a project, with the user's key that signs its entries."""

    def __init__(self, folder: Path, key: bytes, *, compiler: str | None = None,
                 catalog: str | None = None):
        self.folder = folder
        self._key = key
        self._compiler = compiler if compiler is not None else compiler_fingerprint()
        self._catalog = catalog if catalog is not None else catalog_fingerprint()

    @staticmethod
    def open(folder: Path) -> BuildCache | None:
        """The cache in `folder`, or None when the user has no private key folder for it."""
        key = user_key()
        return None if key is None else BuildCache(folder, key)

    def key(self, command: str, roots: Sequence[Path],
            environments: Iterable[object]) -> RunKey | None:
        """The entry of `command` over the root files `roots` in `environments` (their
        name, values and whether they are symbolic); None when a root is not a regular file."""
        head = {"format": FORMAT, "command": command, "compiler": self._compiler,
                "catalog": self._catalog, "cwd": str(Path.cwd().resolve()),
                "environments": [_environment(env) for env in environments]}
        head_bytes = json.dumps(head, sort_keys=True).encode()
        read = {display_path(path): _snapshot(path) for path in roots}
        if any(text_hash == SPECIAL for text_hash, _ in read.values()):
            return None
        return RunKey(_name(head_bytes, read), head_bytes, tuple(roots), read)

    def read(self, key: RunKey) -> CachedRun | None:
        """The run stored under `key` when it verifies and every file it read is unchanged."""
        try:
            with (self.folder / key.name).open("rb") as handle:
                raw = handle.read(_MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        if len(raw) > _MAX_ENTRY_BYTES:
            return None
        mac, _, body = raw.partition(b"\n")
        if not hmac.compare_digest(mac, self._mac(key.name, body).encode()):
            return None  # written by someone else, or damaged
        try:
            return _decode(json.loads(body), key)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None

    def write(self, key: RunKey, run: CachedRun) -> None:
        """Store `run`; a folder that cannot be written means no cache. The entry is named
        after the texts the run read (a root edited while it ran is not mistaken for the
        text the key was made from)."""
        read = {name: (_text_hash(run.sources[name].text), None) if name in run.sources
                else _snapshot(Path(name)) for name in key.read}
        name = _name(key.head, read)
        encoded = _encode(run, read)
        if encoded is None:
            return
        body = json.dumps(encoded, separators=(",", ":")).encode()
        if self._store(name, self._mac(name, body).encode() + b"\n" + body):
            self._prune()

    def _prune(self) -> None:
        """Remove all but the KEEP most recently written entries."""
        try:
            entries = [(entry.stat().st_mtime_ns, entry) for entry in self.folder.glob("*.json")]
            for _, old in sorted(entries, reverse=True)[KEEP:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # another run pruned it first

    def memo(self, command: str, *, keep_bpt: bool) -> WorkflowMemo:
        """The workflows the last run of `command` checked (none when unreadable)."""
        head = json.dumps({"format": FORMAT, "compiler": self._compiler,
                           "catalog": self._catalog, "cwd": str(Path.cwd().resolve())},
                          sort_keys=True).encode()
        name = f"workflows-{command}.memo"
        entries: dict[str, Remembered] = {}
        try:
            with (self.folder / name).open("rb") as handle:
                raw = handle.read(_MAX_ENTRY_BYTES + 1)
            mac, _, body = raw.partition(b"\n")
            if len(raw) <= _MAX_ENTRY_BYTES and \
                    hmac.compare_digest(mac, self._mac(name, body).encode()):
                data = json.loads(body)
                if data["head"] == head.decode():
                    entries = {str(key): _unremembered(entry)
                               for key, entry in data["workflows"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            entries = {}
        return WorkflowMemo(head, entries, keep_bpt=keep_bpt)

    def save_memo(self, command: str, memo: WorkflowMemo) -> None:
        """Keep the workflows of this run (only those: the file never grows past a project)."""
        name = f"workflows-{command}.memo"
        body = json.dumps({"head": memo.head.decode(),
                           "workflows": {key: _remembered(entry)
                                         for key, entry in memo.used.items()}},
                          separators=(",", ":")).encode()
        self._store(name, self._mac(name, body).encode() + b"\n" + body)

    def _store(self, name: str, data: bytes) -> bool:
        temporary = self.folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, self.folder / name)
        except OSError:  # no cache this time: a read-only project, `.bpl/cache` not a folder
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return False
        return True

    def _mac(self, name: str, body: bytes) -> str:
        return hmac.new(self._key, name.encode() + b"\0" + body, "sha256").hexdigest()


def _name(head: bytes, read: dict[str, tuple[str, SourceFile | None]]) -> str:
    digest = hashlib.sha256(head)
    for display, (text_hash, _) in read.items():
        digest.update(f"\0{display}\0{text_hash}".encode())
    return digest.hexdigest()[:40] + ".json"


def _environment(env: object) -> list[Any]:
    return [getattr(env, "name", None), sorted((k, type(v).__name__, v) for k, v in
                                               getattr(env, "values", {}).items()),
            getattr(env, "symbolic", None)]


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def _snapshot(path: Path) -> tuple[str, SourceFile | None]:
    """A file as the loader reads it (its text's hash and the source), or why it could not be
    read: a missing import is a result too, an error until the file appears. Only regular
    files are read here: a device or a pipe gives its bytes once, to the loader."""
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return SPECIAL, None
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return "missing", None
    except IsADirectoryError:
        return "folder", None
    except OSError as error:
        return f"unreadable {error.errno}", None
    if len(raw) > MAX_FILE_BYTES:
        return "too large", None
    source = SourceFile.decode(path, raw)
    return _text_hash(source.text), source


def _encode(run: CachedRun,
            roots: dict[str, tuple[str, SourceFile | None]]) -> dict[str, Any] | None:
    files = {name: _text_hash(source.text) for name, source in run.sources.items()
             if name not in roots}
    for name in run.unread:
        marker, source = _snapshot(Path(name))
        if source is not None or marker == SPECIAL:
            return None  # appeared while the run went on: what it found is already stale
        files[name] = marker
    return {
        "format": FORMAT,
        "files": files,
        "sources": list(run.sources),
        "workflows": run.workflows,
        "limit": run.diagnostics.limit,
        "dropped": run.diagnostics.dropped,
        "diagnostics": [_diagnostic(d) for d in run.diagnostics],
        "outputs": {name: base64.b64encode(data).decode() for name, data in run.outputs.items()},
    }


def _decode(data: dict[str, Any], key: RunKey) -> CachedRun | None:
    if data["format"] != FORMAT:
        return None
    read = {name: source for name, (_, source) in key.read.items()}
    for name, digest in data["files"].items():
        text_hash, source = _snapshot(Path(name))
        if text_hash != digest:
            return None
        if source is not None:
            read[name] = source
    sources: dict[str, SourceFile] = {}
    for name in data["sources"]:
        source = read.get(name)
        if source is None:
            return None
        sources[name] = source
    diagnostics = Diagnostics(limit=int(data["limit"]), dropped=int(data["dropped"]))
    diagnostics.items = [_undiagnostic(item) for item in data["diagnostics"]]
    outputs = {str(name): base64.b64decode(text, validate=True)
               for name, text in data["outputs"].items()}
    return CachedRun(diagnostics, sources, int(data["workflows"]), outputs)


def _span(span: Span) -> list[Any]:
    return [span.file, span.line, span.column, span.end_line, span.end_column]


def _unspan(data: list[Any]) -> Span:
    file, line, column, end_line, end_column = data
    return Span(str(file), int(line), int(column), int(end_line), int(end_column))


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {"code": d.code, "severity": d.severity.value, "message": d.message,
            "span": _span(d.span), "labels": [[_span(lb.span), lb.message] for lb in d.labels],
            "notes": list(d.notes), "help": d.help}


def _undiagnostic(data: dict[str, Any]) -> Diagnostic:
    return Diagnostic(str(data["code"]), Severity(data["severity"]), str(data["message"]),
                      _unspan(data["span"]),
                      tuple(Label(_unspan(span), str(text)) for span, text in data["labels"]),
                      tuple(str(note) for note in data["notes"]),
                      None if data["help"] is None else str(data["help"]))


def compiler_fingerprint() -> str:
    """The compiler's version and the size and time of each of its files (and the grammar's),
    so that a changed checkout is a new compiler even before its version moves."""
    from compiler.resources import grammar_dir

    digest = hashlib.sha256(__version__.encode())
    for folder, pattern in ((_PACKAGE, "*.py"), (grammar_dir(), "*")):
        for path in sorted(folder.rglob(pattern)):
            info = path.stat()
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def catalog_fingerprint() -> str:
    """The catalog's data files (stdlib's .toml), by content."""
    from compiler.resources import catalog_fingerprint as fingerprint

    return fingerprint()


def user_key() -> bytes | None:
    """The user's key for signing cache entries, made on first use in the user's cache
    directory; None when there is none or it is not private to the user."""
    from compiler.usercache import user_cache_dir

    folder = user_cache_dir()
    if folder is None:
        return None
    path = folder / _KEY_NAME
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            key = handle.read(64)
    except OSError:
        return None
    private = stat.S_ISREG(info.st_mode) and not info.st_mode & 0o077
    if hasattr(os, "getuid"):
        private = private and info.st_uid == os.getuid()
    return key if private and len(key) == 32 else None


# ── single workflows ───────────────────────────────────────────────────────────────────────


@record(frozen=False, slots=False)
class Remembered:
    """What checking (and lowering) one workflow gave."""

    diagnostics: list[Diagnostic]
    checker_errors: bool  # errors before Bitrix's import rules ran
    robots: list[str]  # codes of the robots it calls
    lowered: bool  # whether it was lowered and its import rules run
    bpt: bytes | None  # its .bpt, when kept and the import rules passed
    dropped: int = 0  # errors past the limit, counted


class WorkflowMemo:
    """Workflows checked by an earlier run, for a run that must check the project again (a
    file changed): a workflow whose own file, the declarations every workflow sees (macros and
    robots, by the files declaring them), environment, catalog and compiler are unchanged is
    not checked again. Whether it is lowered is decided afresh (a duplicate elsewhere can
    forbid it): an entry counts only when that decision is the one it was made under."""

    def __init__(self, head: bytes, entries: dict[str, Remembered], *, keep_bpt: bool):
        self.head = head
        self.keep_bpt = keep_bpt
        self.entries = entries
        self.used: dict[str, Remembered] = {}

    def shared(self, modules: Iterable[Any], sources: dict[str, SourceFile]) -> str:
        """The files that declare macros or robots, in the order they were loaded."""
        digest = hashlib.sha256()
        for module in modules:
            kinds = {type(item).__name__ for item in module.items}
            if kinds & {"MacroDecl", "RobotDecl"}:
                name = module.span.file
                digest.update(f"{name}\0{_text_hash(sources[name].text)}\n".encode())
        return digest.hexdigest()

    def key(self, env: object, source: SourceFile, workflow: Any, shared: str) -> str:
        digest = hashlib.sha256(self.head)
        digest.update(json.dumps(_environment(env), sort_keys=True).encode())
        span = workflow.span
        digest.update(f"\0{source.name}\0{_text_hash(source.text)}\0{workflow.name}\0"
                      f"{span.line}:{span.column}\0{shared}".encode())
        return digest.hexdigest()

    def get(self, key: str) -> Remembered | None:
        return self.entries.get(key)

    def put(self, key: str, entry: Remembered) -> None:
        self.used[key] = entry


def _remembered(entry: Remembered) -> dict[str, Any]:
    return {"diagnostics": [_diagnostic(d) for d in entry.diagnostics],
            "checker_errors": entry.checker_errors, "robots": entry.robots,
            "lowered": entry.lowered, "dropped": entry.dropped,
            "bpt": None if entry.bpt is None else base64.b64encode(entry.bpt).decode()}


def _unremembered(data: dict[str, Any]) -> Remembered:
    bpt = data["bpt"]
    return Remembered([_undiagnostic(d) for d in data["diagnostics"]],
                      bool(data["checker_errors"]), [str(code) for code in data["robots"]],
                      bool(data["lowered"]),
                      None if bpt is None else base64.b64decode(bpt, validate=True),
                      int(data["dropped"]))
