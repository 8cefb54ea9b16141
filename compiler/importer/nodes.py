"""One activity node of a template as the importer reads it, and what every statement needs:
its properties (a missing one reads as the catalog's default, as it does for Bitrix and for
`plan`), its title, comment, on/off switch and label."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.bitrix.canonical import flag
from compiler.bitrix.canonical import value as canonical
from compiler.catalog import Catalog
from compiler.catalog.statements import FIXED
from compiler.importer.scope import NOWHERE, Scope
from compiler.importer.values import Values
from compiler.syntax import ast

Path = tuple[int, ...]


@dataclass
class Node:
    raw: Mapping[str, Any]
    path: Path

    @property
    def type(self) -> str:
        return str(self.raw.get("Type") or "")

    @property
    def name(self) -> str:
        name = self.raw.get("Name")
        return name if isinstance(name, str) else ""

    @property
    def properties(self) -> dict[str, Any]:
        props = self.raw.get("Properties")
        return {str(k): v for k, v in props.items()} if isinstance(props, Mapping) else {}

    @property
    def children(self) -> list[Node]:
        raw = self.raw.get("Children")
        items: list[Any] = raw if isinstance(raw, list) else []
        if isinstance(raw, Mapping):
            # A PHP array that lost its list shape: in key order, as `plan` reads it.
            items = [raw[k] for k in sorted(raw, key=lambda k: int(k) if str(k).isdigit()
                                            else 0)]
        # Paths index the activities only, so that a path leads back to its node (the
        # importer refuses trees with anything else among the children: importer.shape).
        activities = [child for child in items if isinstance(child, Mapping)]
        return [Node(child, (*self.path, index)) for index, child in enumerate(activities)]

    @property
    def activated(self) -> bool:
        return flag(self.raw.get("Activated", "Y")) != "N"

    @property
    def title(self) -> Any:
        return self.properties.get("Title")


class Context:
    """What the statement builders share: values, the scope and the catalog."""

    def __init__(self, values: Values, catalog: Catalog,
                 block: Callable[[Sequence[Node]], tuple[ast.Stmt, ...]]) -> None:
        self.values = values
        self.scope: Scope = values.scope
        self.catalog = catalog
        self.block = block

    # ── properties ───────────────────────────────────────────────────────────────────────
    def get(self, node: Node, key: str) -> Any:
        """A property, or what its absence means (the catalog default, else '')."""
        props = node.properties
        if key in props:
            return props[key]
        spec = self.catalog.activity(node.type)
        prop = spec.properties.get(key) if spec is not None else None
        return prop.default if prop is not None and prop.default is not None else ""

    def default(self, node: Node, key: str) -> Any:
        """What codegen writes for a property it has no value of its own for: the statement
        table's fixed value, else the catalog default ('' for none)."""
        fixed = FIXED.get(node.type, {})
        if key in fixed:
            return fixed[key]
        spec = self.catalog.activity(node.type)
        return spec.default(key) if spec is not None else ""

    def is_default(self, node: Node, key: str) -> bool:
        """Does the node hold (or mean, by leaving it out) what codegen writes?"""
        return self.is_(node, key, self.default(node, key))

    def empty_or_default(self, node: Node, key: str) -> bool:
        """Does the node hold what codegen writes, or an empty value?"""
        default = self.default(node, key)
        return bool(canonical(self.get(node, key) or default) == canonical(default))

    def is_(self, node: Node, key: str, expected: Any) -> bool:
        return bool(canonical(self.get(node, key)) == canonical(expected))

    def only(self, node: Node, allowed: set[str]) -> bool:
        """No property besides `allowed` (and Title, EditorComment), unless it holds what its
        absence would mean anyway."""
        spec = self.catalog.activity(node.type)
        for key, raw in node.properties.items():
            if key in allowed or key in ("Title", "EditorComment"):
                continue
            prop = spec.properties.get(key) if spec is not None else None
            default = prop.default if prop is not None and prop.default is not None else ""
            if canonical(raw) != canonical(default):
                return False
        return True

    # ── statement options ────────────────────────────────────────────────────────────────
    def opts(self, node: Node, default_title: str, *, title: bool = True) -> ast.StmtOpts | None:
        """title (when not the default), label, comment and `disabled` of a statement; None
        when the Title or comment has no text form."""
        title_text = None
        if title:
            raw = node.properties.get("Title", default_title)
            if canonical(raw) != canonical(default_title):
                title_text = self.values.any_text(raw)
                if title_text is None:
                    return None
        comment = node.properties.get("EditorComment")
        comment_text = self.values.any_text(comment) if comment not in (None, "") else None
        if comment not in (None, "") and comment_text is None:
            return None
        label = self.scope.labels.get(node.name)
        return ast.StmtOpts(title_text, not node.activated, label, NOWHERE if label else None,
                            comment_text)


def text_setting(key: str, expr: ast.Expr) -> ast.Setting:
    return ast.Setting(NOWHERE, key, NOWHERE, expr)


def word(key: str, value: str) -> ast.Setting:
    return ast.Setting(NOWHERE, key, NOWHERE, ast.Ref(NOWHERE, (value,)))
