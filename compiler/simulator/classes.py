"""Activity classes as the catalog describes them (stdlib/activities.toml), for the simulator.

What a node's properties are where the template leaves them out (its class's constructor
defaults), the results a class publishes and the class it extends are the catalog's facts; the
simulator reads them here and writes none of them itself.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from functools import cache
from typing import Any

from compiler.bitrix import Activity
from compiler.catalog import ActivitySpec, load_catalog


@cache
def spec(type_name: str) -> ActivitySpec | None:
    """The class behind a node Type (app activities, rest_…, are RestActivity's)."""
    return load_catalog().activity_class(type_name)


def properties(node: Activity) -> dict[str, Any]:
    """A node's properties as its activity holds them: the written ones over the defaults."""
    written = node.properties
    found = spec(node.type)
    if found is None or not found.defaults:
        return written
    merged = {k: copy.copy(v) if isinstance(v, list | dict) else v
              for k, v in found.defaults.items()}
    merged.update(written)
    return merged


def default(type_name: str, name: str) -> Any:
    """What property `name` holds where a node of this type leaves it out ('' for null)."""
    found = spec(type_name)
    return found.default(name) if found is not None else ""


def lineage(type_name: str) -> Iterator[str]:
    """The type, then the classes it extends (a CRM create activity runs as a create)."""
    seen: set[str] = set()
    current: str | None = type_name
    while current is not None and current.lower() not in seen:
        yield current
        seen.add(current.lower())
        found = spec(current)
        current = found.extends if found is not None else None
