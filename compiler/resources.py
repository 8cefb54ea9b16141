"""Where the grammar and the stdlib live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def _data_dir(name: str) -> Path:
    # A wheel carries the folders under compiler/_data/; a checkout keeps them at the top level.
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bpl installation is incomplete: the '{name}' folder is missing")


def grammar_dir() -> Path:
    return _data_dir("grammar")


def stdlib_dir() -> Path:
    return _data_dir("stdlib")


def catalog_fingerprint(root: Path | None = None) -> str:
    """The catalog's data files (the .toml under `root`, default the stdlib), by name and
    content: what the result cache and the catalog cache are keyed by."""
    root = stdlib_dir() if root is None else root
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.toml")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
