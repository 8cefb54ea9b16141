"""How the simulator runs each activity type of the catalog: the one table that says so.

    effect     it does what the activity does to what the simulator holds — the document and
               the portal's other documents, variables (global ones too), tasks, people, the
               clock, the workflow's state — and returns what Bitrix would from that.
    records    what it does leaves the portal's workflow data (a message, an SMS, a comment,
               a post, an event, a file, a booking): the simulator records it with its values
               in `Run.messages` or `Run.records`; ids of what it made come from counters.
    declared   the outcome depends on portal state the simulator cannot know (telephony,
               payments, Drive contents, PHP code): the activity runs with the empty values its
               results are declared with, or what the scenario scripts
               (`[[scenario.activities]]`), and the run's log says so at every run.
    no effect  there is nothing a workflow could observe in a simulation.
    container  it runs its children (or waits for them, like Listen and states).

Every type in stdlib/activities.toml has an entry and a handler registered under its own
name (tests/simulator/test_activity_table.py walks the catalog). `why` is the sentence the run's
log and `bpl test` print for a `declared` one, and the documentation of the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class How(StrEnum):
    EFFECT = "effect"
    RECORDS = "records"
    DECLARED = "declared"
    NO_EFFECT = "no effect"
    CONTAINER = "container"


@dataclass(frozen=True)
class Fidelity:
    how: How
    why: str


def _e(why: str) -> Fidelity:
    return Fidelity(How.EFFECT, why)


def _r(why: str) -> Fidelity:
    return Fidelity(How.RECORDS, why)


def _d(why: str) -> Fidelity:
    return Fidelity(How.DECLARED, why)


def _c(why: str) -> Fidelity:
    return Fidelity(How.CONTAINER, why)


_MESSAGE = "recorded as a message (kind {})"

FIDELITY: dict[str, Fidelity] = {
    # ── bizproc: structure ───────────────────────────────────────────────────────────────
    "SequentialWorkflowActivity": _c("runs its children in order"),
    "StateMachineWorkflowActivity": _c("runs the initial state, then the states SetState picks"),
    "SequenceActivity": _c("runs its children in order"),
    "EmptyBlockActivity": _c("runs its children in order (a SequenceActivity)"),
    "IfElseActivity": _c("runs the first branch whose condition holds"),
    "IfElseBranchActivity": _c("runs its children in order"),
    "WhileActivity": _c("runs its body while the condition holds, at most 1000 times"),
    "ForEachActivity": _c("runs its body once per element"),
    "ParallelActivity": _c("runs its branches interleaved"),
    "ListenActivity": _c("waits for the first of its events and runs that branch"),
    "EventDrivenActivity": _c("runs in a state or ListenActivity when its event fires"),
    "StateActivity": _c("runs its init block, waits for its events, runs its exit block"),
    "StateInitializationActivity": _c("runs its children in order"),
    "StateFinalizationActivity": _c("runs its children in order"),
    # ── bizproc: people and tasks ────────────────────────────────────────────────────────
    "ApproveActivity": _e("a task for the approvers; Bitrix's voting rules and results"),
    "ReviewActivity": _e("a task for the reviewers; closes when one or all have read it"),
    "RequestInformationActivity": _e("a task whose answers go into the variables"),
    "RequestInformationOptionalActivity": _e("a task whose answers go into the variables; "
                                             "a refusal runs the second branch"),
    "HandleExternalEventActivity": _e("waits for a command of a permitted user"),
    "GetUserActivity": _e("picks users from the directory (random, in turn, or heads up the "
                          "hierarchy), skipping absent or clocked-out ones, then the reserve"),
    "GetUserInfoActivity": _e("reads the user's profile from the scenario's [users]"),
    "AbsenceActivity": _e("the users count as absent in that period from then on; recorded"),
    "WaitWorkDayActivity": _e("waits for the working day (Monday to Friday, 9:00)"),
    # ── bizproc: data and flow ───────────────────────────────────────────────────────────
    "SetFieldActivity": _e("writes the document's fields"),
    "SetVariableActivity": _e("writes the workflow's variables"),
    "SetGlobalVariableActivity": _e("writes the portal's global variables"),
    "MathOperationActivity": _e("computes a op b into numeric global variables"),
    "RandomStringActivity": _e("a seeded random string from the chosen alphabets"),
    "LogActivity": _e("writes a line into the workflow's log"),
    "SetStateTitleActivity": _e("sets the workflow's status text"),
    "SetStateActivity": _e("chooses the next state"),
    "SetPermissionsActivity": _e("sets the workflow's document permissions; recorded"),
    "DelayActivity": _e("waits on the virtual clock"),
    "RobotDelayActivity": _e("waits on the virtual clock, then for the user's working day"),
    "TerminateActivity": _e("ends the workflow"),
    "CreateDocumentActivity": _e("creates a document of the workflow's type"),
    "DeleteDocumentActivity": _e("deletes the document, which ends the workflow"),
    "StartWorkflowActivity": _r("the started workflow is recorded with its parameters"),
    "StartScriptActivity": _r("the started script is recorded with its parameters"),
    "WebHookActivity": _r("the call is recorded with its URL"),
    "MailActivity": _r(_MESSAGE.format("mail")),
    "SocNetMessageActivity": _r(_MESSAGE.format("message")),
    "SocNetLogActivity": _r(_MESSAGE.format("log")),
    "ForumReviewActivity": _r(_MESSAGE.format("forum")),
    "CalendarActivity": _r(_MESSAGE.format("calendar")),
    "FixResultActivity": _r("the workflow's result is recorded (kind result)"),
    "SaveHistoryActivity": _r("the history copy is recorded (kind history)"),
    "PublishDocumentActivity": _r("the publication is recorded (kind publish); no field "
                                  "workflows read changes"),
    "UnpublishDocumentActivity": _r("recorded (kind unpublish); no field workflows read "
                                    "changes"),
    "LockDocumentActivity": Fidelity(How.NO_EFFECT, "no other workflow competes for the "
                                                    "document in a simulation"),
    "UnlockDocumentActivity": Fidelity(How.NO_EFFECT, "no other workflow competes for the "
                                                      "document in a simulation"),
    "CodeActivity": _d("PHP code is not run"),
    # ── calendar, im, imopenlines, socialnetwork ─────────────────────────────────────────
    "Calendar2Activity": _r(_MESSAGE.format("calendar")),
    "IMNotifyActivity": _r(_MESSAGE.format("notify")),
    "ImMessageActivity": _r(_MESSAGE.format("chat")),
    "ImCreateGroupChatActivity": _r("the chat is recorded (kind chat_created); ChatId from a "
                                    "counter"),
    "ImAddMemberToGroupChatActivity": _r("recorded (kind chat_members)"),
    "ImAddMessageToGroupChatActivity": _r(_MESSAGE.format("group_chat")),
    "ImOpenLinesMessageActivity": _r(_MESSAGE.format("openlines")),
    "SocnetBlogPostActivity": _r(_MESSAGE.format("post") + "; PostId from a counter"),
    "CreateWorkGroup": _r("the group is recorded (kind workgroup); GroupId from a counter"),
    # ── crm: the item itself ─────────────────────────────────────────────────────────────
    "CrmChangeStatusActivity": _e("sets STAGE_ID or STATUS_ID and ends the workflow"),
    "CrmChangeResponsibleActivity": _e("sets ASSIGNED_BY_ID (random, first, or in turn)"),
    "CrmChangeDealCategoryActivity": _e("moves the deal to the pipeline's first stage and ends "
                                        "the workflow"),
    "CrmChangeDynamicCategoryActivity": _e("moves the item to the pipeline and stage and ends "
                                           "the workflow"),
    "CrmSetObserverField": _e("adds, removes or replaces OBSERVER_IDS of a lead or deal"),
    "CrmChangeRelationsActivity": _e("removes or replaces the item's PARENT_ID_<type> link"),
    "CrmCompleteTaskActivity": _e("closes the run's open tasks created in the given stages"),
    "CrmSetCompanyField": _e("writes the fields of the linked company (COMPANY_ID)"),
    "CrmSetContactField": _e("writes the fields of the linked contact (CONTACT_ID)"),
    # ── crm: other items ─────────────────────────────────────────────────────────────────
    "CreateCrmLeadDocumentActivity": _e("creates a lead"),
    "CreateCrmDealDocumentActivity": _e("creates a deal"),
    "CreateCrmContactDocumentActivity": _e("creates a contact"),
    "CreateCrmCompanyDocumentActivity": _e("creates a company"),
    "CrmCreateDynamicActivity": _e("creates an item of the given type"),
    "CrmUpdateDynamicActivity": _e("writes the fields of the first item the filter finds"),
    "CrmDeleteDynamicActivity": _e("deletes the item; deleting the workflow's own ends it"),
    "CrmGetDynamicInfoActivity": _e("returns fields of the first item the filter finds"),
    "CrmGetDataEntityActivity": _e("returns fields of the lead, contact, company or deal"),
    "CrmGetRelationsInfoActivity": _e("returns fields of the parent item (PARENT_ID_<type>)"),
    "CrmCopyDealActivity": _e("creates a copy of the deal"),
    "CrmCopyDynamicActivity": _e("creates a copy of the item"),
    "CrmCreateReturnLeadActivity": _e("creates a repeat lead from the deal"),
    "CrmConvertDocumentActivity": _e("creates the chosen items from the lead or deal"),
    "CrmDealStageListenActivity": _e("returns the deal's stage when it is one waited for; a "
                                     "deal the scenario does not give cannot be waited for"),
    "CrmLeadStatusListenActivity": _e("returns the lead's status when it is one waited for; a "
                                      "lead the scenario does not give cannot be waited for"),
    # ── crm: timeline, communications, outside services ─────────────────────────────────
    "CrmTimelineCommentAdd": _r(_MESSAGE.format("comment")),
    "CrmCreateToDoActivity": _r(_MESSAGE.format("todo") + "; Id from a counter"),
    "CrmCreateCallActivity": _r(_MESSAGE.format("call") + "; Id from a counter"),
    "CrmCreateMeetingActivity": _r(_MESSAGE.format("meeting") + "; Id from a counter"),
    "CrmCreateRequestActivity": _r(_MESSAGE.format("request") + "; Id from a counter"),
    "CrmSendSmsActivity": _r(_MESSAGE.format("sms")),
    "CrmSendEmailActivity": _r(_MESSAGE.format("email")),
    "CrmControlNotifyActivity": _r(_MESSAGE.format("notify")),
    "CrmEventAddActivity": _r(_MESSAGE.format("event")),
    "CrmWaitActivity": _r("the wait entry is recorded (kind wait); it does not suspend"),
    "CrmExcludeActivity": _r("recorded (kind exclude)"),
    "CrmAddProductRow": _r("the product row is recorded (kind product_row); the item's "
                           "amount is not recomputed"),
    "CrmResourceBooking": _r("the booking is recorded (kind booking)"),
    "CrmResourceBookingCancel": _r("recorded (kind booking_cancel)"),
    "CrmCreateAdsActivityVk": _r("recorded (kind ads)"),
    "CrmCreateAdsActivityFb": _r("recorded (kind ads)"),
    "CrmCreateAdsActivityGa": _r("recorded (kind ads)"),
    "CrmCreateAdsActivityYa": _r("recorded (kind ads)"),
    "CrmGenerateEntityDocumentActivity": _r("the document is recorded (kind generated); its "
                                            "id and number from a counter, no files"),
    "CrmOrderPayActivity": _d("payments are made by the portal's payment systems"),
    "CrmGetPaymentInfoActivity": _d("orders and payments are not simulated"),
    # ── lists ────────────────────────────────────────────────────────────────────────────
    "CreateListsDocumentActivity": _e("creates a list element"),
    "UpdateListsDocumentActivity": _e("writes the fields of a list element"),
    "GetListsDocumentActivity": _e("returns fields of a list element"),
    # ── tasks ────────────────────────────────────────────────────────────────────────────
    "Task2Activity": _e("a Tasks task; with HoldToClose the workflow waits until it is closed"),
    "TasksChangeStatusActivity": _e("sets the task's STATUS"),
    "TasksChangeResponsibleActivity": _e("sets RESPONSIBLE_ID to another of the users, at "
                                         "random"),
    "TasksChangeStageActivity": _e("sets the task's STAGE_ID and ends the workflow"),
    "TasksUpdateTaskActivity": _e("writes the task's fields"),
    "TasksDeleteTaskActivity": _e("deletes the task, which ends the workflow"),
    "TasksGetDocumentActivity": _e("returns fields of a task"),
    # ── rpa ──────────────────────────────────────────────────────────────────────────────
    "RpaApproveActivity": _e("a task; the answer's action moves the item and ends the workflow"),
    "RpaReviewActivity": _e("a task; confirming moves the item and ends the workflow"),
    "RpaMoveActivity": _e("a task; confirming moves the item and ends the workflow"),
    "RpaRequestActivity": _e("a task whose answers fill the item's fields; then it moves"),
    "RpaChangeStageActivity": _e("sets the item's STAGE_ID and ends the workflow"),
    # ── disk, telephony ──────────────────────────────────────────────────────────────────
    "DiskAddFolderActivity": _r("the folder is recorded (kind disk); ObjectId from a counter, "
                                "no link"),
    "DiskUploadActivity": _r("the upload is recorded (kind disk); ids from a counter, no links"),
    "DiskUploadVersionActivity": _r("the version is recorded (kind disk)"),
    "DiskCopyMoveActivity": _r("the copy or move is recorded (kind disk); ids from a counter, "
                               "no links"),
    "DiskRemoveActivity": _r("the removal is recorded (kind disk)"),
    "DiskDetailActivity": _d("the Drive's files are not simulated"),
    "VoximplantCallActivity": _d("the call's outcome is decided by the telephony service"),
    # ── apps ─────────────────────────────────────────────────────────────────────────────
    "RestActivity": _r("the app's robot is recorded; with UseSubscription it waits for the "
                       "event the scenario scripts ([[scenario.robots]])"),
}

_BY_TYPE = {name.lower(): entry for name, entry in FIDELITY.items()}


def fidelity(type_name: str) -> Fidelity | None:
    return _BY_TYPE.get(type_name.lower())
