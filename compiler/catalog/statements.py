"""The statement table: every statement of .bpl, the activities it lowers to, and its options.

One row per statement kind. The row's `kind` is also the word codegen hashes into activity names
(compiler/codegen/names.py), so a kind never changes. Its words are the grammar's
(grammar/bpl.lark), which is the one place of syntax. A row says:
- its syntax node and the Title codegen gives it when the author gives none,
- the activity types it lowers to (the first is the one a label of it reads results of),
- its option block: each option's value kind (for the checker), the Bitrix property it fills,
  the map from option words to stored values, and what stands when the option is not written.

`WRITES` lists, per activity type, the properties codegen writes, in the order it writes them
(the packed bytes depend on the order); a property codegen has no value of its own for holds the
catalog default (stdlib/activities.toml). The importer accepts a node as a statement only when it
holds no other property, and reads every option back through the maps here (`Option.word_of`),
so the forward and the reverse mapping cannot drift apart.

Checker, codegen, importer and formatter each dispatch on the syntax node; the tests in
tests/compiler/test_statement_table.py fail when a statement lacks a rule in one of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from compiler.catalog.models import APP_ACTIVITY, APP_ACTIVITY_PREFIX
from compiler.record import record
from compiler.syntax import ast
from compiler.syntax.grammar import head_words, rule_words

# What stands for an option that is not written: the catalog default of its property.
CATALOG = "<catalog default>"
# An option that is not written leaves its property (a key of Task2Activity's Fields) out.
OMIT = "<omitted>"
# The starter of the workflow: the sender, the creator of a task, when none is written.
TARGET_USER = "{=Template:TargetUser}"


@record
class Option:
    """One key of an option block (or a word of the statement head, such as `assign … first`).

    `kind` is the value kind the checker accepts: text | duration | users | user | bool | int |
    choice | expr | list | date | grants (a map: operation → users). `fills` is the Bitrix
    property the option fills (for `task`, `fields_key` names the key of the Fields map
    instead); `values` maps option words to what the property stores. `absent` is the word (or
    value) that stands when the option is not written: CATALOG means the catalog default of the
    property, OMIT leaves the property out. `switch` names a Y/N property that says whether the
    option was written at all.
    """

    kind: str
    summary: str
    choices: tuple[str, ...] = ()
    fills: str | tuple[str, ...] = ""
    fields_key: str = ""
    values: Mapping[Any, Any] = dataclasses.field(default_factory=dict)
    absent: Any = CATALOG
    switch: str = ""
    # A map whose keys are stored as "<the statement's value>_<KEY>" (an ActionStmt's subject).
    prefixed: bool = False
    # The value is the parameter of this document type (stdlib/documents): the property
    # stores the type's [module, entity, document_type] (a list's id → iblock_<id>).
    document: str = ""

    @property
    def properties(self) -> tuple[str, ...]:
        return (self.fills,) if isinstance(self.fills, str) else self.fills

    def stored(self, word: Any) -> Any:
        """What the property holds for an option word."""
        return self.values[word]

    def word_of(self, stored: Any, catalog_default: Any = None) -> Any:
        """The option word for a stored value (compared as text, as `plan` compares): None when
        it is the word that stands anyway (nothing need be written: the `absent` word, or with
        `absent` CATALOG the word of `catalog_default`), KeyError when there is none."""
        for word, value in self.values.items():
            if _same(value, stored):
                standing = word == self.absent or (self.absent == CATALOG and
                                                   catalog_default is not None and
                                                   _same(value, catalog_default))
                return None if standing else word
        raise KeyError(stored)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return str(a) == str(b)


@record
class Statement:
    kind: str
    node: type[ast.Stmt]
    activities: tuple[str, ...]  # () for the generic form and app robots: any type
    title: str = ""  # default Title; `{}` stands for the statement's own words (targets, state)
    options: Mapping[str, Option] = dataclasses.field(default_factory=dict)  # the option block
    # Words of the statement's head that a map stores (`wait for 3 days`, `assign … first`).
    parts: Mapping[str, Option] = dataclasses.field(default_factory=dict)
    synopsis: str = ""  # how docs/language.md writes it (`bpl catalog` shows it)
    # The value after the keyword (`choose USERS`, `sms "text"`) of an ast.ActionStmt, and the
    # property it fills; None for one that takes none (`publish`).
    subject: Option | None = None

    @property
    def activity(self) -> str:
        """The activity a label of this statement reads results of."""
        return self.activities[0] if self.activities else ""

    @property
    def rule(self) -> str:
        """The statement's rule in grammar/bpl.lark."""
        return f"{self.kind}_stmt"

    @property
    def head(self) -> tuple[str, ...]:
        """The keywords the statement begins with (`for each`), the grammar's."""
        return head_words(self.rule)

    @property
    def words(self) -> tuple[str, ...]:
        """Its head and the keywords of the clauses only it has (`else`, `branch`)."""
        return rule_words(self.rule)


@record
class Handler:
    """A block of a state: the activity it is, the event activity an `on` block starts with,
    and the Title codegen gives it."""

    kind: str  # enter | exit | command | delay
    activity: str
    event: str = ""
    title: str = ""
    synopsis: str = ""
    rule: str = ""  # its rule in grammar/bpl.lark

    @property
    def head(self) -> tuple[str, ...]:
        """The keywords the block begins with (`on command`), the grammar's."""
        return head_words(self.rule)

    @property
    def labelled(self) -> str:
        """The activity a label of the block names: the event, for `on` blocks."""
        return self.event or self.activity


# ── option blocks ─────────────────────────────────────────────────────────────────────────────

_TIMEOUT = Option("duration", "close the task unanswered after this time",
                  fills=("TimeoutDuration", "TimeoutDurationType"))
_STATUS = Option("text", "workflow status text while the task waits", fills="StatusMessage",
                 switch="SetStatusMessage")
# ShowComment and CommentRequired (approveactivity.php: 'ShowComment' => 'Y', 'CommentRequired'
# => 'N'; YA/YR: required on approval/rejection only).
_COMMENT = Option("choice", "comment field of the task form",
                  ("required", "optional", "hidden", "required_on_approve", "required_on_reject"),
                  fills=("ShowComment", "CommentRequired"),
                  values={"required": ("Y", "Y"), "optional": ("Y", "N"), "hidden": ("N", "N"),
                          "required_on_approve": ("Y", "YA"), "required_on_reject": ("Y", "YR")},
                  absent="optional")
# DelegationType: 0 subordinates, 1 every employee, 2 nobody (approveactivity.php).
_DELEGATION = Option("choice", "who may receive the task by delegation",
                     ("subordinates", "all", "none"), fills="DelegationType",
                     values={"subordinates": 0, "all": 1, "none": 2}, absent="subordinates")

# approve, review and ask: the options of a task for people, in the order the importer
# writes them back.
_TASK_COMMON = {
    "description": Option("text", "text shown in the task", fills="Description"),
    "parameters": Option("text", "extra text of the task form (Parameters)",
                         fills="Parameters"),
    "status": _STATUS,
    "timeout": _TIMEOUT,
    "deadline": Option("date", "date shown as the task's deadline (OverdueDate)",
                       fills="OverdueDate"),
    "comment": _COMMENT,
    "comment_label": Option("text", "label of the comment field",
                            fills="CommentLabelMessage"),
    "delegation": _DELEGATION,
    "access_control": Option("bool", "only the assignees see the task details",
                             fills="AccessControl"),
}

_APPROVE = {
    # vote any | all sets ApproveType; a percentage sets ApproveType 'vote' and
    # ApproveMinPercent. Without it the first answer decides (.bpl's default, not Bitrix's).
    "vote": Option("expr", "any | all | a percentage (60) of approvers needed",
                   ("any", "all"), fills=("ApproveType", "ApproveMinPercent"), absent="any"),
    **_TASK_COMMON,
    "wait_for_all": Option("bool", "with a percentage vote, wait for every vote",
                           fills="ApproveWaitForAll"),
    "approve_button": Option("text", "caption of the approve button",
                             fills="TaskButton1Message", absent="Approve"),
    "reject_button": Option("text", "caption of the reject button",
                            fills="TaskButton2Message", absent="Reject"),
}

_REVIEW = {
    "vote": Option("choice", "all reviewers or any one of them", ("any", "all"),
                   fills="ApproveType", values={"any": "any", "all": "all"}),
    **_TASK_COMMON,
    "button": Option("text", "caption of the 'reviewed' button", fills="TaskButtonMessage",
                     absent="Reviewed"),
}

_ASK = {
    **_TASK_COMMON,
    "button": Option("text", "caption of the submit button", fills="TaskButtonMessage",
                     absent="Save"),
}

# Task2Activity: the options fill keys of its Fields map (TITLE is the statement's name), or
# one of its own properties. In the order the importer writes them back.
_TASK = {
    "responsible": Option("users", "who does the task (RESPONSIBLE_ID)",
                          fields_key="RESPONSIBLE_ID", absent=()),
    "creator": Option("user", "who set the task (CREATED_BY); default: the starter",
                      fields_key="CREATED_BY", absent=(TARGET_USER,)),
    "accomplices": Option("users", "participants (ACCOMPLICES)", fields_key="ACCOMPLICES",
                          absent=OMIT),
    "auditors": Option("users", "observers (AUDITORS)", fields_key="AUDITORS", absent=OMIT),
    "description": Option("text", "task description", fields_key="DESCRIPTION", absent=OMIT),
    "deadline": Option("date", "task deadline (DEADLINE)", fields_key="DEADLINE", absent=OMIT),
    "start": Option("date", "planned start (START_DATE_PLAN)", fields_key="START_DATE_PLAN",
                    absent=OMIT),
    "end": Option("date", "planned end (END_DATE_PLAN)", fields_key="END_DATE_PLAN", absent=OMIT),
    "group": Option("expr", "workgroup id (GROUP_ID)", fields_key="GROUP_ID", absent=OMIT),
    # PRIORITY: 0 low, 1 normal, 2 high (tasks' CTasks::PRIORITY_* constants).
    "priority": Option("choice", "task priority", ("low", "normal", "high"), fields_key="PRIORITY",
                       values={"low": 0, "normal": 1, "high": 2}, absent=OMIT),
    "allow_change_deadline": Option("bool", "the responsible may move the deadline",
                                    fields_key="ALLOW_CHANGE_DEADLINE", absent=OMIT),
    "control": Option("bool", "the creator must accept the result (TASK_CONTROL)",
                      fields_key="TASK_CONTROL", absent=OMIT),
    "time_tracking": Option("bool", "track time spent (ALLOW_TIME_TRACKING)",
                            fields_key="ALLOW_TIME_TRACKING", absent=OMIT),
    # ADD_IN_REPORT is one of the task fields Task2Activity passes on, a flag; UF_CRM_TASK the
    # task's CRM links ("L_12": lead 12), as AUTO_LINK_TO_CRM_ENTITY sets them
    # (modules/tasks/install/activities/bitrix/task2activity/task2activity.php).
    "in_report": Option("bool", "count the task in the work report (ADD_IN_REPORT)",
                        fields_key="ADD_IN_REPORT", absent=OMIT),
    "crm": Option("expr", 'CRM items the task is linked to (UF_CRM_TASK: ["L_{doc.ID}"])',
                  fields_key="UF_CRM_TASK", absent=OMIT),
    "wait": Option("bool", "pause the workflow until the task is closed (HoldToClose)",
                   fills="HoldToClose"),
    "subtask": Option("bool", "create it as a subtask of the document's task",
                      fills="AsChildTask"),
    "checklist": Option("list", "checklist items", fills="CheckListItems", absent=()),
}

_MAIL = {
    "html": Option("bool", "the body is HTML", fills="MailMessageType",
                   values={True: "html", False: "plain"}),
    # The class default is windows-1251 (mailactivity.php); .bpl writes UTF-8 unless told.
    "charset": Option("text", "message charset (default UTF-8)", fills="MailCharset",
                      absent="UTF-8"),
    "direct": Option("bool", "send directly instead of through the mail event queue",
                     fills="DirrectMail"),
    "separator": Option("text", "separator of several addresses", fills="MailSeparator"),
}

_CALL = {
    "timeout": Option("duration", "stop waiting for the app after this time; the result "
                                  "IsTimeout is then 1 (TimeoutDuration)",
                      fills=("TimeoutDuration", "TimeoutDurationType")),
    "status": Option("text", "workflow status text while the app works",
                     fills="StatusMessage"),
}

# ── statements that fill one activity from a head value and an option block (ActionStmt) ──

# GetUserActivity ([ZW] bitrix/modules/bizproc/install/activities/bitrix/getuseractivity/
# getuseractivity.php): UserType random | sequent (in turn) | boss (the head of the first
# candidate, MaxLevel levels up); the dialog proposes MaxLevel 1. Execute() skips the absent
# unless SkipAbsent is 'N' and the clocked-out only when SkipTimeman is 'Y'; the reserve list
# skips as the candidates do unless SkipAbsentReserve / SkipTimemanReserve is 'N'. The flags
# are written 'Y' or 'N' always, so that what the class reads is what .bpl says.
_YN = {True: "Y", False: "N"}
_CHOOSE = {
    "reserve": Option("users", "who is chosen when no candidate is available (Bitrix requires "
                               "it)", fills="ReserveUserParameter"),
    "mode": Option("choice", "random: any candidate; queue: the candidates in turn; head: the "
                             "head of the first candidate", ("random", "queue", "head"),
                   fills="UserType",
                   values={"random": "random", "queue": "sequent", "head": "boss"},
                   absent="random"),
    "levels": Option("int", "mode head: how many levels up the hierarchy to go", fills="MaxLevel",
                     absent=1),
    "skip_absent": Option("bool", "skip candidates who are absent", fills="SkipAbsent",
                          values=_YN, absent=True),
    "skip_timeman": Option("bool", "skip candidates who have not clocked in",
                           fills="SkipTimeman", values=_YN, absent=False),
    "reserve_skip_absent": Option("bool", "skip absent reserve candidates",
                                  fills="SkipAbsentReserve", values=_YN),
    "reserve_skip_timeman": Option("bool", "skip reserve candidates who have not clocked in",
                                   fills="SkipTimemanReserve", values=_YN),
}

_TIMELINE = {
    "author": Option("users", "who writes the comment", fills="CommentUser"),
}

# CrmCreateToDoActivity ([AC] modules/crm/install/activities/bitrix/crmcreatetodoactivity/).
_TODO = {
    "deadline": Option("date", "when it is due", fills="Deadline"),
    "responsible": Option("user", "who does it", fills="Responsible"),
    "auto_complete": Option("bool", "completed when the item moves to another stage",
                            fills="AutoComplete"),
}

# CrmSendSmsActivity ([AC] modules/crm/install/activities/bitrix/crmsendsmsactivity/
# crmsendsmsactivity.php): ProviderId ':default:' is the CRM's own setting (the dialog's
# default); RecipientType entity is the client, user an employee (RecipientUser).
_SMS = {
    "provider": Option("text", "the messaging service's sender id (default: the CRM setting)",
                       fills="ProviderId", absent=":default:"),
    "recipient": Option("choice", "client: the item's client; employee: the users given",
                        ("client", "employee"), fills="RecipientType",
                        values={"client": "entity", "employee": "user"}),
    "users": Option("users", "the employees (recipient employee)", fills="RecipientUser"),
    "phone_type": Option("text", "the client's phone to use (WORK, MOBILE, …)",
                         fills="PhoneType"),
}

# CrmGenerateEntityDocumentActivity ([AC] modules/crm/install/activities/bitrix/
# crmgenerateentitydocumentactivity/crmgenerateentitydocumentactivity.php): WithStamps 'Y'
# or 'N' turns stamps on or off, '' keeps the template's setting; UseSubscription 'Y' waits
# for the PDF.
_GENERATE = {
    "wait": Option("bool", "wait until the PDF is made (DocumentPdf)", fills="UseSubscription",
                   values=_YN),
    "stamps": Option("choice", "stamps and signatures: with, without, or as the template says",
                     ("with", "without", "template"), fills="WithStamps",
                     values={"with": "Y", "without": "N", "template": ""}, absent="template"),
    "values": Option("expr", "placeholder → value, over the item's own data: { Name: … }",
                     fills="Values"),
}

# CrmCreateDynamicActivity ([AC] modules/crm/install/activities/bitrix/crmcreatedynamicactivity/
# crmcreatedynamicactivity.php): prepareProperties() cuts strlen("<DynamicTypeId>_") characters
# off every key of DynamicEntitiesFields, as its dialog writes "<type id>_<FIELD>".
_ADD_ITEM = {
    "fields": Option("expr", "the new item's fields: { TITLE: …, ASSIGNED_BY_ID: … }",
                     fills="DynamicEntitiesFields", prefixed=True),
}
# CrmUpdateDynamicActivity ([AC] modules/crm/install/activities/bitrix/crmupdatedynamicactivity/
# crmupdatedynamicactivity.php): DynamicId becomes an ID = condition of the item filter; the
# fields are keyed by their codes.
_UPDATE_ITEM = {
    "id": Option("int", "the id of the item", fills="DynamicId"),
    "fields": Option("expr", "the fields to change: { TITLE: … }",
                     fills="DynamicEntitiesFields"),
}

# The lists module's activities name their list as a document type, [lists, BizprocDocument,
# iblock_<id>] ([ZW] bitrix/modules/lists/install/activities/bitrix/createlistsdocumentactivity/
# createlistsdocumentactivity.php and its siblings); `element` statements take the list's id.
# (GetListsDocumentActivity has none: it reads only the fields of FieldsMap, the descriptions
# its dialog copies from the portal's list.)
_LIST = Option("int", "the id of the list (information block)", fills="DocumentType",
               document="lists.element")
_ADD_ELEMENT = {
    "fields": Option("expr", "the new element's fields: { NAME: …, PROPERTY_X: … }",
                     fills="Fields"),
}
_UPDATE_ELEMENT = {
    "id": Option("expr", "the id of the element", fills="ElementId"),
    "fields": Option("expr", "the fields to change: { PROPERTY_X: … }", fills="Fields"),
}

# `permission mode …` / `permission scope …` of a state → its PermissionMode / PermissionScope,
# and the same words of the `permissions` statement (CBPSetPermissionsMode in modules/bizproc/
# classes/general/constants.php: Hold 1, Rewrite 2, Clear 3; ScopeWorkflow 1, ScopeDocument 2).
# Hold and the workflow are what Bitrix assumes for a state.
PERMISSION_MODES = {"hold": 1, "rewrite": 2, "clear": 3}
PERMISSION_SCOPES = {"workflow": 1, "document": 2}

# SetPermissionsActivity ([ZW] bitrix/modules/bizproc/install/activities/bitrix/
# setpermissionsactivity/setpermissionsactivity.php): its dialog writes Rewrite '' and SetMode;
# without SetMode, Execute reads the deprecated Rewrite: anything but 'N' clears. SetScope's
# class default is the workflow.
_PERMISSIONS = {
    "mode": Option("choice", "hold the document's permissions and add these, rewrite the "
                             "operations named, or clear them all first (not written: clear, as "
                             "Bitrix reads a template without a mode)",
                   tuple(PERMISSION_MODES), fills=("SetMode", "Rewrite"),
                   values={word: (mode, "") for word, mode in PERMISSION_MODES.items()},
                   absent=OMIT),
    "scope": Option("choice", "what rewrite and clear touch: the permissions this workflow "
                              "set, or all the document's", tuple(PERMISSION_SCOPES),
                    fills="SetScope", values=PERMISSION_SCOPES),
}

_DELETE = {
    "terminate": Option("bool", "also stop this workflow", fills="TerminateCurrentWorkflow"),
}

# A robot or action declaration (not a statement): its options fill bizproc.robot.add.
ROBOT_OPTIONS = {
    "handler": Option("text", "URL that receives the invocation"),
    "auth_user": Option("user", "user whose token the handler gets (AUTH_USER_ID)"),
    "wait_for_result": Option("bool", "wait for bizproc.event.send (USE_SUBSCRIPTION)"),
    "documents": Option("list", "document types where it is offered (FILTER INCLUDE)"),
    "exclude": Option("list", "document types or b24/box where it is hidden (FILTER EXCLUDE)"),
    "document_type": Option("expr", "document type whose field types the properties use "
                                    "(DOCUMENT_TYPE)"),
    "description": Option("text", "description shown in the designer"),
    "placement": Option("text", "URL of the app's property dialog (PLACEMENT_HANDLER)"),
    "translations": Option("expr", "names in other languages: { ru: \"…\", de: \"…\" }"),
}

# ── words of statement heads ──────────────────────────────────────────────────────────────────

# `wait for EXPR days`: the unit word → TimeoutDurationType (delayactivity.php: s, m, h, d).
WAIT_UNIT = Option("choice", "unit of `wait for`", ("seconds", "minutes", "hours", "days"),
                   fills="TimeoutDurationType",
                   values={"seconds": "s", "minutes": "m", "hours": "h", "days": "d"})
# `assign USERS first`: GetterType (crmchangeresponsibleactivity.php: r random, f first
# available, s in turn).
ASSIGN_MODE = Option("choice", "how the new responsible is picked", ("random", "first", "queue"),
                     fills="GetterType", values={"random": "r", "first": "f", "queue": "s"},
                     absent="random")

# `create DOCUMENT {…}`: the CRM documents with an activity of their own; any other document
# (of the workflow's own type) is made by CreateDocumentActivity.
CREATE_ACTIVITIES = {"crm.deal": "CreateCrmDealDocumentActivity",
                     "crm.lead": "CreateCrmLeadDocumentActivity",
                     "crm.contact": "CreateCrmContactDocumentActivity",
                     "crm.company": "CreateCrmCompanyDocumentActivity"}
CREATE_DOCUMENT = "CreateDocumentActivity"

# `global.var.X = v` writes a portal's global variable: SetGlobalVariableActivity keys each
# value by the variable's expression ({=GlobalVar:X}; [ZW] bitrix/modules/bizproc/install/
# activities/bitrix/setglobalvariableactivity/setglobalvariableactivity.php). Global constants
# have no activity that writes them.
GLOBAL_SET = "SetGlobalVariableActivity"


def global_key(name: str) -> str:
    return "{=GlobalVar:" + name + "}"


# ── the table ─────────────────────────────────────────────────────────────────────────────────

_ROWS = (
    Statement("set", ast.SetStmt, ("SetFieldActivity", "SetVariableActivity",
                                   "SetGlobalVariableActivity"),
              "Set {}", synopsis="set doc.F = v"),
    Statement("assign", ast.AssignStmt, ("SetVariableActivity", "SetFieldActivity",
                                         "SetGlobalVariableActivity"),
              "Set {}", synopsis="var.x = v"),
    Statement("log", ast.LogStmt, ("LogActivity",), "Log", synopsis='log "text"'),
    Statement("wait", ast.WaitStmt, ("DelayActivity",), "Pause",
              parts={"unit": WAIT_UNIT}, synopsis="wait 3d / wait until DATE"),
    Statement("status", ast.StatusStmt, ("SetStateTitleActivity",), "Set status",
              synopsis='status "text"'),
    Statement("notify", ast.NotifyStmt, ("IMNotifyActivity",), "Notify",
              synopsis='notify USERS "text"'),
    Statement("message", ast.NotifyStmt, ("SocNetMessageActivity",), "Message",
              synopsis='message USERS "text"'),
    Statement("mail", ast.MailStmt, ("MailActivity",), "Send e-mail", _MAIL,
              synopsis='mail to RECIPIENTS subject "…" body "…"'),
    Statement("approve", ast.ApproveStmt, ("ApproveActivity",), "Approve",
              _APPROVE, synopsis='approve "Task" by USERS'),
    Statement("review", ast.ReviewStmt, ("ReviewActivity",), "Review", _REVIEW,
              synopsis='review "Task" by USERS'),
    Statement("ask", ast.AskStmt, ("RequestInformationActivity",),
              "Request information", _ASK, synopsis='ask "Task" by USERS { field var.X }'),
    Statement("task", ast.TaskStmt, ("Task2Activity",), "Create task", _TASK,
              synopsis='task "Title" { responsible USERS }'),
    Statement("start", ast.StartStmt, ("StartWorkflowActivity",), "Start workflow",
              synopsis="start workflow TEMPLATE for DOCUMENT"),
    Statement("webhook", ast.WebhookStmt, ("WebHookActivity",), "Webhook",
              synopsis='webhook "https://…"'),
    Statement("create", ast.CreateStmt,
              (CREATE_DOCUMENT, *CREATE_ACTIVITIES.values()), "Create document",
              synopsis="create DOCUMENT { … }"),
    Statement("stage", ast.StageStmt, ("CrmChangeStatusActivity",), "Change stage",
              synopsis='stage "WON"'),
    Statement("assign_users", ast.AssignUsersStmt,
              ("CrmChangeResponsibleActivity",), "Change responsible",
              parts={"mode": ASSIGN_MODE}, synopsis="assign USERS"),
    Statement("choose", ast.ActionStmt, ("GetUserActivity",), "Select employee",
              _CHOOSE, synopsis="choose USERS { reserve USERS }",
              subject=Option("users", "the candidates", fills="UserParameter")),
    Statement("profile", ast.ActionStmt, ("GetUserInfoActivity",),
              "Get employee information", synopsis="profile USER as p",
              subject=Option("user", "the employee to read", fills="GetUser")),
    Statement("pipeline", ast.ActionStmt, ("CrmChangeDealCategoryActivity",),
              "Change pipeline", synopsis="pipeline ID",
              subject=Option("int", "the id of the pipeline (deal category)",
                             fills="CategoryId")),
    Statement("timeline", ast.ActionStmt, ("CrmTimelineCommentAdd",),
              "Add comment", _TIMELINE, synopsis='timeline "text"',
              subject=Option("text", "the comment", fills="CommentText")),
    Statement("todo", ast.ActionStmt, ("CrmCreateToDoActivity",), "Create to-do",
              _TODO, synopsis='todo "text" { deadline DATE }',
              subject=Option("text", "what is to be done", fills="Description")),
    Statement("sms", ast.ActionStmt, ("CrmSendSmsActivity",), "Send SMS", _SMS,
              synopsis='sms "text"', subject=Option("text", "the message", fills="MessageText")),
    Statement("add_item", ast.ActionStmt, ("CrmCreateDynamicActivity",),
              "Create CRM item", _ADD_ITEM, synopsis="add item TYPE_ID { fields { … } }",
              subject=Option("int", "the CRM type id of the new item (1 lead, 2 deal, 3 "
                                    "contact, 4 company, 128+ smart processes)",
                             fills="DynamicTypeId")),
    Statement("update_item", ast.ActionStmt, ("CrmUpdateDynamicActivity",),
              "Update CRM item", _UPDATE_ITEM,
              synopsis="update item TYPE_ID { id ID  fields { … } }",
              subject=Option("int", "the smart process type id of the item",
                             fills="DynamicTypeId")),
    Statement("add_element", ast.ActionStmt,
              ("CreateListsDocumentActivity",), "Create list element", _ADD_ELEMENT,
              synopsis="add element LIST_ID { fields { … } }", subject=_LIST),
    Statement("update_element", ast.ActionStmt,
              ("UpdateListsDocumentActivity",), "Update list element", _UPDATE_ELEMENT,
              synopsis="update element LIST_ID { id ID  fields { … } }", subject=_LIST),
    Statement("generate", ast.ActionStmt, ("CrmGenerateEntityDocumentActivity",),
              "Create document", _GENERATE, synopsis="generate TEMPLATE_ID { wait true }",
              subject=Option("int", "the id of the document template", fills="TemplateId")),
    Statement("permissions", ast.ActionStmt, ("SetPermissionsActivity",), "Set Permission",
              _PERMISSIONS, synopsis="permissions {read: USERS, write: USERS} { mode clear }",
              subject=Option("grants", "operation → the users granted it: {read: [...], "
                                       "write: [...]}", fills="Permission")),
    Statement("delete", ast.ActionStmt, ("DeleteDocumentActivity",),
              "Delete document", _DELETE, synopsis="delete document"),
    Statement("publish", ast.ActionStmt, ("PublishDocumentActivity",),
              "Publish document", synopsis="publish"),
    Statement("terminate", ast.TerminateStmt, ("TerminateActivity",),
              "Terminate", synopsis='terminate ["status"]'),
    Statement("goto", ast.GotoStmt, ("SetStateActivity",), "Go to {}",
              synopsis="goto STATE"),
    Statement("parallel", ast.ParallelStmt,
              ("ParallelActivity", "SequenceActivity"), "Parallel",
              synopsis="parallel { branch { … } … }"),
    Statement("while", ast.WhileStmt, ("WhileActivity", "SequenceActivity"),
              "While", synopsis="while C { … }"),
    Statement("foreach", ast.ForEachStmt, ("ForEachActivity", "SequenceActivity"), "For each",
              synopsis="for each x in SOURCE { … }"),
    Statement("if", ast.IfStmt, ("IfElseActivity", "IfElseBranchActivity"),
              "Condition", synopsis="if C { … } else { … }"),
    Statement("activity", ast.ActivityStmt, (),
              synopsis='activity Type "Title" { Property: value }'),
    Statement("call", ast.CallStmt, (), options=_CALL, synopsis="robot_or_macro(args)"),
)

STATEMENTS: dict[str, Statement] = {row.kind: row for row in _ROWS}
BY_NODE: dict[type[ast.Stmt], Statement] = {}
for _row in _ROWS:
    BY_NODE.setdefault(_row.node, _row)  # NotifyStmt: `notify`, told apart by kind_of

HANDLERS: dict[str, Handler] = {h.kind: h for h in (
    Handler("enter", "StateInitializationActivity", title="Enter",
            synopsis="enter { … } (in a state)", rule="enter_block"),
    Handler("exit", "StateFinalizationActivity", title="Exit",
            synopsis="exit { … } (in a state)", rule="exit_block"),
    Handler("command", "EventDrivenActivity", "HandleExternalEventActivity",
            synopsis="on command NAME { … } (in a state)", rule="on_command"),
    Handler("delay", "EventDrivenActivity", "DelayActivity", "Timeout",
            synopsis="on delay 1h { … } (in a state)", rule="on_delay"),
)}

# The properties codegen writes for each activity type (Title first, EditorComment last when
# there is a comment), in the order it writes them.
WRITES: dict[str, tuple[str, ...]] = {
    "SetFieldActivity": ("FieldValue", "MergeMultipleFields", "ModifiedBy"),
    "SetVariableActivity": ("VariableValue",),
    "SetGlobalVariableActivity": ("GlobalVariableValue",),
    "LogActivity": ("Text", "SetVariable"),
    "DelayActivity": ("TimeoutDuration", "TimeoutDurationType", "TimeoutTime",
                      "TimeoutTimeIsLocal", "WriteToLog"),
    "SetStateTitleActivity": ("TargetStateTitle",),
    "IMNotifyActivity": ("MessageUserFrom", "MessageUserTo", "MessageSite", "MessageOut",
                         "MessageType"),
    "SocNetMessageActivity": ("MessageUserFrom", "MessageUserTo", "MessageText",
                              "MessageFormat"),
    "MailActivity": ("MailUserFrom", "MailUserFromArray", "MailUserTo", "MailUserToArray",
                     "MailSubject", "MailText", "MailMessageType", "MailCharset",
                     "MailMessageEncoded", "DirrectMail", "MailSeparator", "File", "FileType"),
    **{task: ("Users", "Name", "Description", "Parameters", "OverdueDate", "StatusMessage",
              "SetStatusMessage", "TimeoutDuration", "TimeoutDurationType",
              "CommentLabelMessage", "ShowComment", "CommentRequired", "AccessControl",
              "DelegationType", *extra)
       for task, extra in (("ApproveActivity", ("ApproveType", "ApproveMinPercent",
                                                "ApproveWaitForAll", "TaskButton1Message",
                                                "TaskButton2Message")),
                           ("ReviewActivity", ("ApproveType", "TaskButtonMessage")),
                           ("RequestInformationActivity", ("RequestedInformation",
                                                           "TaskButtonMessage")))},
    "Task2Activity": ("Fields", "HoldToClose", "AUTO_LINK_TO_CRM_ENTITY", "AsChildTask",
                      "CheckListItems", "TimeEstimateHour", "TimeEstimateMin"),
    "StartWorkflowActivity": ("DocumentId", "TemplateId", "TemplateParameters",
                              "UseSubscription"),
    "WebHookActivity": ("Handler",),
    **{create: ("Fields",) for create in (CREATE_DOCUMENT, *CREATE_ACTIVITIES.values())},
    "CrmChangeStatusActivity": ("TargetStatus", "ModifiedBy"),
    "CrmChangeResponsibleActivity": ("Responsible", "ModifiedBy", "GetterType", "SkipAbsent",
                                     "SkipTimeMan"),
    "GetUserActivity": ("UserParameter", "ReserveUserParameter", "UserType", "MaxLevel",
                        "SkipAbsent", "SkipTimeman", "SkipAbsentReserve", "SkipTimemanReserve"),
    "GetUserInfoActivity": ("GetUser",),
    "CrmChangeDealCategoryActivity": ("CategoryId",),
    "CrmTimelineCommentAdd": ("CommentText", "CommentUser"),
    "CrmCreateToDoActivity": ("Description", "Deadline", "Responsible", "AutoComplete"),
    "CrmSendSmsActivity": ("MessageText", "ProviderId", "RecipientType", "RecipientUser",
                           "PhoneType"),
    "CrmCreateDynamicActivity": ("DynamicTypeId", "DynamicEntitiesFields"),
    "CrmUpdateDynamicActivity": ("DynamicTypeId", "DynamicId", "DynamicEntitiesFields"),
    "CreateListsDocumentActivity": ("DocumentType", "Fields"),
    "UpdateListsDocumentActivity": ("DocumentType", "ElementId", "Fields"),
    "CrmGenerateEntityDocumentActivity": ("TemplateId", "UseSubscription", "WithStamps",
                                          "Values"),
    "SetPermissionsActivity": ("Permission", "Rewrite", "SetMode", "SetScope"),
    "DeleteDocumentActivity": ("TerminateCurrentWorkflow",),
    "PublishDocumentActivity": (),
    "TerminateActivity": ("StateTitle",),
    "SetStateActivity": ("TargetStateName", "CancelCurrentState"),
    "ParallelActivity": (),
    "SequenceActivity": (),
    "WhileActivity": (),  # and the condition's key
    "ForEachActivity": ("Variable", "Object"),
    "IfElseActivity": (),
    "IfElseBranchActivity": (),  # and the condition's key
    "StateInitializationActivity": (),
    "StateFinalizationActivity": (),
    "EventDrivenActivity": (),
    "HandleExternalEventActivity": ("Permission", "SenderUserId"),
    "SequentialWorkflowActivity": ("Permission",),
    "StateMachineWorkflowActivity": ("InitialStateName",),
    "StateActivity": (),
    # An app robot's node (rest_<md5>); the call's inputs follow.
    APP_ACTIVITY: ("UseSubscription", "AuthUserId", "SetStatusMessage", "StatusMessage",
                   "TimeoutDuration", "TimeoutDurationType"),
}


# Values codegen writes that are neither an option's nor the catalog default: what the designer
# stores where Bitrix's own default is null.
FIXED: dict[str, dict[str, Any]] = {
    "SetFieldActivity": {"ModifiedBy": []},
    "CrmChangeStatusActivity": {"ModifiedBy": []},
    "CrmChangeResponsibleActivity": {"ModifiedBy": []},
    "MailActivity": {"File": []},
    "Task2Activity": {"TimeEstimateHour": 0, "TimeEstimateMin": 0, "CheckListItems": []},
    "HandleExternalEventActivity": {"SenderUserId": ""},
}

# How Bitrix reads the entries of a list or map property, by (activity type, property).
# requestinformationactivity.php (modules/bizproc/install/activities/bitrix/
# requestinformationactivity/): a RequestedInformation entry's Description is shown only when
# not empty (ShowTaskForm), its Options go to the field's input control, where none and "" are
# no list (the designer leaves both out, codegen writes ""), and Required / Multiple pass
# CBPHelper::getBool: '1', 'Y' and true are one flag. task2activity.php (modules/tasks/install/
# activities/bitrix/task2activity/, Execute): the users of a task's Fields pass
# CBPHelper::ExtractUsers, so one user is the list holding it and "" is no one.
@record(slots=False)
class EntryKeys:
    empty: frozenset[str] = frozenset()  # missing and empty mean the same
    flags: frozenset[str] = frozenset()  # read as booleans
    users: frozenset[str] = frozenset()  # read as lists of users


ENTRY_KEYS: dict[tuple[str, str], EntryKeys] = {
    ("RequestInformationActivity", "RequestedInformation"): EntryKeys(
        empty=frozenset({"Description", "Options"}), flags=frozenset({"Required", "Multiple"})),
    ("Task2Activity", "Fields"): EntryKeys(
        empty=frozenset({"ACCOMPLICES", "AUDITORS"}),
        users=frozenset({"CREATED_BY", "RESPONSIBLE_ID", "ACCOMPLICES", "AUDITORS"})),
}

# Titles of the inner nodes of containers, which have no statement of their own: an approval's
# two sequences, a loop's body, the branches of `if` (the first, `else if` N, `else`) and of
# `parallel` (number N, from 1).
APPROVAL_BRANCHES = ("Approved", "Rejected")
LOOP_BODY = "Loop body"


def if_branch_title(index: int, otherwise: bool = False) -> str:
    return "Otherwise" if otherwise else "Yes" if index == 0 else f"Else if {index}"


def parallel_branch_title(number: int) -> str:
    return f"Branch {number}"


# ForEachActivity's Object for what a loop goes over (a label reads the activity's Name).
LOOP_SOURCES = {"var": "Variable", "param": "Parameter", "const": "Constant", "doc": "Document"}

# The keys of Task2Activity's Fields codegen writes (TITLE, CREATED_BY and RESPONSIBLE_ID always,
# the others when their option is written), in the order it writes them.
TASK_FIELDS = ("TITLE", "CREATED_BY", "RESPONSIBLE_ID", "ACCOMPLICES", "AUDITORS", "DESCRIPTION",
               "DEADLINE", "START_DATE_PLAN", "END_DATE_PLAN", "GROUP_ID", "PRIORITY",
               "ALLOW_CHANGE_DEADLINE", "TASK_CONTROL", "ALLOW_TIME_TRACKING", "ADD_IN_REPORT",
               "UF_CRM_TASK")


def kind_of(stmt: ast.Stmt) -> str:
    """The row of a statement: `notify` and `message` share their syntax node, and so do the
    statements of ActionStmt."""
    if isinstance(stmt, ast.NotifyStmt | ast.ActionStmt):
        return stmt.kind
    return BY_NODE[type(stmt)].kind


def statement(stmt: ast.Stmt) -> Statement:
    return STATEMENTS[kind_of(stmt)]


def writes(activity_type: str) -> tuple[str, ...]:
    """The properties codegen writes for an activity type (app robots: their own ones)."""
    if activity_type.lower().startswith(APP_ACTIVITY_PREFIX):
        return WRITES[APP_ACTIVITY]
    return WRITES[activity_type]


def create_activity(document: str) -> str:
    """The activity `create DOCUMENT` lowers to."""
    return CREATE_ACTIVITIES.get(document, CREATE_DOCUMENT)


# The key the value after an ActionStmt's keyword goes by among its options (no option is
# called so: a key of an option block is a name).
SUBJECT = "<subject>"


def action_options(row: Statement) -> dict[str, Option]:
    """An ActionStmt's options with its subject first (under SUBJECT), in the order codegen
    fills and the importer reads them."""
    return {**({SUBJECT: row.subject} if row.subject is not None else {}), **row.options}


def task_options(kind: str) -> dict[str, Option]:
    """The options approve, review and ask share (those of a task for people)."""
    return {k: v for k, v in STATEMENTS[kind].options.items() if k in _TASK_COMMON}


def settings(owner: str) -> Mapping[str, Option]:
    """The option block of a statement kind, or of a robot declaration ("robot")."""
    return ROBOT_OPTIONS if owner == "robot" else STATEMENTS[owner].options

