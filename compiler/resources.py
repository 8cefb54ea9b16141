"""Where the grammar and the stdlib live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

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
