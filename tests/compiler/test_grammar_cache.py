"""The cache of the analysed grammar (the parse tables) runs no code and trusts no file that
another user could have written: a planted pickle whose unpickling would create a marker file
never gets the chance, wherever it is planted."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import lark
import pytest

from compiler import usercache
from compiler.resources import grammar_dir
from compiler.syntax.lalr import Parser
from compiler.syntax.reduce import reducers
from compiler.syntax.tables import Tables, analyse, load_tables
from compiler.usercache import user_cache_dir

REPO = Path(__file__).resolve().parents[2]
# The checks do not depend on the grammar: a small one keeps the many rebuilds quick.
GRAMMAR = """
start: item+
?expr: NAME
item: NAME "=" NUMBER
%import common.CNAME -> NAME
%import common.INT -> NUMBER
%import common.WS
%ignore WS
"""
PROGRAM = 'workflow w for crm.deal {\n    log "hello {doc.TITLE}"\n}\n'
FOREIGN_UID = 4242

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="giving a file to another user needs root")


class _Plant:
    """Unpickling this calls open(marker, "w"): the file appears if any code of it runs."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def planted(marker: Path, *, header: bytes = b"") -> bytes:
    return header + pickle.dumps(_Plant(marker))


class _Builder:
    file = "t.bpl"
    unknown = None


def parses(tables: Tables) -> bool:
    """Do the tables read two items?"""
    tree = Parser(tables).parse("a = 1 b = 2", "start", reducers(
        tables, lambda name: lambda builder, span, children: (name, children)), _Builder())
    return bool(tree.value[0] == "start" and len(tree.value[1]) == 2)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A cache folder as bpl makes it, holding the genuine tables."""
    cache = tmp_path / "cache" / "bpl"
    load_tables(GRAMMAR, cache)
    return cache


def cache_file(folder: Path) -> Path:
    [path] = folder.glob("tables-*.pickle")
    return path


# ── the old location ───────────────────────────────────────────────────────────────────────


def test_a_pickle_planted_in_the_old_shared_location_is_never_loaded(tmp_path: Path) -> None:
    # Up to now the cache was $TMPDIR/bpl-grammar-cache/bpl-<digest>.lark, a lark cache file
    # (a hash line, then pickles), in a folder anyone could create first.
    tmpdir = tmp_path / "tmp"
    digest = hashlib.sha256((grammar_dir() / "bpl.lark").read_bytes()
                            + lark.__version__.encode()).hexdigest()[:16]
    shared = tmpdir / "bpl-grammar-cache"
    shared.mkdir(parents=True)
    marker = tmp_path / "marker"
    (shared / f"bpl-{digest}.lark").write_bytes(planted(marker, header=b"0" * 64 + b"\n"))
    source = tmp_path / "w.bpl"
    source.write_text(PROGRAM, encoding="utf-8")
    env = {**os.environ, "TMPDIR": str(tmpdir), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "compiler.cli.main", "check", str(source)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not marker.exists()
    # The tables went to the user's own cache instead, private to the user.
    private = tmp_path / "cache" / "bpl"
    assert private.stat().st_mode & 0o777 == 0o700
    assert cache_file(private).stat().st_mode & 0o777 == 0o600


# ── the user's cache folder ────────────────────────────────────────────────────────────────


def test_the_cache_is_written_privately_and_read_back(folder: Path) -> None:
    assert folder.stat().st_mode & 0o777 == 0o700
    path = cache_file(folder)
    assert path.stat().st_mode & 0o777 == 0o600
    inode = path.stat().st_ino
    assert parses(load_tables(GRAMMAR, folder))
    assert path.stat().st_ino == inode  # read, not analysed and written again


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o720])
def test_a_folder_others_may_write_to_is_not_trusted(folder: Path, tmp_path: Path,
                                                     mode: int) -> None:
    marker = tmp_path / "marker"
    cache_file(folder).write_bytes(planted(marker))
    folder.chmod(mode)
    assert parses(load_tables(GRAMMAR, folder))
    assert not marker.exists()
    assert cache_file(folder).read_bytes() == planted(marker)  # not written into either


@pytest.mark.parametrize("mode", [0o620, 0o602, 0o666])
def test_a_file_others_may_write_to_is_not_trusted(folder: Path, tmp_path: Path,
                                                   mode: int) -> None:
    marker = tmp_path / "marker"
    path = cache_file(folder)
    path.write_bytes(planted(marker))
    path.chmod(mode)
    assert parses(load_tables(GRAMMAR, folder))
    assert not marker.exists()


@needs_root
def test_a_folder_of_another_user_is_not_trusted(folder: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    cache_file(folder).write_bytes(planted(marker))
    os.chown(folder, FOREIGN_UID, FOREIGN_UID)
    assert parses(load_tables(GRAMMAR, folder))
    assert not marker.exists()
    assert cache_file(folder).read_bytes() == planted(marker)


@needs_root
def test_a_file_of_another_user_is_not_trusted(folder: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = cache_file(folder)
    path.write_bytes(planted(marker))
    os.chown(path, FOREIGN_UID, FOREIGN_UID)
    assert parses(load_tables(GRAMMAR, folder))
    assert not marker.exists()


def test_a_symlink_in_place_of_the_folder_or_the_file_is_not_followed(folder: Path,
                                                                       tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    path = cache_file(folder)
    (elsewhere / path.name).write_bytes(planted(marker))
    (elsewhere / path.name).chmod(0o600)
    path.unlink()
    path.symlink_to(elsewhere / path.name)
    assert parses(load_tables(GRAMMAR, folder))
    linked = tmp_path / "linked"
    linked.symlink_to(elsewhere, target_is_directory=True)
    assert parses(load_tables(GRAMMAR, linked))
    assert not marker.exists()


def test_a_private_file_that_names_code_still_runs_none(folder: Path, tmp_path: Path) -> None:
    # Even a file that passes every ownership check is only ever read as data.
    marker = tmp_path / "marker"
    path = cache_file(folder)
    path.write_bytes(planted(marker))
    path.chmod(0o600)
    assert parses(load_tables(GRAMMAR, folder))
    assert not marker.exists()
    # … and the refused file is replaced by genuine tables.
    assert "actions" in pickle.loads(path.read_bytes())


def _one_action_damaged(symbol: object, action: object) -> bytes:
    """Genuine tables but for one more action in the first state."""
    data = analyse(GRAMMAR)
    data["actions"][0][symbol] = action
    return pickle.dumps(data)


@pytest.mark.parametrize("content", [b"", b"\x80\x05garbage", pickle.dumps([1, 2, 3]),
                                     pickle.dumps({"data": {}, "memo": {}}),
                                     pickle.dumps({**analyse(GRAMMAR), "actions": [{"x": 99}]})])
def test_a_damaged_file_means_analysing_afresh(folder: Path, content: bytes) -> None:
    cache_file(folder).write_bytes(content)
    assert parses(load_tables(GRAMMAR, folder))


@pytest.mark.parametrize("content", [_one_action_damaged("X", 10**6),
                                     _one_action_damaged("X", ~10**6),
                                     _one_action_damaged("X", "1"),
                                     _one_action_damaged("X", True),
                                     _one_action_damaged(1, 0)])
def test_a_damaged_action_is_refused(folder: Path, content: bytes) -> None:
    """Refused, the entry is replaced by genuine tables (analysed afresh)."""
    cache_file(folder).write_bytes(content)
    assert parses(load_tables(GRAMMAR, folder))
    assert cache_file(folder).read_bytes() != content


def test_an_unwritable_cache_location_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert parses(load_tables(GRAMMAR, blocker / "bpl"))


def test_the_cache_lives_in_the_users_cache_directory(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the XDG rules apply to Linux and other Unixes")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_dir() == tmp_path / "xdg" / "bpl"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # ignored, as XDG asks
    assert user_cache_dir() == tmp_path / "home" / ".cache" / "bpl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert user_cache_dir() == tmp_path / "home" / ".cache" / "bpl"


def test_the_stored_tables_name_no_class() -> None:
    # What makes the data-only reader possible: the tables are plain values.
    data = analyse((grammar_dir() / "bpl.lark").read_text(encoding="utf-8"))
    assert usercache.loads_data(pickle.dumps(data)) == data


def test_no_cache_without_a_home(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.11's Path.home() is "~" when neither HOME nor the passwd database knows one; the
    # cache must not become a folder named "~" wherever bpl happens to run.
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    monkeypatch.setattr(Path, "home", lambda: Path("~"))
    assert user_cache_dir() is None
