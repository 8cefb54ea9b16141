"""Whether an activity tree has the shape Bitrix writes, before anything reads it: every
activity an array with a text `Type`, a text `Name` when it has one, `Properties` an array
keyed by property names and `Children` an array of activities. A template that is not is
damaged (hand-edited, truncated or made up), and the importer says where in one sentence
instead of guessing what was meant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.importer.report import printable


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (str, bytes)):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an array"
    return f"a {type(value).__name__}"


def _where(node: Mapping[Any, Any], path: str) -> str:
    name, kind = node.get("Name"), node.get("Type")
    if isinstance(name, str) and name and isinstance(kind, str) and kind:
        return f"activity {printable(name, 60)} ({printable(kind, 60)}, at {path})"
    return f"the activity at {path}"


def _items(children: Any) -> list[tuple[str, Any]]:
    if isinstance(children, list):
        return [(str(index), child) for index, child in enumerate(children)]
    return [(str(key), child) for key, child in children.items()]


def damage(root: Mapping[Any, Any], *, limit: int) -> str | None:
    """Where the tree under `root` is not what Bitrix writes, or None. Looks at no more than
    `limit` activities (the importer refuses larger templates anyway)."""
    stack: list[tuple[Mapping[Any, Any], str]] = [(root, "TEMPLATE[0]")]
    seen = 0
    while stack and seen <= limit:
        node, path = stack.pop()
        seen += 1
        kind = node.get("Type")
        if not isinstance(kind, str) or not kind.strip():
            found = ("no Type" if kind is None else "an empty Type" if isinstance(kind, str)
                     else f"{_kind(kind)} as its Type")
            return f"the activity at {path} has {found}"
        where = _where(node, path)
        name = node.get("Name")
        if name is not None and not isinstance(name, str):
            return f"{where} has {_kind(name)} as its Name"
        properties = node.get("Properties")
        if not (properties is None or isinstance(properties, Mapping) or properties == []):
            return f"the Properties of {where} are {_kind(properties)}, not an array of " \
                   "property names"
        children = node.get("Children")
        if children is None:
            continue
        if not isinstance(children, (list, Mapping)):
            return f"the Children of {where} are {_kind(children)}, not a list of activities"
        for key, child in reversed(_items(children)):
            if not isinstance(child, Mapping):
                return f"the Children of {where} hold {_kind(child)} where an activity belongs"
            stack.append((child, f"{path}.Children[{printable(key, 20)}]"))
    return None
