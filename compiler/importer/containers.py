"""Containers: `if` (IfElse + branches), `while`, `for each` and `parallel` (§2.4).

Their inner nodes (branches, the loop body's SequenceActivity, parallel branches) have no
statement of their own, so each must look exactly as codegen makes it: switched on,
unlabelled, and titled as codegen titles it or as the language can say (a branch's `title`,
a loop body's `do title`, an `if`'s trailing `title` for the IfElse node); otherwise the
container is written in the generic form.
"""

from __future__ import annotations

from compiler.bitrix.canonical import value as canonical
from compiler.catalog.statements import (
    LOOP_BODY,
    LOOP_SOURCES,
    STATEMENTS,
    if_branch_title,
    parallel_branch_title,
)
from compiler.importer.conditions import Conditions, condition_key
from compiler.importer.names import Names
from compiler.importer.nodes import Context, Node
from compiler.importer.scope import NOWHERE, Loop
from compiler.syntax import ast

_SOURCES = {obj: kind for kind, obj in LOOP_SOURCES.items() if kind != "doc"}


_IF = STATEMENTS["if"].title


class Containers:
    def __init__(self, ctx: Context, conditions: Conditions) -> None:
        self.ctx = ctx
        self.conditions = conditions
        self._loops = 0

    def build(self, node: Node) -> ast.Stmt | None:
        method = getattr(self, "_" + node.type, None)
        return method(node) if method is not None else None

    def _plain(self, node: Node, title: str) -> bool:
        """An inner node exactly as codegen writes it."""
        return node.activated and node.properties == {"Title": title} and \
            node.name not in self.ctx.scope.labels

    # ── if ───────────────────────────────────────────────────────────────────────────────
    def _IfElseActivity(self, node: Node) -> ast.Stmt | None:
        branches = node.children
        props = node.properties
        if not branches or any(b.type != "IfElseBranchActivity" for b in branches) or \
                set(props) - {"Title", "EditorComment"} or \
                branches[0].activated != node.activated:
            return None
        has_text, chain_title = self._title(node, _IF)
        if not has_text:
            return None
        built: list[ast.IfBranch] = []
        for index, branch in enumerate(branches):
            last = index == len(branches) - 1
            made = self._branch(branch, index, last)
            if made is None:
                return None
            built.append(made)
        if built[-1].condition is not None:
            return None  # codegen would add an empty "Otherwise" branch
        if not branches[-1].children and \
                branches[-1].properties.get("Title") == if_branch_title(0, otherwise=True) \
                and len(built) > 1 and branches[-1].activated:
            built.pop()  # the empty else codegen adds anyway
            if built[-1].condition is None:
                return None
        first = built[0]
        opts = self.ctx.opts(node, _IF, title=False)
        if opts is None or first.condition is None:
            return None
        opts = ast.StmtOpts(first.opts.title, opts.disabled, opts.label, opts.label_span,
                            opts.comment)
        built[0] = ast.IfBranch(NOWHERE, first.condition, opts, first.body)
        return ast.IfStmt(NOWHERE, opts, tuple(built), chain_title)

    def _title(self, node: Node, default: str) -> tuple[bool, ast.Text | None]:
        """(whether it has a text form, a node's Title as text or None where it is `default`,
        what codegen writes)."""
        raw = node.properties.get("Title", default)
        if canonical(raw) == canonical(default):
            return True, None
        text = self.ctx.values.any_text(raw)
        return text is not None, text

    def _branch(self, branch: Node, index: int, last: bool) -> ast.IfBranch | None:
        props = branch.properties
        key = condition_key(props)
        if key is None and last and not set(props) - {"Title"}:
            key = "truecondition"  # no condition is always taken: the designer's else
            props = {**props, key: "1"}
        if key is None or set(props) - {"Title", key} or \
                branch.name in self.ctx.scope.labels:
            return None
        condition = self.conditions.expression(key, props[key])
        if condition is None:
            return None
        is_else = last and key == "truecondition"
        default = if_branch_title(index, is_else)
        title = props.get("Title", default)
        title_text = None
        if canonical(title) != canonical(default):
            title_text = self.ctx.values.any_text(title)
            if title_text is None:
                return None
        opts = ast.StmtOpts(title_text, not branch.activated)
        body = self.ctx.block(branch.children)
        return ast.IfBranch(NOWHERE, None if is_else else condition, opts, body)

    # ── loops ────────────────────────────────────────────────────────────────────────────
    def _body(self, node: Node, *, titled: bool = False) -> Node | None:
        """The loop's body sequence; with `titled`, its Title may be any text."""
        children = node.children
        if len(children) != 1 or children[0].type != "SequenceActivity" or \
                not children[0].children:
            return None
        body = children[0]
        title = body.properties.get("Title") if titled else LOOP_BODY
        if not isinstance(title, str) or not self._plain(body, title):
            return None
        return body

    def _WhileActivity(self, node: Node) -> ast.Stmt | None:
        props = node.properties
        key = condition_key(props)
        body = self._body(node, titled=True)
        if key is None or body is None or set(props) - {"Title", "EditorComment", key}:
            return None
        has_text, body_title = self._title(body, LOOP_BODY)
        condition = self.conditions.expression(key, props[key])
        opts = self.ctx.opts(node, STATEMENTS["while"].title)
        if condition is None or opts is None or not has_text:
            return None
        return ast.WhileStmt(NOWHERE, opts, condition, self.ctx.block(body.children),
                             body_title)

    def _ForEachActivity(self, node: Node) -> ast.Stmt | None:
        props = node.properties
        body = self._body(node)
        if body is None or set(props) - {"Title", "EditorComment", "Variable", "Object"}:
            return None
        source = self._source(str(props.get("Object") or "Variable"),
                              str(props.get("Variable") or ""))
        opts = self.ctx.opts(node, STATEMENTS["foreach"].title)
        if source is None or opts is None:
            return None
        scope = self.ctx.scope
        taken = {*scope.decls, *scope.labels.values(), *(lp.value_name for lp in scope.loops),
                 *(lp.key_name for lp in scope.loops if lp.key_name)}
        names = Names(taken)
        self._loops += 1
        uses_key = _mentions(body, "{=" + node.name + ":Key")
        loop = Loop(node.name, f"import{self._loops}", names.claim("item"),
                    names.claim("key") if uses_key else None)
        scope.loop_names[loop.key] = node.name
        scope.loops.append(loop)
        try:
            statements = self.ctx.block(body.children)
        finally:
            scope.loops.pop()
        return ast.ForEachStmt(NOWHERE, opts, loop.value_name, loop.key_name, source,
                               statements)

    def _source(self, obj: str, field: str) -> ast.Ref | None:
        scope = self.ctx.scope
        if obj in _SOURCES:
            return scope.decl(_SOURCES[obj], field)
        if obj == "Document":
            return scope.doc(field)
        if obj in ("GlobalVar", "GlobalConst"):
            return scope.reference(obj, field)
        label = scope.labels.get(obj)
        if label is not None:
            return scope.reference(obj, field)
        return None

    # ── parallel ─────────────────────────────────────────────────────────────────────────
    def _ParallelActivity(self, node: Node) -> ast.Stmt | None:
        children = node.children
        if len(children) < 2 or set(node.properties) - {"Title", "EditorComment"}:
            return None
        branches: list[ast.Branch] = []
        for index, child in enumerate(children, 1):
            title = child.properties.get("Title")
            if child.type != "SequenceActivity" or not isinstance(title, str) or \
                    not self._plain(child, title):
                return None
            text = None if title == parallel_branch_title(index) else \
                self.ctx.values.any_text(title)
            branches.append(ast.Branch(NOWHERE, ast.StmtOpts(text),
                                       self.ctx.block(child.children)))
        opts = self.ctx.opts(node, STATEMENTS["parallel"].title)
        return ast.ParallelStmt(NOWHERE, opts, tuple(branches)) if opts is not None else None


def _mentions(node: Node, text: str) -> bool:
    """Does any property value in the subtree contain `text`?"""
    def walk(value: object) -> bool:
        if isinstance(value, str):
            return text in value
        if isinstance(value, dict):
            return any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False
    return any(walk(activity.properties) for activity in node.activity.walk())
