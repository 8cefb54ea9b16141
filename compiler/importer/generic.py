"""The generic form `activity Type "Title" { Property: value … } do { … }`, for any node.

Every property value is written so that it compiles back to itself (texts verbatim where no
expression reproduces them), so this form loses nothing a .bpl value can hold. What it cannot
say: a node without a Title (codegen gives it one), a Type that is not a name.
"""

from __future__ import annotations

from compiler.importer.names import is_member_name
from compiler.importer.nodes import Context, Node
from compiler.importer.report import Report
from compiler.importer.scope import NOWHERE
from compiler.syntax import ast


def generic(ctx: Context, node: Node, report: Report, where: str) -> ast.ActivityStmt | None:
    if not is_member_name(node.type):
        report.lossy(where, f"activity type {node.type!r} is not a name; the node is dropped")
        return None
    props = node.properties
    title = props.get("Title")
    title_text = ctx.values.any_text(title) if isinstance(title, str) else None
    if "Title" not in props:
        report.lossy(where, f"the node has no Title; it gets one ({node.type})")
    entries: list[ast.MapEntry] = []
    comment = props.get("EditorComment")
    comment_text = ctx.values.any_text(comment) if isinstance(comment, str) and comment else None
    for key, raw in props.items():
        if key == "Title" and title_text is not None:
            continue
        if key == "EditorComment" and comment_text is not None:
            continue
        entries.append(ast.MapEntry(NOWHERE, key, NOWHERE, ctx.values.value(raw)))
    label = ctx.scope.labels.get(node.name)
    opts = ast.StmtOpts(None, not node.activated, label, NOWHERE if label else None,
                        comment_text)
    children = ctx.block(node.children) if node.children else None
    return ast.ActivityStmt(NOWHERE, opts, node.type, NOWHERE, title_text,
                            ast.MapExpr(NOWHERE, tuple(entries)), children)
