"""Statements → Bitrix activity nodes `{Type, Name, Activated, Properties, Children}`.

Each method lowers one statement kind to the activity the catalog describes, filling the
properties the designer would write, so that a template made here opens in the Bitrix
designer like one made there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from compiler.catalog.statements import create_activity
from compiler.codegen.conditions import lower_condition
from compiler.codegen.names import Namer
from compiler.codegen.values import Placeholders, ValueLowerer, bool_yn, label_placeholder
from compiler.semantics.conditions import to_dnf
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.robots import waits
from compiler.source import Span
from compiler.syntax import ast

Node = dict[str, Any]

_DELAY_UNITS = {"s": "s", "m": "m", "h": "h", "d": "d"}
_COMMENT = {"required": ("Y", "Y"), "optional": ("Y", "N"), "hidden": ("N", "N"),
            "required_on_approve": ("Y", "YA"), "required_on_reject": ("Y", "YR")}
_DELEGATION = {"subordinates": 0, "all": 1, "none": 2}
_PRIORITY = {"low": 0, "normal": 1, "high": 2}
_GETTER = {"random": "r", "first": "f", "queue": "s", None: "r"}
_UNIT_WORDS = {"seconds": "s", "minutes": "m", "hours": "h", "days": "d"}
# Value types that hold e-mail addresses when given to `mail to`/`from` (CRM e-mail fields
# are "email"; custom fields, variables and env symbols are strings).
_ADDRESS_TYPES = {"email", "string", "text"}


def node(type_: str, name: str, properties: dict[str, Any], children: list[Node] | None = None,
         activated: bool = True) -> Node:
    return {"Type": type_, "Name": name, "Activated": "Y" if activated else "N",
            "Properties": properties, "Children": children or []}


class ActivityLowerer:
    def __init__(self, checked: CheckedWorkflow):
        self.checked = checked
        self.values = ValueLowerer(checked)
        self.namer = Namer(checked.workflow.name)
        self.spans: dict[str, Span] = {}  # activity Name → the statement it came from
        self.label_names: dict[str, str] = {}
        self.loop_names: dict[int, str] = {}
        self.state_names: dict[str, str] = {}

    # ── blocks ───────────────────────────────────────────────────────────────────────────
    def block(self, body: Sequence[ast.Stmt], parent: str) -> list[Node]:
        nodes: list[Node] = []
        for stmt in body:
            if isinstance(stmt, ast.CallStmt) and id(stmt) in self.checked.expansions:
                expanded = self.block(self.checked.expansions[id(stmt)], parent)
                if stmt.opts.disabled:
                    # A switched-off macro call switches off everything it expands to.
                    for lowered in expanded:
                        lowered["Activated"] = "N"
                nodes.extend(expanded)
                continue
            lowered = self.stmt(stmt, parent)
            if lowered is not None:
                nodes.append(lowered)
        return nodes

    def sequence(self, body: Sequence[ast.Stmt], parent: str, key: str, title: str,
                 span: Span) -> Node:
        name = self._name(parent, key, span)
        return node("SequenceActivity", name, {"Title": title}, self.block(body, name))

    def _name(self, parent: str, key: str, span: Span) -> str:
        # Texts that read a loop item hold a placeholder made from a memory address; the
        # enclosing loop's (stable) Name replaces it, or names would change from run to run.
        name = self.namer.name(parent, Placeholders(self.label_names, self.loop_names)
                               .resolve(key))
        self.spans[name] = span
        return name

    def stmt(self, stmt: ast.Stmt, parent: str) -> Node | None:
        method = getattr(self, "_" + type(stmt).__name__)
        kind, default_title, head = self._describe(stmt)
        # An if's title belongs to its first branch; the IfElse node keeps the default.
        title = self.values.text(stmt.opts.title) if stmt.opts.title is not None and \
            not isinstance(stmt, ast.IfStmt) else default_title
        key = f"label:{stmt.opts.label}" if stmt.opts.label else f"{kind}:{title}:{head}"
        name = self._name(parent, key, stmt.span)
        if stmt.opts.label:
            self.label_names[stmt.opts.label] = name
        result: Node = method(stmt, name, title)
        if stmt.opts.disabled:
            result["Activated"] = "N"
        if stmt.opts.comment is not None:
            result["Properties"]["EditorComment"] = self.values.text(stmt.opts.comment)
        return result

    def _describe(self, stmt: ast.Stmt) -> tuple[str, str, str]:
        """(kind, default Title, head text that tells same-kind siblings apart)."""
        text = self.values.text
        match stmt:
            case ast.SetStmt():
                targets = ", ".join(a.target.parts[-1] for a in stmt.assignments)
                return "set", f"Set {targets}", targets
            case ast.AssignStmt():
                target = stmt.assignment.target.parts[-1]
                return "assign", f"Set {target}", target
            case ast.LogStmt():
                return "log", "Log", text(stmt.text)
            case ast.WaitStmt():
                return "wait", "Pause", _wait_head(stmt)
            case ast.StatusStmt():
                return "status", "Set status", text(stmt.text)
            case ast.NotifyStmt():
                return stmt.kind, "Notify" if stmt.kind == "notify" else "Message", \
                    text(stmt.text)
            case ast.MailStmt():
                return "mail", "Send e-mail", text(stmt.subject)
            case ast.ApproveStmt():
                return "approve", "Approve", text(stmt.name)
            case ast.ReviewStmt():
                return "review", "Review", text(stmt.name)
            case ast.AskStmt():
                return "ask", "Request information", text(stmt.name)
            case ast.TaskStmt():
                return "task", "Create task", text(stmt.name)
            case ast.StartStmt():
                return "start", "Start workflow", _head(self.values.value(stmt.template),
                                                        self.values.value(stmt.document))
            case ast.WebhookStmt():
                return "webhook", "Webhook", text(stmt.url)
            case ast.CreateStmt():
                # The field names, not their values: editing a value keeps the name.
                return "create", "Create document", _head(
                    self.values.value(stmt.document), [e.key for e in stmt.fields.entries])
            case ast.StageStmt():
                return "stage", "Change stage", str(self.values.value(stmt.stage))
            case ast.AssignUsersStmt():
                return "assign_users", "Change responsible", _head(
                    self.values.users(stmt.users), stmt.mode)
            case ast.TerminateStmt():
                return "terminate", "Terminate", text(stmt.status) if stmt.status else ""
            case ast.GotoStmt():
                return "goto", f"Go to {stmt.state}", stmt.state
            case ast.ParallelStmt():
                return "parallel", "Parallel", ""
            case ast.WhileStmt():
                return "while", "While", _head(self._condition_head(stmt.condition))
            case ast.ForEachStmt():
                return "foreach", "For each", stmt.value_name
            case ast.IfStmt():
                return "if", "Condition", _head([self._condition_head(b.condition)
                                                 for b in stmt.branches])
            case ast.ActivityStmt():
                title = text(stmt.title) if stmt.title is not None else stmt.type_name
                return "activity", title, stmt.type_name
            case ast.CallStmt():
                robot = self.checked.robots.get(stmt.call.dotted)
                name = robot.name.plain if robot is not None else stmt.call.dotted
                return "call", name, stmt.call.dotted
        return type(stmt).__name__, type(stmt).__name__, ""

    def _condition_head(self, condition: ast.Expr | None) -> Any:
        return lower_condition(to_dnf(condition), self.values) if condition is not None \
            else None

    # ── simple statements ────────────────────────────────────────────────────────────────
    def _SetStmt(self, stmt: ast.SetStmt, name: str, title: str) -> Node:
        if stmt.assignments and stmt.assignments[0].target.parts[0] == "var":
            return node("SetVariableActivity", name, {
                "Title": title, "VariableValue": self._assigned(stmt.assignments)})
        return node("SetFieldActivity", name, {
            "Title": title, "FieldValue": self._assigned(stmt.assignments),
            "MergeMultipleFields": "N", "ModifiedBy": []})

    def _AssignStmt(self, stmt: ast.AssignStmt, name: str, title: str) -> Node:
        if stmt.assignment.target.parts[0] == "doc":
            return node("SetFieldActivity", name, {
                "Title": title, "FieldValue": self._assigned((stmt.assignment,)),
                "MergeMultipleFields": "N", "ModifiedBy": []})
        return node("SetVariableActivity", name, {
            "Title": title, "VariableValue": self._assigned((stmt.assignment,))})

    def _assigned(self, assignments: Sequence[ast.Assignment]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in assignments:
            resolved = self.checked.resolved(a.target)
            key = resolved.field if resolved is not None else a.target.parts[-1]
            out[key] = self.values.value(a.value)
        return out

    def _LogStmt(self, stmt: ast.LogStmt, name: str, title: str) -> Node:
        return node("LogActivity", name, {"Title": title, "Text": self.values.text(stmt.text),
                                          "SetVariable": False})

    def _WaitStmt(self, stmt: ast.WaitStmt, name: str, title: str) -> Node:
        return node("DelayActivity", name, {"Title": title, **self.delay(stmt)})

    def delay(self, stmt: ast.WaitStmt) -> dict[str, Any]:
        props: dict[str, Any] = {"TimeoutDuration": "", "TimeoutDurationType": "s",
                                 "TimeoutTime": "", "TimeoutTimeIsLocal": "N",
                                 "WriteToLog": "N"}
        if stmt.duration is not None:
            amount, unit = stmt.duration.amount, stmt.duration.unit
            if unit == "w":
                amount, unit = amount * 7, "d"
            props["TimeoutDuration"] = amount
            props["TimeoutDurationType"] = _DELAY_UNITS[unit]
        elif stmt.amount is not None and stmt.unit is not None:
            props["TimeoutDuration"] = self.values.value(stmt.amount)
            props["TimeoutDurationType"] = _UNIT_WORDS[stmt.unit]
        elif stmt.until is not None:
            props["TimeoutTime"] = self.values.value(stmt.until)
        return props

    def _StatusStmt(self, stmt: ast.StatusStmt, name: str, title: str) -> Node:
        return node("SetStateTitleActivity", name, {
            "Title": title, "TargetStateTitle": self.values.text(stmt.text)})

    def _sender(self, sender: ast.Expr | None) -> list[Any]:
        # Bitrix requires a sender; the user who started the workflow is the natural default.
        return self.values.users(sender) if sender is not None else ["{=Template:TargetUser}"]

    def _NotifyStmt(self, stmt: ast.NotifyStmt, name: str, title: str) -> Node:
        text = self.values.text(stmt.text)
        if stmt.kind == "message":
            return node("SocNetMessageActivity", name, {
                "Title": title, "MessageUserFrom": self._sender(stmt.sender),
                "MessageUserTo": self.values.users(stmt.users), "MessageText": text,
                "MessageFormat": ""})
        return node("IMNotifyActivity", name, {
            "Title": title, "MessageUserFrom": self._sender(stmt.sender),
            "MessageUserTo": self.values.users(stmt.users), "MessageSite": text,
            "MessageOut": text, "MessageType": 2 if stmt.sender is not None else 4})

    def _MailStmt(self, stmt: ast.MailStmt, name: str, title: str) -> Node:
        settings = self._settings(stmt.settings)
        separator = self._text(settings, "separator", ",")
        props: dict[str, Any] = {"Title": title}
        for prefix, expr in (("MailUserFrom", stmt.sender), ("MailUserTo", stmt.to)):
            if expr is None:
                props[prefix] = ""
                props[prefix + "Array"] = ["{=Template:TargetUser}"] if prefix.endswith(
                    "From") else []
                continue
            # MailActivity keeps e-mail addresses (a text) apart from users (a list it
            # resolves to their e-mails); an address in the user list would be dropped.
            items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
            addresses = [self.values.text(i) for i in items if self._is_address(i)]
            users = [u for i in items if not self._is_address(i) for u in self.values.users(i)]
            props[prefix] = separator.join(addresses)
            props[prefix + "Array"] = users
        props.update({
            "MailSubject": self.values.text(stmt.subject),
            "MailText": self.values.text(stmt.body),
            "MailMessageType": "html" if self._flag(settings, "html") else "plain",
            "MailCharset": self._text(settings, "charset", "UTF-8"),
            "MailMessageEncoded": 0,
            "DirrectMail": bool_yn(self._flag(settings, "direct", True)),
            "MailSeparator": separator,
            "File": [], "FileType": "file",
        })
        return node("MailActivity", name, props)

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
            resolved = self.checked.resolved(expr)
            return resolved is not None and resolved.type.name in _ADDRESS_TYPES
        return False

    # ── tasks ────────────────────────────────────────────────────────────────────────────
    def _task_common(self, settings: dict[str, ast.Setting], task_name: ast.Text,
                     users: ast.Expr) -> dict[str, Any]:
        show, required = _COMMENT[self._word(settings, "comment", "optional")]
        props: dict[str, Any] = {
            "Users": self.values.users(users),
            "Name": self.values.text(task_name),
            "Description": self._text(settings, "description", ""),
            "Parameters": self._text(settings, "parameters", ""),
            "OverdueDate": self._value(settings, "deadline", ""),
            "StatusMessage": self._text(settings, "status", ""),
            "SetStatusMessage": bool_yn("status" in settings),
            "TimeoutDuration": 0, "TimeoutDurationType": "s",
            "CommentLabelMessage": self._text(settings, "comment_label", ""),
            "ShowComment": show, "CommentRequired": required,
            "AccessControl": bool_yn(self._flag(settings, "access_control")),
            "DelegationType": _DELEGATION[self._word(settings, "delegation", "subordinates")],
        }
        props.update(_timeout(settings))
        return props

    def _ApproveStmt(self, stmt: ast.ApproveStmt, name: str, title: str) -> Node:
        settings = self._settings(stmt.settings)
        props = {"Title": title, **self._task_common(settings, stmt.name, stmt.users)}
        vote = settings.get("vote")
        approve_type, percent = "any", 50
        if vote is not None and isinstance(vote.value, ast.Ref):
            approve_type = vote.value.parts[0]
        elif vote is not None and isinstance(vote.value, ast.Number):
            approve_type, percent = "vote", int(vote.value.value)
        props.update({
            "ApproveType": approve_type, "ApproveMinPercent": percent,
            "ApproveWaitForAll": bool_yn(self._flag(settings, "wait_for_all")),
            "TaskButton1Message": self._text(settings, "approve_button", "Approve"),
            "TaskButton2Message": self._text(settings, "reject_button", "Reject"),
        })
        children = [
            self.sequence(stmt.approved or (), name, "approved", "Approved",
                          stmt.approved_span or stmt.span),
            self.sequence(stmt.rejected or (), name, "rejected", "Rejected",
                          stmt.rejected_span or stmt.span),
        ]
        return node("ApproveActivity", name, props, children)

    def _ReviewStmt(self, stmt: ast.ReviewStmt, name: str, title: str) -> Node:
        settings = self._settings(stmt.settings)
        props = {"Title": title, **self._task_common(settings, stmt.name, stmt.users)}
        props["ApproveType"] = self._word(settings, "vote", "all")
        props["TaskButtonMessage"] = self._text(settings, "button", "Reviewed")
        return node("ReviewActivity", name, props)

    def _AskStmt(self, stmt: ast.AskStmt, name: str, title: str) -> Node:
        settings = self._settings(stmt.settings)
        props = {"Title": title, **self._task_common(settings, stmt.name, stmt.users)}
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
        props["RequestedInformation"] = requested
        props["TaskButtonMessage"] = self._text(settings, "button", "Save")
        return node("RequestInformationActivity", name, props)

    def _TaskStmt(self, stmt: ast.TaskStmt, name: str, title: str) -> Node:
        settings = self._settings(stmt.settings)
        fields: dict[str, Any] = {
            "TITLE": self.values.text(stmt.name),
            "CREATED_BY": self._users_setting(settings, "creator") or
            ["{=Template:TargetUser}"],
            "RESPONSIBLE_ID": self._users_setting(settings, "responsible"),
        }
        for key, field in (("accomplices", "ACCOMPLICES"), ("auditors", "AUDITORS")):
            if key in settings:
                fields[field] = self._users_setting(settings, key)
        for key, field in (("description", "DESCRIPTION"), ("deadline", "DEADLINE"),
                           ("start", "START_DATE_PLAN"), ("end", "END_DATE_PLAN"),
                           ("group", "GROUP_ID")):
            if key in settings:
                fields[field] = self.values.value(settings[key].value)
        if "priority" in settings:
            fields["PRIORITY"] = _PRIORITY[self._word(settings, "priority", "normal")]
        for key, field in (("allow_change_deadline", "ALLOW_CHANGE_DEADLINE"),
                           ("control", "TASK_CONTROL"), ("time_tracking", "ALLOW_TIME_TRACKING")):
            if key in settings:
                fields[field] = bool_yn(self._flag(settings, key))
        checklist = settings.get("checklist")
        items = self.values.value(checklist.value) if checklist is not None else []
        return node("Task2Activity", name, {
            "Title": title, "Fields": fields,
            "HoldToClose": self._flag(settings, "wait"),
            "AUTO_LINK_TO_CRM_ENTITY": True,
            "AsChildTask": 1 if self._flag(settings, "subtask") else 0,
            "CheckListItems": items if isinstance(items, list) else [items],
            "TimeEstimateHour": 0, "TimeEstimateMin": 0,
        })

    # ── documents and workflows ──────────────────────────────────────────────────────────
    def _StartStmt(self, stmt: ast.StartStmt, name: str, title: str) -> Node:
        parameters = {e.key: self.values.value(e.value)
                      for e in (stmt.parameters.entries if stmt.parameters else ())}
        return node("StartWorkflowActivity", name, {
            "Title": title, "DocumentId": self.values.value(stmt.document),
            "TemplateId": self.values.value(stmt.template),
            "TemplateParameters": parameters, "UseSubscription": bool_yn(stmt.wait)})

    def _WebhookStmt(self, stmt: ast.WebhookStmt, name: str, title: str) -> Node:
        return node("WebHookActivity", name, {"Title": title,
                                              "Handler": self.values.text(stmt.url)})

    def _CreateStmt(self, stmt: ast.CreateStmt, name: str, title: str) -> Node:
        doc = stmt.document
        doc_name = doc.dotted if isinstance(doc, ast.Ref | ast.Call) else ""
        fields = {e.key: self.values.value(e.value) for e in stmt.fields.entries}
        return node(create_activity(doc_name), name,
                    {"Title": title, "Fields": fields})

    def _StageStmt(self, stmt: ast.StageStmt, name: str, title: str) -> Node:
        return node("CrmChangeStatusActivity", name, {
            "Title": title, "TargetStatus": self.values.value(stmt.stage), "ModifiedBy": []})

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt, name: str, title: str) -> Node:
        return node("CrmChangeResponsibleActivity", name, {
            "Title": title, "Responsible": self.values.users(stmt.users), "ModifiedBy": [],
            "GetterType": _GETTER[stmt.mode], "SkipAbsent": "N", "SkipTimeMan": "N"})

    def _TerminateStmt(self, stmt: ast.TerminateStmt, name: str, title: str) -> Node:
        status = self.values.text(stmt.status) if stmt.status is not None else ""
        return node("TerminateActivity", name, {"Title": title, "StateTitle": status})

    def _GotoStmt(self, stmt: ast.GotoStmt, name: str, title: str) -> Node:
        return node("SetStateActivity", name, {
            "Title": title, "TargetStateName": self.state_names.get(stmt.state, stmt.state),
            "CancelCurrentState": "N"})

    # ── containers ───────────────────────────────────────────────────────────────────────
    def _ParallelStmt(self, stmt: ast.ParallelStmt, name: str, title: str) -> Node:
        children = []
        for index, branch in enumerate(stmt.branches, 1):
            branch_title = self.values.text(branch.opts.title) if branch.opts.title else \
                f"Branch {index}"
            children.append(self.sequence(branch.body, name, f"branch:{branch_title}",
                                          branch_title, branch.span))
        return node("ParallelActivity", name, {"Title": title}, children)

    def _WhileStmt(self, stmt: ast.WhileStmt, name: str, title: str) -> Node:
        key, value = lower_condition(to_dnf(stmt.condition), self.values)
        body = self.sequence(stmt.body, name, "body", "Loop body", stmt.span)
        return node("WhileActivity", name, {"Title": title, key: value}, [body])

    def _ForEachStmt(self, stmt: ast.ForEachStmt, name: str, title: str) -> Node:
        self.loop_names[id(stmt)] = name
        resolved = self.checked.resolved(stmt.source) if isinstance(stmt.source, ast.Ref) \
            else None
        obj = "Variable"
        variable = ""
        if resolved is not None:
            obj = {"var": "Variable", "param": "Parameter", "const": "Constant",
                   "doc": "Document", "global": resolved.object}.get(resolved.kind, "Variable")
            if resolved.kind == "label" and resolved.label is not None:
                obj = label_placeholder(resolved.label)
            variable = resolved.field
        body = self.sequence(stmt.body, name, "body", "Loop body", stmt.span)
        return node("ForEachActivity", name, {"Title": title, "Variable": variable,
                                              "Object": obj}, [body])

    def _IfStmt(self, stmt: ast.IfStmt, name: str, title: str) -> Node:
        branches = []
        for index, branch in enumerate(stmt.branches):
            if branch.condition is None:
                key, value = "truecondition", "1"
                default = "Otherwise"
            else:
                key, value = lower_condition(to_dnf(branch.condition), self.values)
                default = "Yes" if index == 0 else f"Else if {index}"
            branch_title = self.values.text(branch.opts.title) \
                if branch.opts.title is not None else default
            branch_name = self._name(name, f"branch:{index}:{branch_title}", branch.span)
            branches.append(node("IfElseBranchActivity", branch_name,
                                 {"Title": branch_title, key: value},
                                 self.block(branch.body, branch_name),
                                 activated=not branch.opts.disabled))
        if stmt.branches[-1].condition is not None:
            # Bitrix's designer always shows an "otherwise" branch; an empty one changes nothing.
            branch_name = self._name(name, "branch:else", stmt.span)
            branches.append(node("IfElseBranchActivity", branch_name,
                                 {"Title": "Otherwise", "truecondition": "1"}, []))
        return node("IfElseActivity", name, {"Title": title}, branches)

    def _ActivityStmt(self, stmt: ast.ActivityStmt, name: str, title: str) -> Node:
        props: dict[str, Any] = {"Title": title}
        catalog = self.checked.catalog
        spec = catalog.activity(stmt.type_name) if catalog is not None else None
        for entry in stmt.properties.entries:
            value = self.values.value(entry.value)
            prop = spec.properties.get(entry.key) if spec is not None else None
            if prop is not None and prop.type == "bool" and isinstance(entry.value, ast.Bool):
                # A PHP-bool property tests truthiness, and the string 'N' is truthy: true and
                # false stay booleans here instead of becoming 'Y'/'N'.
                value = entry.value.value
            props[entry.key] = value
        children = self.block(stmt.children, name) if stmt.children is not None else []
        return node(stmt.type_name, name, props, children)

    def _CallStmt(self, stmt: ast.CallStmt, name: str, title: str) -> Node:
        robot = self.checked.robots[stmt.call.dotted]
        props: dict[str, Any] = {
            "Title": title,
            "UseSubscription": bool_yn(waits(robot)),
            "AuthUserId": "",
            "SetStatusMessage": "Y", "StatusMessage": "",
            "TimeoutDuration": 0, "TimeoutDurationType": "s",
        }
        for setting in robot.settings:
            if setting.key == "auth_user":
                users = self.values.users(setting.value)
                props["AuthUserId"] = users[0] if users else ""
        settings = self._settings(stmt.settings)
        props.update(_timeout(settings))
        if "status" in settings:
            props["StatusMessage"] = self._text(settings, "status", "")
        inputs = [i.name for i in robot.inputs]
        for index, arg in enumerate(stmt.call.args):
            key = arg.name or (inputs[index] if index < len(inputs) else f"arg{index}")
            props[key] = self.values.value(arg.value)
        for io in robot.inputs:
            if io.name not in props and io.default is not None:
                props[io.name] = self.values.value(io.default)
        activity_type = self.checked.robot_types.get(robot.code, "rest_" + robot.code)
        return node(activity_type, name, props)

    # ── option helpers ───────────────────────────────────────────────────────────────────
    @staticmethod
    def _settings(settings: Sequence[ast.Setting]) -> dict[str, ast.Setting]:
        return {s.key: s for s in settings}

    def _text(self, settings: dict[str, ast.Setting], key: str, default: str) -> Any:
        setting = settings.get(key)
        return self.values.text(setting.value) if setting is not None else default

    def _value(self, settings: dict[str, ast.Setting], key: str, default: Any) -> Any:
        setting = settings.get(key)
        return self.values.value(setting.value) if setting is not None else default

    @staticmethod
    def _flag(settings: dict[str, ast.Setting], key: str, default: bool = False) -> bool:
        setting = settings.get(key)
        if setting is None:
            return default
        return not (isinstance(setting.value, ast.Bool) and not setting.value.value)

    @staticmethod
    def _word(settings: dict[str, ast.Setting], key: str, default: str) -> str:
        setting = settings.get(key)
        if setting is not None and isinstance(setting.value, ast.Ref):
            return setting.value.parts[0]
        return default

    def _users_setting(self, settings: dict[str, ast.Setting], key: str) -> list[Any]:
        setting = settings.get(key)
        return self.values.users(setting.value) if setting is not None else []


def _head(*parts: Any) -> str:
    """A statement's distinguishing content as text, for its name's key.

    Without it, every `if` (or `while`, `create`, …) of a block would share one key and be
    told apart only by its position among them: inserting one would rename all that follow.
    """
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


def _timeout(settings: dict[str, ast.Setting]) -> dict[str, Any]:
    """TimeoutDuration/Type from a `timeout` option (Bitrix knows s, m, h, d; weeks become days)."""
    setting = settings.get("timeout")
    if setting is None or not isinstance(setting.value, ast.Duration):
        return {}
    amount, unit = setting.value.amount, setting.value.unit
    if unit == "w":
        amount, unit = amount * 7, "d"
    return {"TimeoutDuration": amount, "TimeoutDurationType": unit}


def _wait_head(stmt: ast.WaitStmt) -> str:
    if stmt.duration is not None:
        return f"{stmt.duration.amount}{stmt.duration.unit}"
    return "until" if stmt.until is not None else "for"
