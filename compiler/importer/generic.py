"""The generic form `activity Type "Title" { Property: value … } do { … }`, for any node.

Every property value is written so that it compiles back to itself (texts verbatim where no
expression reproduces them), so this form loses nothing a .bpl value can hold. What it cannot
say: a node without a Title (codegen gives it one), a Type that is not a name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from compiler.importer.names import is_member_name
from compiler.importer.nodes import Context, Node
from compiler.importer.report import Report
from compiler.importer.scope import NOWHERE
from compiler.syntax import ast


def generic(ctx: Context, node: Node, report: Report, where: str, *,
            plain: bool = False) -> ast.ActivityStmt | None:
    if not is_member_name(node.type):
        report.lossy(where, f"activity type {node.type!r} is not a name; the node is dropped")
        return None
    props = node.properties
    previous, ctx.values.plain = ctx.values.plain, plain
    try:
        entries, title_text, comment_text = _properties(ctx, props)
    finally:
        ctx.values.plain = previous
    if "Title" not in props:
        report.lossy(where, f"the node has no Title; it gets one ({node.type})")
    if plain:
        report.add("verbatim", where, "texts kept as stored: as expressions they did not "
                                      "pass the checker")
    for name in sorted(_named_activities(props, ctx.scope.activities, ctx.values.pair)):
        report.lossy(where, f"a property names activity {name} itself; the generic form "
                            "keeps the name, which the activity no longer has once compiled")
    label = ctx.scope.labels.get(node.name)
    opts = ast.StmtOpts(None, not node.activated, label, NOWHERE if label else None,
                        comment_text)
    children = ctx.block(node.children) if node.children else None
    return ast.ActivityStmt(NOWHERE, opts, node.type, NOWHERE, title_text,
                            ast.MapExpr(NOWHERE, tuple(entries)), children)


def _properties(ctx: Context, props: dict[str, Any]) -> tuple[list[ast.MapEntry],
                                                               ast.Text | None,
                                                               ast.Text | None]:
    title = props.get("Title")
    title_text = ctx.values.any_text(title) if isinstance(title, str) else None
    entries: list[ast.MapEntry] = []
    comment = props.get("EditorComment")
    comment_text = ctx.values.any_text(comment) if isinstance(comment, str) and comment else None
    for key, raw in props.items():
        if key == "Title" and title_text is not None:
            continue
        if key == "EditorComment" and comment_text is not None:
            continue
        entries.append(ast.MapEntry(NOWHERE, key, NOWHERE, ctx.values.value(raw)))
    return entries, title_text, comment_text


def _named_activities(value: Any, activities: set[str],
                      pair: Callable[[list[Any]], Any]) -> set[str]:
    """Activity Names held as whole values (a condition's `object`, a loop's `Object`), not
    counting `[name, result]` pairs written as references."""
    if isinstance(value, str):
        return {value} if value in activities else set()
    if isinstance(value, dict):
        return {n for v in value.values() for n in _named_activities(v, activities, pair)}
    if isinstance(value, list):
        if pair(value) is not None:
            return set()
        return {n for v in value for n in _named_activities(v, activities, pair)}
    return set()
