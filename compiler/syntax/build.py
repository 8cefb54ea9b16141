"""Lark parse tree → AST. One method per grammar rule; spans come from character offsets."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta
from lark.visitors import _VArgsWrapper

from compiler.diagnostics import Diagnostics
from compiler.php.serialize import INT64_MAX, php_integer_literal
from compiler.source import SourceFile, Span
from compiler.syntax import ast

ExprParser = Callable[[str, int], ast.Expr | None]

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "{": "{", "}": "}", "r": "\r"}
# Most interpolations are a plain reference with optional modifiers ({doc.TITLE | printable});
# building those directly avoids a parser run per string.
_SIMPLE_REF = re.compile(
    r"(?P<lead>\s*)(?P<ref>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<tail>\s*)"
    r"(?P<mods>(?:\|\s*[A-Za-z_]\w*\s*)*)$")
_SPECIAL = re.compile(r"[\\{]")
_KEYWORDS = frozenset({"true", "false", "not", "and", "or", "in", "is", "between", "changed",
                       "contains"})
_OPS = {"==", "!=", ">=", "<=", ">", "<"}


def _tokens(children: list[Any], kind: str | None = None) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and (kind is None or c.type == kind)]


class AstBuilder(Transformer[Token, Any]):
    """Builds AST nodes. `parse_expr` parses the text inside `{…}` of an interpolated string."""

    def __init__(self, source: SourceFile, diagnostics: Diagnostics, parse_expr: ExprParser,
                 base: int = 0):
        super().__init__(visit_tokens=False)
        self.source = source
        self.diagnostics = diagnostics
        self.parse_expr = parse_expr
        self.base = base

    # ── positions ────────────────────────────────────────────────────────────────────────
    def span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return Span.unknown(self.source.name)
        if not self.base:  # lark's own line/column are exact for a whole file, and cheaper
            return Span(self.source.name, meta.line, meta.column, meta.end_line, meta.end_column)
        return self.source.span(self.base + meta.start_pos, self.base + meta.end_pos)

    def tspan(self, token: Token) -> Span:
        if not self.base and token.end_line is not None and token.line is not None:
            return Span(self.source.name, token.line, token.column or 1, token.end_line,
                        token.end_column or 1)
        start = self.base + (token.start_pos or 0)
        return self.source.span(start, start + len(token.value))

    # ── strings ──────────────────────────────────────────────────────────────────────────
    def text_of(self, token: Token) -> ast.Text:
        raw = token.value
        quote = 3 if raw.startswith('"""') else 1
        body = raw[quote:-quote]
        start = self.base + (token.start_pos or 0) + quote
        skip = _block_layout(body) if quote == 3 else ()
        return ast.Text(self.tspan(token), tuple(self._interpolate(body, start, skip)))

    def _interpolate(self, body: str, start: int,
                     skip: tuple[tuple[int, int], ...] = ()) -> list[str | ast.Expr]:
        parts: list[str | ast.Expr] = []
        buf: list[str] = []
        # Escaped quotes read as plain ones (same length) when finding where an interpolation
        # ends; made once per string, not once per interpolation, which was quadratic.
        unescaped = body.replace('\\"', ' "')
        i = 0
        while i < len(body):
            # Plain text up to the next backslash or brace is taken in one piece (the layout
            # that `skip` drops is blanks, never one of those two).
            special = _SPECIAL.search(body, i)
            stop = special.start() if special else len(body)
            if stop > i:
                plain = _without(body, i, stop, skip)
                if plain:
                    buf.append(plain)
                i = stop
                continue
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                nxt = body[i + 1]
                if nxt in _ESCAPES:
                    buf.append(_ESCAPES[nxt])
                else:
                    self.diagnostics.error(
                        "E004", f"unknown escape sequence '\\{nxt}' in a string",
                        self.source.span(start + i, start + i + 2),
                        help='use \\n, \\t, \\", \\\\, \\{ or \\}')
                    buf.append(nxt)
                i += 2
                continue
            if ch == "{":
                end = _closing_brace(unescaped, i)
                if end < 0:
                    self.diagnostics.error(
                        "E004", "'{' in a string starts an interpolation that is never closed",
                        self.source.span(start + i, start + i + 1),
                        help="close it with '}' or write a literal brace as \\{")
                    buf.append(body[i:])
                    break
                inner = body[i + 1:end]
                if inner.startswith("=") or inner.startswith("{"):
                    # Bitrix's own tokens ({=Document:X}, {{=formula}}) pass through verbatim.
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    # Escapes still apply inside them: `\"1d\"` is a quote of the formula,
                    # and Bitrix's calc parser knows no backslash escapes of its own.
                    parts.append(ast.RawBitrix(self.source.span(start + i, start + end + 1),
                                               _unescape(body[i:end + 1])))
                elif not inner.strip():
                    self.diagnostics.error(
                        "E004", "empty interpolation '{}' in a string",
                        self.source.span(start + i, start + end + 1),
                        help="put an expression inside, or write literal braces as \\{\\}")
                else:
                    expr = self._simple_ref(inner, start + i + 1) or self.parse_expr(
                        _expression_quotes(inner), start + i + 1)
                    if expr is not None:
                        if buf:
                            parts.append("".join(buf))
                            buf = []
                        parts.append(expr)
                i = end + 1
                continue
            buf.append(ch)  # a backslash that ends the string
            i += 1
        if buf:
            parts.append("".join(buf))
        return parts

    def _simple_ref(self, text: str, base: int) -> ast.Expr | None:
        match = _SIMPLE_REF.match(text)
        if match is None:
            return None
        dotted = match.group("ref")
        parts = tuple(dotted.split("."))
        if parts[0] in _KEYWORDS:
            return None
        start = base + len(match.group("lead"))
        ref = ast.Ref(self.source.span(start, start + len(dotted)), parts)
        modifiers = tuple(m.strip() for m in match.group("mods").split("|")[1:])
        if not modifiers:
            return ref
        end = base + len(text.rstrip())
        return ast.Modified(self.source.span(start, end), ref, modifiers)

    # ── module level ─────────────────────────────────────────────────────────────────────
    @v_args(meta=True)
    def start(self, meta: Meta, children: list[Any]) -> ast.Module:
        return ast.Module(self.span(meta), tuple(children))

    @v_args(meta=True)
    def import_decl(self, meta: Meta, children: list[Any]) -> ast.Import:
        return ast.Import(self.span(meta), self.text_of(children[0]).plain)

    def _workflow(self, kind: str, meta: Meta, children: list[Any]) -> ast.Workflow:
        name = next(t for t in _tokens(children, "NAME"))
        document = next(c for c in children if isinstance(c, ast.Expr))
        fields: dict[str, Any] = {"decls": [], "fields": [], "body": [], "states": []}
        title = description = None
        autostart: tuple[tuple[str, Span], ...] = ()
        for child in children:
            if isinstance(child, tuple) and child and child[0] == "title":
                title = child[1]
            elif isinstance(child, tuple) and child and child[0] == "description":
                description = child[1]
            elif isinstance(child, tuple) and child and child[0] == "autostart":
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
            self.span(meta), kind, name.value, self.tspan(name), document, title, description,
            autostart, tuple(fields["decls"]), tuple(fields["fields"]), tuple(fields["body"]),
            tuple(fields["states"]))

    @v_args(meta=True)
    def workflow(self, meta: Meta, children: list[Any]) -> ast.Workflow:
        return self._workflow("sequential", meta, children)

    @v_args(meta=True)
    def statemachine(self, meta: Meta, children: list[Any]) -> ast.Workflow:
        return self._workflow("statemachine", meta, children)

    def title_header(self, children: list[Any]) -> tuple[str, ast.Text]:
        return ("title", self.text_of(children[0]))

    def description_header(self, children: list[Any]) -> tuple[str, ast.Text]:
        return ("description", self.text_of(children[0]))

    def autostart_header(self, children: list[Any]) -> tuple[str, tuple[tuple[str, Span], ...]]:
        return ("autostart", tuple((t.value, self.tspan(t)) for t in _tokens(children, "NAME")))

    @v_args(meta=True)
    def decl(self, meta: Meta, children: list[Any]) -> ast.Decl:
        kind, name = children[0], children[1]
        type_ref, default = children[2], children[3]
        required = any(isinstance(c, str) and c == "required" for c in children[4:])
        label, description = self._texts(children[4:])
        return ast.Decl(self.span(meta), kind.value, name.value, self.tspan(name), type_ref,
                        default, required, label, description)

    def decl_flag(self, children: list[Any]) -> str:
        return "required"

    def _texts(self, children: list[Any]) -> tuple[ast.Text | None, ast.Text | None]:
        texts = [self.text_of(c) for c in children
                 if isinstance(c, Token) and c.type in ("STRING", "LONG_STRING")]
        texts += [None, None]
        return texts[0], texts[1]

    @v_args(meta=True)
    def field_decl(self, meta: Meta, children: list[Any]) -> ast.FieldDecl:
        name, type_ref, code = children[0], children[1], children[2]
        label, _ = self._texts(children[3:])
        return ast.FieldDecl(self.span(meta), name.value, self.tspan(name), type_ref, code, label)

    # ── types ────────────────────────────────────────────────────────────────────────────
    @v_args(meta=True)
    def type(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        base: ast.TypeRef = children[0]
        return ast.TypeRef(self.span(meta), base.name, children[1] is not None, base.options,
                           base.argument)

    @v_args(meta=True)
    def simple_type(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(self.span(meta), children[0].value)

    @v_args(meta=True)
    def select_type(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(self.span(meta), "select",
                           options=tuple(c for c in children if c is not None))

    @v_args(meta=True)
    def param_type(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        return ast.TypeRef(self.span(meta), children[0].value,
                           argument=self.text_of(children[1]).plain)

    @v_args(meta=True)
    def option(self, meta: Meta, children: list[Any]) -> ast.SelectOption:
        key_token = children[0]
        key = self.text_of(key_token).plain if key_token.type == "STRING" else key_token.value
        return ast.SelectOption(self.span(meta), key, self.text_of(children[1]))

    # ── state machines ───────────────────────────────────────────────────────────────────
    @v_args(meta=True)
    def state(self, meta: Meta, children: list[Any]) -> ast.State:
        name = children[0]
        title = self.text_of(children[1]) if children[1] is not None else None
        initial = children[2] is not None
        handlers = tuple(c for c in children[3:] if isinstance(c, ast.EventHandler))
        return ast.State(self.span(meta), name.value, self.tspan(name), title, initial, handlers)

    @v_args(meta=True)
    def enter_block(self, meta: Meta, children: list[Any]) -> ast.EventHandler:
        return ast.EventHandler(self.span(meta), "enter", children[0], tuple(children[1:]))

    @v_args(meta=True)
    def exit_block(self, meta: Meta, children: list[Any]) -> ast.EventHandler:
        return ast.EventHandler(self.span(meta), "exit", children[0], tuple(children[1:]))

    @v_args(meta=True)
    def on_command(self, meta: Meta, children: list[Any]) -> ast.EventHandler:
        name, title, users, opts = children[0], children[1], children[2], children[3]
        return ast.EventHandler(
            self.span(meta), "command", opts, tuple(children[4:]), command=name.value,
            command_title=self.text_of(title) if title is not None else None, users=users)

    @v_args(meta=True)
    def on_delay(self, meta: Meta, children: list[Any]) -> ast.EventHandler:
        delay: ast.WaitStmt = children[0]
        return ast.EventHandler(self.span(meta), "delay", children[1], tuple(children[2:]),
                                delay=delay)

    # ── robots and macros ────────────────────────────────────────────────────────────────
    @v_args(meta=True)
    def robot_decl(self, meta: Meta, children: list[Any]) -> ast.RobotDecl:
        kind, code, name = children[0], children[1], children[2]
        rest = children[3:]
        return ast.RobotDecl(
            self.span(meta), kind.value, code.value, self.tspan(code), self.text_of(name),
            tuple(c for c in rest if isinstance(c, ast.Setting)),
            tuple(c for c in rest if isinstance(c, ast.RobotIO) and c.kind == "input"),
            tuple(c for c in rest if isinstance(c, ast.RobotIO) and c.kind == "output"))

    @v_args(meta=True)
    def robot_io(self, meta: Meta, children: list[Any]) -> ast.RobotIO:
        kind, name, type_ref, default = children[0], children[1], children[2], children[3]
        required = any(isinstance(c, str) and c == "required" for c in children[4:])
        label, description = self._texts(children[4:])
        return ast.RobotIO(self.span(meta), kind.value, name.value, self.tspan(name), type_ref,
                           default, required, label, description)

    @v_args(meta=True)
    def macro_decl(self, meta: Meta, children: list[Any]) -> ast.MacroDecl:
        name = children[0]
        params = tuple(t.value for t in children[1:] if isinstance(t, Token))
        body = tuple(c for c in children[1:] if isinstance(c, ast.Stmt))
        return ast.MacroDecl(self.span(meta), name.value, self.tspan(name), params, body)

    # ── statement options ────────────────────────────────────────────────────────────────
    def stmt_opts(self, children: list[Any]) -> ast.StmtOpts:
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

    def opt_title(self, children: list[Any]) -> tuple[str, ast.Text, None]:
        return ("title", self.text_of(children[0]), None)

    def opt_disabled(self, children: list[Any]) -> tuple[str, bool, None]:
        return ("disabled", True, None)

    def opt_label(self, children: list[Any]) -> tuple[str, str, Span]:
        return ("label", children[0].value, self.tspan(children[0]))

    def opt_comment(self, children: list[Any]) -> tuple[str, ast.Text, None]:
        return ("comment", self.text_of(children[0]), None)

    # ── statements ───────────────────────────────────────────────────────────────────────
    def target(self, children: list[Any]) -> ast.Ref:
        ref: ast.Ref = children[0]
        return ref

    @v_args(meta=True)
    def assignment(self, meta: Meta, children: list[Any]) -> ast.Assignment:
        return ast.Assignment(self.span(meta), children[0], children[1])

    @v_args(meta=True)
    def set_stmt(self, meta: Meta, children: list[Any]) -> ast.SetStmt:
        target, value, opts = children
        assignment = ast.Assignment(target.span.to(value.span), target, value)
        return ast.SetStmt(self.span(meta), opts, (assignment,), False)

    @v_args(meta=True)
    def set_block(self, meta: Meta, children: list[Any]) -> ast.SetStmt:
        assignments = tuple(c for c in children if isinstance(c, ast.Assignment))
        return ast.SetStmt(self.span(meta), children[-1], assignments, True)

    @v_args(meta=True)
    def assign_stmt(self, meta: Meta, children: list[Any]) -> ast.AssignStmt:
        target, value, opts = children
        return ast.AssignStmt(self.span(meta), opts,
                              ast.Assignment(target.span.to(value.span), target, value))

    @v_args(meta=True)
    def log_stmt(self, meta: Meta, children: list[Any]) -> ast.LogStmt:
        return ast.LogStmt(self.span(meta), children[1], children[0])

    @v_args(meta=True)
    def wait_stmt(self, meta: Meta, children: list[Any]) -> ast.WaitStmt:
        spec: ast.WaitStmt = children[0]
        return ast.WaitStmt(self.span(meta), children[1], spec.duration, spec.until, spec.amount,
                            spec.unit)

    @v_args(meta=True)
    def delay_for(self, meta: Meta, children: list[Any]) -> ast.WaitStmt:
        return ast.WaitStmt(self.span(meta), ast.StmtOpts(), duration=self.duration(children))

    @v_args(meta=True)
    def delay_until(self, meta: Meta, children: list[Any]) -> ast.WaitStmt:
        return ast.WaitStmt(self.span(meta), ast.StmtOpts(), until=children[0])

    @v_args(meta=True)
    def delay_for_expr(self, meta: Meta, children: list[Any]) -> ast.WaitStmt:
        return ast.WaitStmt(self.span(meta), ast.StmtOpts(), amount=children[0],
                            unit=children[1].value)

    @v_args(meta=True)
    def status_stmt(self, meta: Meta, children: list[Any]) -> ast.StatusStmt:
        return ast.StatusStmt(self.span(meta), children[1], self.text_of(children[0]))

    def _notify(self, kind: str, meta: Meta, children: list[Any]) -> ast.NotifyStmt:
        users, text, sender, opts = children
        return ast.NotifyStmt(self.span(meta), opts, kind, users, self.text_of(text), sender)

    @v_args(meta=True)
    def notify_stmt(self, meta: Meta, children: list[Any]) -> ast.NotifyStmt:
        return self._notify("notify", meta, children)

    @v_args(meta=True)
    def message_stmt(self, meta: Meta, children: list[Any]) -> ast.NotifyStmt:
        return self._notify("message", meta, children)

    @v_args(meta=True)
    def mail_stmt(self, meta: Meta, children: list[Any]) -> ast.MailStmt:
        to, subject, body, sender, opts = children[:5]
        settings = children[5] if len(children) > 5 and children[5] is not None else ()
        return ast.MailStmt(self.span(meta), opts, to, self.text_of(subject),
                            self.text_of(body), sender, settings)

    def settings_block(self, children: list[Any]) -> tuple[ast.Setting, ...]:
        return tuple(children)

    @v_args(meta=True)
    def setting(self, meta: Meta, children: list[Any]) -> ast.Setting:
        key: Token = children[0]
        return ast.Setting(self.span(meta), key.value, self.tspan(key), children[-1])

    def key(self, children: list[Any]) -> Token:
        token: Token = children[0]
        return token

    @v_args(meta=True)
    def approve_stmt(self, meta: Meta, children: list[Any]) -> ast.ApproveStmt:
        name, users, opts = children[0], children[1], children[2]
        settings: tuple[ast.Setting, ...] = ()
        approved = rejected = None
        approved_span = rejected_span = None
        for child in children[3:]:
            if isinstance(child, tuple) and child and isinstance(child[0], ast.Setting):
                settings = child
            elif isinstance(child, tuple) and len(child) == 3 and child[0] == "approved":
                approved, approved_span = child[1], child[2]
            elif isinstance(child, tuple) and len(child) == 3 and child[0] == "rejected":
                rejected, rejected_span = child[1], child[2]
        return ast.ApproveStmt(self.span(meta), opts, self.text_of(name), users, settings,
                               approved, rejected, approved_span, rejected_span)

    @v_args(meta=True)
    def approved_branch(self, meta: Meta, children: list[Any]) -> tuple[str, tuple[Any, ...], Span]:
        return ("approved", tuple(children), self.span(meta))

    @v_args(meta=True)
    def rejected_branch(self, meta: Meta, children: list[Any]) -> tuple[str, tuple[Any, ...], Span]:
        return ("rejected", tuple(children), self.span(meta))

    @v_args(meta=True)
    def review_stmt(self, meta: Meta, children: list[Any]) -> ast.ReviewStmt:
        name, users, opts = children[0], children[1], children[2]
        settings = children[3] if len(children) > 3 and children[3] is not None else ()
        return ast.ReviewStmt(self.span(meta), opts, self.text_of(name), users, settings)

    @v_args(meta=True)
    def ask_stmt(self, meta: Meta, children: list[Any]) -> ast.AskStmt:
        name, users, opts = children[0], children[1], children[2]
        rest = children[3:]
        return ast.AskStmt(self.span(meta), opts, self.text_of(name), users,
                           tuple(c for c in rest if isinstance(c, ast.AskField)),
                           tuple(c for c in rest if isinstance(c, ast.Setting)))

    @v_args(meta=True)
    def ask_field(self, meta: Meta, children: list[Any]) -> ast.AskField:
        target, label = children[0], children[1]
        required = any(isinstance(c, str) and c == "required" for c in children[2:])
        return ast.AskField(self.span(meta), target,
                            self.text_of(label) if label is not None else None, required)

    @v_args(meta=True)
    def task_stmt(self, meta: Meta, children: list[Any]) -> ast.TaskStmt:
        settings = children[2] if len(children) > 2 and children[2] is not None else ()
        return ast.TaskStmt(self.span(meta), children[1], self.text_of(children[0]), settings)

    @v_args(meta=True)
    def start_stmt(self, meta: Meta, children: list[Any]) -> ast.StartStmt:
        wait_token, _workflow_kw, template, document, parameters, opts = children
        return ast.StartStmt(self.span(meta), opts, template, document, parameters,
                             wait_token is not None)

    @v_args(meta=True)
    def webhook_stmt(self, meta: Meta, children: list[Any]) -> ast.WebhookStmt:
        return ast.WebhookStmt(self.span(meta), children[1], self.text_of(children[0]))

    @v_args(meta=True)
    def create_stmt(self, meta: Meta, children: list[Any]) -> ast.CreateStmt:
        return ast.CreateStmt(self.span(meta), children[2], children[0], children[1])

    @v_args(meta=True)
    def stage_stmt(self, meta: Meta, children: list[Any]) -> ast.StageStmt:
        return ast.StageStmt(self.span(meta), children[1], children[0])

    @v_args(meta=True)
    def assign_users_stmt(self, meta: Meta, children: list[Any]) -> ast.AssignUsersStmt:
        users, mode, opts = children
        return ast.AssignUsersStmt(self.span(meta), opts, users,
                                   mode.value if mode is not None else None)

    @v_args(meta=True)
    def terminate_stmt(self, meta: Meta, children: list[Any]) -> ast.TerminateStmt:
        status, opts = children
        return ast.TerminateStmt(self.span(meta), opts,
                                 self.text_of(status) if status is not None else None)

    @v_args(meta=True)
    def goto_stmt(self, meta: Meta, children: list[Any]) -> ast.GotoStmt:
        name, opts = children
        return ast.GotoStmt(self.span(meta), opts, name.value, self.tspan(name))

    @v_args(meta=True)
    def parallel_stmt(self, meta: Meta, children: list[Any]) -> ast.ParallelStmt:
        return ast.ParallelStmt(self.span(meta), children[0], tuple(children[1:]))

    @v_args(meta=True)
    def branch(self, meta: Meta, children: list[Any]) -> ast.Branch:
        return ast.Branch(self.span(meta), children[0], tuple(children[1:]))

    @v_args(meta=True)
    def while_stmt(self, meta: Meta, children: list[Any]) -> ast.WhileStmt:
        return ast.WhileStmt(self.span(meta), children[1], children[0], tuple(children[2:]))

    @v_args(meta=True)
    def foreach_stmt(self, meta: Meta, children: list[Any]) -> ast.ForEachStmt:
        first, second, source, opts = children[:4]
        # `for each v in …` or `for each k, v in …`: the last name is the value.
        value_name, key_name = (first.value, None) if second is None else (second.value,
                                                                            first.value)
        return ast.ForEachStmt(self.span(meta), opts, value_name, key_name, source,
                               tuple(children[4:]))

    @v_args(meta=True)
    def if_stmt(self, meta: Meta, children: list[Any]) -> ast.IfStmt:
        condition, opts = children[0], children[1]
        body = tuple(c for c in children[2:] if isinstance(c, ast.Stmt))
        first = ast.IfBranch(self.span(meta), condition, opts, body)
        others = tuple(c for c in children[2:] if isinstance(c, ast.IfBranch))
        return ast.IfStmt(self.span(meta), opts, (first, *others))

    @v_args(meta=True)
    def elif_clause(self, meta: Meta, children: list[Any]) -> ast.IfBranch:
        return ast.IfBranch(self.span(meta), children[0], children[1], tuple(children[2:]))

    @v_args(meta=True)
    def else_clause(self, meta: Meta, children: list[Any]) -> ast.IfBranch:
        return ast.IfBranch(self.span(meta), None, children[0], tuple(children[1:]))

    @v_args(meta=True)
    def activity_stmt(self, meta: Meta, children: list[Any]) -> ast.ActivityStmt:
        type_name, title, properties, opts, nested = children
        return ast.ActivityStmt(
            self.span(meta), opts, type_name.value, self.tspan(type_name),
            self.text_of(title) if title is not None else None, properties, nested)

    def activity_children(self, children: list[Any]) -> tuple[ast.Stmt, ...]:
        return tuple(children)

    @v_args(meta=True)
    def call_stmt(self, meta: Meta, children: list[Any]) -> ast.CallStmt:
        name_tokens: list[Token] = children[0]
        opts, settings = children[-2], children[-1]
        args = tuple(c for c in children[1:-2] if isinstance(c, ast.Arg))
        name_span = self.tspan(name_tokens[0]).to(self.tspan(name_tokens[-1]))
        call = ast.Call(self.span(meta), tuple(t.value for t in name_tokens), args, name_span)
        return ast.CallStmt(self.span(meta), opts, call, settings or ())

    # ── expressions ──────────────────────────────────────────────────────────────────────
    def dotted_name(self, children: list[Any]) -> list[Token]:
        return list(children)

    @v_args(meta=True)
    def ref(self, meta: Meta, children: list[Any]) -> ast.Ref:
        return ast.Ref(self.span(meta), tuple(t.value for t in children[0]))

    @v_args(meta=True)
    def call(self, meta: Meta, children: list[Any]) -> ast.Call:
        name_tokens: list[Token] = children[0]
        name_span = self.tspan(name_tokens[0]).to(self.tspan(name_tokens[-1]))
        args = tuple(c for c in children[1:] if isinstance(c, ast.Arg))
        return ast.Call(self.span(meta), tuple(t.value for t in name_tokens), args, name_span)

    @v_args(meta=True)
    def arg(self, meta: Meta, children: list[Any]) -> ast.Arg:
        name, value = children
        return ast.Arg(self.span(meta), name.value if name is not None else None, value)

    @v_args(meta=True)
    def string(self, meta: Meta, children: list[Any]) -> ast.Text:
        return self.text_of(children[0])

    @v_args(meta=True)
    def number(self, meta: Meta, children: list[Any]) -> ast.Number:
        text = children[0].value
        # An integer beyond 64 bits becomes the float PHP would make of it (the checker warns).
        value = float(text) if "." in text else php_integer_literal(text)
        return ast.Number(self.span(meta), value, text)

    def duration(self, children: list[Any]) -> ast.Duration:
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

    @v_args(meta=True)
    def true(self, meta: Meta, children: list[Any]) -> ast.Bool:
        return ast.Bool(self.span(meta), True)

    @v_args(meta=True)
    def false(self, meta: Meta, children: list[Any]) -> ast.Bool:
        return ast.Bool(self.span(meta), False)

    @v_args(meta=True)
    def list(self, meta: Meta, children: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(self.span(meta), tuple(c for c in children if c is not None))

    @v_args(meta=True)
    def map(self, meta: Meta, children: list[Any]) -> ast.MapExpr:
        return ast.MapExpr(self.span(meta), tuple(c for c in children if c is not None))

    @v_args(meta=True)
    def map_entry(self, meta: Meta, children: list[Any]) -> ast.MapEntry:
        key: Token = children[0]
        name = self.text_of(key).plain if key.type in ("STRING", "LONG_STRING") else key.value
        return ast.MapEntry(self.span(meta), name, self.tspan(key), children[1])

    @v_args(meta=True)
    def or_(self, meta: Meta, children: list[Any]) -> ast.BoolOp:
        return ast.BoolOp(self.span(meta), "or", children[0], children[1])

    @v_args(meta=True)
    def and_(self, meta: Meta, children: list[Any]) -> ast.BoolOp:
        return ast.BoolOp(self.span(meta), "and", children[0], children[1])

    @v_args(meta=True)
    def not_(self, meta: Meta, children: list[Any]) -> ast.Not:
        return ast.Not(self.span(meta), children[0])

    @v_args(meta=True)
    def compare(self, meta: Meta, children: list[Any]) -> ast.Compare:
        return ast.Compare(self.span(meta), children[1].value, children[0], children[2])

    def _test(self, op: str, meta: Meta, children: list[Any]) -> ast.Test:
        return ast.Test(self.span(meta), op, children[0], tuple(children[1:]))

    @v_args(meta=True)
    def in_(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("in", meta, children)

    @v_args(meta=True)
    def not_in(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("not in", meta, children)

    @v_args(meta=True)
    def contains(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("contains", meta, children)

    @v_args(meta=True)
    def not_contains(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("not contains", meta, children)

    @v_args(meta=True)
    def is_empty(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("empty", meta, children)

    @v_args(meta=True)
    def is_not_empty(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("not empty", meta, children)

    @v_args(meta=True)
    def between(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("between", meta, children)

    @v_args(meta=True)
    def changed(self, meta: Meta, children: list[Any]) -> ast.Test:
        return self._test("changed", meta, children)

    @v_args(meta=True)
    def concat(self, meta: Meta, children: list[Any]) -> ast.Binary:
        return ast.Binary(self.span(meta), "&", children[0], children[1])

    @v_args(meta=True)
    def arith(self, meta: Meta, children: list[Any]) -> ast.Binary:
        return ast.Binary(self.span(meta), children[1].value, children[0], children[2])

    @v_args(meta=True)
    def power(self, meta: Meta, children: list[Any]) -> ast.Binary:
        return ast.Binary(self.span(meta), "^", children[0], children[1])

    @v_args(meta=True)
    def neg(self, meta: Meta, children: list[Any]) -> ast.Expr:
        operand = children[0]
        if isinstance(operand, ast.Number):
            return ast.Number(self.span(meta), -operand.value, "-" + operand.text)
        if isinstance(operand, ast.Duration):
            # `dateadd(d, -2d)`: Bitrix intervals take a leading minus ("-2d").
            return ast.Duration(self.span(meta), -operand.amount, operand.unit)
        return ast.Unary(self.span(meta), "-", operand)

    @v_args(meta=True)
    def pos(self, meta: Meta, children: list[Any]) -> ast.Expr:
        return ast.Unary(self.span(meta), "+", children[0])

    @v_args(meta=True)
    def percent(self, meta: Meta, children: list[Any]) -> ast.Percent:
        return ast.Percent(self.span(meta), children[0])

    @v_args(meta=True)
    def modified(self, meta: Meta, children: list[Any]) -> ast.Modified:
        return ast.Modified(self.span(meta), children[0],
                            tuple(t.value for t in children[1:] if isinstance(t, Token)))

    def __default__(self, data: str, children: list[Any], meta: Meta) -> Any:
        # Inlined rules (`?rule`) never reach here; anything else is a grammar/builder mismatch.
        return Tree(data, children, meta)

    def _call_userfunc(self, tree: Tree[Any], new_children: list[Any] | None = None) -> Any:
        # Direct dispatch: lark's default builds a bound wrapper per node for v_args(meta=True)
        # methods and wraps every exception in VisitError; neither is wanted here.
        children = new_children if new_children is not None else tree.children
        entry = _DISPATCH.get(tree.data)
        if entry is None:
            return self.__default__(tree.data, children, tree.meta)
        function, wants_meta = entry
        return function(self, tree.meta, children) if wants_meta else function(self, children)


_DISPATCH: dict[str, tuple[Callable[..., Any], bool]] = {
    name: (attr.base_func, True) if isinstance(attr, _VArgsWrapper) else (attr, False)
    for name, attr in vars(AstBuilder).items()
    if not name.startswith("_") and (isinstance(attr, _VArgsWrapper) or callable(attr))
}


def _unescape(text: str) -> str:
    """The string escapes of .bpl resolved; an unknown escape stays as written."""
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text,
                  flags=re.DOTALL)


def _block_layout(body: str) -> tuple[tuple[int, int], ...]:
    """Offsets of a triple-quoted string's layout characters, not part of its value.

    A long string written on its own lines inside an indented block would otherwise carry
    the source's indentation into Bitrix texts: the line break after the opening quotes,
    the indentation common to all lines (the closing quotes' line counts) and the line
    break before closing quotes on their own line are dropped. Offsets are skipped rather
    than the text rewritten so that interpolations keep their exact source positions; they
    come as sorted, disjoint [start, end) ranges.
    """
    lines = body.split("\n")
    if len(lines) == 1:
        return ()
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    first_blank = not lines[0].strip()
    last_blank = not lines[-1].strip()
    measured = [line for index, line in enumerate(lines)
                if index > 0 and (line.strip() or index == len(lines) - 1)]
    indent = min((len(line) - len(line.lstrip(" \t")) for line in measured), default=0)
    ranges: list[tuple[int, int]] = []
    if first_blank:
        ranges.append((0, len(lines[0]) + 1))
    for index in range(1, len(lines)):
        ranges.append((starts[index], starts[index] + min(indent, len(lines[index]))))
    if last_blank:
        ranges.append((starts[-1] - 1, len(body)))
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(r for r in ranges if r[0] < r[1]):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return tuple(merged)


def _without(body: str, begin: int, end: int, skip: tuple[tuple[int, int], ...]) -> str:
    """body[begin:end] without the characters of the `skip` ranges."""
    if not skip:
        return body[begin:end]
    pieces = []
    index = bisect.bisect_right(skip, (begin, len(body) + 1)) - 1  # the last range from ≤ begin
    index = max(index, 0)
    at = begin
    while index < len(skip) and skip[index][0] < end:
        low, high = skip[index]
        if high > at:
            if low > at:
                pieces.append(body[at:low])
            at = max(at, high)
        index += 1
    if at < end:
        pieces.append(body[at:end])
    return "".join(pieces)


def _expression_quotes(inner: str) -> str:
    """The text of an interpolation with its escaped quotes made plain.

    Each `\\"` becomes two characters so that every offset stays aligned with the file: the
    padding space goes outside the quoted text (before an opening quote, after a closing
    one), or `{f(\\"x\\")}` would read the string "x " instead of "x".
    """
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(inner):
        if inner[i] == "\\" and i + 1 < len(inner):
            if inner[i + 1] == '"':
                out.append('" ' if in_string else ' "')
                in_string = not in_string
            else:
                out.append(inner[i:i + 2])
            i += 2
            continue
        out.append(inner[i])
        i += 1
    return "".join(out)


def _closing_brace(body: str, start: int) -> int:
    """Index of the '}' closing the '{' at `start`, skipping nested braces and strings; `body`
    has its escaped quotes already made plain."""
    depth = 0
    i = start
    in_string = False
    while i < len(body):
        ch = body[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
