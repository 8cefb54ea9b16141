"""The token store file: private, atomic, locked, tolerant of absence, clear when corrupt."""

from __future__ import annotations

import json
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from compiler.portal import Tokens, TokenStore, TokenStoreError


def test_a_missing_file_is_an_empty_store(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "nowhere" / "tokens.json")
    assert store.load("p.example.com") is None
    assert store.keys() == []


def test_save_writes_a_private_file_in_a_private_folder(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "state" / "tokens.json")
    store.save("p.example.com", Tokens("acc-123456", "ref-123456", 1700003600.0))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert json.loads(store.path.read_text()) == {
        "p.example.com": {
            "access_token": "acc-123456",
            "refresh_token": "ref-123456",
            "expires_at": 1700003600.0,
        }
    }
    assert store.load("p.example.com") == Tokens("acc-123456", "ref-123456", 1700003600.0)


def test_save_keeps_other_portals(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    store.save("a.example.com", Tokens("acc-aaaaaa", "ref-aaaaaa"))
    store.save("b.example.com", Tokens("acc-bbbbbb", "ref-bbbbbb"))
    assert store.keys() == ["a.example.com", "b.example.com"]


def test_a_corrupt_file_gives_a_clear_error_without_its_content(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text('{"p.example.com": {"access_token": "leaky-token-value", ')
    with pytest.raises(TokenStoreError) as info:
        TokenStore(path).load("p.example.com")
    message = str(info.value)
    assert message.startswith(f"the token store {path} is corrupt (invalid JSON at line 1")
    assert "delete it and store the tokens again" in message
    assert "leaky-token-value" not in message


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        ("[]", "the top level is not an object"),
        ('{"p.example.com": "x"}', 'the entry "p.example.com" is not an object'),
        ('{"p.example.com": {"access_token": "a"}}', "needs access_token and refresh_token"),
        (
            '{"p.example.com": {"access_token": "a", "refresh_token": "b", "expires_at": "soon"}}',
            "non-numeric expires_at",
        ),
    ],
)
def test_wrong_shapes_are_named(tmp_path: Path, content: str, detail: str) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(content)
    with pytest.raises(TokenStoreError, match=detail):
        TokenStore(path).load("p.example.com")


def test_a_readable_store_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    with caplog.at_level(logging.WARNING, logger="compiler.portal"):
        TokenStore(path).load("p.example.com")
    assert "readable by other users; run: chmod 600" in caplog.text


def test_concurrent_writers_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"

    def write(n: int) -> None:
        # A store object per writer: only the file lock serialises them.
        TokenStore(path).save(f"p{n}.example.com", Tokens(f"access-{n:04}", f"refresh-{n:04}"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(32)))
    assert len(TokenStore(path).keys()) == 32


def test_locked_is_reentrant(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    with store.locked(), store.locked():
        store.save("p.example.com", Tokens("acc-123456", "ref-123456"))
    assert store.load("p.example.com") is not None


def test_a_folder_that_cannot_exist_is_explained(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    store = TokenStore(tmp_path / "file" / "tokens.json")
    with pytest.raises(TokenStoreError, match="cannot create the token store folder"):
        store.save("p.example.com", Tokens("acc-123456", "ref-123456"))


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    store.save("p.example.com", Tokens("acc-123456", "ref-123456"))

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(TokenStoreError, match=r"cannot write the token store .*No space left"):
        store.save("p.example.com", Tokens("acc-654321", "ref-654321"))
    monkeypatch.undo()
    assert store.load("p.example.com") == Tokens("acc-123456", "ref-123456")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]


def test_tokens_repr_hides_the_values() -> None:
    assert "s3cr3t-value" not in repr(Tokens("s3cr3t-value", "s3cr3t-other"))
