"""The deploy lock: one apply per portal and application at a time, in a folder of the user's."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from compiler.deploy.lock import DeployLock, LockError, lock_folder


def test_a_second_apply_waits_until_the_first_lets_go(tmp_path: Path) -> None:
    first = DeployLock("https://a.example app 1", "https://a.example", folder=tmp_path,
                       project=Path("/work/one"))
    told: list[str] = []
    waiting, holding = threading.Event(), threading.Event()

    def wait(message: str) -> None:
        told.append(message)
        waiting.set()

    second = DeployLock("https://a.example app 1", "https://a.example", folder=tmp_path,
                        timeout=60, waiting=wait)

    def run() -> None:
        with second:
            holding.set()

    with first:
        thread = threading.Thread(target=run)
        thread.start()
        assert waiting.wait(30)
        assert not holding.is_set()
    thread.join(30)
    assert holding.is_set()
    (message,) = told
    assert message.startswith(f"waiting for another bpl apply to https://a.example (process "
                              f"{os.getpid()} on ")
    assert "project /work/one" in message and "(at most 60 s, --lock-timeout)" in message


def test_other_portals_and_applications_do_not_wait(tmp_path: Path) -> None:
    with DeployLock("https://a.example app 1", "a", folder=tmp_path), \
            DeployLock("https://b.example app 1", "b", folder=tmp_path, timeout=0), \
            DeployLock("https://a.example app 2", "a", folder=tmp_path, timeout=0):
        pass


def test_the_wait_ends_with_one_sentence(tmp_path: Path) -> None:
    with DeployLock("k", "https://a.example", folder=tmp_path), \
            pytest.raises(LockError) as refused:
        DeployLock("k", "https://a.example", folder=tmp_path, timeout=0).acquire()
    text = str(refused.value)
    assert text.startswith(f"another bpl apply to https://a.example (process {os.getpid()} on ")
    assert "still holds the deploy lock after 0 s; let it finish (or stop it), or wait longer " \
           "with --lock-timeout" in text
    assert "\n" not in text
    DeployLock("k", "https://a.example", folder=tmp_path, timeout=0).acquire()  # let go


def test_the_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "runtime" / "bpl"
    with DeployLock("k", "x", folder=folder):
        assert (folder.stat().st_mode & 0o777) == 0o700
        assert (folder / DeployLock("k", "x").name).stat().st_mode & 0o077 == 0


def test_a_folder_others_may_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(LockError, match="is writable by other users; run: chmod 700"):
        DeployLock("k", "x", folder=folder).acquire()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="handing a folder to another user needs root")
def test_a_folder_of_another_user_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    os.chown(folder, 4242, -1)
    with pytest.raises(LockError, match=r"belongs to another user \(uid 4242\)"):
        DeployLock("k", "x", folder=folder).acquire()


def test_a_planted_link_is_not_followed(tmp_path: Path) -> None:
    folder, victim = tmp_path / "locks", tmp_path / "victim.txt"
    folder.mkdir(mode=0o700)
    victim.write_text("keep me")
    (folder / DeployLock("k", "x").name).symlink_to(victim)
    with pytest.raises(LockError, match="cannot open the lock file"):
        DeployLock("k", "x", folder=folder).acquire()
    link = tmp_path / "elsewhere"
    link.mkdir(mode=0o700)
    (tmp_path / "linked").symlink_to(link)
    with pytest.raises(LockError, match="is not a folder"):
        DeployLock("k", "x", folder=tmp_path / "linked").acquire()
    assert victim.read_text() == "keep me"


def test_the_folder_is_the_users_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert lock_folder() == tmp_path / "bpl"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert lock_folder() == tmp_path / "cache" / "bpl" / "locks"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lock_folder() in (tmp_path / "home" / ".cache" / "bpl" / "locks",
                             tmp_path / "home" / "Library" / "Caches" / "bpl" / "locks")
