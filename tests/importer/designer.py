"""Templates as Bitrix's designer and older tools store them (reference bitrix-format.md):
random names with 1–5 digit parts, '1'/'0' and 'Y'/'N' flags, keys left out, legacy
condition shapes, `[object, field]` token lists, PHP's empty array as `[]`.
"""

from __future__ import annotations

from typing import Any


def node(type_: str, name: str, properties: dict[str, Any] | list[Any],
         children: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": type_, "Name": name, "Properties": properties}
    if children is not None:
        out["Children"] = children
    out.update(extra)
    return out


# §9 of the reference, as the exporter writes it (DOCUMENT_FIELDS holds every deal field).
BIG_DEAL: dict[str, Any] = {
    "VERSION": 2,
    "TEMPLATE": [node("SequentialWorkflowActivity", "Template",
                      {"Title": "Big deal check", "Permission": []}, [
        node("IfElseActivity", "A10001_20002_30003_40004", {"Title": "Is it a big deal?"}, [
            node("IfElseBranchActivity", "A10001_20002_30003_40005", {
                "Title": "Amount >= threshold",
                "fieldcondition": [["OPPORTUNITY", ">=", "{=Template:MinAmount}", 0]]}, [
                node("SetFieldActivity", "A10001_20002_30003_40006", {
                    "Title": "Mark as big deal",
                    "FieldValue": {"COMMENTS": "Big deal: {=Document:OPPORTUNITY} "
                                               "({=Variable:Note})"},
                    "MergeMultipleFields": "N", "ModifiedBy": []}, [], Activated="Y"),
            ], Activated="Y"),
            node("IfElseBranchActivity", "A10001_20002_30003_40007",
                 {"Title": "Otherwise", "truecondition": "1"}, [], Activated="Y"),
        ], Activated="Y"),
        node("LogActivity", "A10001_20002_30003_40008", {
            "Title": "Write log",
            "Text": "Checked deal {=Document:ID}, threshold {=Template:MinAmount}, "
                    "note {=Variable:Note}",
            "SetVariable": False}, [], Activated="Y"),
    ], Activated="Y")],
    "PARAMETERS": {"MinAmount": {"Name": "Minimal amount", "Description": "", "Type": "double",
                                 "Required": "1", "Multiple": "0", "Options": "",
                                 "Default": "100000"}},
    "VARIABLES": {"Note": {"Name": "Note", "Description": "", "Type": "string",
                           "Required": "0", "Multiple": "0", "Options": "",
                           "Default": "checked by bp"}},
    "CONSTANTS": [],
    "DOCUMENT_FIELDS": {
        "OPPORTUNITY": {"Name": "Amount", "Type": "double", "Multiple": "N"},
        "UF_CRM_1700000001": {"Name": "Approval note", "Type": "text", "Multiple": "N"},
    },
}

# The shape of the built-in "Vacation" template on a list: a state machine with designer
# names, Activated and Children keys left out on leaves, a branch without condition key (an
# else in old built-ins), a single field condition tuple without its list, 3-tuples.
VACATION: dict[str, Any] = {
    "VERSION": 2,
    "TEMPLATE": [node("StateMachineWorkflowActivity", "Template", {
        "Title": "Vacation", "InitialStateName": "A2560_50199_5564_95292"}, [
        node("StateActivity", "A2560_50199_5564_95292", {"Title": "Draft"}, [
            node("StateInitializationActivity", "A3_4_5_6", {"Title": "Enter"}, [
                node("SetFieldActivity", "A77_1_2_3", {
                    "Title": "Status", "FieldValue": {"PROPERTY_STATUS": "draft"}}),
            ]),
            node("EventDrivenActivity", "A99_98_97_96", {"Title": "Submit"}, [
                node("HandleExternalEventActivity", "A5_5_5_5", {
                    "Title": "Submit", "Permission": ["author"]}),
                node("SetStateActivity", "A6_6_6_6",
                     {"Title": "To approval", "TargetStateName": "A81_82_83_84"}),
            ]),
        ]),
        node("StateActivity", "A81_82_83_84", {"Title": "Approval"}, [
            node("StateInitializationActivity", "A9_9_9_9", {"Title": "Enter"}, [
                node("IfElseActivity", "A1_1_1_1", {"Title": "Condition"}, [
                    node("IfElseBranchActivity", "A1_1_1_2", {
                        "Title": "Long",
                        "fieldcondition": ["PROPERTY_DAYS", ">", "14", 0]}, [
                        node("LogActivity", "A1_1_1_3", {"Title": "Log",
                                                         "Text": "long vacation"}),
                    ]),
                    node("IfElseBranchActivity", "A1_1_1_4", {
                        "Title": "Short", "fieldcondition": [["PROPERTY_DAYS", "<", "3"]]}, [
                        node("LogActivity", "A1_1_1_5", {"Title": "Log", "Text": "short"}),
                    ]),
                    node("IfElseBranchActivity", "A1_1_1_6", {"Title": "Else"}, []),
                ]),
                node("ApproveActivity", "A4_4_4_4", {
                    "Title": "Approve", "Users": ["group_hrr7", ["Template", "TargetUser"]],
                    "ApproveType": "any", "Name": "Approve {=Document:NAME}",
                    "Description": "", "TimeoutDuration": "0", "TimeoutDurationType": "s",
                    "ShowComment": "Y", "CommentRequired": "N", "SetStatusMessage": "Y",
                    "StatusMessage": "", "TaskButton1Message": "Approve",
                    "TaskButton2Message": "Reject"}, [
                    node("SequenceActivity", "A4_4_4_5", {"Title": "Approved"}, [
                        node("SetStateActivity", "A4_4_4_6", {
                            "Title": "Go to Approved",
                            "TargetStateName": "A10_20_30_40", "CancelCurrentState": "N"}),
                    ]),
                    node("SequenceActivity", "A4_4_4_7", {"Title": "Rejected"}, [
                        node("SocNetMessageActivity", "A4_4_4_8", {
                            "Title": "Tell", "MessageUserFrom": ["{=Template:TargetUser}"],
                            "MessageUserTo": ["author"],
                            "MessageText": "Rejected: {=A4_4_4_4:Comments}"}),
                        node("SetStateActivity", "A4_4_4_9",
                             {"Title": "Back", "TargetStateName": "A2560_50199_5564_95292"}),
                    ]),
                ]),
            ]),
        ]),
        node("StateActivity", "A10_20_30_40", {"Title": "Approved"}, [
            node("StateInitializationActivity", "A11_12_13_14", {"Title": "Enter"}, [
                node("TerminateActivity", "A15_16_17_18", {"Title": "Done"}),
            ]),
        ]),
    ], Activated="Y")],
    "PARAMETERS": [],
    "VARIABLES": [],
    "CONSTANTS": [],
}

# A newer designer template: mixed and property/variable conditions, a disabled activity,
# a pause written as strings, formulas and tokens with modifiers, every declaration type.
CLAIMS: dict[str, Any] = {
    "VERSION": 2,
    "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {"Title": "Claims"}, [
        node("SetVariableActivity", "A512_0_77_3", {
            "Title": "Deadline",
            "VariableValue": {"Due": "=dateadd({=System:Now}, \"3d\")"}}, []),
        node("DelayActivity", "A1_22_333_4444", {
            "Title": "Wait a bit", "TimeoutDuration": "2", "TimeoutDurationType": "h",
            "TimeoutTime": "", "TimeoutTimeIsLocal": "N", "WriteToLog": "N"}, []),
        node("IfElseActivity", "A7_7_7_7", {"Title": "Condition"}, [
            node("IfElseBranchActivity", "A7_7_7_8", {
                "Title": "Big and open",
                "mixedcondition": [
                    {"object": "Document", "field": "OPPORTUNITY", "operator": ">",
                     "value": "{=Constant:Limit}", "joiner": "0"},
                    {"object": "Variable", "field": "Kind", "operator": "=",
                     "value": "refund", "joiner": 0}]}, [
                node("IMNotifyActivity", "A7_7_7_9", {
                    "Title": "Tell finance", "MessageUserFrom": ["{=Template:TargetUser}"],
                    "MessageUserTo": ["{=Constant:Finance}", "user_1"],
                    "MessageSite": "Claim {=Document:TITLE} for "
                                   "{=Document:ASSIGNED_BY_ID > printable}",
                    "MessageOut": "Claim {=Document:TITLE} for "
                                  "{=Document:ASSIGNED_BY_ID > printable}",
                    "MessageType": 4}, []),
            ]),
            node("IfElseBranchActivity", "A7_7_7_10", {
                "Title": "Repeat",
                "propertyvariablecondition": [["Kind", "in", ["warranty", "repair"], 0],
                                              ["Reason", "!empty", "", 1]]}, [
                node("LogActivity", "A7_7_7_11", {
                    "Title": "Log", "Text": "{{=strtoupper({=Variable:Kind})}} claim",
                    "SetVariable": "N"}, [], Activated="N"),
            ]),
            node("IfElseBranchActivity", "A7_7_7_12", {"Title": "Otherwise",
                                                       "truecondition": "1"}, []),
        ]),
        node("CodeActivity", "A8_8_8_8", {"Title": "Custom", "ExecuteCode": "$x = 1;"}, []),
    ])],
    "PARAMETERS": {
        "Kind": {"Name": "Kind", "Type": "select", "Required": "Y", "Multiple": "N",
                 "Options": {"refund": "Refund", "warranty": "Warranty", "repair": "Repair"},
                 "Default": "refund"},
    },
    "VARIABLES": {
        "Due": {"Name": "Due", "Description": "", "Type": "datetime", "Required": 0,
                "Multiple": 0, "Default": ""},
        "Reason": {"Name": "Reason", "Type": "text", "Required": False, "Multiple": False},
        "Watchers": {"Name": "Watchers", "Type": "user", "Required": "0", "Multiple": "1",
                     "Default": ["user_3", "group_hrr5", "author"]},
        "Flag": {"Name": "Flag", "Type": "bool", "Default": "Y"},
        "Stage": {"Name": "Stage", "Type": "internalselect", "Options": "STAGE_ID"},
        "Link": {"Name": "Link", "Type": "UF:crm", "Multiple": "1"},
    },
    "CONSTANTS": {
        "Limit": {"Name": "Limit", "Type": "int", "Default": 50000, "Required": 1},
        "Finance": {"Name": "Finance", "Type": "user", "Default": "user_6"},
    },
}
