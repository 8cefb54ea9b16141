"""Name resolution, types and Bitrix's rules for one workflow; builds the checked model.

The checker reports every problem it finds (it never stops at the first) and records what
each reference means, so that codegen does not resolve anything again.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from compiler.catalog import Catalog
from compiler.catalog.statements import CREATE_ACTIVITIES, HANDLERS, create_activity, statement
from compiler.catalog.statements import settings as option_block
from compiler.diagnostics import Diagnostics, Label
from compiler.hosts import check_url, shown
from compiler.semantics import types as T
from compiler.semantics.builtins import (
    DECL_OBJECTS,
    REFERENCE_HEADS,
    ROLES,
    SPECIAL_CALLS,
    SYSTEM_FIELDS,
    WORKFLOW_FIELDS,
)
from compiler.semantics.conditions import Inexpressible, to_dnf
from compiler.semantics.documents import bind_document
from compiler.semantics.environment import APP_CLIENT_ID, Environment
from compiler.semantics.model import (
    CheckedWorkflow,
    DeclInfo,
    DocumentBinding,
    FieldInfo,
    LabelInfo,
    Resolved,
)
from compiler.semantics.program import Program
from compiler.semantics.rawformulas import formula_problems, functions_of
from compiler.semantics.robots import io_type, waits
from compiler.source import Span
from compiler.syntax import ast

MAX_DELAY_SECONDS = 5 * 365 * 86400
MAX_MACRO_DEPTH = 16
_ENV_USER = re.compile(r"user_\d+|group_\w+|[1-9]\d*")

# What makes a webhook URL an error besides what WebHookActivity refuses (the help says why).
_WEBHOOK_REFUSED = "Bitrix's WebHookActivity calls http(s) URLs with a dotted host only"
_WEBHOOK_ERRORS = {
    "credentials": "the template stores it in clear: anyone who can open the template reads it",
    "port": "no connection can be made to that port",
}

def robot_activity_type(client_id: str, code: str) -> str:
    """`rest_` + md5(client_id@CODE): how Bitrix names an app's robot/action type."""
    return "rest_" + hashlib.md5(f"{client_id}@{code}".encode()).hexdigest()


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    pool = list(candidates)
    close = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not close:
        upper = {c.upper(): c for c in pool}
        if name.upper() in upper:
            close = [upper[name.upper()]]
    return f"did you mean '{close[0]}'?" if close else None


OptionKey = Literal["unknown", "repeated", "first"]


def option_key(diag: Diagnostics, owner: str, specs: Mapping[str, object],
               setting: ast.Setting, seen: Mapping[str, Span]) -> OptionKey:
    """Report an option block's key that `owner` does not take (E303) or that `seen` holds
    already (E101); statements and robot declarations word these alike. The caller records
    `seen` and decides whether a repeated option's value is still checked."""
    if setting.key not in specs:
        diag.error("E303", f"'{owner}' has no option '{setting.key}'", setting.key_span,
                   help=did_you_mean(setting.key, specs) or
                   f"options are: {', '.join(sorted(specs))}")
        return "unknown"
    if setting.key in seen:
        diag.error("E101", f"option '{setting.key}' is given twice", setting.key_span,
                   labels=(Label(seen[setting.key], "first"),))
        return "repeated"
    return "first"


class WorkflowChecker:
    def __init__(self, program: Program, workflow: ast.Workflow, catalog: Catalog,
                 env: Environment, diagnostics: Diagnostics):
        self.program = program
        self.workflow = workflow
        self.catalog = catalog
        self.env = env
        self.diag = diagnostics
        self.refs: dict[int, Resolved] = {}
        self.decls: dict[str, DeclInfo] = {}
        self.labels: dict[str, LabelInfo] = {}
        self.expansions: dict[int, tuple[ast.Stmt, ...]] = {}
        self.keepalive: list[object] = []
        self.loop_vars: list[dict[str, Resolved]] = []
        self.robot_types: dict[str, str] = {}
        self.states = {s.name: s for s in workflow.states}
        self.document: DocumentBinding = bind_document(workflow.document, catalog, env,
                                                       workflow.fields, self, diagnostics)

    # ── entry ────────────────────────────────────────────────────────────────────────────
    def check(self) -> CheckedWorkflow:
        wf = self.workflow
        self._check_autostart()
        self._declare()
        self._static_texts()
        bodies = self._all_bodies()
        for body in bodies:
            self._collect_labels(body)
        for state in wf.states:
            for handler in state.handlers:
                self._handler_label(handler)
        if wf.kind == "statemachine":
            self._check_states()
        else:
            self._block(wf.body, in_state=False)
        return CheckedWorkflow(wf, self.document, self.decls, self.labels, self.refs,
                               self.expansions, dict(self.program.robots), self.env,
                               self.catalog, self.robot_types, self.keepalive)

    def _all_bodies(self) -> list[tuple[ast.Stmt, ...]]:
        if self.workflow.kind == "statemachine":
            return [h.body for s in self.workflow.states for h in s.handlers]
        return [self.workflow.body]

    def _static_texts(self) -> None:
        """Texts Bitrix shows as written: the template's name and description, the labels of
        parameters, variables, constants and fields, and select captions. An interpolation
        there would reach the portal as literal braces, so it is refused."""
        wf = self.workflow
        texts: list[ast.Text | None] = [wf.title, wf.description]
        for decl in wf.decls:
            texts += [decl.label, decl.description, *(o.label for o in decl.type.options)]
        for field in wf.fields:
            texts += [field.label, *(o.label for o in field.type.options)]
        for text in texts:
            part = next((p for p in text.parts if isinstance(p, ast.Expr) and
                         not isinstance(p, ast.RawBitrix)), None) if text is not None else None
            if part is not None:
                self.diag.error("E004", "this text is shown as written: Bitrix does not "
                                        "evaluate references in names, labels and descriptions",
                                part.span, help="write literal braces as \\{ and \\}")

    def _check_autostart(self) -> None:
        for name, span in self.workflow.autostart:
            if name not in ("create", "edit", "none"):
                self.diag.error("E303", f"autostart '{name}' is not a start event", span,
                                help="autostart takes create, edit, or both (create, edit); "
                                     "'none' (the default) starts only by hand or by REST")

    # ── declarations ─────────────────────────────────────────────────────────────────────
    def _declare(self) -> None:
        for decl in self.workflow.decls:
            first = self.decls.get(decl.name)
            if first is not None:
                self.diag.error("E101", f"'{decl.name}' is declared twice", decl.name_span,
                                labels=(Label(first.decl.name_span, "first declared here"),),
                                help="parameters, variables and constants share one namespace")
                continue
            if decl.name in ("TargetUser",):
                self.diag.error("E101", f"'{decl.name}' is reserved by Bitrix", decl.name_span,
                                help="Bitrix sets it to the user who started the workflow; "
                                     "read it as param.TargetUser without declaring it")
                continue
            typ = self.type_of_ref(decl.type)
            self.decls[decl.name] = DeclInfo(decl, typ)
            if decl.default is not None:
                self._check_default(decl.type, typ, decl.default)

    def type_of_ref(self, ref: ast.TypeRef) -> T.Type:
        name = ref.name
        if name in ("select",) and not ref.options:
            self.diag.error("E201", "a select needs its options: select { \"key\": \"Label\" }",
                            ref.span)
        if name in ("internalselect", "type"):
            if not ref.argument:
                self.diag.error("E201", f"{name}(…) needs an argument", ref.span)
                return T.Type("string", ref.multiple)
            return T.Type("internalselect" if name == "internalselect" else ref.argument,
                          ref.multiple)
        if name not in T.BASE_TYPES:
            hint = did_you_mean(name, T.BASE_TYPES)
            self.diag.error("E200", f"unknown type '{name}'", ref.span,
                            help=hint or "types are string, text, int, double, bool, date, "
                                         "datetime, time, user, file, select {…}, "
                                         "internalselect(\"FIELD\") or type(\"UF:…\")")
            return T.Type("any", ref.multiple)
        return T.Type(name, ref.multiple)

    def _check_default(self, ref: ast.TypeRef, typ: T.Type, default: ast.Expr) -> None:
        value_type = self.expr(default)
        if isinstance(default, ast.ListExpr) and not typ.multiple:
            self.diag.error("E201", f"a list is not a valid default for a single {typ}",
                            default.span, help=f"declare it as {typ}[] to hold several values")
            return
        if typ.name == "select" and ref.options:
            keys = [o.key for o in ref.options]
            values = default.items if isinstance(default, ast.ListExpr) else (default,)
            for value in values:
                literal = _literal(value)
                if literal is not None and str(literal) not in keys:
                    self.diag.error("E201", f"default {literal!r} is not an option of the select",
                                    value.span, help=f"options are {', '.join(keys)}")
            return
        if typ.base == "bool" and not isinstance(default, ast.Bool) and _literal(default) \
                is not None:
            self.diag.error("E201", "a bool default is true or false", default.span)
            return
        if typ.base == "user":
            values = default.items if isinstance(default, ast.ListExpr) else (default,)
            for value in values:
                if self._env_user(value):
                    continue
                item_type = self.expr(value)
                if not T.assignable(T.USER, item_type):
                    self.diag.error("E201", f"default of type {item_type} does not fit {typ}",
                                    value.span)
            return
        if not T.assignable(typ.single() if typ.multiple else typ, value_type.single()):
            self.diag.error("E201", f"default of type {value_type} does not fit {typ}",
                            default.span)

    # ── labels ───────────────────────────────────────────────────────────────────────────
    def _collect_labels(self, body: Sequence[ast.Stmt]) -> None:
        for stmt in body:
            label = stmt.opts.label
            if label is not None and stmt.opts.label_span is not None and \
                    self._label_free(label, stmt.opts.label_span):
                activity_type, returns = self._returns_of(stmt)
                self.labels[label] = LabelInfo(stmt, activity_type, returns,
                                               stmt.opts.label_span)
            for child in _child_bodies(stmt):
                self._collect_labels(child)
            if isinstance(stmt, ast.CallStmt):
                expanded = self._expand_macro(stmt)
                if expanded is not None:
                    self._collect_labels(expanded)

    def _label_free(self, label: str, span: Span) -> bool:
        first = self.labels.get(label)
        if first is not None:
            self.diag.error("E101", f"label '{label}' is used twice", span,
                            labels=(Label(first.span, "first used here"),),
                            help="labels name one activity each; rename one")
            return False
        if label in REFERENCE_HEADS or label in self.decls:
            self.diag.error("E101", f"label '{label}' hides a built-in name", span,
                            help="choose another label")
            return False
        return True

    def _handler_label(self, handler: ast.EventHandler) -> None:
        """`on command … as x` names the event activity (x.SenderUserId is who pressed)."""
        label, span = handler.opts.label, handler.opts.label_span
        if label is None or span is None or not self._label_free(label, span):
            return
        activity_type = HANDLERS[handler.kind].labelled
        spec = self.catalog.activity(activity_type)
        returns = {k: T.Type(r.type, r.multiple) for k, r in spec.returns.items()} \
            if spec is not None else {}
        self.labels[label] = LabelInfo(handler, activity_type, returns, span)

    def _returns_of(self, stmt: ast.Stmt) -> tuple[str, dict[str, T.Type]]:
        if isinstance(stmt, ast.ActivityStmt):
            activity_type = stmt.type_name
        elif isinstance(stmt, ast.CreateStmt):
            activity_type = create_activity(self._doc_name(stmt.document))
        elif isinstance(stmt, ast.CallStmt):
            robot = self.program.robots.get(stmt.call.dotted)
            if robot is None:
                return "", {}
            returns = {o.name: io_type(o.type) for o in robot.outputs}
            if waits(robot):
                returns["IsTimeout"] = T.INT
            return f"{robot.kind} {robot.code}", returns
        else:
            activity_type = statement(stmt).activity
        spec = self.catalog.activity(activity_type)
        if spec is None:
            return activity_type, {}
        return activity_type, {k: T.Type(r.type, r.multiple) for k, r in spec.returns.items()}

    def _doc_name(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Ref):
            return expr.dotted
        if isinstance(expr, ast.Call):
            return expr.dotted
        return ""

    # ── macros ───────────────────────────────────────────────────────────────────────────
    def _expand_macro(self, stmt: ast.CallStmt, depth: int = 0) -> tuple[ast.Stmt, ...] | None:
        if id(stmt) in self.expansions:
            return self.expansions[id(stmt)]
        macro = self.program.macros.get(stmt.call.dotted)
        if macro is None:
            return None
        if depth > MAX_MACRO_DEPTH:
            self.diag.error("E105", f"macro '{macro.name}' expands itself too deeply",
                            stmt.span, help="a macro must not call itself")
            self.expansions[id(stmt)] = ()
            return ()
        args = stmt.call.args
        if len(args) != len(macro.params) or any(a.name is not None for a in args):
            self.diag.error(
                "E105", f"macro '{macro.name}' takes {len(macro.params)} argument(s) "
                        f"({', '.join(macro.params)}), given {len(args)}",
                stmt.call.span, labels=(Label(macro.name_span, "declared here"),))
            self.expansions[id(stmt)] = ()
            return ()
        mapping = {p: a.value for p, a in zip(macro.params, args, strict=True)}
        body = tuple(_substitute(s, mapping) for s in macro.body)
        self.keepalive.append(body)
        self.expansions[id(stmt)] = body
        for inner in _walk_stmts(body):
            if isinstance(inner, ast.CallStmt):
                self._expand_macro(inner, depth + 1)
        return body

    # ── statements ───────────────────────────────────────────────────────────────────────
    def _check_states(self) -> None:
        wf = self.workflow
        seen: dict[str, Span] = {}
        initial = [s for s in wf.states if s.initial]
        if len(initial) > 1:
            self.diag.error("E401", "more than one state is marked initial", initial[1].name_span,
                            labels=(Label(initial[0].name_span, "first initial state"),))
        if wf.body:
            self.diag.error("E400", "a statemachine holds states, not statements",
                            wf.body[0].span, help="put statements in a state's enter block")
        for state in wf.states:
            if state.name in seen:
                self.diag.error("E101", f"state '{state.name}' is declared twice",
                                state.name_span, labels=(Label(seen[state.name], "first here"),))
            elif state.name == "Template":
                # A state's name is its activity's Name, and the root activity is "Template":
                # Bitrix refuses to load a template with two activities of one name.
                self.diag.error("E101", "a state cannot be called 'Template'", state.name_span,
                                help="Bitrix names the root activity 'Template'; rename the state")
            seen[state.name] = state.name_span
            kinds = [h.kind for h in state.handlers]
            for kind in ("enter", "exit"):
                if kinds.count(kind) > 1:
                    dup = [h for h in state.handlers if h.kind == kind][1]
                    self.diag.error("E400", f"a state has at most one '{kind}' block", dup.span)
            if state.title is not None:
                self.expr(state.title)
            for handler in state.handlers:
                for text in (handler.command_title, handler.opts.title, handler.opts.comment):
                    if text is not None:
                        self.expr(text)
                if handler.kind == "command" and handler.users is not None:
                    self._users(handler.users)
                if handler.delay is not None:
                    self._wait(handler.delay)
                self._block(handler.body, in_state=True)

    def _block(self, body: Sequence[ast.Stmt], *, in_state: bool) -> None:
        ended: ast.Stmt | None = None
        warned = False
        for stmt in body:
            if ended is not None and not warned:
                kind = "goto" if isinstance(ended, ast.GotoStmt) else \
                    "stage" if isinstance(ended, ast.StageStmt) else "terminate"
                ends = "state" if kind == "goto" else "workflow"
                self.diag.warning("W402", f"this never runs: the '{kind}' before it ends the "
                                          f"{ends}", stmt.span,
                                  labels=(Label(ended.span, f"'{kind}' is here"),))
                warned = True
            self._stmt(stmt, in_state)
            if ended is None and not stmt.opts.disabled and isinstance(
                    stmt, ast.TerminateStmt | ast.GotoStmt | ast.StageStmt):
                ended = stmt

    def _stmt(self, stmt: ast.Stmt, in_state: bool) -> None:
        opts = stmt.opts
        if opts.title is not None:
            self.expr(opts.title)
        method = getattr(self, "_" + type(stmt).__name__, None)
        if method is not None:
            method(stmt, in_state)

    def _SetStmt(self, stmt: ast.SetStmt, in_state: bool) -> None:
        kinds = set()
        for a in stmt.assignments:
            kinds.add(self._assignment(a, allow=("doc", "var")))
        if len(kinds - {None}) > 1:
            self.diag.error("E202", "one 'set' cannot write both document fields and variables",
                            stmt.span, help="Bitrix sets them with two different activities; "
                                            "split it into two statements")
        seen: dict[str, Span] = {}
        for a in stmt.assignments:
            key = a.target.dotted
            if key in seen:
                self.diag.error("E101", f"{key} is set twice in one statement", a.target.span,
                                labels=(Label(seen[key], "first set here"),))
            seen[key] = a.target.span

    def _AssignStmt(self, stmt: ast.AssignStmt, in_state: bool) -> None:
        self._assignment(stmt.assignment, allow=("var", "doc"))

    def _assignment(self, a: ast.Assignment, allow: tuple[str, ...]) -> str | None:
        target = a.target
        value_type = self.expr(a.value)
        head = target.parts[0]
        if head not in allow or len(target.parts) != 2:
            what = {"param": "a parameter", "const": "a constant"}.get(head,
                                                                       "this reference")
            self.diag.error("E202", f"{what} cannot be assigned: {target.dotted}", target.span,
                            help="write document fields with 'set doc.FIELD = …' and variables "
                                 "with 'var.NAME = …'")
            return None
        resolved = self.ref(target)
        if resolved is None:
            return None
        if head == "doc":
            info = self.document.fields.get(target.parts[1])
            if info is not None and info.readonly:
                self.diag.error("E202", f"document field {info.code} is read-only",
                                target.span, help="Bitrix computes it; it cannot be set")
        if not T.assignable(resolved.type, value_type):
            self.diag.error("E200", f"{target.dotted} is {resolved.type}, the value is "
                                    f"{value_type}", a.value.span,
                            help="convert on purpose with a modifier, e.g. value | string")
        return head

    def _LogStmt(self, stmt: ast.LogStmt, in_state: bool) -> None:
        self.expr(stmt.text)

    def _WaitStmt(self, stmt: ast.WaitStmt, in_state: bool) -> None:
        self._wait(stmt)

    def _wait(self, stmt: ast.WaitStmt) -> None:
        if stmt.duration is not None:
            seconds = stmt.duration.seconds
            if seconds <= 0:
                self.diag.error("E303", "a pause must be longer than zero", stmt.duration.span)
            elif seconds > MAX_DELAY_SECONDS:
                self.diag.error("E303", "Bitrix pauses at most 5 years", stmt.duration.span)
        if stmt.until is not None:
            typ = self.expr(stmt.until)
            if typ.base not in ("date", "datetime", "any", "string", "int"):
                self.diag.error("E200", f"'wait until' needs a date or datetime, not {typ}",
                                stmt.until.span)
        if stmt.amount is not None:
            typ = self.expr(stmt.amount)
            if typ.base not in ("int", "double", "any", "string"):
                self.diag.error("E200", f"'wait for' needs a number, not {typ}",
                                stmt.amount.span)

    def _StatusStmt(self, stmt: ast.StatusStmt, in_state: bool) -> None:
        self.expr(stmt.text)

    def _NotifyStmt(self, stmt: ast.NotifyStmt, in_state: bool) -> None:
        self._users(stmt.users)
        self.expr(stmt.text)
        if stmt.sender is not None:
            self._users(stmt.sender)

    def _MailStmt(self, stmt: ast.MailStmt, in_state: bool) -> None:
        if not (isinstance(stmt.to, ast.Text) and "@" in stmt.to.plain):
            self._users(stmt.to, addresses=True)
        self.expr(stmt.subject)
        self.expr(stmt.body)
        if stmt.sender is not None and not (isinstance(stmt.sender, ast.Text) and
                                            "@" in stmt.sender.plain):
            self._users(stmt.sender, addresses=True)
        self._settings("mail", stmt.settings)

    def _ApproveStmt(self, stmt: ast.ApproveStmt, in_state: bool) -> None:
        self.expr(stmt.name)
        self._users(stmt.users)
        self._settings("approve", stmt.settings)
        for setting in stmt.settings:
            if setting.key == "vote":
                self._vote(setting.value)
        for branch in (stmt.approved, stmt.rejected):
            if branch is not None:
                self._block(branch, in_state=in_state)

    def _vote(self, value: ast.Expr) -> None:
        if isinstance(value, ast.Ref) and value.parts in (("any",), ("all",)):
            return
        if isinstance(value, ast.Number) and 0 < value.value <= 100:
            return
        self.diag.error("E303", "vote is any, all, or a percentage from 1 to 100", value.span)

    def _ReviewStmt(self, stmt: ast.ReviewStmt, in_state: bool) -> None:
        self.expr(stmt.name)
        self._users(stmt.users)
        self._settings("review", stmt.settings)

    def _AskStmt(self, stmt: ast.AskStmt, in_state: bool) -> None:
        self.expr(stmt.name)
        self._users(stmt.users)
        self._settings("ask", stmt.settings)
        if not stmt.fields:
            self.diag.error("E300", "'ask' needs at least one field", stmt.span,
                            help="add: field var.NAME \"Question\" (Bitrix requires "
                                 "RequestedInformation)")
        for f in stmt.fields:
            if f.target.parts[0] != "var" or len(f.target.parts) != 2:
                self.diag.error("E202", "an answer is stored in a variable: field var.NAME",
                                f.target.span)
                continue
            self.ref(f.target)
            if f.label is not None:
                self.expr(f.label)

    def _TaskStmt(self, stmt: ast.TaskStmt, in_state: bool) -> None:
        self.expr(stmt.name)
        self._settings("task", stmt.settings)
        if not any(s.key == "responsible" for s in stmt.settings):
            self.diag.error("E300", "a task needs a responsible person", stmt.span,
                            help="add responsible: USERS to the task's block")

    def _StartStmt(self, stmt: ast.StartStmt, in_state: bool) -> None:
        self.expr(stmt.template)
        self.expr(stmt.document)
        if stmt.parameters is not None:
            for entry in stmt.parameters.entries:
                self.expr(entry.value)

    def _WebhookStmt(self, stmt: ast.WebhookStmt, in_state: bool) -> None:
        self.expr(stmt.url)
        if not stmt.url.is_plain:
            return  # known only when the workflow runs
        url = stmt.url.plain
        for finding in check_url(url):
            where = f"webhook {shown(url)!r}"
            if finding.refused is not None or finding.kind in _WEBHOOK_ERRORS:
                self.diag.error("E303", f"{where} {finding.text}", stmt.url.span,
                                help=_WEBHOOK_ERRORS.get(finding.kind, _WEBHOOK_REFUSED))
                return
            if finding.kind != "http":  # WebHookActivity sends no token, only the document id
                self.diag.warning("W306", f"{where} {finding.text}", stmt.url.span,
                                  help="the portal calls it from its own network; an "
                                       "on-premise portal may call an intranet service on "
                                       "purpose, then ignore this")

    def _CreateStmt(self, stmt: ast.CreateStmt, in_state: bool) -> None:
        name = self._doc_name(stmt.document)
        spec = self.catalog.document(name)
        if name not in CREATE_ACTIVITIES and name != self.document.name:
            self.diag.error("E102", f"'create' makes CRM deals, leads, contacts and companies, "
                                    f"or documents of this workflow's type; not '{name}'",
                            stmt.document.span)
            return
        fields = {k: v for k, v in spec.fields.items()} if spec is not None else {}
        for entry in stmt.fields.entries:
            self.expr(entry.value)
            if fields and entry.key not in fields and not entry.key.startswith("UF_"):
                self.diag.error("E100", f"'{entry.key}' is not a field of {name}", entry.key_span,
                                help=did_you_mean(entry.key, fields))
        if name == "crm.deal" and stmt.fields.get("TITLE") is None:
            self.diag.error("E300", "a new deal needs a TITLE", stmt.fields.span,
                            help="Bitrix's CreateCrmDealDocumentActivity requires it")

    def _StageStmt(self, stmt: ast.StageStmt, in_state: bool) -> None:
        self.expr(stmt.stage)
        if not self.document.is_crm:
            self.diag.error("E400", "'stage' changes the stage of CRM items only",
                            stmt.span, help="set the status field with 'set doc.FIELD = …'")

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt, in_state: bool) -> None:
        self._users(stmt.users)
        if not self.document.is_crm:
            self.diag.error("E400", "'assign' changes the responsible of CRM items only",
                            stmt.span, help="set the responsible field with 'set doc.FIELD = …'")

    def _TerminateStmt(self, stmt: ast.TerminateStmt, in_state: bool) -> None:
        if stmt.status is not None:
            self.expr(stmt.status)

    def _GotoStmt(self, stmt: ast.GotoStmt, in_state: bool) -> None:
        if not in_state:
            self.diag.error("E400", "goto works only inside the states of a statemachine",
                            stmt.span)
            return
        if stmt.state not in self.states:
            self.diag.error("E103", f"no state '{stmt.state}'", stmt.state_span,
                            help=did_you_mean(stmt.state, self.states) or
                            f"states are: {', '.join(self.states)}")

    def _ParallelStmt(self, stmt: ast.ParallelStmt, in_state: bool) -> None:
        if len(stmt.branches) < 2:
            self.diag.error("E403", "parallel needs at least two branches", stmt.span)
        for branch in stmt.branches:
            if branch.opts.title is not None:
                self.expr(branch.opts.title)
            self._block(branch.body, in_state=in_state)

    def _WhileStmt(self, stmt: ast.WhileStmt, in_state: bool) -> None:
        self.condition(stmt.condition)
        if not stmt.body:
            self.diag.error("E403", "a while loop needs a body", stmt.span)
        self._block(stmt.body, in_state=in_state)

    def _ForEachStmt(self, stmt: ast.ForEachStmt, in_state: bool) -> None:
        source = stmt.source
        resolved = self.ref(source) if isinstance(source, ast.Ref) else None
        if resolved is None:
            if not isinstance(source, ast.Ref):
                self.diag.error("E200", "for each iterates over a variable, parameter, constant "
                                        "or document field", source.span)
        elif resolved.kind not in ("var", "param", "const", "doc", "global", "label"):
            self.diag.error("E200", "for each iterates over a variable, parameter, constant "
                                    "or document field", source.span)
        if not stmt.body:
            self.diag.error("E403", "a for each loop needs a body", stmt.span)
        item_type = resolved.type.single() if resolved is not None else T.ANY
        scope = {stmt.value_name: Resolved("loop", f"@foreach:{id(stmt)}", "Value", item_type)}
        if stmt.key_name:
            scope[stmt.key_name] = Resolved("loop", f"@foreach:{id(stmt)}", "Key", T.ANY)
        self.loop_vars.append(scope)
        self._block(stmt.body, in_state=in_state)
        self.loop_vars.pop()

    def _IfStmt(self, stmt: ast.IfStmt, in_state: bool) -> None:
        for branch in stmt.branches:
            if branch.condition is not None:
                self.condition(branch.condition)
            if branch.opts.title is not None and branch is not stmt.branches[0]:
                self.expr(branch.opts.title)
            self._block(branch.body, in_state=in_state)

    def _ActivityStmt(self, stmt: ast.ActivityStmt, in_state: bool) -> None:
        spec = self.catalog.activity(stmt.type_name)
        if spec is None and not stmt.type_name.startswith("rest_"):
            self.diag.warning("W302", f"activity type '{stmt.type_name}' is not in the catalog; "
                                      "its properties are not checked", stmt.type_span,
                              help=did_you_mean(stmt.type_name, self.catalog.activities))
        for entry in stmt.properties.entries:
            self.expr(entry.value)
            if spec is not None and entry.key not in spec.properties and entry.key != "Title":
                hint = did_you_mean(entry.key, spec.properties)
                self.diag.warning("W301", f"{stmt.type_name} has no property '{entry.key}'",
                                  entry.key_span, help=hint or "Bitrix ignores unknown "
                                                               "properties")
        if stmt.children is not None:
            self._block(stmt.children, in_state=in_state)

    def _CallStmt(self, stmt: ast.CallStmt, in_state: bool) -> None:
        expanded = self._expand_macro(stmt)
        if expanded is not None:
            opts = stmt.opts
            if opts.title is not None or opts.label is not None or opts.comment is not None:
                # A macro call becomes its statements, not one activity: there is no single
                # node to carry a title, a label or a designer comment.
                self.diag.error("E400", f"a call of macro '{stmt.call.dotted}' takes no "
                                        "title, label or comment", stmt.span,
                                help="put them on the statements inside the macro; "
                                     "'disabled' is allowed and switches them all off")
            if stmt.settings:
                self.diag.error("E303", f"a call of macro '{stmt.call.dotted}' takes no "
                                        "options", stmt.settings[0].key_span,
                                help="options such as timeout belong to robot and action calls")
            self._block(expanded, in_state=in_state)
            return
        call = stmt.call
        robot = self.program.robots.get(call.dotted)
        if robot is None:
            known = [*self.program.robots, *self.program.macros]
            hint = did_you_mean(call.dotted, known)
            if self.catalog.function(call.dotted) is not None:
                hint = f"{call.dotted}() is a calc function; use it inside an expression"
            self.diag.error("E106", f"no robot, action or macro named '{call.dotted}'",
                            call.name_span, help=hint or "declare it with 'robot', 'action' or "
                                                         "'macro' (or import the file that does)")
            return
        client_id = self.env.get(APP_CLIENT_ID)
        if client_id is None and not self.env.symbolic:
            self.diag.error("E600", f"calling {robot.kind} '{robot.code}' needs the app's "
                                    "client id (env.app_client_id)", call.name_span,
                            help="its activity type is rest_ + md5(client_id@CODE); set "
                                 "app_client_id in the environment")
        self.robot_types[robot.code] = robot_activity_type(str(client_id or ""), robot.code)
        self._settings("call", stmt.settings)
        if not waits(robot) and any(s.key == "timeout" for s in stmt.settings):
            timeout = next(s for s in stmt.settings if s.key == "timeout")
            self.diag.warning("W301", f"{robot.kind} '{robot.code}' does not wait for a result, "
                                      "so a timeout never applies", timeout.key_span)
        for setting in robot.settings:
            if setting.key == "auth_user":
                # Lowered into every call's AuthUserId, so it is resolved like the call's own
                # arguments (an env symbol takes this environment's value).
                self._users(setting.value)
        inputs = {i.name: i for i in robot.inputs}
        given: set[str] = set()
        for index, arg in enumerate(call.args):
            value_type = self.expr(arg.value)
            name = arg.name
            if name is None:
                if index < len(robot.inputs):
                    name = robot.inputs[index].name
                else:
                    self.diag.error("E108", f"too many arguments for '{robot.code}'", arg.span)
                    continue
            io = inputs.get(name)
            if io is None:
                self.diag.error("E108", f"'{robot.code}' has no input '{name}'", arg.span,
                                help=did_you_mean(name, inputs) or
                                f"inputs are: {', '.join(inputs) or 'none'}",
                                labels=(Label(robot.code_span, "declared here"),))
                continue
            if name in given:
                self.diag.error("E108", f"input '{name}' of '{robot.code}' is given twice",
                                arg.span)
                continue
            given.add(name)
            expected = io_type(io.type)
            if not T.assignable(expected, value_type):
                self.diag.error("E200", f"input '{name}' is {expected}, the value is "
                                        f"{value_type}", arg.value.span)
        for io in robot.inputs:
            if io.required and io.default is None and io.name not in given:
                self.diag.error("E109", f"'{robot.code}' needs input '{io.name}'",
                                call.span, labels=(Label(io.name_span, "required here"),))

    # ── option blocks ────────────────────────────────────────────────────────────────────
    def _settings(self, statement: str, settings: Sequence[ast.Setting]) -> None:
        specs = option_block(statement)
        seen: dict[str, Span] = {}
        for setting in settings:
            if option_key(self.diag, statement, specs, setting, seen) == "unknown":
                continue
            # A repeated option's value is still checked; the next repeat points at this one.
            seen[setting.key] = setting.key_span
            spec = specs[setting.key]
            value = setting.value
            if spec.kind == "choice":
                word = value.parts[0] if isinstance(value, ast.Ref) and len(value.parts) == 1 \
                    else None
                if word not in spec.choices:
                    self.diag.error("E303", f"{setting.key} is one of "
                                            f"{', '.join(spec.choices)}", value.span)
                continue
            if spec.kind == "duration":
                if not isinstance(value, ast.Duration):
                    self.diag.error("E200", f"{setting.key} is a duration such as 3d or 4h",
                                    value.span)
                elif value.amount < 0:
                    self.diag.error("E303", f"{setting.key} cannot be negative", value.span)
                continue
            if spec.kind == "expr" and setting.key == "vote":
                continue
            value_type = self.expr(value)
            if spec.kind in ("users", "user"):
                self._users(value, checked=value_type)
            elif spec.kind == "bool" and value_type.base not in ("bool", "any"):
                self.diag.error("E200", f"{setting.key} is true or false", value.span)
            elif spec.kind == "list" and not isinstance(value, ast.ListExpr) and \
                    value_type.base != "any" and not value_type.multiple:
                self.diag.error("E200", f"{setting.key} takes a list: [a, b]", value.span)

    # ── users ────────────────────────────────────────────────────────────────────────────
    def _users(self, expr: ast.Expr, checked: T.Type | None = None, *,
               addresses: bool = False) -> None:
        items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
        for item in items:
            if self._env_user(item, addresses=addresses):
                continue
            typ = checked if checked is not None and item is expr else self.expr(item)
            if typ.base not in ("user", "any", "string", "text"):
                self.diag.error("E200", f"expected users, got {typ}", item.span,
                                help="users are user(12), group(\"hr\"), role.author, a user "
                                     "field or parameter, or a list of those")

    def _env_user(self, item: ast.Expr, *, addresses: bool = False) -> bool:
        """Check an env symbol given where users are expected; False if `item` is not one.

        Its value is inlined, so it must be what Bitrix reads as a user: user_N (or N, an
        integer id), a group_CODE, or a role; `mail` also takes an e-mail address.
        """
        if not (isinstance(item, ast.Ref) and item.parts[0] == "env"):
            return False
        resolved = self.ref(item)
        value = resolved.literal if resolved is not None else None
        if value is None:
            return True  # no value: reported already, or symbolic in check mode
        text = str(value)
        roles = (*ROLES, *self.document.user_groups)
        if isinstance(value, bool) or not (_ENV_USER.fullmatch(text) or text in roles or
                                           (addresses and "@" in text)):
            self.diag.error("E601", f"env.{item.parts[1]} is {value!r}, which is not a user",
                            item.span, help="give a user as user_N or N, a group as "
                                            "group_CODE, or a role (author, responsible_head)")
        return True

    # ── conditions ───────────────────────────────────────────────────────────────────────
    def condition(self, expr: ast.Expr) -> None:
        try:
            dnf = to_dnf(expr)
        except Inexpressible as error:
            self.expr(expr)
            self.diag.error("E500", error.message, error.span, help=error.help)
            return
        if any(not group for group in dnf):
            self.diag.warning("W502", "this condition is always true", expr.span,
                              help="a branch guarded by it always runs; a loop ends only through "
                                   "terminate or Bitrix's 1000-iteration limit")
        for group in dnf:
            for atom in group:
                resolved = self.ref(atom.left)
                value_types = [self.expr(v) for v in atom.values]
                if resolved is None:
                    continue
                if resolved.kind in ("loop",):
                    self.diag.error("E500", "a loop item cannot be tested in a Bitrix condition",
                                    atom.left.span, help="copy it into a variable first")
                if atom.op == "changed" and resolved.kind != "doc":
                    self.diag.error("E501", "'changed' applies to document fields only",
                                    atom.span)
                if atom.op in ("==", "!=", ">", ">=", "<", "<=") and value_types and \
                        not T.comparable(resolved.type, value_types[0], atom.op):
                    code = "E501" if atom.op not in ("==", "!=") else "E200"
                    self.diag.error(code, f"cannot compare {resolved.type} with "
                                          f"{value_types[0]} using '{atom.op}'", atom.span)

    # ── expressions ──────────────────────────────────────────────────────────────────────
    def expr(self, expr: ast.Expr) -> T.Type:
        method = getattr(self, "_e_" + type(expr).__name__)
        result: T.Type = method(expr)
        return result

    def _e_Text(self, expr: ast.Text) -> T.Type:
        for part in expr.parts:
            if isinstance(part, ast.Expr):
                self.expr(part)
        self._verbatim_formula(expr)
        return T.STRING

    def _e_RawBitrix(self, expr: ast.RawBitrix) -> T.Type:
        self._verbatim_formula(expr)
        return T.ANY

    def _verbatim_formula(self, expr: ast.Text | ast.RawBitrix) -> None:
        for problem in formula_problems(expr, functions_of(self.catalog)):
            self.diag.warning("W305", f"Bitrix reads this formula other than as written: "
                              f"{problem}", expr.span,
                              help="write it as a .bpl expression, or correct the Bitrix text")

    def _e_Number(self, expr: ast.Number) -> T.Type:
        return T.INT if isinstance(expr.value, int) else T.DOUBLE

    def _e_Bool(self, expr: ast.Bool) -> T.Type:
        return T.BOOL

    def _e_Duration(self, expr: ast.Duration) -> T.Type:
        return T.DURATION

    def _e_Ref(self, expr: ast.Ref) -> T.Type:
        resolved = self.ref(expr)
        return resolved.type if resolved is not None else T.ANY

    def _e_Call(self, expr: ast.Call) -> T.Type:
        name = expr.dotted
        if name in SPECIAL_CALLS:
            if len(expr.args) != 1:
                self.diag.error("E105", f"{name}(…) takes one argument", expr.span)
                return T.USER
            value = expr.args[0].value
            if name == "user":
                ok = isinstance(value, ast.Number) and isinstance(value.value, int) and \
                    value.value > 0
                if isinstance(value, ast.Ref) and value.parts[0] == "env":
                    self.ref(value)
                    ok = True
                if not ok:
                    self.diag.error("E004", "user(…) takes a user id: user(12)", value.span)
            elif not (isinstance(value, ast.Text) and value.is_plain and value.plain) and not (
                    isinstance(value, ast.Ref) and value.parts[0] == "env"):
                self.diag.error("E004", "group(…) takes a group code: group(\"hr\")",
                                value.span)
            elif isinstance(value, ast.Ref):
                self.ref(value)
            return T.USER
        spec = self.catalog.function(name)
        for arg in expr.args:
            if arg.name is not None:
                self.diag.error("E108", "calc functions take positional arguments", arg.span)
            self.expr(arg.value)
        if spec is None:
            hint = did_you_mean(name, self.catalog.functions)
            if name == "concat":
                hint = "there is no concat(); join strings with &"
            self.diag.error("E104", f"unknown function '{name}'", expr.name_span,
                            help=hint or "see stdlib/functions.toml for the Bitrix functions")
            return T.ANY
        count = len(expr.args)
        if count < spec.min_args or (spec.max_args >= 0 and count > spec.max_args):
            expected = str(spec.min_args) if spec.min_args == spec.max_args else (
                f"{spec.min_args} or more" if spec.max_args < 0 else
                f"{spec.min_args} to {spec.max_args}")
            self.diag.error("E105", f"{name}() takes {expected} argument(s), given {count}",
                            expr.span, help=spec.summary)
        return T.Type(spec.returns) if spec.returns not in ("list",) else T.LIST

    def _e_Unary(self, expr: ast.Unary) -> T.Type:
        typ = self.expr(expr.operand)
        self._numeric(expr.operand, typ)
        return typ if typ.base in ("int", "double") else T.DOUBLE

    def _e_Binary(self, expr: ast.Binary) -> T.Type:
        left, right = self.expr(expr.left), self.expr(expr.right)
        if expr.op == "&":
            return T.STRING
        if expr.op in ("+", "-") and left.base in ("date", "datetime"):
            return left  # Bitrix adds seconds to dates; dateadd() is clearer, but this works
        self._numeric(expr.left, left)
        self._numeric(expr.right, right)
        if expr.op in ("+", "-", "*") and left.base == right.base == "int":
            return T.INT
        return T.DOUBLE

    def _numeric(self, node: ast.Expr, typ: T.Type) -> None:
        if typ.base in ("string", "text") and isinstance(node, ast.Text):
            self.diag.error("E200", "arithmetic on a string", node.span,
                            help="join strings with & instead of +")
        elif typ.base in ("user", "bool", "duration", "list", "map"):
            self.diag.error("E200", f"arithmetic on a {typ}", node.span)

    def _e_Percent(self, expr: ast.Percent) -> T.Type:
        self._numeric(expr.operand, self.expr(expr.operand))
        return T.DOUBLE

    def _e_Modified(self, expr: ast.Modified) -> T.Type:
        typ = self.expr(expr.operand)
        if not isinstance(expr.operand, ast.Ref):
            self.diag.error("E107", "modifiers apply to references (doc.X | printable)",
                            expr.span)
        if len(expr.modifiers) > 2:
            self.diag.error("E107", "Bitrix takes at most two modifiers", expr.span)
        result = typ
        for modifier in expr.modifiers:
            spec = self.catalog.modifiers.get(modifier)
            if spec is None:
                self.diag.error("E107", f"unknown modifier '{modifier}'", expr.span,
                                help=did_you_mean(modifier, self.catalog.modifiers))
                continue
            result = T.Type(modifier, typ.multiple) if modifier in T.BASE_TYPES else T.STRING
        return result

    def _e_Compare(self, expr: ast.Compare) -> T.Type:
        left, right = self.expr(expr.left), self.expr(expr.right)
        if not T.comparable(left, right, expr.op):
            self.diag.error("E200", f"cannot compare {left} with {right}", expr.span)
        return T.BOOL

    def _e_Test(self, expr: ast.Test) -> T.Type:
        self.expr(expr.operand)
        for arg in expr.args:
            self.expr(arg)
        return T.BOOL

    def _e_BoolOp(self, expr: ast.BoolOp) -> T.Type:
        self.expr(expr.left)
        self.expr(expr.right)
        return T.BOOL

    def _e_Not(self, expr: ast.Not) -> T.Type:
        self.expr(expr.operand)
        return T.BOOL

    def _e_ListExpr(self, expr: ast.ListExpr) -> T.Type:
        kinds = {self.expr(item).base for item in expr.items}
        if len(kinds) == 1:
            return T.Type(kinds.pop(), True)
        return T.LIST

    def _e_MapExpr(self, expr: ast.MapExpr) -> T.Type:
        for entry in expr.entries:
            self.expr(entry.value)
        return T.MAP

    # ── references ───────────────────────────────────────────────────────────────────────
    def ref(self, ref: ast.Ref) -> Resolved | None:
        cached = self.refs.get(id(ref))
        if cached is not None:
            return cached
        resolved = self._resolve(ref)
        if resolved is not None:
            self.refs[id(ref)] = resolved
        return resolved

    def _resolve(self, ref: ast.Ref) -> Resolved | None:
        parts = ref.parts
        head = parts[0]
        if len(parts) == 1:
            for scope in reversed(self.loop_vars):
                if head in scope:
                    return scope[head]
            hint = None
            if head in self.decls:
                hint = f"write {self.decls[head].decl.kind}.{head}"
            elif head in self.document.fields:
                hint = f"write doc.{head}"
            self.diag.error("E100", f"unknown name '{head}'", ref.span,
                            help=hint or "references are doc.FIELD, param.NAME, var.NAME, "
                                         "const.NAME, LABEL.RESULT or env.NAME")
            return None
        if head == "doc":
            return self._doc_ref(ref)
        if head in ("param", "var", "const"):
            return self._decl_ref(ref)
        if head == "env":
            return self._env_ref(ref)
        if head == "role":
            if len(parts) == 2 and parts[1] in (*ROLES, *self.document.user_groups):
                return Resolved("role", "", "", T.USER, literal=parts[1])
            self.diag.error("E100", f"unknown role '{'.'.join(parts[1:])}'", ref.span,
                            help="roles are " + ", ".join(
                                f"role.{r}" for r in dict.fromkeys(
                                    (*ROLES, *self.document.user_groups))))
            return None
        if head == "system" and len(parts) == 2 and parts[1] in SYSTEM_FIELDS:
            field, typ = SYSTEM_FIELDS[parts[1]]
            return Resolved("system", "System", field, typ)
        if head == "workflow" and len(parts) == 2 and parts[1] in WORKFLOW_FIELDS:
            field, typ = WORKFLOW_FIELDS[parts[1]]
            return Resolved("workflow", "Workflow", field, typ)
        if head == "user" and parts[1:] == ("current",):
            return Resolved("user", "User", "ID", T.USER)
        if head == "global" and len(parts) == 3 and parts[1] in ("var", "const"):
            return Resolved("global", "GlobalVar" if parts[1] == "var" else "GlobalConst",
                            parts[2], T.ANY)
        if head in self.labels:
            return self._label_ref(ref)
        for scope in reversed(self.loop_vars):
            if head in scope and len(parts) == 2 and parts[1] in ("key", "value"):
                base = scope[head]
                return Resolved("loop", base.object, parts[1].capitalize(), base.type)
        builtins = {"system": list(SYSTEM_FIELDS), "workflow": list(WORKFLOW_FIELDS),
                    "global": ["var.NAME", "const.NAME"], "user": ["current"]}
        if head in builtins:
            self.diag.error("E100", f"unknown reference {ref.dotted}", ref.span,
                            help=f"{head} has: " + ", ".join(f"{head}.{f}"
                                                             for f in builtins[head]))
            return None
        hint = did_you_mean(head, [*self.labels, "doc", "param", "var", "const", "env"])
        self.diag.error("E100", f"unknown reference {ref.dotted}: no label '{head}'", ref.span,
                        help=hint or "name an activity with 'as LABEL' to read its results")
        return None

    def _doc_ref(self, ref: ast.Ref) -> Resolved | None:
        # Codes may hold dots: ASSIGNED_BY.LAST_NAME, or CONTACT.NAME through a reference.
        name = ".".join(ref.parts[1:])
        info = self._doc_field(name)
        printable = False
        if info is None and name.upper().endswith("_PRINTABLE"):
            info = self._doc_field(name[: -len("_PRINTABLE")])
            printable = info is not None
        if info is None:
            self.diag.error("E100", f"{self.document.name} has no field '{name}'", ref.span,
                            help=did_you_mean(name, self.document.fields) or
                            f"declare portal-specific fields: field {name}: string \"Label\"")
            return None
        code = info.code + ("_PRINTABLE" if printable else "")
        return Resolved("doc", "Document", code, T.STRING if printable else info.type)

    def _doc_field(self, name: str) -> FieldInfo | None:
        """A field of the document, or of a document it references (doc.CONTACT.NAME reads
        the deal's contact); referenced fields are read-only."""
        info = self.document.fields.get(name)
        if info is not None or "." not in name:
            return info
        prefix, rest = name.split(".", 1)
        spec = self.catalog.document(self.document.name)
        target = spec.references.get(prefix + ".") if spec is not None else None
        target_spec = self.catalog.document(target) if target is not None else None
        field = target_spec.fields.get(rest) if target_spec is not None else None
        if field is None:
            return None
        return FieldInfo(name, name, T.Type(field.type, field.multiple), True,
                         f"{prefix}: {field.name}")

    def _decl_ref(self, ref: ast.Ref) -> Resolved | None:
        kind, name = ref.parts[0], ref.parts[1] if len(ref.parts) > 1 else ""
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: write {kind}.NAME", ref.span)
            return None
        if kind == "param" and name == "TargetUser":
            return Resolved("param", "Template", "TargetUser", T.USER)
        info = self.decls.get(name)
        if info is None or info.decl.kind != kind:
            what = {"param": "parameter", "var": "variable", "const": "constant"}[kind]
            if info is not None:
                hint = f"'{name}' is a {info.decl.kind}: write {info.decl.kind}.{name}"
            else:
                hint = did_you_mean(name, [n for n, d in self.decls.items()
                                           if d.decl.kind == kind]) or \
                    f"declare it: {kind} {name}: string"
            self.diag.error("E100", f"unknown {what} '{name}'", ref.span, help=hint)
            return None
        return Resolved(kind, DECL_OBJECTS[kind], name, info.type)

    def _env_ref(self, ref: ast.Ref) -> Resolved | None:
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: environment symbols are env.NAME", ref.span)
            return None
        name = ref.parts[1]
        value = self.env.get(name)
        if value is None:
            if not self.env.symbolic:
                self.diag.error(
                    "E600", f"env.{name} has no value in environment '{self.env.name}'",
                    ref.span, help=f"give it with --define {name}=VALUE, in a values file, or "
                                   f"under [environments.{self.env.name}.values] in bpl.toml")
            return Resolved("env", "", name, T.ANY, literal=None)
        typ = T.INT if isinstance(value, int) and not isinstance(value, bool) else (
            T.DOUBLE if isinstance(value, float) else T.BOOL if isinstance(value, bool)
            else T.STRING)
        if isinstance(value, str) and re.fullmatch(r"(user|group)_\w+", value):
            typ = T.USER
        return Resolved("env", "", name, typ, literal=value)

    def _label_ref(self, ref: ast.Ref) -> Resolved | None:
        label = ref.parts[0]
        info = self.labels[label]
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: read an activity result as {label}.RESULT",
                            ref.span)
            return None
        name = ref.parts[1]
        # A robot's results are exactly its outputs (and IsTimeout when it waits), even when
        # that is none at all; an empty list elsewhere means "not known offline".
        known = bool(info.returns) or (isinstance(info.stmt, ast.CallStmt)
                                        and info.stmt.call.dotted in self.program.robots)
        if known and name not in info.returns:
            self.diag.error("E100", f"'{label}' ({info.activity_type}) has no result '{name}'",
                            ref.span, help=did_you_mean(name, info.returns) or
                            f"results are: {', '.join(info.returns) or 'none'}",
                            labels=(Label(info.span, "labelled here"),))
            return None
        typ = info.returns.get(name, T.ANY)
        return Resolved("label", "", name, typ, label=label)


# ── helpers ────────────────────────────────────────────────────────────────────────────────


def _literal(expr: ast.Expr) -> Any:
    if isinstance(expr, ast.Text) and expr.is_plain:
        return expr.plain
    if isinstance(expr, ast.Number | ast.Bool):
        return expr.value
    return None


def _child_bodies(stmt: ast.Stmt) -> list[tuple[ast.Stmt, ...]]:
    if isinstance(stmt, ast.ApproveStmt):
        return [b for b in (stmt.approved, stmt.rejected) if b is not None]
    if isinstance(stmt, ast.ParallelStmt):
        return [b.body for b in stmt.branches]
    if isinstance(stmt, ast.WhileStmt | ast.ForEachStmt):
        return [stmt.body]
    if isinstance(stmt, ast.IfStmt):
        return [b.body for b in stmt.branches]
    if isinstance(stmt, ast.ActivityStmt) and stmt.children is not None:
        return [stmt.children]
    return []


def child_bodies(stmt: ast.Stmt) -> list[tuple[ast.Stmt, ...]]:
    return _child_bodies(stmt)


def _walk_stmts(body: Sequence[ast.Stmt]) -> Iterable[ast.Stmt]:
    for stmt in body:
        yield stmt
        for child in _child_bodies(stmt):
            yield from _walk_stmts(child)


def _substitute(node: Any, mapping: dict[str, ast.Expr]) -> Any:
    """A copy of `node` with single-name references to macro parameters replaced."""
    if isinstance(node, ast.Ref) and len(node.parts) == 1 and node.parts[0] in mapping:
        return mapping[node.parts[0]]
    if isinstance(node, tuple):
        return tuple(_substitute(item, mapping) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            new = _substitute(value, mapping)
            if new is not value:
                changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node
