"""The AST builder: one method per rule (or alias) of grammar/bpl.lark, called as the parser
reduces it (syntax.reduce) with the span of its text and its children as lark gives them."""

from __future__ import annotations

from typing import Any

from compiler.diagnostics import Diagnostics
from compiler.php.serialize import INT64_MAX, php_integer_literal
from compiler.source import SourceFile, Span
from compiler.syntax import ast
from compiler.syntax.lalr import Token
from compiler.syntax.strings import ExprParser, TextReader

# The children of a rule: tokens, AST nodes, values of other rules, None for left-out parts.
Children = list[Any]
Tokens = list[Token]


def _tokens(children: Children, kind: str | None = None) -> list[Token]:
    return [c for c in children if type(c) is Token and (kind is None or c.type == kind)]


class AstBuilder:
    """Builds the AST nodes of one file; `parse_expr` parses the text inside `{…}` of an
    interpolated string."""

    def __init__(self, source: SourceFile, diagnostics: Diagnostics, parse_expr: ExprParser,
                 texts: TextReader) -> None:
        self.source = source
        self.file = source.name
        self.unknown = Span.unknown(source.name)
        self.diagnostics = diagnostics
        self.parse_expr = parse_expr
        self.texts = texts

    def tspan(self, token: Token) -> Span:
        return Span(self.file, token.line, token.column, token.end_line, token.end_column)

    def text_of(self, token: Token) -> ast.Text:
        return self.texts.text(token)

    # ── module level ─────────────────────────────────────────────────────────────────────
    def start(self, span: Span, children: Children) -> ast.Module:
        return ast.Module(span, tuple(children))

    def import_decl(self, span: Span, children: Children) -> ast.Import:
        return ast.Import(span, self.text_of(children[0]).plain)

    def _workflow(self, kind: str, span: Span, children: Children) -> ast.Workflow:
        name = next(t for t in _tokens(children, "NAME"))
        document = next(c for c in children if isinstance(c, ast.Expr))
        fields: dict[str, Any] = {"decls": [], "fields": [], "body": [], "states": []}
        title = description = root_title = None
        autostart: tuple[tuple[str, Span], ...] = ()
        permissions: list[ast.Permission] = []
        for child in children:
            if type(child) is tuple and child and child[0] == "title":
                title = child[1]
            elif type(child) is tuple and child and child[0] == "root_title":
                root_title = child[1]
            elif isinstance(child, ast.Permission):
                permissions.append(child)
            elif type(child) is tuple and child and child[0] == "description":
                description = child[1]
            elif type(child) is tuple and child and child[0] == "autostart":
                autostart = child[1]
            elif isinstance(child, ast.Decl):
                fields["decls"].append(child)
            elif isinstance(child, ast.FieldDecl):
                fields["fields"].append(child)
            elif isinstance(child, ast.State):
                fields["states"].append(child)
            elif isinstance(child, ast.Stmt):
                fields["body"].append(child)
        return ast.Workflow(
            span, kind, name.value, self.tspan(name), document, title, description,
            autostart, tuple(fields["decls"]), tuple(fields["fields"]), tuple(fields["body"]),
            tuple(fields["states"]), root_title, tuple(permissions))

    def workflow(self, span: Span, children: Children) -> ast.Workflow:
        return self._workflow("sequential", span, children)

    def statemachine(self, span: Span, children: Children) -> ast.Workflow:
        return self._workflow("statemachine", span, children)

    def title_header(self, span: Span, children: Children) -> tuple[str, ast.Text]:
        return ("title", self.text_of(children[0]))

    def root_title_header(self, span: Span, children: Children) -> tuple[str, ast.Text]:
        return ("root_title", self.text_of(children[0]))

    def permission_header(self, span: Span, children: Children) -> ast.Permission:
        key = children[0]
        operation = self.text_of(key).plain if key.type == "STRING" else key.value
        return ast.Permission(span, operation, children[1])

    def permission_setting(self, span: Span, children: Children) -> tuple[str, str, Span]:
        setting = children[0].value.split()[-1]
        return (f"permission_{setting}", children[1].value, self.tspan(children[1]))

    def description_header(self, span: Span, children: Children) -> tuple[str, ast.Text]:
        return ("description", self.text_of(children[0]))

    def autostart_header(self, span: Span,
                         children: Children) -> tuple[str, tuple[tuple[str, Span], ...]]:
        return ("autostart", tuple((t.value, self.tspan(t)) for t in _tokens(children, "NAME")))

    def decl(self, span: Span, children: Children) -> ast.Decl:
        kind, name = children[0], children[1]
        type_ref, default = children[2], children[3]
        flags = {c for c in children[4:] if isinstance(c, str)}
        label, description = self._texts(children[4:])
        return ast.Decl(span, kind.value, name.value, self.tspan(name), type_ref,
                        default, "required" in flags, label, description, "asked" in flags)

    def decl_flag(self, span: Span, children: Children) -> str:
        return str(children[0].value)

    def _texts(self, children: Children) -> tuple[ast.Text | None, ast.Text | None]:
        texts: list[ast.Text | None] = [
            self.text_of(c) for c in children
            if isinstance(c, Token) and c.type in ("STRING", "LONG_STRING")]
        texts += [None, None]
        return texts[0], texts[1]

    def field_decl(self, span: Span, children: Children) -> ast.FieldDecl:
        name, type_ref, code = children[0], children[1], children[2]
        label, _ = self._texts(children[3:])
        return ast.FieldDecl(span, name.value, self.tspan(name), type_ref, code, label)

    # ── types ────────────────────────────────────────────────────────────────────────────
    def type(self, span: Span, children: Children) -> ast.TypeRef:
        base: ast.TypeRef = children[0]
        return ast.TypeRef(span, base.name, children[1] is not None, base.options,
                           base.argument)

    def simple_type(self, span: Span, children: Children) -> ast.TypeRef:
        return ast.TypeRef(span, children[0].value)

    def select_type(self, span: Span, children: Children) -> ast.TypeRef:
        return ast.TypeRef(span, "select",
                           options=tuple(c for c in children if c is not None))

    def param_type(self, span: Span, children: Children) -> ast.TypeRef:
        # `type("L") {"k": "Label"}`: a Bitrix type that lists its options as a select does.
        return ast.TypeRef(span, children[0].value,
                           options=tuple(c for c in children[2:]
                                         if isinstance(c, ast.SelectOption)),
                           argument=self.text_of(children[1]).plain)

    def option(self, span: Span, children: Children) -> ast.SelectOption:
        key_token = children[0]
        key = self.text_of(key_token).plain if key_token.type == "STRING" else key_token.value
        return ast.SelectOption(span, key, self.text_of(children[1]))

    # ── state machines ───────────────────────────────────────────────────────────────────
    def state(self, span: Span, children: Children) -> ast.State:
        name = children[0]
        title = self.text_of(children[1]) if children[1] is not None else None
        initial = children[2] is not None
        handlers = tuple(c for c in children[3:] if isinstance(c, ast.EventHandler))
        permissions = tuple(c for c in children[3:] if isinstance(c, ast.Permission))
        settings = {c[0]: (c[1], c[2]) for c in children[3:] if type(c) is tuple}
        return ast.State(span, name.value, self.tspan(name), title, initial, handlers,
                         permissions, settings.get("permission_mode"),
                         settings.get("permission_scope"))

    def enter_block(self, span: Span, children: Children) -> ast.EventHandler:
        return ast.EventHandler(span, "enter", children[0], tuple(children[1:]))

    def exit_block(self, span: Span, children: Children) -> ast.EventHandler:
        return ast.EventHandler(span, "exit", children[0], tuple(children[1:]))

    def on_command(self, span: Span, children: Children) -> ast.EventHandler:
        name, title, users, opts = children[0], children[1], children[2], children[3]
        return ast.EventHandler(
            span, "command", opts, tuple(children[4:]), command=name.value,
            command_title=self.text_of(title) if title is not None else None, users=users)

    def on_delay(self, span: Span, children: Children) -> ast.EventHandler:
        delay: ast.WaitStmt = children[0]
        return ast.EventHandler(span, "delay", children[1], tuple(children[2:]),
                                delay=delay)

    # ── robots and macros ────────────────────────────────────────────────────────────────
    def robot_decl(self, span: Span, children: Children) -> ast.RobotDecl:
        kind, code, name = children[0], children[1], children[2]
        rest = children[3:]
        return ast.RobotDecl(
            span, kind.value, code.value, self.tspan(code), self.text_of(name),
            tuple(c for c in rest if isinstance(c, ast.Setting)),
            tuple(c for c in rest if isinstance(c, ast.RobotIO) and c.kind == "input"),
            tuple(c for c in rest if isinstance(c, ast.RobotIO) and c.kind == "output"))

    def robot_io(self, span: Span, children: Children) -> ast.RobotIO:
        kind, name, type_ref, default = children[0], children[1], children[2], children[3]
        required = any(isinstance(c, str) and c == "required" for c in children[4:])
        label, description = self._texts(children[4:])
        return ast.RobotIO(span, kind.value, name.value, self.tspan(name), type_ref,
                           default, required, label, description)

    def macro_decl(self, span: Span, children: Children) -> ast.MacroDecl:
        name = children[0]
        params = tuple(t.value for t in children[1:] if isinstance(t, Token))
        body = tuple(c for c in children[1:] if isinstance(c, ast.Stmt))
        return ast.MacroDecl(span, name.value, self.tspan(name), params, body)

    # ── statement options ────────────────────────────────────────────────────────────────
    def stmt_opts(self, span: Span, children: Children) -> ast.StmtOpts:
        title = label = comment = None
        label_span = None
        disabled = False
        for kind, value, span in children:
            if kind == "title":
                title = value
            elif kind == "disabled":
                disabled = True
            elif kind == "label":
                label, label_span = value, span
            elif kind == "comment":
                comment = value
        return ast.StmtOpts(title, disabled, label, label_span, comment)

    def opt_title(self, span: Span, children: Children) -> tuple[str, ast.Text, None]:
        return ("title", self.text_of(children[0]), None)

    def opt_disabled(self, span: Span, children: Children) -> tuple[str, bool, None]:
        return ("disabled", True, None)

    def opt_label(self, span: Span, children: Children) -> tuple[str, str, Span]:
        return ("label", children[0].value, self.tspan(children[0]))

    def opt_comment(self, span: Span, children: Children) -> tuple[str, ast.Text, None]:
        return ("comment", self.text_of(children[0]), None)

    # ── statements ───────────────────────────────────────────────────────────────────────
    def target(self, span: Span, children: Children) -> ast.Ref:
        ref: ast.Ref = children[0]
        return ref

    def assignment(self, span: Span, children: Children) -> ast.Assignment:
        return ast.Assignment(span, children[0], children[1])

    def set_stmt(self, span: Span, children: Children) -> ast.SetStmt:
        target, value, opts = children
        assignment = ast.Assignment(target.span.to(value.span), target, value)
        return ast.SetStmt(span, opts, (assignment,), False)

    def set_block(self, span: Span, children: Children) -> ast.SetStmt:
        assignments = tuple(c for c in children if isinstance(c, ast.Assignment))
        return ast.SetStmt(span, children[-1], assignments, True)

    def assign_stmt(self, span: Span, children: Children) -> ast.AssignStmt:
        target, value, opts = children
        return ast.AssignStmt(span, opts,
                              ast.Assignment(target.span.to(value.span), target, value))

    def log_stmt(self, span: Span, children: Children) -> ast.LogStmt:
        return ast.LogStmt(span, children[1], children[0])

    def wait_stmt(self, span: Span, children: Children) -> ast.WaitStmt:
        spec: ast.WaitStmt = children[0]
        return ast.WaitStmt(span, children[1], spec.duration, spec.until, spec.amount,
                            spec.unit)

    def delay_for(self, span: Span, children: Children) -> ast.WaitStmt:
        return ast.WaitStmt(span, ast.StmtOpts(), duration=self.duration(span, children))

    def delay_until(self, span: Span, children: Children) -> ast.WaitStmt:
        return ast.WaitStmt(span, ast.StmtOpts(), until=children[0])

    def delay_for_expr(self, span: Span, children: Children) -> ast.WaitStmt:
        return ast.WaitStmt(span, ast.StmtOpts(), amount=children[0],
                            unit=children[1].value)

    def status_stmt(self, span: Span, children: Children) -> ast.StatusStmt:
        return ast.StatusStmt(span, children[1], self.text_of(children[0]))

    def _notify(self, kind: str, span: Span, children: Children) -> ast.NotifyStmt:
        users, text, sender, opts = children
        return ast.NotifyStmt(span, opts, kind, users, self.text_of(text), sender)

    def notify_stmt(self, span: Span, children: Children) -> ast.NotifyStmt:
        return self._notify("notify", span, children)

    def message_stmt(self, span: Span, children: Children) -> ast.NotifyStmt:
        return self._notify("message", span, children)

    def mail_stmt(self, span: Span, children: Children) -> ast.MailStmt:
        to, subject, body, sender, opts = children[:5]
        settings = children[5] if len(children) > 5 and children[5] is not None else ()
        return ast.MailStmt(span, opts, to, self.text_of(subject),
                            self.text_of(body), sender, settings)

    def settings_block(self, span: Span, children: Children) -> tuple[ast.Setting, ...]:
        return tuple(children)

    def setting(self, span: Span, children: Children) -> ast.Setting:
        key: Token = children[0]
        return ast.Setting(span, key.value, self.tspan(key), children[-1])

    def key(self, span: Span, children: Children) -> Token:
        token: Token = children[0]
        return token

    def approve_stmt(self, span: Span, children: Children) -> ast.ApproveStmt:
        name, users, opts = children[0], children[1], children[2]
        settings: tuple[ast.Setting, ...] = ()
        approved = rejected = None
        approved_span = rejected_span = None
        approved_title = rejected_title = None
        for child in children[3:]:
            if type(child) is tuple and child and isinstance(child[0], ast.Setting):
                settings = child
            elif type(child) is tuple and len(child) == 4 and child[0] == "approved":
                approved, approved_span, approved_title = child[1], child[2], child[3]
            elif type(child) is tuple and len(child) == 4 and child[0] == "rejected":
                rejected, rejected_span, rejected_title = child[1], child[2], child[3]
        return ast.ApproveStmt(span, opts, self.text_of(name), users, settings,
                               approved, rejected, approved_span, rejected_span,
                               approved_title, rejected_title)

    def approved_branch(self, span: Span, children: Children) -> tuple[Any, ...]:
        return self._approval_branch("approved", span, children)

    def rejected_branch(self, span: Span, children: Children) -> tuple[Any, ...]:
        return self._approval_branch("rejected", span, children)

    def _approval_branch(self, word: str, span: Span, children: Children) -> tuple[Any, ...]:
        # A branch's own title, then its statements.
        title = self.text_of(children[0]) if children[0] is not None else None
        return (word, tuple(children[1:]), span, title)

    def review_stmt(self, span: Span, children: Children) -> ast.ReviewStmt:
        name, users, opts = children[0], children[1], children[2]
        settings = children[3] if len(children) > 3 and children[3] is not None else ()
        return ast.ReviewStmt(span, opts, self.text_of(name), users, settings)

    def ask_stmt(self, span: Span, children: Children) -> ast.AskStmt:
        name, users, opts = children[0], children[1], children[2]
        rest = children[3:]
        return ast.AskStmt(span, opts, self.text_of(name), users,
                           tuple(c for c in rest if isinstance(c, ast.AskField)),
                           tuple(c for c in rest if isinstance(c, ast.Setting)))

    def ask_field(self, span: Span, children: Children) -> ast.AskField:
        target, label = children[0], children[1]
        required = any(isinstance(c, str) and c == "required" for c in children[2:])
        return ast.AskField(span, target,
                            self.text_of(label) if label is not None else None, required)

    def task_stmt(self, span: Span, children: Children) -> ast.TaskStmt:
        settings = children[2] if len(children) > 2 and children[2] is not None else ()
        return ast.TaskStmt(span, children[1], self.text_of(children[0]), settings)

    def start_stmt(self, span: Span, children: Children) -> ast.StartStmt:
        wait_token, _workflow_kw, template, document, parameters, opts = children
        return ast.StartStmt(span, opts, template, document, parameters,
                             wait_token is not None)

    def webhook_stmt(self, span: Span, children: Children) -> ast.WebhookStmt:
        return ast.WebhookStmt(span, children[1], self.text_of(children[0]))

    def create_stmt(self, span: Span, children: Children) -> ast.CreateStmt:
        return ast.CreateStmt(span, children[2], children[0], children[1])

    def stage_stmt(self, span: Span, children: Children) -> ast.StageStmt:
        return ast.StageStmt(span, children[1], children[0])

    def assign_users_stmt(self, span: Span, children: Children) -> ast.AssignUsersStmt:
        users, mode, opts = children
        return ast.AssignUsersStmt(span, opts, users,
                                   mode.value if mode is not None else None)

    def _action(self, kind: str, span: Span, children: Children, *,
                subject: bool = True, text: bool = False) -> ast.ActionStmt:
        """A statement of the table's rows with a `subject`: [value] opts [settings]."""
        value = children.pop(0) if subject else None
        if text and value is not None:
            value = self.text_of(value)
        opts = children[0]
        settings = children[1] if len(children) > 1 and children[1] is not None else ()
        return ast.ActionStmt(span, opts, kind, value, settings)

    def choose_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("choose", span, children)

    def profile_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("profile", span, children)

    def pipeline_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("pipeline", span, children)

    def timeline_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("timeline", span, children, text=True)

    def todo_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("todo", span, children, text=True)

    def sms_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("sms", span, children, text=True)

    def add_item_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("add_item", span, children)

    def update_item_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("update_item", span, children)

    def add_element_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("add_element", span, children)

    def update_element_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("update_element", span, children)

    def permissions_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("permissions", span, children)

    def generate_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("generate", span, children)

    def delete_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("delete", span, children, subject=False)

    def publish_stmt(self, span: Span, children: Children) -> ast.ActionStmt:
        return self._action("publish", span, children, subject=False)

    def terminate_stmt(self, span: Span, children: Children) -> ast.TerminateStmt:
        status, opts = children
        return ast.TerminateStmt(span, opts,
                                 self.text_of(status) if status is not None else None)

    def goto_stmt(self, span: Span, children: Children) -> ast.GotoStmt:
        name, opts = children
        return ast.GotoStmt(span, opts, name.value, self.tspan(name))

    def parallel_stmt(self, span: Span, children: Children) -> ast.ParallelStmt:
        return ast.ParallelStmt(span, children[0], tuple(children[1:]))

    def branch(self, span: Span, children: Children) -> ast.Branch:
        return ast.Branch(span, children[0], tuple(children[1:]))

    def while_stmt(self, span: Span, children: Children) -> ast.WhileStmt:
        title = self.text_of(children[2]) if children[2] is not None else None
        return ast.WhileStmt(span, children[1], children[0], tuple(children[3:]), title)

    def foreach_stmt(self, span: Span, children: Children) -> ast.ForEachStmt:
        first, second, source, opts = children[:4]
        # `for each v in …` or `for each k, v in …`: the last name is the value.
        value_name, key_name = (first.value, None) if second is None else (second.value,
                                                                            first.value)
        return ast.ForEachStmt(span, opts, value_name, key_name, source,
                               tuple(children[4:]))

    def if_stmt(self, span: Span, children: Children) -> ast.IfStmt:
        condition, opts = children[0], children[1]
        body = tuple(c for c in children[2:] if isinstance(c, ast.Stmt))
        first = ast.IfBranch(span, condition, opts, body)
        others = tuple(c for c in children[2:] if isinstance(c, ast.IfBranch))
        tail = children[-1]  # the chain's own title, after the last branch
        title = self.text_of(tail) if tail is not None and \
            not isinstance(tail, ast.Stmt | ast.IfBranch) else None
        return ast.IfStmt(span, opts, (first, *others), title)

    def elif_clause(self, span: Span, children: Children) -> ast.IfBranch:
        return ast.IfBranch(span, children[0], children[1], tuple(children[2:]))

    def else_clause(self, span: Span, children: Children) -> ast.IfBranch:
        return ast.IfBranch(span, None, children[0], tuple(children[1:]))

    def activity_stmt(self, span: Span, children: Children) -> ast.ActivityStmt:
        type_name, title, properties, opts, nested = children
        return ast.ActivityStmt(
            span, opts, type_name.value, self.tspan(type_name),
            self.text_of(title) if title is not None else None, properties, nested)

    def activity_children(self, span: Span, children: Children) -> tuple[ast.Stmt, ...]:
        return tuple(children)

    def call_stmt(self, span: Span, children: Children) -> ast.CallStmt:
        name_tokens: Tokens = children[0]
        opts, settings = children[-2], children[-1]
        args = tuple(c for c in children[1:-2] if isinstance(c, ast.Arg))
        name_span = self.tspan(name_tokens[0]).to(self.tspan(name_tokens[-1]))
        call = ast.Call(span, tuple(t.value for t in name_tokens), args, name_span)
        return ast.CallStmt(span, opts, call, settings or ())

    # ── expressions ──────────────────────────────────────────────────────────────────────
    def dotted_name(self, span: Span, children: Children) -> Tokens:
        return list(children)

    def ref(self, span: Span, children: Children) -> ast.Ref:
        return ast.Ref(span, tuple(t.value for t in children[0]))

    def call(self, span: Span, children: Children) -> ast.Call:
        name_tokens: Tokens = children[0]
        name_span = self.tspan(name_tokens[0]).to(self.tspan(name_tokens[-1]))
        args = tuple(c for c in children[1:] if isinstance(c, ast.Arg))
        return ast.Call(span, tuple(t.value for t in name_tokens), args, name_span)

    def arg(self, span: Span, children: Children) -> ast.Arg:
        name, value = children
        return ast.Arg(span, name.value if name is not None else None, value)

    def string(self, span: Span, children: Children) -> ast.Text:
        return self.text_of(children[0])

    def number(self, span: Span, children: Children) -> ast.Number:
        text = children[0].value
        # An integer beyond 64 bits becomes the float PHP would make of it (the checker warns).
        value = float(text) if "." in text else php_integer_literal(text)
        return ast.Number(span, value, text)

    def duration(self, span: Span, children: Children) -> ast.Duration:
        token: Token = children[0]
        amount = php_integer_literal(token.value[:-1])
        duration = ast.Duration(self.tspan(token), amount if isinstance(amount, int) else 0,
                                token.value[-1])
        if not isinstance(amount, int) or duration.seconds > INT64_MAX:
            # Bitrix counts timeouts in PHP integers (of the unit, then of seconds).
            self.diagnostics.error(
                "E004", "this duration is longer than Bitrix can count: in seconds it does not "
                        "fit in 64 bits", duration.span,
                help="write a shorter duration (a pause is at most 5 years)")
        return duration

    def true(self, span: Span, children: Children) -> ast.Bool:
        return ast.Bool(span, True)

    def false(self, span: Span, children: Children) -> ast.Bool:
        return ast.Bool(span, False)

    def list(self, span: Span, children: Children) -> ast.ListExpr:
        return ast.ListExpr(span, tuple(c for c in children if c is not None))

    def map(self, span: Span, children: Children) -> ast.MapExpr:
        return ast.MapExpr(span, tuple(c for c in children if c is not None))

    def map_entry(self, span: Span, children: Children) -> ast.MapEntry:
        key: Token = children[0]
        name = self.text_of(key).plain if key.type in ("STRING", "LONG_STRING") else key.value
        return ast.MapEntry(span, name, self.tspan(key), children[1])

    def or_(self, span: Span, children: Children) -> ast.BoolOp:
        return ast.BoolOp(span, "or", children[0], children[1])

    def and_(self, span: Span, children: Children) -> ast.BoolOp:
        return ast.BoolOp(span, "and", children[0], children[1])

    def not_(self, span: Span, children: Children) -> ast.Not:
        return ast.Not(span, children[0])

    def compare(self, span: Span, children: Children) -> ast.Compare:
        return ast.Compare(span, children[1].value, children[0], children[2])

    def _test(self, op: str, span: Span, children: Children) -> ast.Test:
        return ast.Test(span, op, children[0], tuple(children[1:]))

    def in_(self, span: Span, children: Children) -> ast.Test:
        return self._test("in", span, children)

    def not_in(self, span: Span, children: Children) -> ast.Test:
        return self._test("not in", span, children)

    def contains(self, span: Span, children: Children) -> ast.Test:
        return self._test("contains", span, children)

    def not_contains(self, span: Span, children: Children) -> ast.Test:
        return self._test("not contains", span, children)

    def is_empty(self, span: Span, children: Children) -> ast.Test:
        return self._test("empty", span, children)

    def is_not_empty(self, span: Span, children: Children) -> ast.Test:
        return self._test("not empty", span, children)

    def between(self, span: Span, children: Children) -> ast.Test:
        return self._test("between", span, children)

    def changed(self, span: Span, children: Children) -> ast.Test:
        return self._test("changed", span, children)

    def concat(self, span: Span, children: Children) -> ast.Binary:
        return ast.Binary(span, "&", children[0], children[1])

    def arith(self, span: Span, children: Children) -> ast.Binary:
        return ast.Binary(span, children[1].value, children[0], children[2])

    def power(self, span: Span, children: Children) -> ast.Binary:
        return ast.Binary(span, "^", children[0], children[1])

    def neg(self, span: Span, children: Children) -> ast.Expr:
        operand = children[0]
        if isinstance(operand, ast.Number):
            return ast.Number(span, -operand.value, "-" + operand.text)
        if isinstance(operand, ast.Duration):
            # `dateadd(d, -2d)`: Bitrix intervals take a leading minus ("-2d").
            return ast.Duration(span, -operand.amount, operand.unit)
        return ast.Unary(span, "-", operand)

    def pos(self, span: Span, children: Children) -> ast.Expr:
        return ast.Unary(span, "+", children[0])

    def percent(self, span: Span, children: Children) -> ast.Percent:
        return ast.Percent(span, children[0])

    def modified(self, span: Span, children: Children) -> ast.Modified:
        return ast.Modified(span, children[0],
                            tuple(t.value for t in children[1:] if isinstance(t, Token)))

