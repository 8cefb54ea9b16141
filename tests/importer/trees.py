"""Hypothesis strategies for template data as Bitrix stores it: designer names, flags in every
spelling, texts with field tokens and formulas, every condition shape, containers, activities
the language has statements for (in codegen's shape and in others) and any other activity.

Only what a .bpl file can hold is generated: every node has a Title, declarations have all
their keys (the canonical form tells a missing key from an empty one), the root has no
permissions. What a .bpl file cannot hold is tested on its own (test_designer.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

DEAL_FIELDS = ["TITLE", "OPPORTUNITY", "COMMENTS", "ASSIGNED_BY_ID", "STAGE_ID", "CLOSED",
               "UF_CRM_1700000001", "CURRENCY_ID", "BEGINDATE"]
FLAGS_TRUE = ["Y", "1", 1, True]
FLAGS_FALSE = ["N", "0", 0, False]
TYPES = ["string", "text", "int", "double", "bool", "date", "datetime", "user", "select",
         "internalselect", "UF:crm", "S:employee", "file"]
OPERATORS = ["=", "!=", ">", ">=", "<", "<=", "in", "!in", "contain", "!contain", "empty",
             "!empty", "between", "modified"]
GENERIC_TYPES = ["CodeActivity", "ListenActivity", "WaitWorkDayActivity", "PublishDocument",
                 "rest_0123456789abcdef0123456789abcdef", "CustomThing"]


@st.composite
def designer_name(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.integers(0, 99999), min_size=4, max_size=4))
    return "A" + "_".join(str(p) for p in parts)


class Tree:
    """One template being drawn: what texts may refer to, and unique activity names."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.names: set[str] = set()
        self.decls: dict[str, tuple[str, str]] = {}  # id → (kind, type)
        self.readable: list[tuple[str, str]] = []  # (activity Name, result)

    def name(self) -> str:
        while True:
            name = self.draw(designer_name())
            if name not in self.names:
                self.names.add(name)
                return name

    # ── texts ────────────────────────────────────────────────────────────────────────────
    def token(self) -> str:
        choices = [f"{{=Document:{f}}}" for f in DEAL_FIELDS]
        choices += ["{=Document:ASSIGNED_BY_ID > printable}", "{=System:Now}",
                    "{=Template:TargetUser}", "{=Workflow:ID}", "{=User:ID}",
                    "{=GlobalConst:Limit}", "{=Document:TITLE>printable}"]
        objects = {"param": "Template", "var": "Variable", "const": "Constant"}
        choices += [f"{{={objects[kind]}:{ident}}}" for ident, (kind, _) in self.decls.items()]
        choices += [f"{{={name}:{field}}}" for name, field in self.readable]
        return self.draw(st.sampled_from(choices))

    def text(self, *, plain: bool = False) -> str:
        pieces = st.one_of(
            st.text(alphabet="abc XYZ_.,:;!?-'\"\\{}=@ñé\t\n", min_size=1, max_size=8),
            st.just("line one\n    line two\n"),
        )
        parts = []
        for _ in range(self.draw(st.integers(1, 4))):
            kind = self.draw(st.sampled_from(["text", "text", "token", "formula"]))
            if kind == "text" or plain:
                parts.append(self.draw(pieces))
            elif kind == "token":
                parts.append(self.token())
            else:
                parts.append(self.draw(st.sampled_from([
                    "{{=" + self.token() + " + 1}}", "{{=strtoupper(\"x\")}}",
                    "{{=dateadd(" + self.token() + ", \"1d\")}}", "{{= 1+2 }}",
                    "{{=if(" + self.token() + "=1;'a';'b')}}"])))
        return "".join(parts)

    def value(self) -> Any:
        kind = self.draw(st.sampled_from(["text", "token", "formula", "number", "flag", "list",
                                          "map", "null", "float"]))
        if kind == "text":
            return self.text()
        if kind == "token":
            return self.token()
        if kind == "formula":
            return self.draw(st.sampled_from([
                "=dateadd(" + self.token() + ", \"3d\")", "=" + self.token() + " * 2",
                "=abs(-5)", "=if(" + self.token() + " > 1, \"big\", \"small\")",
                "= broken(", "=a+b"]))
        if kind == "number":
            return self.draw(st.integers(-1000, 10**9))
        if kind == "float":
            return self.draw(st.sampled_from([1.5, 100000.0, -0.25, 1e-7]))
        if kind == "flag":
            return self.draw(st.sampled_from([*FLAGS_TRUE, *FLAGS_FALSE]))
        if kind == "null":
            return None
        if kind == "list":
            return [self.token(), self.draw(st.integers(0, 9)), "user_5"]
        return {"KEY": self.text(), "Other key": [1, "2"], "0": "zero"}

    def users(self, *, default: bool = False) -> list[Any]:
        """Users as activities hold them, one of which Bitrix cannot read ("u_wrong"). Not in
        a declaration's default: the checker refuses a text that is no user there (E201),
        and a default has no generic form to fall back to, so it could not be kept."""
        pool = ["user_1", "user_25", "group_hrr7", "author", "responsible_head",
                "{=Document:ASSIGNED_BY_ID}", "{=Template:TargetUser}",
                *(() if default else ("u_wrong",))]
        return self.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))

    def flag(self, on: bool | None = None) -> Any:
        value = self.draw(st.booleans()) if on is None else on
        return self.draw(st.sampled_from(FLAGS_TRUE if value else FLAGS_FALSE))

    # ── declarations ─────────────────────────────────────────────────────────────────────
    def collections(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, kind in (("PARAMETERS", "param"), ("VARIABLES", "var"),
                          ("CONSTANTS", "const")):
            items: dict[str, Any] = {}
            for index in range(self.draw(st.integers(0, 3))):
                ident = f"{kind.capitalize()}{index}"
                typ = self.draw(st.sampled_from(TYPES))
                self.decls[ident] = (kind, typ)
                items[ident] = self.declaration(ident, typ)
            out[key] = items or []
        return out

    def declaration(self, ident: str, typ: str) -> dict[str, Any]:
        multiple = self.draw(st.booleans()) and typ not in ("bool",)
        options: Any = ""
        default: Any = ""
        if typ == "select":
            options = {"a": "Option A", "b": "Option B", "7": "Seven"}
            default = self.draw(st.sampled_from(["", "a", "7"]))
        elif typ == "internalselect":
            options = "STAGE_ID"
        elif typ == "user":
            default = self.users(default=True) if multiple else self.draw(st.sampled_from(
                ["", "user_3", "author"]))
        elif typ == "bool":
            default = self.draw(st.sampled_from(["", "Y", "N"]))
        elif typ in ("int", "double"):
            default = self.draw(st.sampled_from(["", "5", "100000", "2.5"]))
        elif typ in ("string", "text"):
            default = self.draw(st.sampled_from(["", "hello", "{=Document:TITLE}"]))
        if multiple and default not in ("",) and not isinstance(default, list):
            default = [default]
        return {"Name": self.draw(st.sampled_from([ident, f"Label of {ident}"])),
                "Description": self.draw(st.sampled_from(["", "Some help"])),
                "Type": typ, "Required": self.flag(), "Multiple": self.flag(multiple),
                "Options": options, "Default": default}

    # ── conditions ───────────────────────────────────────────────────────────────────────
    def condition(self) -> dict[str, Any]:
        kind = self.draw(st.sampled_from(["field", "field", "propvar", "mixed", "true",
                                          "single", "legacy", "none"]))
        count = self.draw(st.integers(1, 3))
        if kind == "true":
            return {"truecondition": "1"}
        if kind == "none":
            return {}
        if kind in ("field", "single", "legacy"):
            items = [[self.draw(st.sampled_from(DEAL_FIELDS)), *self.operand(), self.joiner(i)]
                     for i in range(count)]
            if kind == "single":
                return {"fieldcondition": items[0]}
            if kind == "legacy":
                return {"fieldcondition": [item[:3] for item in items]}
            return {"fieldcondition": items}
        names = [i for i, (k, _) in self.decls.items() if k in ("param", "var")]
        if kind == "propvar" and names:
            return {"propertyvariablecondition": [
                [self.draw(st.sampled_from(names)), *self.operand(), self.joiner(i)]
                for i in range(count)]}
        objects = [("Document", f) for f in DEAL_FIELDS]
        objects += [({"param": "Template", "var": "Variable", "const": "Constant"}[k], i)
                    for i, (k, _) in self.decls.items()]
        # No activity objects: a generic branch would name the activity itself, which
        # changes on compile (reported, see test_designer.py).
        items = []
        for i in range(count):
            obj, field = self.draw(st.sampled_from(objects))
            operator, value = self.operand()
            items.append({"object": obj, "field": field, "operator": operator,
                          "value": value, "joiner": self.joiner(i)})
        return {"mixedcondition": items}

    def operand(self) -> list[Any]:
        operator = self.draw(st.sampled_from(OPERATORS))
        if operator in ("empty", "!empty", "modified"):
            return [operator, ""]
        if operator == "between":
            return [operator, ["1", "100"]]
        value = self.draw(st.sampled_from(["100", "Y", "WON", "", "{=Template:TargetUser}",
                                           ["a", "b"], 5]))
        return [operator, value]

    def joiner(self, index: int) -> Any:
        if index == 0:
            return self.draw(st.sampled_from([0, "0"]))
        return self.draw(st.sampled_from([0, 1, "0", "1"]))

    # ── activities ───────────────────────────────────────────────────────────────────────
    def node(self, type_: str, properties: dict[str, Any],
             children: list[dict[str, Any]] | None = None, *,
             title: str | None = None) -> dict[str, Any]:
        props = {"Title": title if title is not None else self.draw(st.sampled_from(
            [type_, "Do it", "Проверка", ""]))}
        props.update(properties)
        if self.draw(st.integers(0, 5)) == 0:
            props["EditorComment"] = "why: " + self.text(plain=True)
        out: dict[str, Any] = {"Type": type_, "Name": self.name(), "Properties": props}
        activated = self.draw(st.sampled_from([None, "Y", "Y", "N", "1"]))
        if activated is not None:
            out["Activated"] = activated
        if children is not None or self.draw(st.booleans()):
            out["Children"] = children or []
        return out

    def remember(self, node: dict[str, Any], *results: str) -> dict[str, Any]:
        """Later texts may read these results of `node`."""
        self.readable += [(node["Name"], r) for r in results]
        return node

    def leaf(self) -> dict[str, Any]:
        kind = self.draw(st.sampled_from([
            "log", "setvar", "setfield", "delay", "notify", "message", "status", "terminate",
            "webhook", "stage", "assign", "start", "create", "mail", "task", "review", "ask",
            "generic"]))
        method = getattr(self, "_" + kind)
        result: dict[str, Any] = method()
        return result

    def _log(self) -> dict[str, Any]:
        return self.node("LogActivity", {"Text": self.text(),
                                         "SetVariable": self.draw(st.sampled_from(
                                             [False, "N", 0]))}, title="Log")

    def _setvar(self) -> dict[str, Any]:
        names = [i for i, (k, _) in self.decls.items() if k == "var"] or ["Missing"]
        chosen = self.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2,
                                    unique=True))
        return self.node("SetVariableActivity", {"VariableValue": {
            n: self.value() for n in chosen}})

    def _setfield(self) -> dict[str, Any]:
        fields = self.draw(st.lists(st.sampled_from(DEAL_FIELDS), min_size=1, max_size=2,
                                    unique=True))
        return self.node("SetFieldActivity", {"FieldValue": {f: self.value() for f in fields},
                                              "MergeMultipleFields": "N", "ModifiedBy": []})

    def _delay(self) -> dict[str, Any]:
        if self.draw(st.booleans()):
            return self.node("DelayActivity", {
                "TimeoutDuration": self.draw(st.sampled_from([3, "3", "{=Variable:Var0}"])),
                "TimeoutDurationType": self.draw(st.sampled_from(["s", "m", "h", "d"])),
                "TimeoutTime": "", "TimeoutTimeIsLocal": "N", "WriteToLog": "N"})
        return self.node("DelayActivity", {
            "TimeoutDuration": "", "TimeoutDurationType": "s",
            "TimeoutTime": "=dateadd({=System:Now}, \"1d\")", "TimeoutTimeIsLocal": "N",
            "WriteToLog": self.flag()})

    def _notify(self) -> dict[str, Any]:
        text = self.text()
        sender = self.draw(st.sampled_from([["{=Template:TargetUser}"], ["user_2"]]))
        return self.node("IMNotifyActivity", {
            "MessageUserFrom": sender, "MessageUserTo": self.users(), "MessageSite": text,
            "MessageOut": text if self.draw(st.integers(0, 4)) else "other",
            "MessageType": 4 if sender == ["{=Template:TargetUser}"] else "2"})

    def _message(self) -> dict[str, Any]:
        return self.node("SocNetMessageActivity", {
            "MessageUserFrom": ["{=Template:TargetUser}"], "MessageUserTo": self.users(),
            "MessageText": self.text(), "MessageFormat": ""})

    def _status(self) -> dict[str, Any]:
        return self.node("SetStateTitleActivity", {"TargetStateTitle": self.text()})

    def _terminate(self) -> dict[str, Any]:
        return self.node("TerminateActivity", {"StateTitle": self.draw(st.sampled_from(
            ["", "Done"]))})

    def _webhook(self) -> dict[str, Any]:
        return self.node("WebHookActivity", {"Handler": self.draw(st.sampled_from(
            ["https://hook.example.com/x?id={=Document:ID}", "not a url"]))})

    def _stage(self) -> dict[str, Any]:
        return self.node("CrmChangeStatusActivity", {"TargetStatus": self.draw(
            st.sampled_from(["WON", "C2:NEW", "{=Variable:Var0}"])), "ModifiedBy": []})

    def _assign(self) -> dict[str, Any]:
        return self.node("CrmChangeResponsibleActivity", {
            "Responsible": self.users(), "ModifiedBy": [],
            "GetterType": self.draw(st.sampled_from(["r", "f", "s", "x"])),
            "SkipAbsent": "N", "SkipTimeMan": self.draw(st.sampled_from(["N", "Y"]))})

    def _start(self) -> dict[str, Any]:
        return self.remember(self.node("StartWorkflowActivity", {
            "DocumentId": "{=Document:ID}", "TemplateId": self.draw(st.sampled_from([12, "7"])),
            "TemplateParameters": self.draw(st.sampled_from([[], {"Limit": "5"}])),
            "UseSubscription": self.flag()}), "WorkflowId")

    def _create(self) -> dict[str, Any]:
        return self.remember(self.node("CreateCrmDealDocumentActivity", {"Fields": {
            "TITLE": self.text(), "OPPORTUNITY": self.value()}}), "DealId")

    def _mail(self) -> dict[str, Any]:
        return self.node("MailActivity", {
            "MailUserFrom": "", "MailUserFromArray": ["{=Template:TargetUser}"],
            "MailUserTo": self.draw(st.sampled_from(["", "a@example.com", "{=Document:TITLE}"])),
            "MailUserToArray": self.draw(st.sampled_from([[], ["user_4"]])),
            "MailSubject": self.text(), "MailText": self.text(),
            "MailMessageType": self.draw(st.sampled_from(["plain", "html"])),
            "MailCharset": self.draw(st.sampled_from(["UTF-8", "windows-1251"])),
            "MailMessageEncoded": 0, "DirrectMail": self.flag(), "MailSeparator": ",",
            "File": [], "FileType": "file"})

    def _task_common(self) -> dict[str, Any]:
        return {"Users": self.users(), "Name": self.text(),
                "Description": self.draw(st.sampled_from(["", "Please look"])),
                "Parameters": "", "OverdueDate": "", "StatusMessage": "",
                "SetStatusMessage": self.flag(),
                "TimeoutDuration": self.draw(st.sampled_from([0, "0", 2, "3"])),
                "TimeoutDurationType": self.draw(st.sampled_from(["s", "d"])),
                "CommentLabelMessage": "", "ShowComment": "Y",
                "CommentRequired": self.draw(st.sampled_from(["N", "Y", "YA"])),
                "AccessControl": "N",
                "DelegationType": self.draw(st.sampled_from([0, 1, "2"]))}

    def _review(self) -> dict[str, Any]:
        return self.remember(self.node("ReviewActivity", {
            **self._task_common(), "ApproveType": self.draw(st.sampled_from(["all", "any"])),
            "TaskButtonMessage": "Reviewed"}), "Comments", "LastReviewer")

    def _ask(self) -> dict[str, Any]:
        names = [(i, t) for i, (k, t) in self.decls.items() if k == "var"]
        requested = [{"Title": "Q", "Name": ident, "Type": typ, "Description": "",
                      "Default": "", "Required": "Y", "Multiple": "N", "Options": ""}
                     for ident, typ in names[:1]]
        return self.node("RequestInformationActivity", {
            **self._task_common(), "RequestedInformation": requested,
            "TaskButtonMessage": "Save"})

    def _task(self) -> dict[str, Any]:
        return self.remember(self.node("Task2Activity", {
            "Fields": {"TITLE": self.text(), "CREATED_BY": ["{=Template:TargetUser}"],
                       "RESPONSIBLE_ID": self.users(), "PRIORITY": self.draw(
                           st.sampled_from([1, "2"]))},
            "HoldToClose": self.flag(), "AUTO_LINK_TO_CRM_ENTITY": True, "AsChildTask": 0,
            "CheckListItems": [], "TimeEstimateHour": 0, "TimeEstimateMin": 0}), "TaskId")

    def _generic(self) -> dict[str, Any]:
        return self.node(self.draw(st.sampled_from(GENERIC_TYPES)),
                         {f"Prop{i}": self.value() for i in range(self.draw(st.integers(0, 3)))})

    # ── containers ───────────────────────────────────────────────────────────────────────
    def block(self, depth: int) -> list[dict[str, Any]]:
        return [self.activity(depth) for _ in range(self.draw(st.integers(0, 3)))]

    def sequence(self, depth: int, title: str) -> dict[str, Any]:
        node = self.node("SequenceActivity", {}, self.block(depth + 1), title=title)
        node["Activated"] = "Y"
        return node

    def activity(self, depth: int) -> dict[str, Any]:
        if depth >= 3 or self.draw(st.integers(0, 2)):
            return self.leaf()
        kind = self.draw(st.sampled_from(["if", "while", "foreach", "parallel", "approve",
                                          "sequence"]))
        if kind == "if":
            branches = [self.node("IfElseBranchActivity", self.condition(),
                                  self.block(depth + 1), title=t)
                        for t in self.draw(st.sampled_from([["Yes"], ["Yes", "Otherwise"],
                                                            ["Yes", "Else if 1", "Otherwise"],
                                                            ["Custom", "Otherwise"]]))]
            if branches[-1]["Properties"]["Title"] == "Otherwise" and self.draw(st.booleans()):
                branches[-1]["Properties"] = {"Title": "Otherwise", "truecondition": "1"}
            return self.node("IfElseActivity", {}, branches, title=self.draw(
                st.sampled_from(["Condition", "Condition", "Check"])))
        if kind == "while":
            condition = self.condition() or {"truecondition": "1"}
            return self.node("WhileActivity", condition,
                             [self.sequence(depth, "Loop body")], title="While")
        if kind == "foreach":
            names = [i for i, (k, _) in self.decls.items() if k == "var"] or ["Var0"]
            node = self.node("ForEachActivity", {"Variable": self.draw(st.sampled_from(names)),
                                                 "Object": "Variable"},
                             [self.sequence(depth, "Loop body")], title="For each")
            return self.remember(node, "Value")
        if kind == "parallel":
            return self.node("ParallelActivity", {}, [
                self.sequence(depth, t) for t in ("Branch 1", "Second")], title="Parallel")
        if kind == "approve":
            node = self.node("ApproveActivity", {
                **self._task_common(), "ApproveType": self.draw(st.sampled_from(
                    ["any", "all", "vote"])), "ApproveMinPercent": 50,
                "ApproveWaitForAll": "N", "TaskButton1Message": "Approve",
                "TaskButton2Message": "Reject"}, [self.sequence(depth, "Approved"),
                                                  self.sequence(depth, "Rejected")])
            return self.remember(node, "Comments", "LastApprover", "IsTimeout")
        return self.sequence(depth, "Group")


@st.composite
def template(draw: st.DrawFn) -> dict[str, Any]:
    tree = Tree(draw)
    package: dict[str, Any] = {"VERSION": 2, **tree.collections()}
    children = [tree.activity(0) for _ in range(draw(st.integers(1, 5)))]
    package["TEMPLATE"] = [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                            "Activated": "Y", "Properties": {"Title": tree.text(plain=True),
                                                             "Permission": []},
                            "Children": children}]
    package["DOCUMENT_FIELDS"] = []
    return package
