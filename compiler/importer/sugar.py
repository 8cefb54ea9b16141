"""Activities with a statement of their own (`set`, `log`, `wait`, `notify`, `mail`, …).

Each builder returns the statement whose lowering (compiler/codegen/activities.py) gives the
node back, or None when the node holds something the statement cannot say; the node is then
written in the generic form. The compile-and-compare check of the whole import catches what
a builder misjudges.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.bitrix.canonical import flag
from compiler.bitrix.canonical import value as canonical
from compiler.catalog.models import DURATION_UNITS
from compiler.catalog.statements import (
    ASSIGN_MODE,
    CREATE_ACTIVITIES,
    STATEMENTS,
    TARGET_USER,
    WAIT_UNIT,
    writes,
)
from compiler.codegen.activities import ADDRESS_TYPES
from compiler.importer.nodes import Context, Node, text_setting
from compiler.importer.scope import NOWHERE
from compiler.importer.values import text_node
from compiler.syntax import ast

_INT = re.compile(r"[1-9][0-9]*")
# The key of a global variable in SetGlobalVariableActivity's GlobalVariableValue (global_key).
_GLOBAL_KEY = re.compile(r"\{=GlobalVar:([A-Za-z_][A-Za-z0-9_]*)\}")
_CREATE_DOCUMENT = {activity: name for name, activity in CREATE_ACTIVITIES.items()}
_MAIL = STATEMENTS["mail"].options


def _title(kind: str, words: str = "") -> str:
    """The Title codegen gives a statement of this kind."""
    return STATEMENTS[kind].title.format(words)


class SimpleStatements:
    def __init__(self, ctx: Context, *, document: ast.Expr, document_name: str,
                 crm: bool, states: dict[str, str] | None) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.document = document
        self.document_name = document_name
        self.crm = crm
        self.states = states  # original state Name → .bpl state name (state machines only)

    def build(self, node: Node) -> ast.Stmt | None:
        method = getattr(self, "_" + node.type, None)
        return method(node) if method is not None else None

    # ── assignments ──────────────────────────────────────────────────────────────────────
    def _SetVariableActivity(self, node: Node) -> ast.Stmt | None:
        values = node.properties.get("VariableValue")
        if not isinstance(values, dict) or not values or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        targets = [self.ctx.scope.decl("var", str(k)) for k in values]
        if any(t is None for t in targets):
            return None
        assignments = [ast.Assignment(NOWHERE, t, self._typed(t, v))
                       for t, v in zip(targets, values.values(), strict=True) if t is not None]
        opts = self.ctx.opts(node, _title("set", ", ".join(str(k) for k in values)))
        if opts is None:
            return None
        if len(assignments) == 1:
            return ast.AssignStmt(NOWHERE, opts, assignments[0])
        return ast.SetStmt(NOWHERE, opts, tuple(assignments), True)

    def _SetFieldActivity(self, node: Node) -> ast.Stmt | None:
        values = node.properties.get("FieldValue")
        if not isinstance(values, dict) or not values or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        if not self.ctx.is_default(node, "MergeMultipleFields") or \
                self.ctx.get(node, "ModifiedBy") not in ([], "", None, {}):
            return None
        targets = [self.ctx.scope.doc(str(code)) for code in values]
        if any(t is None or len(t.parts) != 2 for t in targets):
            return None
        assignments = tuple(ast.Assignment(NOWHERE, t, self._typed(t, v))
                            for t, v in zip(targets, values.values(), strict=True)
                            if t is not None)
        opts = self.ctx.opts(node, _title("set", ", ".join(a.target.parts[-1]
                                                           for a in assignments)))
        if opts is None:
            return None
        return ast.SetStmt(NOWHERE, opts, assignments, len(assignments) > 1)

    def _SetGlobalVariableActivity(self, node: Node) -> ast.Stmt | None:
        values = node.properties.get("GlobalVariableValue")
        if not isinstance(values, dict) or not values or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        names = [_GLOBAL_KEY.fullmatch(str(key)) for key in values]
        if any(m is None for m in names):
            return None
        assignments = tuple(ast.Assignment(NOWHERE, ast.Ref(NOWHERE, ("global", "var", m[1])),
                                           self.values.value(raw))
                            for m, raw in zip(names, values.values(), strict=True)
                            if m is not None)
        opts = self.ctx.opts(node, _title("set", ", ".join(a.target.parts[-1]
                                                           for a in assignments)))
        if opts is None:
            return None
        if len(assignments) == 1:
            return ast.AssignStmt(NOWHERE, opts, assignments[0])
        return ast.SetStmt(NOWHERE, opts, assignments, True)

    def _typed(self, target: ast.Ref, raw: Any) -> ast.Expr:
        """The value of an assignment: `true`/`false` for a bool target ('Y'/'N' as
        codegen stores them), any other value as it is."""
        resolved = self.ctx.scope.resolved(target)
        if resolved is not None and resolved.type.base == "bool" and raw in ("Y", "N"):
            return ast.Bool(NOWHERE, raw == "Y")
        return self.values.value(raw)

    # ── texts ────────────────────────────────────────────────────────────────────────────
    def _LogActivity(self, node: Node) -> ast.Stmt | None:
        text = self.values.any_text(self.ctx.get(node, "Text"))
        if text is None or flag(self.ctx.get(node, "SetVariable")) == "Y" or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        opts = self.ctx.opts(node, _title("log"))
        return ast.LogStmt(NOWHERE, opts, text) if opts is not None else None

    def _SetStateTitleActivity(self, node: Node) -> ast.Stmt | None:
        text = self.values.any_text(self.ctx.get(node, "TargetStateTitle"))
        opts = self.ctx.opts(node, _title("status"))
        if text is None or opts is None or not self.ctx.only(node, set(writes(node.type))):
            return None
        return ast.StatusStmt(NOWHERE, opts, text)

    def _WebHookActivity(self, node: Node) -> ast.Stmt | None:
        url = self.values.any_text(self.ctx.get(node, "Handler"))
        opts = self.ctx.opts(node, _title("webhook"))
        if url is None or opts is None or not self.ctx.only(node, set(writes(node.type))):
            return None
        return ast.WebhookStmt(NOWHERE, opts, url)

    def _TerminateActivity(self, node: Node) -> ast.Stmt | None:
        raw = self.ctx.get(node, "StateTitle")
        status = self.values.any_text(raw) if raw not in ("", None) else None
        opts = self.ctx.opts(node, _title("terminate"))
        if opts is None or (raw not in ("", None) and status is None) or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        return ast.TerminateStmt(NOWHERE, opts, status)

    # ── pauses ───────────────────────────────────────────────────────────────────────────
    def _DelayActivity(self, node: Node) -> ast.Stmt | None:
        if not self.ctx.only(node, set(writes(node.type))) or \
                not self.ctx.is_default(node, "TimeoutTimeIsLocal") or \
                not self.ctx.is_default(node, "WriteToLog"):
            return None
        opts = self.ctx.opts(node, _title("wait"))
        delay = self.delay(node)
        if opts is None or delay is None:
            return None
        return ast.WaitStmt(NOWHERE, opts, delay.duration, delay.until, delay.amount, delay.unit)

    def delay(self, node: Node) -> ast.WaitStmt | None:
        """`3d`, `until EXPR` or `for EXPR days` for a DelayActivity's properties."""
        duration = self.ctx.get(node, "TimeoutDuration")
        unit = str(self.ctx.get(node, "TimeoutDurationType") or "s")
        until = self.ctx.get(node, "TimeoutTime")
        empty = ast.StmtOpts()
        if until in ("", None, 0):
            if unit not in DURATION_UNITS:
                return None
            amount = str(duration)
            if _INT.fullmatch(amount):
                return ast.WaitStmt(NOWHERE, empty, ast.Duration(NOWHERE, int(amount), unit))
            if duration in ("", None):
                return None
            return ast.WaitStmt(NOWHERE, empty, amount=self.values.value(duration),
                                unit=WAIT_UNIT.word_of(unit))
        if duration not in ("", None) or canonical(unit) != "s":
            return None
        return ast.WaitStmt(NOWHERE, empty, until=self.values.value(until))

    # ── messages ─────────────────────────────────────────────────────────────────────────
    def _sender(self, raw: Any) -> tuple[bool, ast.Expr | None]:
        """(ok, sender): no sender when it is the user who started the workflow."""
        if raw == [TARGET_USER]:
            return True, None
        users = self.values.users(raw)
        return users is not None, users

    def _IMNotifyActivity(self, node: Node) -> ast.Stmt | None:
        site, out = self.ctx.get(node, "MessageSite"), self.ctx.get(node, "MessageOut")
        kind = canonical(self.ctx.get(node, "MessageType"))
        if site != out or not self.ctx.only(node, set(writes(node.type))):
            return None
        ok, sender = self._sender(self.ctx.get(node, "MessageUserFrom"))
        if not ok or kind != ("4" if sender is None else "2"):
            return None
        return self._notify(node, "notify", site, sender)

    def _SocNetMessageActivity(self, node: Node) -> ast.Stmt | None:
        if not self.ctx.only(node, set(writes(node.type))) or \
                self.ctx.get(node, "MessageFormat") not in ("", None):
            return None
        ok, sender = self._sender(self.ctx.get(node, "MessageUserFrom"))
        if not ok:
            return None
        return self._notify(node, "message", self.ctx.get(node, "MessageText"), sender)

    def _notify(self, node: Node, kind: str, raw_text: Any,
                sender: ast.Expr | None) -> ast.Stmt | None:
        users = self.values.users(self.ctx.get(node, "MessageUserTo"))
        text = self.values.any_text(raw_text)
        opts = self.ctx.opts(node, _title(kind))
        if users is None or text is None or opts is None:
            return None
        return ast.NotifyStmt(NOWHERE, opts, kind, users, text, sender)

    def _MailActivity(self, node: Node) -> ast.Stmt | None:
        ctx = self.ctx
        if not ctx.only(node, set(writes(node.type))) or \
                not ctx.is_(node, "MailMessageEncoded", ctx.default(node, "MailMessageEncoded")) \
                or ctx.get(node, "File") not in ([], "", None) or \
                ctx.get(node, "FileType") not in (ctx.default(node, "FileType"), "", None):
            return None
        default_separator = ctx.default(node, "MailSeparator")
        separator = str(ctx.get(node, "MailSeparator") or default_separator)
        sender_ok, sender = self._recipients(ctx.get(node, "MailUserFrom"),
                                             ctx.get(node, "MailUserFromArray"), True)
        to_ok, to = self._recipients(ctx.get(node, "MailUserTo"),
                                     ctx.get(node, "MailUserToArray"), False)
        subject = self.values.any_text(ctx.get(node, "MailSubject"))
        body = self.values.any_text(ctx.get(node, "MailText"))
        opts = ctx.opts(node, _title("mail"))
        if not sender_ok or not to_ok or to is None or subject is None or body is None or \
                opts is None:
            return None
        settings: list[ast.Setting] = []
        kind = ctx.get(node, "MailMessageType")
        if kind not in ("", None):
            try:
                html = _MAIL["html"].word_of(kind, ctx.default(node, "MailMessageType"))
            except KeyError:
                return None
            if html is not None:
                settings.append(text_setting("html", ast.Bool(NOWHERE, html)))
        charset = ctx.get(node, "MailCharset")
        if charset != _MAIL["charset"].absent:
            settings.append(text_setting("charset", text_node(str(charset))))
        direct = flag(ctx.get(node, "DirrectMail"))
        if direct in ("Y", "N") and direct != flag(ctx.default(node, "DirrectMail")):
            settings.append(text_setting("direct", ast.Bool(NOWHERE, direct == "Y")))
        if separator != default_separator:
            settings.append(text_setting("separator", text_node(separator)))
        return ast.MailStmt(NOWHERE, opts, to, subject, body, sender, tuple(settings))

    def _recipients(self, text: Any, users: Any,
                    sender: bool) -> tuple[bool, ast.Expr | None]:
        """(found, the `to`/`from` expression of a mail); no expression for the default
        sender, the user who started the workflow."""
        if sender and text in ("", None) and users == [TARGET_USER]:
            return True, None
        items: list[ast.Expr] = []
        if text not in ("", None):
            # One text holding every address: codegen joins addresses with the separator.
            address = self._address(text)
            if address is None:
                return False, None
            items.append(address)
        if users not in ([], "", None):
            found = self.values.users(users)
            if found is None:
                return False, None
            items += list(found.items) if isinstance(found, ast.ListExpr) else [found]
        if len(items) == 1:
            return True, items[0]
        return True, ast.ListExpr(NOWHERE, tuple(items))

    def _address(self, raw: Any) -> ast.Expr | None:
        """An e-mail address as codegen recognises one: a text with an @, or a reference to
        a text value (an e-mail or string field, a string variable)."""
        if not isinstance(raw, str):
            return None
        expr = self.values.value(raw)
        if isinstance(expr, ast.Text):
            return expr if "@" in expr.plain else None
        operand = expr.operand if isinstance(expr, ast.Modified) else expr
        resolved = self.ctx.scope.resolved(operand)
        if resolved is not None and resolved.type.name in ADDRESS_TYPES:
            return expr
        return None

    # ── CRM ──────────────────────────────────────────────────────────────────────────────
    def _CrmChangeStatusActivity(self, node: Node) -> ast.Stmt | None:
        target = self.ctx.get(node, "TargetStatus")
        opts = self.ctx.opts(node, _title("stage"))
        if not self.crm or target in ("", None) or opts is None or \
                self.ctx.get(node, "ModifiedBy") not in ([], "", None) or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        return ast.StageStmt(NOWHERE, opts, self.values.value(target))

    def _CrmChangeResponsibleActivity(self, node: Node) -> ast.Stmt | None:
        ctx = self.ctx
        getter = str(ctx.get(node, "GetterType") or ctx.default(node, "GetterType"))
        users = self.values.users(ctx.get(node, "Responsible"))
        opts = ctx.opts(node, _title("assign_users"))
        if getter not in ASSIGN_MODE.values.values():
            return None
        if not self.crm or users is None or opts is None or \
                ctx.get(node, "ModifiedBy") not in ([], "", None) or \
                not ctx.is_default(node, "SkipAbsent") or \
                not ctx.is_default(node, "SkipTimeMan") or \
                not ctx.only(node, set(writes(node.type))):
            return None
        return ast.AssignUsersStmt(NOWHERE, opts, users, ASSIGN_MODE.word_of(getter))

    # ── documents and workflows ──────────────────────────────────────────────────────────
    def _create(self, node: Node, document: ast.Expr) -> ast.Stmt | None:
        fields = node.properties.get("Fields")
        opts = self.ctx.opts(node, _title("create"))
        if not isinstance(fields, dict) or opts is None or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        entries = tuple(ast.MapEntry(NOWHERE, str(k), NOWHERE, self.values.value(v))
                        for k, v in fields.items())
        return ast.CreateStmt(NOWHERE, opts, document, ast.MapExpr(NOWHERE, entries))

    def _CreateDocumentActivity(self, node: Node) -> ast.Stmt | None:
        if self.document_name in CREATE_ACTIVITIES:
            return None  # `create crm.deal` in a deal workflow makes a CRM deal activity
        return self._create(node, self.document)

    def _CreateCrmDealDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._create_crm(node)

    def _CreateCrmLeadDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._create_crm(node)

    def _CreateCrmContactDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._create_crm(node)

    def _CreateCrmCompanyDocumentActivity(self, node: Node) -> ast.Stmt | None:
        return self._create_crm(node)

    def _create_crm(self, node: Node) -> ast.Stmt | None:
        name = _CREATE_DOCUMENT[node.type]
        return self._create(node, ast.Ref(NOWHERE, tuple(name.split("."))))

    def _StartWorkflowActivity(self, node: Node) -> ast.Stmt | None:
        ctx = self.ctx
        parameters = ctx.get(node, "TemplateParameters")
        opts = ctx.opts(node, _title("start"))
        template, document = ctx.get(node, "TemplateId"), ctx.get(node, "DocumentId")
        if opts is None or not isinstance(parameters, dict | list) or (
                isinstance(parameters, list) and parameters) or template in ("", None) or \
                not ctx.only(node, set(writes(node.type))):
            return None
        entries = tuple(ast.MapEntry(NOWHERE, str(k), NOWHERE, self.values.value(v))
                        for k, v in (parameters.items() if isinstance(parameters, dict) else ()))
        return ast.StartStmt(NOWHERE, opts, self.values.value(template),
                             self.values.value(document),
                             ast.MapExpr(NOWHERE, entries) if entries else None,
                             flag(ctx.get(node, "UseSubscription")) == "Y")

    # ── state machines ───────────────────────────────────────────────────────────────────
    def _SetStateActivity(self, node: Node) -> ast.Stmt | None:
        target = self.ctx.get(node, "TargetStateName")
        state = self.states.get(str(target)) if self.states is not None else None
        if state is None or not self.ctx.is_default(node, "CancelCurrentState") or \
                not self.ctx.only(node, set(writes(node.type))):
            return None
        opts = self.ctx.opts(node, _title("goto", state))
        return ast.GotoStmt(NOWHERE, opts, state, NOWHERE) if opts is not None else None
