"""Binding: a workflow → its bound copy, in which macros are expanded and every name is bound.

The steps, in order: declarations (parameters, variables, constants) and their defaults, macro
expansion (compiler/semantics/expander.py), labels, then every statement. The bound copy is a new
tree (`dataclasses.replace`): each reference carries its `binding` (what `Names` resolved it to),
each `for each` its loop identity, each macro call is an `ast.Expansion`. Positions that hold a
word rather than a name stay unbound: an option's word (`vote any`), the document of `create`,
the arguments of `user(…)`/`group(…)` (but an env symbol), a target that cannot be assigned.
Where a statement means nothing (an unknown option, robot or document), its values stay unbound
too: the rules report the statement, not each name inside it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import overload

from compiler.catalog import Catalog
from compiler.catalog.statements import (
    CREATE_ACTIVITIES,
    HANDLERS,
    create_activity,
    statement,
)
from compiler.catalog.statements import settings as option_block
from compiler.diagnostics import Diagnostics, Label
from compiler.semantics import types as T
from compiler.semantics.builtins import REFERENCE_HEADS, SPECIAL_CALLS
from compiler.semantics.environment import Environment
from compiler.semantics.expander import Expander
from compiler.semantics.model import DeclInfo, DocumentBinding, LabelInfo
from compiler.semantics.names import Names
from compiler.semantics.program import Program
from compiler.semantics.robots import io_type, waits
from compiler.semantics.typerefs import type_of_ref
from compiler.semantics.types import Resolved
from compiler.semantics.walk import Body, child_bodies
from compiler.source import Span
from compiler.syntax import ast

replace = dataclasses.replace


def document_name(expr: ast.Expr) -> str:
    """The document type a `create` names (crm.deal, lists.element(42) → lists.element)."""
    return expr.dotted if isinstance(expr, ast.Ref | ast.Call) else ""


def assignable_shape(target: ast.Ref) -> bool:
    """doc.FIELD, var.NAME or global.var.NAME: the targets `set` and `=` write."""
    parts = target.parts
    return (parts[0] in ("doc", "var") and len(parts) == 2) or \
        (parts[0] == "global" and len(parts) == 3 and parts[1] == "var")


class Binder:
    def __init__(self, program: Program, catalog: Catalog, env: Environment,
                 document: DocumentBinding, diag: Diagnostics) -> None:
        self.program = program
        self.catalog = catalog
        self.diag = diag
        self.document = document
        self.names = Names(program, catalog, env, document, diag)
        self.robots = dict(program.robots)  # a called robot's auth_user is bound here
        self._bound_robots: set[str] = set()
        self._loops = 0

    @property
    def decls(self) -> dict[str, DeclInfo]:
        return self.names.decls

    @property
    def labels(self) -> dict[str, LabelInfo]:
        return self.names.labels

    # ── the workflow ─────────────────────────────────────────────────────────────────────
    def bind(self, workflow: ast.Workflow) -> ast.Workflow:
        decls = self._declare(workflow.decls)
        expander = Expander(self.program.macros, self.diag)
        body = expander.body(workflow.body)
        states = tuple(replace(s, handlers=tuple(replace(h, body=expander.body(h.body))
                                                 for h in s.handlers))
                       for s in workflow.states)
        for top in [h.body for s in states for h in s.handlers] \
                if workflow.kind == "statemachine" else [body]:
            self._collect_labels(top)
        for state in states:
            for handler in state.handlers:
                self._handler_label(handler)
        return replace(workflow, decls=decls, body=self.body(body),
                       states=tuple(self._state(s) for s in states),
                       permissions=self._permissions(workflow.permissions))

    def _permissions(self, permissions: tuple[ast.Permission, ...]
                     ) -> tuple[ast.Permission, ...]:
        return tuple(replace(p, users=self.expr(p.users)) for p in permissions)

    def _declare(self, decls: Sequence[ast.Decl]) -> tuple[ast.Decl, ...]:
        """Declare each name once; a default is bound before any label exists (a default
        cannot read an activity's result)."""
        out = []
        for decl in decls:
            first = self.decls.get(decl.name)
            if first is not None:
                self.diag.error("E101", f"'{decl.name}' is declared twice", decl.name_span,
                                labels=(Label(first.decl.name_span, "first declared here"),),
                                help="parameters, variables and constants share one namespace")
            elif decl.name == "TargetUser" and decl.kind != "param":
                # Bitrix's own templates declare it as a parameter (its start form shows it);
                # as anything else it would hide the parameter Bitrix sets.
                self.diag.error("E101", f"'{decl.name}' is reserved by Bitrix", decl.name_span,
                                help="Bitrix sets it to the user who started the workflow; "
                                     "read it as param.TargetUser, or declare it as a param")
            else:
                if decl.asked and decl.kind != "var":
                    # Only a variable comes from a request form (requestinformationactivity.php
                    # adds its fields to VARIABLES).
                    self.diag.error("E201", f"`asked` marks a variable, not a {decl.kind}",
                                    decl.name_span, help="remove `asked`, or declare it as a var")
                typ = type_of_ref(decl.type, self.diag)
                self.decls[decl.name] = DeclInfo(decl, typ)
                if decl.default is not None:
                    decl = replace(decl, default=self.expr(decl.default))
                    self.decls[decl.name] = DeclInfo(decl, typ)
            out.append(decl)
        return tuple(out)

    # ── labels ───────────────────────────────────────────────────────────────────────────
    def _collect_labels(self, body: Body) -> None:
        for stmt in body:
            label = stmt.opts.label
            if label is not None and stmt.opts.label_span is not None and \
                    self._label_free(label, stmt.opts.label_span):
                activity_type, returns = self._returns_of(stmt)
                self.labels[label] = LabelInfo(stmt, activity_type, returns,
                                               stmt.opts.label_span)
            for child in child_bodies(stmt):
                self._collect_labels(child)

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
        self.labels[label] = LabelInfo(handler, activity_type, self._results(activity_type),
                                       span)

    def _returns_of(self, stmt: ast.Stmt) -> tuple[str, dict[str, T.Type]]:
        if isinstance(stmt, ast.ActivityStmt):
            activity_type = stmt.type_name
        elif isinstance(stmt, ast.CreateStmt):
            activity_type = create_activity(document_name(stmt.document))
        elif isinstance(stmt, ast.CallStmt | ast.Expansion):
            call = stmt.call if isinstance(stmt, ast.CallStmt) else stmt.call.call
            robot = self.program.robots.get(call.dotted)
            if robot is None:
                return "", {}
            returns = {o.name: io_type(o.type) for o in robot.outputs}
            if waits(robot):
                returns["IsTimeout"] = T.INT
            return f"{robot.kind} {robot.code}", returns
        else:
            activity_type = statement(stmt).activity
        return activity_type, self._results(activity_type)

    def _results(self, activity_type: str) -> dict[str, T.Type]:
        spec = self.catalog.activity(activity_type)
        if spec is None:
            return {}
        return {k: T.Type(r.type, r.multiple) for k, r in spec.returns.items()}

    # ── statements ───────────────────────────────────────────────────────────────────────
    def body(self, body: Body) -> Body:
        return tuple(self.stmt(stmt) for stmt in body)

    def stmt(self, stmt: ast.Stmt) -> ast.Stmt:
        opts = self._opts(stmt.opts)
        method = getattr(self, "_" + type(stmt).__name__)
        bound: ast.Stmt = method(stmt)
        return replace(bound, opts=opts) if opts is not stmt.opts else bound

    def _opts(self, opts: ast.StmtOpts) -> ast.StmtOpts:
        if opts.title is None and opts.comment is None:
            return opts
        return replace(opts, title=self.text(opts.title), comment=self.text(opts.comment))

    def _SetStmt(self, stmt: ast.SetStmt) -> ast.Stmt:
        return replace(stmt, assignments=tuple(self._assignment(a) for a in stmt.assignments))

    def _AssignStmt(self, stmt: ast.AssignStmt) -> ast.Stmt:
        return replace(stmt, assignment=self._assignment(stmt.assignment))

    def _assignment(self, a: ast.Assignment) -> ast.Assignment:
        value = self.expr(a.value)
        target = self._ref(a.target) if assignable_shape(a.target) else a.target
        return replace(a, target=target, value=value)

    def _LogStmt(self, stmt: ast.LogStmt) -> ast.Stmt:
        return replace(stmt, text=self.expr(stmt.text))

    def _WaitStmt(self, stmt: ast.WaitStmt) -> ast.WaitStmt:
        return replace(stmt, until=self.maybe(stmt.until), amount=self.maybe(stmt.amount))

    def _StatusStmt(self, stmt: ast.StatusStmt) -> ast.Stmt:
        return replace(stmt, text=self.text(stmt.text))

    def _NotifyStmt(self, stmt: ast.NotifyStmt) -> ast.Stmt:
        return replace(stmt, users=self.expr(stmt.users), text=self.text(stmt.text),
                       sender=self.maybe(stmt.sender))

    def _MailStmt(self, stmt: ast.MailStmt) -> ast.Stmt:
        return replace(stmt, to=self.expr(stmt.to), subject=self.text(stmt.subject),
                       body=self.text(stmt.body), sender=self.maybe(stmt.sender),
                       settings=self._settings("mail", stmt.settings))

    def _ApproveStmt(self, stmt: ast.ApproveStmt) -> ast.Stmt:
        return replace(stmt, name=self.text(stmt.name), users=self.expr(stmt.users),
                       settings=self._settings("approve", stmt.settings),
                       approved=self.body(stmt.approved) if stmt.approved is not None
                       else None,
                       rejected=self.body(stmt.rejected) if stmt.rejected is not None
                       else None, approved_title=self.text(stmt.approved_title),
                       rejected_title=self.text(stmt.rejected_title))

    def _ReviewStmt(self, stmt: ast.ReviewStmt) -> ast.Stmt:
        return replace(stmt, name=self.text(stmt.name), users=self.expr(stmt.users),
                       settings=self._settings("review", stmt.settings))

    def _AskStmt(self, stmt: ast.AskStmt) -> ast.Stmt:
        fields = tuple(replace(f, target=self._ref(f.target) if f.target.parts[0] == "var"
                               and len(f.target.parts) == 2 else f.target,
                               label=self.text(f.label)) for f in stmt.fields)
        return replace(stmt, name=self.text(stmt.name), users=self.expr(stmt.users),
                       fields=fields, settings=self._settings("ask", stmt.settings))

    def _TaskStmt(self, stmt: ast.TaskStmt) -> ast.Stmt:
        return replace(stmt, name=self.text(stmt.name),
                       settings=self._settings("task", stmt.settings))

    def _StartStmt(self, stmt: ast.StartStmt) -> ast.Stmt:
        parameters = self._map(stmt.parameters) if stmt.parameters is not None else None
        return replace(stmt, template=self.expr(stmt.template),
                       document=self.expr(stmt.document), parameters=parameters)

    def _WebhookStmt(self, stmt: ast.WebhookStmt) -> ast.Stmt:
        return replace(stmt, url=self.text(stmt.url))

    def _CreateStmt(self, stmt: ast.CreateStmt) -> ast.Stmt:
        name = document_name(stmt.document)
        if name not in CREATE_ACTIVITIES and name != self.document.name:
            return stmt  # not a document `create` makes: reported by the rules
        return replace(stmt, fields=self._map(stmt.fields))

    def _StageStmt(self, stmt: ast.StageStmt) -> ast.Stmt:
        return replace(stmt, stage=self.expr(stmt.stage))

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt) -> ast.Stmt:
        return replace(stmt, users=self.expr(stmt.users))

    def _ActionStmt(self, stmt: ast.ActionStmt) -> ast.Stmt:
        subject = self.text(stmt.subject) if isinstance(stmt.subject, ast.Text) else \
            self.maybe(stmt.subject)
        return replace(stmt, subject=subject, settings=self._settings(stmt.kind, stmt.settings))

    def _TerminateStmt(self, stmt: ast.TerminateStmt) -> ast.Stmt:
        return replace(stmt, status=self.text(stmt.status))

    def _GotoStmt(self, stmt: ast.GotoStmt) -> ast.Stmt:
        return stmt

    def _ParallelStmt(self, stmt: ast.ParallelStmt) -> ast.Stmt:
        return replace(stmt, branches=tuple(replace(b, opts=self._opts(b.opts),
                                                    body=self.body(b.body))
                                            for b in stmt.branches))

    def _WhileStmt(self, stmt: ast.WhileStmt) -> ast.Stmt:
        return replace(stmt, condition=self.expr(stmt.condition), body=self.body(stmt.body),
                       body_title=self.text(stmt.body_title))

    def _ForEachStmt(self, stmt: ast.ForEachStmt) -> ast.Stmt:
        source = self._ref(stmt.source) if isinstance(stmt.source, ast.Ref) else stmt.source
        resolved = source.binding if isinstance(source, ast.Ref) else None
        self._loops += 1
        loop = f"loop{self._loops}"
        item_type = resolved.type.single() if resolved is not None else T.ANY
        scope = {stmt.value_name: Resolved("loop", "", "Value", item_type, loop=loop)}
        if stmt.key_name:
            scope[stmt.key_name] = Resolved("loop", "", "Key", T.ANY, loop=loop)
        self.names.loops.append(scope)
        try:
            body = self.body(stmt.body)
        finally:
            self.names.loops.pop()
        return replace(stmt, source=source, body=body, loop=loop)

    def _IfStmt(self, stmt: ast.IfStmt) -> ast.Stmt:
        return replace(stmt, branches=tuple(
            replace(b, condition=self.maybe(b.condition), opts=self._opts(b.opts),
                    body=self.body(b.body)) for b in stmt.branches),
            chain_title=self.text(stmt.chain_title))

    def _ActivityStmt(self, stmt: ast.ActivityStmt) -> ast.Stmt:
        children = self.body(stmt.children) if stmt.children is not None else None
        return replace(stmt, title=self.text(stmt.title), properties=self._map(stmt.properties),
                       children=children)

    def _CallStmt(self, stmt: ast.CallStmt) -> ast.Stmt:
        robot = self.program.robots.get(stmt.call.dotted)
        if robot is None:
            return stmt  # neither robot nor macro: reported by the rules
        if robot.code not in self._bound_robots:
            self._bound_robots.add(robot.code)
            self.robots[stmt.call.dotted] = replace(robot, settings=tuple(
                replace(s, value=self.expr(s.value)) if s.key == "auth_user" else s
                for s in robot.settings))
        args = tuple(replace(a, value=self.expr(a.value)) for a in stmt.call.args)
        return replace(stmt, call=replace(stmt.call, args=args),
                       settings=self._settings("call", stmt.settings))

    def _Expansion(self, stmt: ast.Expansion) -> ast.Stmt:
        return replace(stmt, body=self.body(stmt.body))

    def _settings(self, owner: str, settings: tuple[ast.Setting, ...]) -> tuple[ast.Setting, ...]:
        """Values of the options that hold one (not a word, not a duration); an option the
        statement does not take stays unbound."""
        specs = option_block(owner)
        out = []
        for setting in settings:
            spec = specs.get(setting.key)
            if spec is not None and spec.kind not in ("choice", "duration") and \
                    not (spec.kind == "expr" and setting.key == "vote"):
                setting = replace(setting, value=self.expr(setting.value))
            out.append(setting)
        return tuple(out)

    # ── states ───────────────────────────────────────────────────────────────────────────
    def _state(self, state: ast.State) -> ast.State:
        return replace(state, title=self.text(state.title),
                       handlers=tuple(self._handler(h) for h in state.handlers),
                       permissions=self._permissions(state.permissions))

    def _handler(self, handler: ast.EventHandler) -> ast.EventHandler:
        return replace(handler, opts=self._opts(handler.opts), body=self.body(handler.body),
                       command_title=self.text(handler.command_title),
                       users=self.maybe(handler.users),
                       delay=self._WaitStmt(handler.delay) if handler.delay is not None
                       else None)

    # ── expressions ──────────────────────────────────────────────────────────────────────
    def expr(self, expr: ast.Expr) -> ast.Expr:
        match expr:
            case ast.Ref():
                return self._ref(expr)
            case ast.Text():
                return self.text(expr)
            case ast.Call() if expr.dotted in SPECIAL_CALLS:
                # user(12), group("hr"): a literal, or an env symbol that gives one.
                value = expr.args[0].value if len(expr.args) == 1 else None
                if isinstance(value, ast.Ref) and value.parts[0] == "env":
                    return replace(expr, args=(replace(expr.args[0], value=self._ref(value)),))
                return expr
            case ast.Call():
                return replace(expr, args=tuple(replace(a, value=self.expr(a.value))
                                                for a in expr.args))
            case ast.Unary() | ast.Percent() | ast.Modified() | ast.Not():
                return replace(expr, operand=self.expr(expr.operand))
            case ast.Binary() | ast.Compare() | ast.BoolOp():
                return replace(expr, left=self.expr(expr.left), right=self.expr(expr.right))
            case ast.Test():
                return replace(expr, operand=self.expr(expr.operand),
                               args=tuple(self.expr(a) for a in expr.args))
            case ast.ListExpr():
                return replace(expr, items=tuple(self.expr(i) for i in expr.items))
            case ast.MapExpr():
                return self._map(expr)
        return expr  # Number, Bool, Duration, RawBitrix

    def maybe(self, expr: ast.Expr | None) -> ast.Expr | None:
        return self.expr(expr) if expr is not None else None

    @overload
    def text(self, text: ast.Text) -> ast.Text: ...

    @overload
    def text(self, text: ast.Text | None) -> ast.Text | None: ...

    def text(self, text: ast.Text | None) -> ast.Text | None:
        if text is None or text.is_plain:
            return text
        return replace(text, parts=tuple(self.expr(p) if isinstance(p, ast.Expr) else p
                                         for p in text.parts))

    def _map(self, expr: ast.MapExpr) -> ast.MapExpr:
        return replace(expr, entries=tuple(replace(e, value=self.expr(e.value))
                                           for e in expr.entries))

    def _ref(self, ref: ast.Ref) -> ast.Ref:
        return replace(ref, binding=self.names.resolve(ref))
