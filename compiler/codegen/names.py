"""Deterministic activity names in Bitrix's `A#####_#####_#####_#####` form.

A name is a hash of the workflow, the parent's name and the statement's own key (its label,
or its kind and title/head text), plus an occurrence count among same-key siblings. Inserting
or removing a statement therefore leaves every other statement's name unchanged, so a plan
shows one added activity instead of a renamed tree.
"""

from __future__ import annotations

import hashlib


class Namer:
    def __init__(self, scope: str):
        self.scope = scope
        self.used: set[str] = {"Template"}
        self.counts: dict[tuple[str, str], int] = {}

    def name(self, parent: str, key: str) -> str:
        count = self.counts.get((parent, key), 0) + 1
        self.counts[(parent, key)] = count
        salt = 0
        while True:
            candidate = _digits(f"{self.scope}\0{parent}\0{key}\0{count}\0{salt}")
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
            salt += 1


def _digits(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    groups = [10000 + int.from_bytes(digest[i * 4:i * 4 + 4], "big") % 90000 for i in range(4)]
    return "A" + "_".join(str(g) for g in groups)
