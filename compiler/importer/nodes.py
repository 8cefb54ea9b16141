"""One activity of a template as the importer reads it, and what every statement needs:
its properties (a missing one reads as the catalog's default, as it does for Bitrix and for
`plan`), its title, comment, on/off switch and label."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.bitrix import Activity
from compiler.bitrix.canonical import value as canonical
from compiler.catalog import Catalog
from compiler.catalog.statements import FIXED
from compiler.importer.scope import NOWHERE, Scope
from compiler.importer.values import Values
from compiler.syntax import ast

Path = tuple[int, ...]


@dataclass
class Node:
    """An activity and its path of child indexes under the root: statements remember the path
    of the node they were made from, so that a difference found later leads back to it."""

    activity: Activity
    path: Path

    @property
    def type(self) -> str:
        return self.activity.type

    @property
    def name(self) -> str:
        return self.activity.name

    @property
    def properties(self) -> dict[str, Any]:
        return self.activity.properties

    @property
    def children(self) -> list[Node]:
        return [Node(child, (*self.path, index))
                for index, child in enumerate(self.activity.children)]

    @property
    def activated(self) -> bool:
        return self.activity.activated

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
