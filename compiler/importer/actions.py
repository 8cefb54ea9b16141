"""Activities of the statements of one activity (ast.ActionStmt: `choose`, `profile`,
`pipeline`, `timeline`, `todo`, `sms`, `add item`, `update item`, `add element`,
`update element`, `generate`, `permissions`, `delete document`, `publish`).

Each property is read back through the option that fills it (compiler/catalog/statements.py):
a property that holds what stands without the option needs no setting, a value the option
cannot say makes the node fall back to the generic form (the builder returns None).
"""

from __future__ import annotations

from typing import Any

from compiler.bitrix.canonical import flag
from compiler.bitrix.canonical import value as canonical
from compiler.catalog.statements import (
    CATALOG,
    OMIT,
    STATEMENTS,
    SUBJECT,
    Option,
    Statement,
    action_options,
    writes,
)
from compiler.importer.nodes import Context, Node, text_setting, word
from compiler.importer.scope import NOWHERE
from compiler.syntax import ast

# A node that cannot be said by a statement: the builder gives up on it.
_NO = object()


class ActionStatements:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.values = ctx.values

    def build(self, node: Node) -> ast.Stmt | None:
        method = getattr(self, "_" + node.type, None)
        return method(node) if method is not None else None

    def _GetUserActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "choose")

    def _GetUserInfoActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "profile")

    def _CrmChangeDealCategoryActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "pipeline")

    def _CrmTimelineCommentAdd(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "timeline")

    def _CrmCreateToDoActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "todo")

    def _CrmSendSmsActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "sms")

    def _CrmCreateDynamicActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "add_item")

    def _CrmUpdateDynamicActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "update_item")

    def _CreateListsDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "add_element")

    def _UpdateListsDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "update_element")

    def _CrmGenerateEntityDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "generate")

    def _SetPermissionsActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "permissions")

    def _DeleteDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "delete")

    def _PublishDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._action(node, "publish")

    # ── shared ───────────────────────────────────────────────────────────────────────────
    def _action(self, node: Node, kind: str) -> ast.Stmt | None:
        row = STATEMENTS[kind]
        if not self.ctx.only(node, set(writes(node.type))):
            return None
        opts = self.ctx.opts(node, row.title)
        if opts is None:
            return None
        subject: ast.Expr | None = None
        settings: list[ast.Setting] = []
        for key, option in action_options(row).items():
            value = self._value(node, option, subject=key == SUBJECT,
                                prefix=self._prefix(node, row) if option.prefixed else None)
            if value is _NO:
                return None
            if key == SUBJECT:
                if not isinstance(value, ast.Expr):
                    return None  # the statement cannot be written without its value
                subject = value
            elif isinstance(value, ast.Setting):
                settings.append(ast.Setting(NOWHERE, key, NOWHERE, value.value))
        return ast.ActionStmt(NOWHERE, opts, kind, subject, tuple(settings))

    def _absent(self, node: Node, option: Option) -> Any:
        """What the property holds when the option is not written."""
        prop = option.properties[0]
        if option.values:
            word_ = option.absent if option.absent != CATALOG else None
            return option.stored(word_) if word_ is not None else self.ctx.default(node, prop)
        return self.ctx.default(node, prop) if option.absent == CATALOG else option.absent

    def _prefix(self, node: Node, row: Statement) -> str | None:
        """The "<type id>_" a prefixed map's keys start with (None: no whole-number value)."""
        raw = self.ctx.get(node, row.subject.properties[0]) if row.subject is not None else None
        text = str(canonical(raw))
        return f"{text}_" if text.isdigit() else None

    def _value(self, node: Node, option: Option, *, subject: bool,
               prefix: str | None = None) -> Any:
        """The setting (or, for the subject, the expression) that gives back what the node
        holds; None when nothing need be written, _NO when nothing can say it."""
        prop = option.properties[0]
        raw = self.ctx.get(node, prop)
        if option.document:
            number = self._document_parameter(option.document, raw)
            return _NO if number is None else ast.Number(NOWHERE, int(number), number)
        if option.prefixed and isinstance(raw, dict) and raw:
            if prefix is None or not all(str(k).startswith(prefix) for k in raw):
                return _NO
            raw = {str(k)[len(prefix):]: v for k, v in raw.items()}
        if option.absent == OMIT:
            return self._omissible(node, option)
        absent = self._absent(node, option)
        if option.kind == "bool":
            on, standing = flag(raw), flag(absent) or "N"
            if on is None or (raw in ("", None) and canonical(raw) != canonical(absent)):
                return _NO  # an empty flag is read by each class its own way
            return None if on == standing else text_setting("", ast.Bool(NOWHERE, on == "Y"))
        if not subject and canonical(raw) == canonical(absent):
            return None
        if option.values:
            try:
                found = option.word_of(canonical(raw), canonical(self.ctx.default(node, prop)))
            except KeyError:
                return _NO
            return None if found is None else word("", str(found))
        expr = self._expr(option, raw)
        if expr is None:
            return _NO
        return expr if subject else text_setting("", expr)

    def _omissible(self, node: Node, option: Option) -> Any:
        """An option whose properties codegen leaves out when it is not written: nothing to
        write when each holds what its absence means, else the word of what they hold."""
        props = option.properties
        raws = tuple(canonical(self.ctx.get(node, prop)) for prop in props)
        if all(raw == canonical(self.ctx.default(node, prop))
               for raw, prop in zip(raws, props, strict=True)):
            return None
        try:
            found = option.word_of(raws if len(props) > 1 else raws[0])
        except KeyError:
            return _NO
        return None if found is None else word("", str(found))

    def _document_parameter(self, document: str, raw: Any) -> str | None:
        """The parameter (a list's id) of a stored [module, entity, document_type], when it is
        the document type's own spelling."""
        spec = self.ctx.catalog.document(document)
        if spec is None or not isinstance(raw, list) or len(raw) != 3 or \
                raw[:2] != [spec.module, spec.entity]:
            return None
        before, _, after = spec.document_type.partition("{" + spec.parameter + "}")
        text = str(raw[2])
        if not (text.startswith(before) and text.endswith(after)):
            return None
        number = text[len(before):len(text) - len(after)]
        return number if number.isdigit() and not number.startswith("0") else None

    def _expr(self, option: Option, raw: Any) -> ast.Expr | None:
        if option.kind == "grants":
            return self._grants(raw)
        if option.kind in ("users", "user"):
            return self.values.users(raw)
        if option.kind == "text":
            return self.values.any_text(raw)
        return self.values.value(raw)

    def _grants(self, raw: Any) -> ast.Expr | None:
        """Operation → users (an empty array grants nothing: an empty map)."""
        if raw in ([], {}):
            return ast.MapExpr(NOWHERE, ())
        if not isinstance(raw, dict):
            return None
        entries = []
        for operation, users in raw.items():
            expr = self.values.users(users)
            if expr is None:
                return None
            entries.append(ast.MapEntry(NOWHERE, str(operation), NOWHERE, expr))
        return ast.MapExpr(NOWHERE, tuple(entries))
