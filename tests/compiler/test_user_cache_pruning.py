"""The user's cache folder does not grow with every upgrade: writing an entry keeps only the
newest few of its kind, and leaves other kinds and other files alone."""

from __future__ import annotations

import os
from pathlib import Path

from compiler.usercache import KEEP_PER_KIND, read_entry, write_entry


def test_writing_an_entry_removes_the_oldest_of_its_kind(tmp_path: Path) -> None:
    folder = tmp_path / "bpl"
    older = [f"tables-{n:04d}.pickle" for n in range(KEEP_PER_KIND + 3)]
    for age, name in enumerate(older):
        assert write_entry(folder, name, {"n": age})
        os.utime(folder / name, (1_000_000 + age, 1_000_000 + age))
    assert write_entry(folder, "catalog-0001.pickle", {"other": "kind"})
    (folder / "result-cache.key").write_bytes(b"k")

    assert write_entry(folder, "tables-new.pickle", {"n": "new"})

    kept = sorted(p.name for p in folder.iterdir() if p.name.startswith("tables-"))
    assert kept == sorted(["tables-new.pickle", *older[-KEEP_PER_KIND:]])
    assert read_entry(folder, "tables-new.pickle") == {"n": "new"}
    assert read_entry(folder, "catalog-0001.pickle") == {"other": "kind"}
    assert (folder / "result-cache.key").exists()
