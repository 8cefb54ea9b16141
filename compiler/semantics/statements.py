"""Bitrix's rules for the statements of a bound workflow: what each statement needs, which
options it takes and what values they hold, robot and action calls, macro calls."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from compiler.catalog import Catalog, PropertySpec
from compiler.catalog.statements import CREATE_ACTIVITIES, STATEMENTS, Option
from compiler.catalog.statements import settings as option_block
from compiler.diagnostics import Diagnostics, Label
from compiler.hosts import check_url, shown
from compiler.semantics import types as T
from compiler.semantics.binder import assignable_shape, document_name
from compiler.semantics.environment import APP_CLIENT_ID, Environment
from compiler.semantics.expressions import ExpressionChecker
from compiler.semantics.generic import action_problems, ends_workflow, key_kind, unknown_key
from compiler.semantics.model import DocumentBinding
from compiler.semantics.permissions import check_operation
from compiler.semantics.program import Program
from compiler.semantics.robots import io_type, waits
from compiler.semantics.suggestions import did_you_mean, option_key
from compiler.source import Span
from compiler.syntax import ast

MAX_DELAY_SECONDS = 5 * 365 * 86400
# The value types of catalog property types (stdlib/activities.toml) a value is checked
# against; the others (maps, conditions, expressions, document ids…) are not.
_PROPERTY_TYPES = {"int": T.INT, "double": T.DOUBLE, "bool": T.BOOL, "yn": T.BOOL,
                   "user": T.USER, "users": T.USERS, "datetime": T.DATETIME,
                   "select": T.Type("select")}
_PROPERTY_WORDS = {"yn": "'Y' or 'N'", "users": "users", "user": "a user"}
# The value types of option kinds (compiler/catalog/statements.py) that take any expression.
_OPTION_TYPES = {"date": T.DATETIME, "int": T.INT, "text": T.TEXT}

# What makes a webhook URL an error besides what WebHookActivity refuses (the help says why).
_WEBHOOK_REFUSED = "Bitrix's WebHookActivity calls http(s) URLs with a dotted host only"
_WEBHOOK_ERRORS = {
    "credentials": "the template stores it in clear: anyone who can open the template reads it",
    "port": "no connection can be made to that port",
}


def robot_activity_type(client_id: str, code: str) -> str:
    """`rest_` + md5(client_id@CODE): how Bitrix names an app's robot/action type."""
    return "rest_" + hashlib.md5(f"{client_id}@{code}".encode()).hexdigest()


class StatementRules:
    def __init__(self, program: Program, catalog: Catalog, env: Environment,
                 document: DocumentBinding, robots: Mapping[str, ast.RobotDecl],
                 states: Sequence[str], exprs: ExpressionChecker, diag: Diagnostics) -> None:
        self.program = program
        self.catalog = catalog
        self.env = env
        self.document = document
        self.robots = robots  # bound: a robot's auth_user as this workflow reads it
        self.states = states
        self.exprs = exprs
        self.diag = diag
        self.robot_types: dict[str, str] = {}  # robot code → rest_<md5>

    def block(self, body: Sequence[ast.Stmt], *, in_state: bool) -> None:
        ended: ast.Stmt | None = None
        warned = False
        for stmt in body:
            if ended is not None and not warned:
                kind = "goto" if isinstance(ended, ast.GotoStmt) else \
                    "stage" if isinstance(ended, ast.StageStmt) else \
                    ends_workflow(ended) or "terminate"
                ends = "state" if kind == "goto" else "workflow"
                self.diag.warning("W402", f"this never runs: the '{kind}' before it ends the "
                                          f"{ends}", stmt.span,
                                  labels=(Label(ended.span, f"'{kind}' is here"),))
                warned = True
            self._stmt(stmt, in_state)
            if ended is None and not stmt.opts.disabled and (isinstance(
                    stmt, ast.TerminateStmt | ast.GotoStmt | ast.StageStmt) or
                    ends_workflow(stmt)):
                ended = stmt

    def _stmt(self, stmt: ast.Stmt, in_state: bool) -> None:
        opts = stmt.opts
        if opts.title is not None:
            self.exprs.expr(opts.title)
        getattr(self, "_" + type(stmt).__name__)(stmt, in_state)

    def _SetStmt(self, stmt: ast.SetStmt, in_state: bool) -> None:
        kinds = set()
        for a in stmt.assignments:
            kinds.add(self._assignment(a))
        if len(kinds - {None}) > 1:
            what = "document fields and variables" if kinds - {None} == {"doc", "var"} else \
                "global variables and other places"
            self.diag.error("E202", f"one 'set' cannot write both {what}",
                            stmt.span, help="Bitrix sets them with different activities; "
                                            "split it into two statements")
        seen: dict[str, Span] = {}
        for a in stmt.assignments:
            key = a.target.dotted
            if key in seen:
                self.diag.error("E101", f"{key} is set twice in one statement", a.target.span,
                                labels=(Label(seen[key], "first set here"),))
            seen[key] = a.target.span

    def _AssignStmt(self, stmt: ast.AssignStmt, in_state: bool) -> None:
        self._assignment(stmt.assignment)

    def _assignment(self, a: ast.Assignment) -> str | None:
        target = a.target
        value_type = self.exprs.expr(a.value)
        head = target.parts[0]
        if not assignable_shape(target):
            what = {"param": "a parameter", "const": "a constant"}.get(head,
                                                                       "this reference")
            if head == "global" and len(target.parts) == 3 and target.parts[1] == "const":
                what = "a global constant"  # SetGlobalVariableActivity writes variables only
            self.diag.error("E202", f"{what} cannot be assigned: {target.dotted}", target.span,
                            help="write document fields with 'set doc.FIELD = …', variables "
                                 "with 'var.NAME = …' and global variables with "
                                 "'global.var.NAME = …'")
            return None
        resolved = target.binding
        if resolved is None:
            return None
        if head == "doc":
            info = self.document.fields.get(target.parts[1])
            if info is not None and info.readonly:
                self.diag.error("E202", f"document field {info.code} is read-only",
                                target.span, help="Bitrix computes it; it cannot be set")
        self._value(resolved.value_type, a.value, value_type, target.dotted,
                    options=resolved.options)
        return head

    def _value(self, target: T.Type, value: ast.Expr, value_type: T.Type | None, where: str,
               *, options: tuple[str, ...] = ()) -> None:
        """A value written to `where`, of type `target` (E200, or W203 for a lossy one)."""
        for item, misfit in self.exprs.misfits(target, value, value_type, options=options):
            if misfit.literal:
                self.exprs.report("E200", misfit, item.span, f"{where} is {target.single()}: ")
            else:
                self.diag.error("E200", f"{where} is {target}, the value is "
                                        f"{misfit.value_type}", item.span, help=misfit.help)

    def _LogStmt(self, stmt: ast.LogStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.text)

    def _WaitStmt(self, stmt: ast.WaitStmt, in_state: bool) -> None:
        self.wait(stmt)

    def wait(self, stmt: ast.WaitStmt) -> None:
        if stmt.duration is not None:
            seconds = stmt.duration.seconds
            if seconds <= 0:
                self.diag.error("E303", "a pause must be longer than zero", stmt.duration.span)
            elif seconds > MAX_DELAY_SECONDS:
                self.diag.error("E303", "Bitrix pauses at most 5 years", stmt.duration.span)
        if stmt.until is not None:
            typ = self.exprs.expr(stmt.until)
            # DelayActivity takes a timestamp too (delayactivity.php reads a number as one).
            if typ.base not in ("int", "double"):
                for item, misfit in self.exprs.misfits(T.DATETIME, stmt.until, typ):
                    if misfit.literal:
                        self.exprs.report("E200", misfit, item.span, "'wait until' needs a "
                                                                     "date: ")
                    else:
                        self.diag.error("E200", f"'wait until' needs a date or datetime, "
                                                f"not {typ}", stmt.until.span)
        if stmt.amount is not None:
            typ = self.exprs.expr(stmt.amount)
            for item, misfit in self.exprs.misfits(T.DOUBLE, stmt.amount, typ):
                if misfit.literal:
                    self.exprs.report("E200", misfit, item.span, "'wait for' needs a number: ")
                else:
                    self.diag.error("E200", f"'wait for' needs a number, not {typ}",
                                    stmt.amount.span)

    def _StatusStmt(self, stmt: ast.StatusStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.text)

    def _NotifyStmt(self, stmt: ast.NotifyStmt, in_state: bool) -> None:
        self.exprs.users(stmt.users)
        self.exprs.expr(stmt.text)
        if stmt.sender is not None:
            self.exprs.users(stmt.sender)

    def _MailStmt(self, stmt: ast.MailStmt, in_state: bool) -> None:
        if not (isinstance(stmt.to, ast.Text) and "@" in stmt.to.plain):
            self.exprs.users(stmt.to, addresses=True)
        self.exprs.expr(stmt.subject)
        self.exprs.expr(stmt.body)
        if stmt.sender is not None and not (isinstance(stmt.sender, ast.Text) and
                                            "@" in stmt.sender.plain):
            self.exprs.users(stmt.sender, addresses=True)
        self._settings("mail", stmt.settings)

    def _ApproveStmt(self, stmt: ast.ApproveStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.name)
        self.exprs.users(stmt.users)
        self._settings("approve", stmt.settings)
        for setting in stmt.settings:
            if setting.key == "vote":
                self._vote(setting.value)
        for title in (stmt.approved_title, stmt.rejected_title):
            if title is not None:
                self.exprs.expr(title)
        for branch in (stmt.approved, stmt.rejected):
            if branch is not None:
                self.block(branch, in_state=in_state)

    def _vote(self, value: ast.Expr) -> None:
        if isinstance(value, ast.Ref) and value.parts in (("any",), ("all",)):
            return
        if isinstance(value, ast.Number) and 0 < value.value <= 100:
            return
        self.diag.error("E303", "vote is any, all, or a percentage from 1 to 100", value.span)

    def _ReviewStmt(self, stmt: ast.ReviewStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.name)
        self.exprs.users(stmt.users)
        self._settings("review", stmt.settings)

    def _AskStmt(self, stmt: ast.AskStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.name)
        self.exprs.users(stmt.users)
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
            if f.label is not None:
                self.exprs.expr(f.label)

    def _TaskStmt(self, stmt: ast.TaskStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.name)
        self._settings("task", stmt.settings)
        if not any(s.key == "responsible" for s in stmt.settings):
            self.diag.error("E300", "a task needs a responsible person", stmt.span,
                            help="add responsible: USERS to the task's block")

    def _StartStmt(self, stmt: ast.StartStmt, in_state: bool) -> None:
        # TemplateId is the started template's number (startworkflowactivity.php).
        self._value(T.INT, stmt.template, self.exprs.expr(stmt.template), "the template id")
        self.exprs.expr(stmt.document)
        if stmt.parameters is not None:
            for entry in stmt.parameters.entries:
                self.exprs.expr(entry.value)

    def _WebhookStmt(self, stmt: ast.WebhookStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.url)
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
        name = document_name(stmt.document)
        spec = self.catalog.document(name)
        if name not in CREATE_ACTIVITIES and name != self.document.name:
            self.diag.error("E102", f"'create' makes CRM deals, leads, contacts and companies, "
                                    f"or documents of this workflow's type; not '{name}'",
                            stmt.document.span)
            return
        fields = {k: v for k, v in spec.fields.items()} if spec is not None else {}
        for entry in stmt.fields.entries:
            value_type = self.exprs.expr(entry.value)
            field = fields.get(entry.key)
            if fields and field is None and not entry.key.startswith("UF_"):
                self.diag.error("E100", f"'{entry.key}' is not a field of {name}", entry.key_span,
                                help=did_you_mean(entry.key, fields))
            elif field is not None:
                self._value(T.Type(field.stores or field.type, field.multiple), entry.value,
                            value_type, entry.key, options=tuple(field.options or ()))
        if name == "crm.deal" and stmt.fields.get("TITLE") is None:
            self.diag.error("E300", "a new deal needs a TITLE", stmt.fields.span,
                            help="Bitrix's CreateCrmDealDocumentActivity requires it")

    def _StageStmt(self, stmt: ast.StageStmt, in_state: bool) -> None:
        self.exprs.expr(stmt.stage)
        if self.document.known and not self.document.is_crm:
            self.diag.error("E400", "'stage' changes the stage of CRM items only",
                            stmt.span, help="set the status field with 'set doc.FIELD = …'")

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt, in_state: bool) -> None:
        self.exprs.users(stmt.users)
        if self.document.known and not self.document.is_crm:
            self.diag.error("E400", "'assign' changes the responsible of CRM items only",
                            stmt.span, help="set the responsible field with 'set doc.FIELD = …'")

    def _ActionStmt(self, stmt: ast.ActionStmt, in_state: bool) -> None:
        row = STATEMENTS[stmt.kind]
        self._settings(stmt.kind, stmt.settings)
        if row.subject is not None and stmt.subject is not None:
            self._subject(stmt.kind, row.subject, stmt.subject)
        for problem in action_problems(self.catalog, self.document, row, stmt):
            self.diag.error(problem.code, problem.message, stmt.span, help=problem.help)

    def _subject(self, kind: str, option: Option, value: ast.Expr) -> None:
        """The value after a statement's keyword, as the option it stands for."""
        if option.kind == "grants" and isinstance(value, ast.MapExpr):
            self._grants(value)
            return
        value_type = self.exprs.expr(value)
        if option.kind in ("users", "user"):
            self.exprs.users(value, checked=value_type)
        elif option.kind in _OPTION_TYPES:
            self._value(_OPTION_TYPES[option.kind], value, value_type, kind)

    def _grants(self, grants: ast.MapExpr) -> None:
        """Operation → users: each operation one the document type offers, where the catalog
        knows its operations (E303), each value a user list."""
        for entry in grants.entries:
            check_operation(entry.key, entry.key_span, self.exprs, self.diag)
            self.exprs.users(entry.value)

    def _TerminateStmt(self, stmt: ast.TerminateStmt, in_state: bool) -> None:
        if stmt.status is not None:
            self.exprs.expr(stmt.status)

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
                self.exprs.expr(branch.opts.title)
            self.block(branch.body, in_state=in_state)

    def _WhileStmt(self, stmt: ast.WhileStmt, in_state: bool) -> None:
        self.exprs.condition(stmt.condition)
        if not stmt.body:
            self.diag.error("E403", "a while loop needs a body", stmt.span)
        if stmt.body_title is not None:
            self.exprs.expr(stmt.body_title)
        self.block(stmt.body, in_state=in_state)

    def _ForEachStmt(self, stmt: ast.ForEachStmt, in_state: bool) -> None:
        source = stmt.source
        resolved = source.binding if isinstance(source, ast.Ref) else None
        if resolved is None:
            if not isinstance(source, ast.Ref):
                self.diag.error("E200", "for each iterates over a variable, parameter, constant "
                                        "or document field", source.span)
        elif resolved.kind not in ("var", "param", "const", "doc", "global", "label"):
            self.diag.error("E200", "for each iterates over a variable, parameter, constant "
                                    "or document field", source.span)
        if not stmt.body:
            self.diag.error("E403", "a for each loop needs a body", stmt.span)
        self.block(stmt.body, in_state=in_state)

    def _IfStmt(self, stmt: ast.IfStmt, in_state: bool) -> None:
        for branch in stmt.branches:
            if branch.condition is not None:
                self.exprs.condition(branch.condition)
            if branch.opts.title is not None and branch is not stmt.branches[0]:
                self.exprs.expr(branch.opts.title)
            self.block(branch.body, in_state=in_state)
        if stmt.chain_title is not None:
            self.exprs.expr(stmt.chain_title)

    def _ActivityStmt(self, stmt: ast.ActivityStmt, in_state: bool) -> None:
        spec = self.catalog.activity(stmt.type_name)
        if spec is None and not stmt.type_name.startswith("rest_"):
            self.diag.warning("W302", f"activity type '{stmt.type_name}' is not in the catalog; "
                                      "its properties are not checked", stmt.type_span,
                              help=did_you_mean(stmt.type_name, self.catalog.activities))
        condition: ast.MapEntry | None = None
        for entry in stmt.properties.entries:
            kind = "unknown" if spec is None else key_kind(self.catalog, spec, entry.key)
            if kind == "condition":
                condition = self._condition_key(stmt.type_name, entry, condition)
                continue  # a Bitrix condition array: its strings are operators, not formulas
            value_type = self.exprs.expr(entry.value)
            if spec is not None and kind == "unknown":
                unknown = unknown_key(self.catalog, spec, stmt.type_name, entry.key)
                self.diag.warning("W301", unknown.message, entry.key_span, help=unknown.help)
            elif spec is not None and kind == "property":
                self._property(stmt.type_name, entry, spec.properties[entry.key], value_type)
        if stmt.children is not None:
            self.block(stmt.children, in_state=in_state)

    def _condition_key(self, activity: str, entry: ast.MapEntry,
                       first: ast.MapEntry | None) -> ast.MapEntry:
        """The condition of a generic branch or loop: Bitrix reads the first one only."""
        if first is None:
            return entry
        self.diag.warning("W307", f"{activity} reads one condition: '{entry.key}' after "
                                  f"'{first.key}' is ignored", entry.key_span,
                          labels=(Label(first.key_span, "the condition Bitrix reads"),),
                          help="remove one, or combine them in one condition")
        return first

    def _property(self, activity: str, entry: ast.MapEntry, spec: PropertySpec,
                  value_type: T.Type) -> None:
        """A generic activity's property against the type the catalog gives it. A warning
        (W204), not an error: the generic form is also how `bpl import` writes a template as
        Bitrix holds it, whatever it holds."""
        target = _PROPERTY_TYPES.get(spec.type)
        if target is None or spec.options_enforced:
            return  # options Bitrix enforces are its import rules' (E300)
        options = tuple(str(o) for o in spec.options or ())
        for item, misfit in self.exprs.misfits(target, entry.value, value_type,
                                               options=options):
            what = f"{activity}.{entry.key} is {_PROPERTY_WORDS.get(spec.type, spec.type)}: "
            message = misfit.message if misfit.literal else \
                f"the value is {misfit.value_type}"
            self.diag.warning("W204", what + message, item.span, help=misfit.help)

    def _Expansion(self, stmt: ast.Expansion, in_state: bool) -> None:
        opts, call = stmt.opts, stmt.call
        if opts.title is not None or opts.label is not None or opts.comment is not None:
            # A macro call becomes its statements, not one activity: there is no single
            # node to carry a title, a label or a designer comment.
            self.diag.error("E400", f"a call of macro '{call.call.dotted}' takes no "
                                    "title, label or comment", stmt.span,
                            help="put them on the statements inside the macro; "
                                 "'disabled' is allowed and switches them all off")
        if call.settings:
            self.diag.error("E303", f"a call of macro '{call.call.dotted}' takes no "
                                    "options", call.settings[0].key_span,
                            help="options such as timeout belong to robot and action calls")
        self.block(stmt.body, in_state=in_state)

    def _CallStmt(self, stmt: ast.CallStmt, in_state: bool) -> None:
        call = stmt.call
        robot = self.robots.get(call.dotted)
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
                self.exprs.users(setting.value)
        inputs = {i.name: i for i in robot.inputs}
        given: set[str] = set()
        for index, arg in enumerate(call.args):
            value_type = self.exprs.expr(arg.value)
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
            self._value(io_type(io.type), arg.value, value_type, f"input '{name}'",
                        options=tuple(o.key for o in io.type.options))
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
            value_type = self.exprs.expr(value)
            if spec.kind in ("users", "user"):
                self.exprs.users(value, checked=value_type)
            elif spec.kind == "bool" and value_type.base not in ("bool", "any"):
                self.diag.error("E200", f"{setting.key} is true or false", value.span)
            elif spec.kind in _OPTION_TYPES:
                self._value(_OPTION_TYPES[spec.kind], value, value_type, setting.key)
            elif spec.kind == "list" and not isinstance(value, ast.ListExpr) and \
                    value_type.base != "any" and not value_type.multiple:
                self.diag.error("E200", f"{setting.key} takes a list: [a, b]", value.span)
