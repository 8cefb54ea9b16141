"""The .bpl syntax tree. Every node carries the span of the text it was built from.

Nodes describe what was written, not what it means: `doc.TITLE` is a Ref with two parts,
`user(12)` is a Call. The semantic stage decides what each form denotes and records it in a
bound copy of the tree (compiler/semantics/binder.py): a Ref's `binding`, a loop's `loop`
identity, a macro call's expansion (`Expansion`). Those results never take part in equality,
so a bound tree has the shape of the tree it was made from.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from compiler.record import record
from compiler.source import Span

if TYPE_CHECKING:  # the binder's result type; semantics.types imports nothing of the compiler
    from compiler.semantics.types import Resolved

# ── expressions ────────────────────────────────────────────────────────────────────────────


@record
class Node:
    span: Span


@record
class Expr(Node):
    pass


@record
class Text(Expr):
    """A string literal. `parts` alternate literal text and interpolated expressions;
    `RawBitrix` parts are `{=Object:Field}` tokens written verbatim by the author."""

    parts: tuple[str | Expr, ...]

    @property
    def is_plain(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def plain(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@record
class RawBitrix(Expr):
    """A Bitrix expression token kept as written, e.g. `{=Document:TITLE > printable}`."""

    text: str


@record
class Number(Expr):
    value: int | float
    text: str


@record
class Bool(Expr):
    value: bool


@record
class Duration(Expr):
    amount: int
    unit: str  # s, m, h, d, w

    @property
    def seconds(self) -> int:
        return self.amount * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[self.unit]


@record
class Ref(Expr):
    """A dotted name: doc.TITLE, param.limit, approval.Comments, env.sales_director, item.

    `binding` is what the name denotes, set in the bound tree only (None when it denotes
    nothing: an unknown name, or a word such as an option's value)."""

    parts: tuple[str, ...]
    binding: Resolved | None = field(default=None, compare=False, repr=False)

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@record
class Arg(Node):
    name: str | None
    value: Expr


@record
class Call(Expr):
    name: tuple[str, ...]
    args: tuple[Arg, ...]
    name_span: Span

    @property
    def dotted(self) -> str:
        return ".".join(self.name)


@record
class Unary(Expr):
    op: str  # '-', '+'
    operand: Expr


@record
class Binary(Expr):
    """Arithmetic, power and `&` concatenation."""

    op: str  # + - * / ^ &
    left: Expr
    right: Expr


@record
class Percent(Expr):
    operand: Expr


@record
class Modified(Expr):
    """`x | printable`: Bitrix modifiers applied to a reference."""

    operand: Expr
    modifiers: tuple[str, ...]


@record
class Compare(Expr):
    op: str  # == != > >= < <=
    left: Expr
    right: Expr


@record
class Test(Expr):
    """Operators other than comparisons: in, not in, contains, not contains, empty,
    not empty, between, changed. `args` holds the right-hand operands (0, 1 or 2)."""

    op: str
    operand: Expr
    args: tuple[Expr, ...]


@record
class BoolOp(Expr):
    op: str  # 'and' | 'or'
    left: Expr
    right: Expr


@record
class Not(Expr):
    operand: Expr


@record
class ListExpr(Expr):
    items: tuple[Expr, ...]


@record
class MapEntry(Node):
    key: str
    key_span: Span
    value: Expr


@record
class MapExpr(Expr):
    entries: tuple[MapEntry, ...]

    def get(self, key: str) -> MapEntry | None:
        return next((e for e in self.entries if e.key == key), None)


# ── types and declarations ─────────────────────────────────────────────────────────────────


@record
class SelectOption(Node):
    key: str
    label: Text


@record
class TypeRef(Node):
    """`string`, `user[]`, `select {"a": "A"}`, `internalselect("FIELD")`, `type("UF:crm")`."""

    name: str
    multiple: bool = False
    options: tuple[SelectOption, ...] = ()
    argument: str | None = None


@record
class Decl(Node):
    kind: str  # param | var | const
    name: str
    name_span: Span
    type: TypeRef
    default: Expr | None
    required: bool
    label: Text | None
    description: Text | None
    # `asked`: a variable the designer's `ask` form created; Bitrix keeps the form field's title
    # (the label) beside it as `Title`.
    asked: bool = False


@record
class FieldDecl(Node):
    """`field budget: double = env.budget_field "Budget"`: a document field the catalog does not
    know, optionally under a portal-specific code."""

    name: str
    name_span: Span
    type: TypeRef
    code: Expr | None
    label: Text | None


# ── statements ─────────────────────────────────────────────────────────────────────────────


@record
class StmtOpts:
    title: Text | None = None
    disabled: bool = False
    label: str | None = None
    label_span: Span | None = None
    comment: Text | None = None


@record
class Stmt(Node):
    opts: StmtOpts


@record
class Setting(Node):
    """`vote any`, `timeout: 3d` inside an option block."""

    key: str
    key_span: Span
    value: Expr


@record
class Assignment(Node):
    target: Ref
    value: Expr


@record
class SetStmt(Stmt):
    assignments: tuple[Assignment, ...]
    block: bool  # written as `set { … }`


@record
class AssignStmt(Stmt):
    """`var.x = v` (no `set` keyword)."""

    assignment: Assignment


@record
class LogStmt(Stmt):
    text: Expr


@record
class WaitStmt(Stmt):
    duration: Duration | None = None
    until: Expr | None = None
    amount: Expr | None = None  # `wait for EXPR days`
    unit: str | None = None


@record
class StatusStmt(Stmt):
    text: Text


@record
class NotifyStmt(Stmt):
    kind: str  # notify | message
    users: Expr
    text: Text
    sender: Expr | None


@record
class MailStmt(Stmt):
    to: Expr
    subject: Text
    body: Text
    sender: Expr | None
    settings: tuple[Setting, ...]


@record
class ApproveStmt(Stmt):
    name: Text
    users: Expr
    settings: tuple[Setting, ...]
    approved: tuple[Stmt, ...] | None
    rejected: tuple[Stmt, ...] | None
    approved_span: Span | None = None
    rejected_span: Span | None = None
    approved_title: Text | None = None  # the branches' Titles (default Approved / Rejected)
    rejected_title: Text | None = None


@record
class ReviewStmt(Stmt):
    name: Text
    users: Expr
    settings: tuple[Setting, ...]


@record
class AskField(Node):
    target: Ref
    label: Text | None
    required: bool


@record
class AskStmt(Stmt):
    name: Text
    users: Expr
    fields: tuple[AskField, ...]
    settings: tuple[Setting, ...]


@record
class TaskStmt(Stmt):
    name: Text
    settings: tuple[Setting, ...]


@record
class StartStmt(Stmt):
    template: Expr
    document: Expr
    parameters: MapExpr | None
    wait: bool


@record
class WebhookStmt(Stmt):
    url: Text


@record
class CreateStmt(Stmt):
    document: Expr
    fields: MapExpr


@record
class StageStmt(Stmt):
    stage: Expr


@record
class AssignUsersStmt(Stmt):
    users: Expr
    mode: str | None


@record
class ActionStmt(Stmt):
    """A statement that fills one activity's properties: the value after its keyword (its
    row's `subject`) and an option block (`choose`, `profile`, `sms`, `delete document`…)."""

    kind: str
    subject: Expr | None
    settings: tuple[Setting, ...]


@record
class TerminateStmt(Stmt):
    status: Text | None


@record
class GotoStmt(Stmt):
    state: str
    state_span: Span


@record
class Branch(Node):
    opts: StmtOpts
    body: tuple[Stmt, ...]


@record
class ParallelStmt(Stmt):
    branches: tuple[Branch, ...]


@record
class WhileStmt(Stmt):
    condition: Expr
    body: tuple[Stmt, ...]
    body_title: Text | None = None  # the body sequence's Title (default LOOP_BODY)


@record
class ForEachStmt(Stmt):
    """`loop` is the loop's identity in the bound tree, which the bindings of its item names
    refer to (a symbol, resolved to the activity's Name when the template is linked)."""

    value_name: str
    key_name: str | None
    source: Expr
    body: tuple[Stmt, ...]
    loop: str = field(default="", compare=False, repr=False)


@record
class IfBranch(Node):
    condition: Expr | None  # None for else
    opts: StmtOpts
    body: tuple[Stmt, ...]


@record
class IfStmt(Stmt):
    branches: tuple[IfBranch, ...]
    # The IfElse node's own Title (default: the statement table's); opts.title is the first
    # branch's.
    chain_title: Text | None = None


@record
class ActivityStmt(Stmt):
    """The generic form: any activity type with raw properties and optional children."""

    type_name: str
    type_span: Span
    title: Text | None
    properties: MapExpr
    children: tuple[Stmt, ...] | None


@record
class CallStmt(Stmt):
    """`my_robot(arg: v) { timeout 1h }` or `my_macro(v)`."""

    call: Call
    settings: tuple[Setting, ...] = ()


@record
class Expansion(Stmt):
    """A call of a macro in a bound tree: the call as written and the statements it stands for
    (the macro's body with the call's arguments in place of its parameters). Only the checker
    makes these (compiler/semantics/expander.py); a parsed tree never holds one."""

    call: CallStmt
    body: tuple[Stmt, ...]


# ── workflows, states, robots, macros ──────────────────────────────────────────────────────


@record
class EventHandler(Node):
    """A block of a state: enter, exit, `on command X`, `on delay D`."""

    kind: str  # enter | exit | command | delay
    opts: StmtOpts
    body: tuple[Stmt, ...]
    command: str | None = None
    command_title: Text | None = None
    users: Expr | None = None
    delay: WaitStmt | None = None


@record
class Permission(Node):
    """`permission read [role.author, param.voters]`: an operation on the document and who
    may do it (a workflow's or a state's `Permission` map)."""

    operation: str
    users: Expr


@record
class State(Node):
    name: str
    name_span: Span
    title: Text | None
    initial: bool
    handlers: tuple[EventHandler, ...]
    permissions: tuple[Permission, ...] = ()
    # `permission mode hold|rewrite|clear`, `permission scope workflow|document`.
    permission_mode: tuple[str, Span] | None = None
    permission_scope: tuple[str, Span] | None = None


@record
class Workflow(Node):
    kind: str  # sequential | statemachine
    name: str
    name_span: Span
    document: Expr
    title: Text | None = None
    description: Text | None = None
    autostart: tuple[tuple[str, Span], ...] = ()
    decls: tuple[Decl, ...] = ()
    fields: tuple[FieldDecl, ...] = ()
    body: tuple[Stmt, ...] = ()
    states: tuple[State, ...] = ()
    root_title: Text | None = None  # the root activity's Title when it is not `title`
    permissions: tuple[Permission, ...] = ()


@record
class RobotIO(Node):
    kind: str  # input | output
    name: str
    name_span: Span
    type: TypeRef
    default: Expr | None
    required: bool
    label: Text | None
    description: Text | None


@record
class RobotDecl(Node):
    kind: str  # robot | action
    code: str
    code_span: Span
    name: Text
    settings: tuple[Setting, ...]
    inputs: tuple[RobotIO, ...]
    outputs: tuple[RobotIO, ...]


@record
class MacroDecl(Node):
    name: str
    name_span: Span
    params: tuple[str, ...]
    body: tuple[Stmt, ...]


@record
class Import(Node):
    path: str


Item = Import | Workflow | RobotDecl | MacroDecl


@record
class Module(Node):
    items: tuple[Item, ...] = field(default=())

    @property
    def workflows(self) -> tuple[Workflow, ...]:
        return tuple(i for i in self.items if isinstance(i, Workflow))
