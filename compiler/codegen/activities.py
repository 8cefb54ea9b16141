"""Statements → Bitrix activities (`compiler.bitrix.Activity`).

Each method lowers one statement kind to the activity the catalog describes, filling the
properties the designer would write, so that a template made here opens in the Bitrix
designer like one made there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from compiler.bitrix import Activity
from compiler.catalog.statements import (
    APPROVAL_BRANCHES,
    ASSIGN_MODE,
    GLOBAL_SET,
    LOOP_BODY,
    LOOP_SOURCES,
    OMIT,
    STATEMENTS,
    SUBJECT,
    TARGET_USER,
    TASK_FIELDS,
    WAIT_UNIT,
    action_options,
    create_activity,
    global_key,
    if_branch_title,
    parallel_branch_title,
    statement,
    writes,
)
from compiler.codegen.conditions import lower_condition
from compiler.codegen.names import Namer
from compiler.codegen.options import OptionLowerer, bitrix_duration
from compiler.codegen.values import Links, ValueLowerer, bool_yn, label_placeholder
from compiler.semantics.conditions import to_dnf
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.robots import waits
from compiler.source import Span
from compiler.syntax import ast

# Value types that hold e-mail addresses when given to `mail to`/`from` (CRM e-mail fields
# are "email"; custom fields, variables and env symbols are strings).
ADDRESS_TYPES = {"email", "string", "text"}


def node(type_: str, name: str, properties: dict[str, Any],
         children: list[Activity] | None = None, activated: bool = True) -> Activity:
    return Activity(type_, name, properties, children or [], activated)


class ActivityLowerer:
    def __init__(self, checked: CheckedWorkflow):
        self.checked = checked
        self.values = ValueLowerer()
        self.options = OptionLowerer(self.values, checked.catalog)
        self.namer = Namer(checked.workflow.name)
        self.spans: dict[str, Span] = {}  # activity Name → the statement it came from
        self.links = Links()  # label / loop → the activity's Name
        self.state_names: dict[str, str] = {}

    # ── blocks ───────────────────────────────────────────────────────────────────────────
    def block(self, body: Sequence[ast.Stmt], parent: str) -> list[Activity]:
        nodes: list[Activity] = []
        for stmt in body:
            if isinstance(stmt, ast.Expansion):
                expanded = self.block(stmt.body, parent)
                if stmt.opts.disabled:
                    # A switched-off macro call switches off everything it expands to.
                    for lowered in expanded:
                        lowered.activated = False
                nodes.extend(expanded)
                continue
            made = self.stmt(stmt, parent)
            if made is not None:
                nodes.append(made)
        return nodes

    def sequence(self, body: Sequence[ast.Stmt], parent: str, key: str, title: str,
                 span: Span) -> Activity:
        name = self._name(parent, key, span)
        return self.node("SequenceActivity", name, title, {}, self.block(body, name))

    def node(self, activity_type: str, name: str, title: str, values: dict[str, Any],
             children: list[Activity] | None = None, activated: bool = True) -> Activity:
        """A node with the properties the statement table says codegen writes for its type, in
        that order: from `values`, or the catalog default where `values` has none. Keys of
        `values` the table does not list (a condition, a robot's inputs) follow."""
        props = {"Title": title, **self.defaults(activity_type)}
        props.update(values)
        return node(activity_type, name, props, children, activated)

    def defaults(self, activity_type: str) -> dict[str, Any]:
        """The properties codegen writes for a type, each holding its catalog default."""
        return {prop: self.options.default(activity_type, prop)
                for prop in writes(activity_type)}

    def _name(self, parent: str, key: str, span: Span) -> str:
        # A key that reads an activity holds its placeholder: linked with the Names known so
        # far (see Links), as the name must not depend on anything but the source.
        name = self.namer.name(parent, self.links.link(key))
        self.spans[name] = span
        return name

    def stmt(self, stmt: ast.Stmt, parent: str) -> Activity | None:
        method = getattr(self, "_" + type(stmt).__name__)
        kind, default_title, head = self._describe(stmt)
        # An if's title belongs to its first branch; the IfElse node keeps the default.
        title = self.values.text(stmt.opts.title) if stmt.opts.title is not None and \
            not isinstance(stmt, ast.IfStmt) else default_title
        key = f"label:{stmt.opts.label}" if stmt.opts.label else f"{kind}:{title}:{head}"
        name = self._name(parent, key, stmt.span)
        if stmt.opts.label:
            self.links.labels[stmt.opts.label] = name
        result: Activity = method(stmt, name, title)
        if stmt.opts.disabled:
            result.activated = False
        if stmt.opts.comment is not None:
            result.properties["EditorComment"] = self.values.text(stmt.opts.comment)
        return result

    def _describe(self, stmt: ast.Stmt) -> tuple[str, str, str]:
        """(kind, default Title, head text that tells same-kind siblings apart).

        The kind and the head go into the activity's name: they must never change."""
        row = statement(stmt)
        head, words = self._head(stmt)
        return row.kind, row.title.format(words) if row.title else words, head

    def _head(self, stmt: ast.Stmt) -> tuple[str, str]:
        """(head text, the words the default Title is made of where it has some)."""
        text = self.values.text
        match stmt:
            case ast.SetStmt():
                targets = ", ".join(a.target.parts[-1] for a in stmt.assignments)
                return targets, targets
            case ast.AssignStmt():
                target = stmt.assignment.target.parts[-1]
                return target, target
            case ast.LogStmt() | ast.StatusStmt() | ast.NotifyStmt():
                return text(stmt.text), ""
            case ast.WaitStmt():
                return _wait_head(stmt), ""
            case ast.MailStmt():
                return text(stmt.subject), ""
            case ast.ApproveStmt() | ast.ReviewStmt() | ast.AskStmt() | ast.TaskStmt():
                return text(stmt.name), ""
            case ast.StartStmt():
                return _head(self.values.value(stmt.template),
                             self.values.value(stmt.document)), ""
            case ast.WebhookStmt():
                return text(stmt.url), ""
            case ast.CreateStmt():
                # The field names, not their values: editing a value keeps the name.
                return _head(self.values.value(stmt.document),
                             [e.key for e in stmt.fields.entries]), ""
            case ast.StageStmt():
                return str(self.values.value(stmt.stage)), ""
            case ast.AssignUsersStmt():
                return _head(self.values.users(stmt.users), stmt.mode), ""
            case ast.TerminateStmt():
                return text(stmt.status) if stmt.status else "", ""
            case ast.ActionStmt():
                subject = stmt.subject
                return _head(stmt.kind, text(subject) if isinstance(subject, ast.Text) else
                             self.values.value(subject) if subject is not None else ""), ""
            case ast.GotoStmt():
                return stmt.state, stmt.state
            case ast.WhileStmt():
                return _head(self._condition_head(stmt.condition)), ""
            case ast.ForEachStmt():
                return stmt.value_name, ""
            case ast.IfStmt():
                return _head([self._condition_head(b.condition) for b in stmt.branches]), ""
            case ast.ActivityStmt():
                title = text(stmt.title) if stmt.title is not None else stmt.type_name
                return stmt.type_name, title
            case ast.CallStmt():
                robot = self.checked.robots.get(stmt.call.dotted)
                name = robot.name.plain if robot is not None else stmt.call.dotted
                return stmt.call.dotted, name
        return "", ""

    def _condition_head(self, condition: ast.Expr | None) -> Any:
        return lower_condition(to_dnf(condition), self.values) if condition is not None \
            else None

    # ── simple statements ────────────────────────────────────────────────────────────────
    def _SetStmt(self, stmt: ast.SetStmt, name: str, title: str) -> Activity:
        variables = bool(stmt.assignments) and stmt.assignments[0].target.parts[0] == "var"
        return self._assign(stmt.assignments, variables, name, title)

    def _AssignStmt(self, stmt: ast.AssignStmt, name: str, title: str) -> Activity:
        variables = stmt.assignment.target.parts[0] != "doc"
        return self._assign((stmt.assignment,), variables, name, title)

    def _assign(self, assignments: Sequence[ast.Assignment], variables: bool, name: str,
                title: str) -> Activity:
        if assignments and assignments[0].target.parts[0] == "global":
            # SetGlobalVariableActivity keys each value by the variable's expression
            # (setglobalvariableactivity.php: getGroupIdAndIdFromSystemExpression).
            return self.node(GLOBAL_SET, name, title, {"GlobalVariableValue": {
                global_key(a.target.parts[-1]): self.values.value(a.value)
                for a in assignments}})
        if variables:
            return self.node("SetVariableActivity", name, title,
                             {"VariableValue": self._assigned(assignments)})
        return self.node("SetFieldActivity", name, title,
                         {"FieldValue": self._assigned(assignments)})

    def _assigned(self, assignments: Sequence[ast.Assignment]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in assignments:
            resolved = a.target.binding
            key = resolved.field if resolved is not None else a.target.parts[-1]
            out[key] = self.values.value(a.value)
        return out

    def _LogStmt(self, stmt: ast.LogStmt, name: str, title: str) -> Activity:
        return self.node("LogActivity", name, title, {"Text": self.values.text(stmt.text)})

    def _WaitStmt(self, stmt: ast.WaitStmt, name: str, title: str) -> Activity:
        return self.delay(stmt, name, title)

    def delay(self, stmt: ast.WaitStmt, name: str, title: str) -> Activity:
        """A DelayActivity: for a duration, for an amount of units, or until a moment."""
        props: dict[str, Any] = {}
        if stmt.duration is not None:
            props["TimeoutDuration"], props["TimeoutDurationType"] = \
                bitrix_duration(stmt.duration)
        elif stmt.amount is not None and stmt.unit is not None:
            props["TimeoutDuration"] = self.values.value(stmt.amount)
            props["TimeoutDurationType"] = WAIT_UNIT.stored(stmt.unit)
        elif stmt.until is not None:
            props["TimeoutTime"] = self.values.value(stmt.until)
        return self.node("DelayActivity", name, title, props)

    def _StatusStmt(self, stmt: ast.StatusStmt, name: str, title: str) -> Activity:
        return self.node("SetStateTitleActivity", name, title,
                         {"TargetStateTitle": self.values.text(stmt.text)})

    def _sender(self, sender: ast.Expr | None) -> list[Any]:
        # Bitrix requires a sender; the user who started the workflow is the natural default.
        return self.values.users(sender) if sender is not None else [TARGET_USER]

    def _NotifyStmt(self, stmt: ast.NotifyStmt, name: str, title: str) -> Activity:
        text = self.values.text(stmt.text)
        activity_type = statement(stmt).activity
        if stmt.kind == "message":
            return self.node(activity_type, name, title, {
                "MessageUserFrom": self._sender(stmt.sender),
                "MessageUserTo": self.values.users(stmt.users), "MessageText": text})
        # MessageType: 2 from a user (IM_NOTIFY_FROM), 4 from the system (IM_NOTIFY_SYSTEM).
        return self.node(activity_type, name, title, {
            "MessageUserFrom": self._sender(stmt.sender),
            "MessageUserTo": self.values.users(stmt.users), "MessageSite": text,
            "MessageOut": text, "MessageType": 2 if stmt.sender is not None else 4})

    def _MailStmt(self, stmt: ast.MailStmt, name: str, title: str) -> Activity:
        props = self.options.properties("MailActivity", STATEMENTS["mail"].options,
                                        stmt.settings)
        separator = props["MailSeparator"]
        for prefix, expr in (("MailUserFrom", stmt.sender), ("MailUserTo", stmt.to)):
            if expr is None:
                props[prefix] = ""
                props[prefix + "Array"] = [TARGET_USER] if prefix.endswith("From") else []
                continue
            # MailActivity keeps e-mail addresses (a text) apart from users (a list it
            # resolves to their e-mails); an address in the user list would be dropped.
            items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
            addresses = [self.values.text(i) for i in items if self._is_address(i)]
            users = [u for i in items if not self._is_address(i) for u in self.values.users(i)]
            props[prefix] = separator.join(addresses)
            props[prefix + "Array"] = users
        props.update({"MailSubject": self.values.text(stmt.subject),
                      "MailText": self.values.text(stmt.body)})
        return self.node("MailActivity", name, title, props)

    def _is_address(self, expr: ast.Expr) -> bool:
        """Is this mail recipient/sender an e-mail address rather than a user?

        A string with an @ is one, and so is a reference to a text value (an e-mail field,
        a string field, variable or env symbol); users, roles and untyped values are users.
        """
        if isinstance(expr, ast.Text):
            if "@" in expr.plain:
                return True
            inner = expr.parts[0] if len(expr.parts) == 1 else None
            return isinstance(inner, ast.Expr) and self._is_address(inner)
        if isinstance(expr, ast.Modified):
            return self._is_address(expr.operand)
        if isinstance(expr, ast.Ref):
            resolved = expr.binding
            return resolved is not None and resolved.type.name in ADDRESS_TYPES
        return False

    # ── tasks ────────────────────────────────────────────────────────────────────────────
    def _task(self, stmt: ast.ApproveStmt | ast.ReviewStmt | ast.AskStmt,
              skip: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
        """(activity type, properties) of a task for people from its users, name and options
        (but those in `skip`, which the statement lowers itself)."""
        row = statement(stmt)
        props: dict[str, Any] = {"Users": self.values.users(stmt.users),
                                 "Name": self.values.text(stmt.name)}
        props.update(self.options.properties(row.activity, row.options, stmt.settings,
                                             skip=skip))
        return row.activity, props

    def _ApproveStmt(self, stmt: ast.ApproveStmt, name: str, title: str) -> Activity:
        vote = next((s.value for s in stmt.settings if s.key == "vote"), None)
        approve_type = STATEMENTS["approve"].options["vote"].absent
        percent = self.options.default("ApproveActivity", "ApproveMinPercent")
        if isinstance(vote, ast.Ref):
            approve_type = vote.parts[0]
        elif isinstance(vote, ast.Number):
            approve_type, percent = "vote", int(vote.value)
        activity_type, props = self._task(stmt, skip=("vote",))
        props.update({"ApproveType": approve_type, "ApproveMinPercent": percent})
        children = [
            self.sequence(stmt.approved or (), name, "approved",
                          self.values.text(stmt.approved_title) if stmt.approved_title
                          else APPROVAL_BRANCHES[0], stmt.approved_span or stmt.span),
            self.sequence(stmt.rejected or (), name, "rejected",
                          self.values.text(stmt.rejected_title) if stmt.rejected_title
                          else APPROVAL_BRANCHES[1], stmt.rejected_span or stmt.span),
        ]
        return self.node(activity_type, name, title, props, children)

    def _ReviewStmt(self, stmt: ast.ReviewStmt, name: str, title: str) -> Activity:
        activity_type, props = self._task(stmt)
        return self.node(activity_type, name, title, props)

    def _AskStmt(self, stmt: ast.AskStmt, name: str, title: str) -> Activity:
        requested = []
        for f in stmt.fields:
            var = f.target.parts[-1]
            info = self.checked.decls.get(var)
            decl = info.decl if info is not None else None
            typ = info.type if info is not None else None
            options: Any = ""
            if decl is not None and decl.type.options:
                options = {o.key: self.values.text(o.label) for o in decl.type.options}
            elif decl is not None and typ is not None and typ.name == "internalselect":
                options = decl.type.argument or ""  # the document field whose options apply
            requested.append({
                "Title": self.values.text(f.label) if f.label is not None else var,
                "Name": var,
                "Type": typ.name if typ is not None else "string",
                "Description": "",
                "Default": "",
                # Booleans, as the designer stores them: Bitrix tests these by truthiness in
                # places (the task form's required mark), where 'N' would count as true.
                "Required": f.required,
                "Multiple": bool(typ and typ.multiple),
                "Options": options,
            })
        activity_type, props = self._task(stmt)
        props["RequestedInformation"] = requested
        return self.node(activity_type, name, title, props)

    def _TaskStmt(self, stmt: ast.TaskStmt, name: str, title: str) -> Activity:
        options = STATEMENTS["task"].options
        given = {"TITLE": self.values.text(stmt.name),
                 **self.options.fields(options, stmt.settings)}
        fields = {key: given[key] for key in TASK_FIELDS if key in given}
        props = self.options.properties("Task2Activity", options, stmt.settings)
        props["Fields"] = fields
        return self.node("Task2Activity", name, title, props)

    # ── documents and workflows ──────────────────────────────────────────────────────────
    def _StartStmt(self, stmt: ast.StartStmt, name: str, title: str) -> Activity:
        parameters = {e.key: self.values.value(e.value)
                      for e in (stmt.parameters.entries if stmt.parameters else ())}
        return self.node("StartWorkflowActivity", name, title, {
            "DocumentId": self.values.value(stmt.document),
            "TemplateId": self.values.value(stmt.template),
            "TemplateParameters": parameters, "UseSubscription": bool_yn(stmt.wait)})

    def _WebhookStmt(self, stmt: ast.WebhookStmt, name: str, title: str) -> Activity:
        return self.node("WebHookActivity", name, title, {"Handler": self.values.text(stmt.url)})

    def _CreateStmt(self, stmt: ast.CreateStmt, name: str, title: str) -> Activity:
        doc = stmt.document
        doc_name = doc.dotted if isinstance(doc, ast.Ref | ast.Call) else ""
        fields = {e.key: self.values.value(e.value) for e in stmt.fields.entries}
        return self.node(create_activity(doc_name), name, title, {"Fields": fields})

    def _StageStmt(self, stmt: ast.StageStmt, name: str, title: str) -> Activity:
        return self.node("CrmChangeStatusActivity", name, title, {
            "TargetStatus": self.values.value(stmt.stage)})

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt, name: str, title: str) -> Activity:
        return self.node("CrmChangeResponsibleActivity", name, title, {
            "Responsible": self.values.users(stmt.users),
            "GetterType": ASSIGN_MODE.stored(stmt.mode or ASSIGN_MODE.absent)})

    def _ActionStmt(self, stmt: ast.ActionStmt, name: str, title: str) -> Activity:
        row = STATEMENTS[stmt.kind]
        settings = stmt.settings
        if row.subject is not None and stmt.subject is not None:
            settings = (ast.Setting(stmt.subject.span, SUBJECT, stmt.subject.span,
                                    stmt.subject), *settings)
        props = self.options.properties(row.activity, action_options(row), settings)
        subject = row.subject
        if subject is not None and subject.document:
            spec = self.checked.catalog.document(subject.document)
            prop = subject.properties[0]
            if spec is not None:
                props[prop] = [spec.module, spec.entity, spec.document_type.replace(
                    "{" + spec.parameter + "}", str(props[prop]))]
        for option in row.options.values():
            value = props.get(option.properties[0])
            if option.prefixed and isinstance(value, dict) and row.subject is not None:
                prefix = f"{props[row.subject.properties[0]]}_"
                props[option.properties[0]] = {prefix + key: v for key, v in value.items()}
        activity = self.node(row.activity, name, title, props)
        given = {setting.key for setting in stmt.settings}
        for key, option in row.options.items():
            if option.absent == OMIT and key not in given:
                for prop in option.properties:
                    activity.properties.pop(prop, None)
        return activity

    def _TerminateStmt(self, stmt: ast.TerminateStmt, name: str, title: str) -> Activity:
        status = self.values.text(stmt.status) if stmt.status is not None else ""
        return self.node("TerminateActivity", name, title, {"StateTitle": status})

    def _GotoStmt(self, stmt: ast.GotoStmt, name: str, title: str) -> Activity:
        return self.node("SetStateActivity", name, title, {
            "TargetStateName": self.state_names.get(stmt.state, stmt.state)})

    # ── containers ───────────────────────────────────────────────────────────────────────
    def _ParallelStmt(self, stmt: ast.ParallelStmt, name: str, title: str) -> Activity:
        children = []
        for index, branch in enumerate(stmt.branches, 1):
            branch_title = self.values.text(branch.opts.title) if branch.opts.title else \
                parallel_branch_title(index)
            children.append(self.sequence(branch.body, name, f"branch:{branch_title}",
                                          branch_title, branch.span))
        return self.node("ParallelActivity", name, title, {}, children)

    def _WhileStmt(self, stmt: ast.WhileStmt, name: str, title: str) -> Activity:
        key, value = lower_condition(to_dnf(stmt.condition), self.values)
        body_title = self.values.text(stmt.body_title) if stmt.body_title is not None \
            else LOOP_BODY
        body = self.sequence(stmt.body, name, "body", body_title, stmt.span)
        return self.node("WhileActivity", name, title, {key: value}, [body])

    def _ForEachStmt(self, stmt: ast.ForEachStmt, name: str, title: str) -> Activity:
        self.links.loops[stmt.loop] = name
        resolved = stmt.source.binding if isinstance(stmt.source, ast.Ref) else None
        obj = LOOP_SOURCES["var"]
        variable = ""
        if resolved is not None:
            obj = resolved.object if resolved.kind == "global" else \
                LOOP_SOURCES.get(resolved.kind, LOOP_SOURCES["var"])
            if resolved.kind == "label" and resolved.label is not None:
                obj = label_placeholder(resolved.label)
            variable = resolved.field
        body = self.sequence(stmt.body, name, "body", LOOP_BODY, stmt.span)
        return self.node("ForEachActivity", name, title, {"Variable": variable, "Object": obj},
                         [body])

    def _IfStmt(self, stmt: ast.IfStmt, name: str, title: str) -> Activity:
        branches = []
        for index, branch in enumerate(stmt.branches):
            default = if_branch_title(index, branch.condition is None)
            if branch.condition is None:
                key, value = "truecondition", "1"
            else:
                key, value = lower_condition(to_dnf(branch.condition), self.values)
            branch_title = self.values.text(branch.opts.title) \
                if branch.opts.title is not None else default
            branch_name = self._name(name, f"branch:{index}:{branch_title}", branch.span)
            branches.append(self.node("IfElseBranchActivity", branch_name, branch_title,
                                      {key: value}, self.block(branch.body, branch_name),
                                      activated=not branch.opts.disabled))
        if stmt.branches[-1].condition is not None:
            # Bitrix's designer always shows an "otherwise" branch; an empty one changes nothing.
            branch_name = self._name(name, "branch:else", stmt.span)
            branches.append(self.node("IfElseBranchActivity", branch_name,
                                      if_branch_title(len(branches), otherwise=True),
                                      {"truecondition": "1"}, []))
        if stmt.chain_title is not None:
            title = self.values.text(stmt.chain_title)
        return self.node("IfElseActivity", name, title, {}, branches)

    def _ActivityStmt(self, stmt: ast.ActivityStmt, name: str, title: str) -> Activity:
        # The generic form: exactly the properties written, nothing from the table.
        props: dict[str, Any] = {"Title": title}
        spec = self.checked.catalog.activity(stmt.type_name)
        for entry in stmt.properties.entries:
            value = self.values.value(entry.value)
            prop = spec.properties.get(entry.key) if spec is not None else None
            if prop is not None and prop.type == "bool" and isinstance(entry.value, ast.Bool):
                # A PHP-bool property tests truthiness, and the string 'N' is truthy: true and
                # false stay booleans here instead of becoming 'Y'/'N'.
                value = entry.value.value
            if prop is not None and prop.type == "users" and isinstance(value, str) and \
                    isinstance(entry.value, ast.Ref | ast.Modified):
                # A user list is a list (Bitrix's import counts it): `Users: param.voters`
                # holds the one token, as the designer writes it.
                value = [value]
            props[entry.key] = value
        children = self.block(stmt.children, name) if stmt.children is not None else []
        return node(stmt.type_name, name, props, children)

    def _CallStmt(self, stmt: ast.CallStmt, name: str, title: str) -> Activity:
        robot = self.checked.robots[stmt.call.dotted]
        activity_type = self.checked.robot_types.get(robot.code, "rest_" + robot.code)
        props: dict[str, Any] = {"Title": title, **self.defaults(activity_type),
                                 "UseSubscription": bool_yn(waits(robot))}
        for setting in robot.settings:
            if setting.key == "auth_user":
                users = self.values.users(setting.value)
                props["AuthUserId"] = users[0] if users else ""
        props.update(self.options.properties(activity_type, STATEMENTS["call"].options,
                                             stmt.settings))
        inputs = [i.name for i in robot.inputs]
        for index, arg in enumerate(stmt.call.args):
            key = arg.name or (inputs[index] if index < len(inputs) else f"arg{index}")
            props[key] = self.values.value(arg.value)
        for io in robot.inputs:
            if io.name not in props and io.default is not None:
                props[io.name] = self.values.value(io.default)
        return node(activity_type, name, props)


def _head(*parts: Any) -> str:
    """A statement's distinguishing content as text, for its name's key.

    Without it, every `if` (or `while`, `create`, …) of a block would share one key and be
    told apart only by its position among them: inserting one would rename all that follow.
    """
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


def _wait_head(stmt: ast.WaitStmt) -> str:
    if stmt.duration is not None:
        return f"{stmt.duration.amount}{stmt.duration.unit}"
    return "until" if stmt.until is not None else "for"
