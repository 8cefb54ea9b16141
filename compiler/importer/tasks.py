"""Task activities with option blocks: `approve`, `review`, `ask` and `task` (§6).

A property holding its default gets no option; any other value becomes the option that
produces it, in a fixed order.
"""

from __future__ import annotations

from typing import Any

from compiler.deploy.normalise import flag
from compiler.deploy.normalise import value as canonical
from compiler.importer.nodes import Context, Node, text_setting, word
from compiler.importer.scope import NOWHERE
from compiler.importer.sugar import TARGET_USER
from compiler.syntax import ast

_COMMENT = {("Y", "N"): None, ("Y", "Y"): "required", ("N", "N"): "hidden",
            ("Y", "YA"): "required_on_approve", ("Y", "YR"): "required_on_reject"}
_DELEGATION = {"0": None, "1": "all", "2": "none"}
_PRIORITY = {"0": "low", "1": "normal", "2": "high"}
_UNITS = {"s", "m", "h", "d"}
_COMMON = {"Users", "Name", "Description", "Parameters", "OverdueDate", "StatusMessage",
           "SetStatusMessage", "TimeoutDuration", "TimeoutDurationType", "CommentLabelMessage",
           "ShowComment", "CommentRequired", "AccessControl", "DelegationType"}


class TaskStatements:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.values = ctx.values

    def build(self, node: Node) -> ast.Stmt | None:
        method = getattr(self, "_" + node.type, None)
        return method(node) if method is not None else None

    # ── shared by approve, review and ask ────────────────────────────────────────────────
    def _common(self, node: Node) -> tuple[ast.Text, ast.Expr, list[ast.Setting]] | None:
        get = self.ctx.get
        name = self.values.any_text(get(node, "Name"))
        users = self.values.users(get(node, "Users"))
        if name is None or users is None:
            return None
        settings: list[ast.Setting] = []
        for key, setting in (("Description", "description"), ("Parameters", "parameters")):
            raw = get(node, key)
            if raw not in ("", None):
                text = self.values.any_text(raw)
                if text is None:
                    return None
                settings.append(text_setting(setting, text))
        status, set_status = get(node, "StatusMessage"), flag(get(node, "SetStatusMessage"))
        if set_status == "Y":
            text = self.values.any_text(status)
            if text is None:
                return None
            settings.append(text_setting("status", text))
        elif status not in ("", None):
            return None
        timeout = self._timeout(node)
        if timeout is False:
            return None
        if isinstance(timeout, ast.Setting):
            settings.append(timeout)
        deadline = get(node, "OverdueDate")
        if deadline not in ("", None):
            settings.append(text_setting("deadline", self.values.value(deadline)))
        shown = (str(flag(get(node, "ShowComment"))), str(get(node, "CommentRequired") or "N"))
        if shown not in _COMMENT:
            return None
        comment = _COMMENT[shown]
        if comment is not None:
            settings.append(word("comment", comment))
        label = get(node, "CommentLabelMessage")
        if label not in ("", None):
            text = self.values.any_text(label)
            if text is None:
                return None
            settings.append(text_setting("comment_label", text))
        delegated = str(canonical(get(node, "DelegationType") or 0))
        if delegated not in _DELEGATION:
            return None
        delegation = _DELEGATION[delegated]
        if delegation is not None:
            settings.append(word("delegation", delegation))
        if flag(get(node, "AccessControl")) == "Y":
            settings.append(text_setting("access_control", ast.Bool(NOWHERE, True)))
        return name, users, settings

    def _timeout(self, node: Node) -> ast.Setting | bool | None:
        amount = str(canonical(self.ctx.get(node, "TimeoutDuration") or 0))
        unit = str(self.ctx.get(node, "TimeoutDurationType") or "s")
        if amount == "0":
            return None
        if not amount.isdigit() or unit not in _UNITS:
            return False
        return text_setting("timeout", ast.Duration(NOWHERE, int(amount), unit))

    def _button(self, node: Node, key: str, setting: str, default: str,
                settings: list[ast.Setting]) -> bool:
        raw = self.ctx.get(node, key)
        if canonical(raw) == canonical(default):
            return True
        text = self.values.any_text(raw)
        if text is None:
            return False
        settings.append(text_setting(setting, text))
        return True

    # ── approve ──────────────────────────────────────────────────────────────────────────
    def _ApproveActivity(self, node: Node) -> ast.Stmt | None:
        get = self.ctx.get
        common = self._common(node)
        children = node.children
        if common is None or not self._branches(children) or not self.ctx.only(node, {
                *_COMMON, "ApproveType", "ApproveMinPercent", "ApproveWaitForAll",
                "TaskButton1Message", "TaskButton2Message"}):
            return None
        name, users, settings = common
        kind, percent = get(node, "ApproveType"), str(canonical(get(node, "ApproveMinPercent")))
        if kind == "vote" and percent.isdigit() and 0 < int(percent) <= 100:
            settings.insert(0, text_setting("vote", ast.Number(NOWHERE, int(percent), percent)))
        elif kind in ("any", "all") and percent == "50":
            if kind == "all":
                settings.insert(0, word("vote", "all"))
        else:
            return None
        if flag(get(node, "ApproveWaitForAll")) == "Y":
            settings.append(text_setting("wait_for_all", ast.Bool(NOWHERE, True)))
        if not self._button(node, "TaskButton1Message", "approve_button", "Approve", settings) \
                or not self._button(node, "TaskButton2Message", "reject_button", "Reject",
                                    settings):
            return None
        opts = self.ctx.opts(node, "Approve")
        if opts is None:
            return None
        approved, rejected = (self.ctx.block(child.children) for child in children)
        return ast.ApproveStmt(NOWHERE, opts, name, users, tuple(settings),
                               approved or None, rejected or None)

    def _branches(self, children: list[Node]) -> bool:
        """The two SequenceActivity children codegen gives an approval."""
        if [c.type for c in children] != ["SequenceActivity", "SequenceActivity"]:
            return False
        return all(c.activated and c.properties == {"Title": title} and
                   c.name not in self.ctx.scope.labels
                   for c, title in zip(children, ("Approved", "Rejected"), strict=True))

    # ── review ───────────────────────────────────────────────────────────────────────────
    def _ReviewActivity(self, node: Node) -> ast.Stmt | None:
        common = self._common(node)
        if common is None or node.children or not self.ctx.only(
                node, {*_COMMON, "ApproveType", "TaskButtonMessage"}):
            return None
        name, users, settings = common
        kind = self.ctx.get(node, "ApproveType") or "all"
        if kind not in ("any", "all"):
            return None
        if kind == "any":
            settings.insert(0, word("vote", "any"))
        opts = self.ctx.opts(node, "Review")
        if opts is None or not self._button(node, "TaskButtonMessage", "button", "Reviewed",
                                            settings):
            return None
        return ast.ReviewStmt(NOWHERE, opts, name, users, tuple(settings))

    # ── ask ──────────────────────────────────────────────────────────────────────────────
    def _RequestInformationActivity(self, node: Node) -> ast.Stmt | None:
        common = self._common(node)
        requested = self.ctx.get(node, "RequestedInformation")
        if common is None or node.children or not isinstance(requested, list) or \
                not requested or not self.ctx.only(
                    node, {*_COMMON, "RequestedInformation", "TaskButtonMessage"}):
            return None
        name, users, settings = common
        fields = [self._field(item) for item in requested]
        if any(f is None for f in fields):
            return None
        opts = self.ctx.opts(node, "Request information")
        if opts is None or not self._button(node, "TaskButtonMessage", "button", "Save",
                                            settings):
            return None
        return ast.AskStmt(NOWHERE, opts, name, users,
                           tuple(f for f in fields if f is not None), tuple(settings))

    def _field(self, item: Any) -> ast.AskField | None:
        """One requested field: it writes a declared variable of the same type."""
        if not isinstance(item, dict):
            return None
        ident = str(item.get("Name", ""))
        target = self.ctx.scope.decl("var", ident)
        declared = self.ctx.scope.decls.get(ident)
        if target is None or declared is None:
            return None
        typ = declared[1]
        if str(item.get("Type", "")) != typ.name or \
                (flag(item.get("Multiple")) == "Y") != typ.multiple or \
                item.get("Description") not in ("", None) or item.get("Default") not in (
                    "", None):
            return None
        title = item.get("Title", ident)
        label = None if title == ident else self.values.any_text(title)
        if title != ident and label is None:
            return None
        return ast.AskField(NOWHERE, target, label, flag(item.get("Required")) == "Y")

    # ── task ─────────────────────────────────────────────────────────────────────────────
    def _Task2Activity(self, node: Node) -> ast.Stmt | None:
        get = self.ctx.get
        fields = get(node, "Fields")
        if not isinstance(fields, dict) or node.children or not self.ctx.only(node, {
                "Fields", "HoldToClose", "AUTO_LINK_TO_CRM_ENTITY", "AsChildTask",
                "CheckListItems", "TimeEstimateHour", "TimeEstimateMin"}):
            return None
        if flag(get(node, "AUTO_LINK_TO_CRM_ENTITY")) != "Y" or \
                str(canonical(get(node, "TimeEstimateHour") or 0)) != "0" or \
                str(canonical(get(node, "TimeEstimateMin") or 0)) != "0":
            return None
        name = self.values.any_text(fields.get("TITLE"))
        settings = self._task_settings(fields)
        if name is None or settings is None:
            return None
        if flag(get(node, "HoldToClose")) == "Y":
            settings.append(text_setting("wait", ast.Bool(NOWHERE, True)))
        if flag(get(node, "AsChildTask")) == "Y":
            settings.append(text_setting("subtask", ast.Bool(NOWHERE, True)))
        checklist = get(node, "CheckListItems")
        if checklist not in ([], "", None):
            if not isinstance(checklist, list):
                return None
            settings.append(text_setting("checklist", self.values.value(checklist)))
        opts = self.ctx.opts(node, "Create task")
        return ast.TaskStmt(NOWHERE, opts, name, tuple(settings)) if opts is not None else None

    def _task_settings(self, fields: dict[str, Any]) -> list[ast.Setting] | None:
        known = {"TITLE", "CREATED_BY", "RESPONSIBLE_ID", "ACCOMPLICES", "AUDITORS",
                 "DESCRIPTION", "DEADLINE", "START_DATE_PLAN", "END_DATE_PLAN", "GROUP_ID",
                 "PRIORITY", "ALLOW_CHANGE_DEADLINE", "TASK_CONTROL", "ALLOW_TIME_TRACKING"}
        if set(fields) - known or "RESPONSIBLE_ID" not in fields:
            return None
        settings: list[ast.Setting] = []
        for field, key in (("RESPONSIBLE_ID", "responsible"), ("CREATED_BY", "creator"),
                           ("ACCOMPLICES", "accomplices"), ("AUDITORS", "auditors")):
            if field not in fields or (field == "CREATED_BY" and
                                       fields[field] == [TARGET_USER]):
                continue
            users = self.values.users(fields[field])
            if users is None or (field == "CREATED_BY" and fields[field] == []):
                return None
            settings.append(text_setting(key, users))
        for field, key in (("DESCRIPTION", "description"), ("DEADLINE", "deadline"),
                           ("START_DATE_PLAN", "start"), ("END_DATE_PLAN", "end"),
                           ("GROUP_ID", "group")):
            if field in fields:
                settings.append(text_setting(key, self.values.value(fields[field])))
        if "PRIORITY" in fields:
            priority = _PRIORITY.get(str(canonical(fields["PRIORITY"])))
            if priority is None:
                return None
            settings.append(word("priority", priority))
        for field, key in (("ALLOW_CHANGE_DEADLINE", "allow_change_deadline"),
                           ("TASK_CONTROL", "control"), ("ALLOW_TIME_TRACKING", "time_tracking")):
            if field in fields:
                spelled = flag(fields[field])
                if spelled is None:
                    return None
                settings.append(text_setting(key, ast.Bool(NOWHERE, spelled == "Y")))
        return settings

