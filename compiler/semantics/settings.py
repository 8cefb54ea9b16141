"""The option blocks of sugar statements: which keys each accepts and what values they take.

One table for the checker (unknown keys, value kinds) and for codegen (which Bitrix property a
key fills), so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SettingSpec:
    kind: str  # text | duration | users | user | bool | int | choice | expr | list | date
    summary: str
    choices: tuple[str, ...] = ()


_TASK_COMMON = {
    "description": SettingSpec("text", "text shown in the task"),
    "status": SettingSpec("text", "workflow status text while the task waits"),
    "timeout": SettingSpec("duration", "close the task unanswered after this time"),
    "deadline": SettingSpec("date", "date shown as the task's deadline (OverdueDate)"),
    "comment": SettingSpec("choice", "comment field of the task form",
                           ("required", "optional", "hidden", "required_on_approve",
                            "required_on_reject")),
    "comment_label": SettingSpec("text", "label of the comment field"),
    "delegation": SettingSpec("choice", "who may receive the task by delegation",
                              ("subordinates", "all", "none")),
    "access_control": SettingSpec("bool", "only the assignees see the task details"),
    "parameters": SettingSpec("text", "extra text of the task form (Parameters)"),
}

SETTINGS: dict[str, dict[str, SettingSpec]] = {
    "approve": {
        **_TASK_COMMON,
        "vote": SettingSpec("expr", "any | all | a percentage (60) of approvers needed"),
        "wait_for_all": SettingSpec("bool", "with a percentage vote, wait for every vote"),
        "approve_button": SettingSpec("text", "caption of the approve button"),
        "reject_button": SettingSpec("text", "caption of the reject button"),
    },
    "review": {
        **_TASK_COMMON,
        "vote": SettingSpec("choice", "all reviewers or any one of them", ("any", "all")),
        "button": SettingSpec("text", "caption of the 'reviewed' button"),
    },
    "ask": {
        **{k: v for k, v in _TASK_COMMON.items() if k != "access_control"},
        "access_control": _TASK_COMMON["access_control"],
        "button": SettingSpec("text", "caption of the submit button"),
    },
    "task": {
        "responsible": SettingSpec("users", "who does the task (RESPONSIBLE_ID)"),
        "creator": SettingSpec("user", "who set the task (CREATED_BY); default: the starter"),
        "accomplices": SettingSpec("users", "participants (ACCOMPLICES)"),
        "auditors": SettingSpec("users", "observers (AUDITORS)"),
        "description": SettingSpec("text", "task description"),
        "deadline": SettingSpec("date", "task deadline (DEADLINE)"),
        "start": SettingSpec("date", "planned start (START_DATE_PLAN)"),
        "end": SettingSpec("date", "planned end (END_DATE_PLAN)"),
        "priority": SettingSpec("choice", "task priority", ("low", "normal", "high")),
        "group": SettingSpec("expr", "workgroup id (GROUP_ID)"),
        "wait": SettingSpec("bool", "pause the workflow until the task is closed (HoldToClose)"),
        "checklist": SettingSpec("list", "checklist items"),
        "allow_change_deadline": SettingSpec("bool", "the responsible may move the deadline"),
        "control": SettingSpec("bool", "the creator must accept the result (TASK_CONTROL)"),
        "time_tracking": SettingSpec("bool", "track time spent (ALLOW_TIME_TRACKING)"),
        "subtask": SettingSpec("bool", "create it as a subtask of the document's task"),
    },
    "mail": {
        "html": SettingSpec("bool", "the body is HTML"),
        "charset": SettingSpec("text", "message charset (default UTF-8)"),
        "direct": SettingSpec("bool", "send directly instead of through the mail event queue"),
        "separator": SettingSpec("text", "separator of several addresses"),
    },
    "call": {
        "timeout": SettingSpec("duration", "stop waiting for the app after this time; the "
                                           "result IsTimeout is then 1 (TimeoutDuration)"),
        "status": SettingSpec("text", "workflow status text while the app works"),
    },
    "robot": {
        "handler": SettingSpec("text", "URL that receives the invocation"),
        "auth_user": SettingSpec("user", "user whose token the handler gets (AUTH_USER_ID)"),
        "wait_for_result": SettingSpec("bool", "wait for bizproc.event.send (USE_SUBSCRIPTION)"),
        "documents": SettingSpec("list", "document types where it is offered (FILTER INCLUDE)"),
        "exclude": SettingSpec("list", "document types or b24/box where it is hidden (FILTER "
                                       "EXCLUDE)"),
        "document_type": SettingSpec("expr", "document type whose field types the properties "
                                             "use (DOCUMENT_TYPE)"),
        "description": SettingSpec("text", "description shown in the designer"),
        "placement": SettingSpec("text", "URL of the app's property dialog (PLACEMENT_HANDLER)"),
        "translations": SettingSpec("expr", "names in other languages: { ru: \"…\", de: \"…\" }"),
    },
}
