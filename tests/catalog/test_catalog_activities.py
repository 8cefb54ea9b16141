"""The activity catalog against the facts of the reference (bitrix-format.md §2.4, §5, §6)."""

from __future__ import annotations

import pytest

from compiler.catalog import Catalog, load_catalog

# §6 of the reference, plus WaitWorkDayActivity (§2.4 names it as event-driven).
REFERENCE_ACTIVITIES = [
    "SequentialWorkflowActivity",
    "StateMachineWorkflowActivity",
    "SequenceActivity",
    "IfElseActivity",
    "IfElseBranchActivity",
    "ParallelActivity",
    "ListenActivity",
    "EventDrivenActivity",
    "StateActivity",
    "StateInitializationActivity",
    "StateFinalizationActivity",
    "SetStateActivity",
    "HandleExternalEventActivity",
    "WhileActivity",
    "ForEachActivity",
    "SetFieldActivity",
    "SetVariableActivity",
    "LogActivity",
    "SetStateTitleActivity",
    "DelayActivity",
    "ApproveActivity",
    "ReviewActivity",
    "RequestInformationActivity",
    "SocNetMessageActivity",
    "IMNotifyActivity",
    "MailActivity",
    "Task2Activity",
    "StartWorkflowActivity",
    "WebHookActivity",
    "CreateDocumentActivity",
    "CreateCrmDealDocumentActivity",
    "CreateCrmLeadDocumentActivity",
    "CreateCrmContactDocumentActivity",
    "CreateCrmCompanyDocumentActivity",
    "CodeActivity",
    "TerminateActivity",
    "CrmChangeStatusActivity",
    "CrmChangeResponsibleActivity",
    "WaitWorkDayActivity",
]

# (activity, property, required at import, Bitrix's message when it is missing)
REQUIRED = [
    ("LogActivity", "Text", True, "The message text is empty."),
    ("LogActivity", "SetVariable", False, None),
    ("ApproveActivity", "Users", True, "The 'Users' property is not specified."),
    ("ApproveActivity", "ApproveType", True, "The 'Approval type' property is not specified."),
    ("ApproveActivity", "Name", True, "The 'Name' property is missing."),
    ("ApproveActivity", "Description", False, None),
    ("ApproveActivity", "TimeoutDuration", False, None),
    ("ReviewActivity", "Users", True, "The 'Users' property is not specified."),
    ("ReviewActivity", "Name", True, "The 'Name' property is missing."),
    ("ReviewActivity", "ApproveType", False, None),
    ("RequestInformationActivity", "Users", True, "The 'Users' property is not specified."),
    ("RequestInformationActivity", "Name", True, "The 'Name' property is missing."),
    ("RequestInformationActivity", "RequestedInformation", True, "At least one field is required."),
    ("SetFieldActivity", "FieldValue", True, "All fields are empty."),
    ("SetFieldActivity", "ModifiedBy", False, None),
    ("SetVariableActivity", "VariableValue", True, "All the variable values are empty."),
    ("SetStateActivity", "TargetStateName", True, "Target status not specified"),
    ("SetStateTitleActivity", "TargetStateTitle", False, None),
    ("ForEachActivity", "Variable", True, "Source is not selected"),
    ("DelayActivity", "TimeoutDuration", False, None),
    ("DelayActivity", "TimeoutTime", False, None),
    ("SocNetMessageActivity", "MessageUserTo", True, "The 'Recipient' parameter is missing."),
    ("SocNetMessageActivity", "MessageText", True, "The 'Message Text' parameter is missing."),
    ("SocNetMessageActivity", "MessageUserFrom", False, None),
    ("IMNotifyActivity", "MessageUserFrom", True, "The 'Sender' parameter is missing."),
    ("IMNotifyActivity", "MessageUserTo", True, "The 'Recipient' parameter is missing."),
    ("IMNotifyActivity", "MessageSite", True, "The notification text is missing."),
    ("IMNotifyActivity", "MessageOut", False, None),
    ("MailActivity", "MailSubject", True, "The 'Subject' parameter is missing."),
    ("MailActivity", "MailText", True, "The 'Message Text' parameter is missing."),
    ("MailActivity", "MailMessageType", True, "The 'Message Type' parameter is missing."),
    ("MailActivity", "MailCharset", True, "The 'Encoding' parameter is missing."),
    ("MailActivity", "MailUserFrom", False, None),
    ("MailActivity", "MailUserToArray", False, None),
    ("StartWorkflowActivity", "TemplateId", True, "No template selected."),
    ("StartWorkflowActivity", "TemplateParameters", False, None),
    ("WebHookActivity", "Handler", True, "Handler is not specified"),
    ("CodeActivity", "ExecuteCode", True, "No PHP code specified for execution."),
    ("TerminateActivity", "StateTitle", False, None),
    ("Task2Activity", "Fields", False, None),
    ("CreateDocumentActivity", "Fields", False, None),
    ("CrmChangeStatusActivity", "TargetStatus", True, "Final stage is not specified."),
    (
        "CrmChangeResponsibleActivity",
        "Responsible",
        True,
        "The responsible person is not specified.",
    ),
    ("WaitWorkDayActivity", "TargetUser", True, "Target employee not specified."),
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(eager=True)


def test_the_catalog_loads_with_every_reference_activity(catalog: Catalog) -> None:
    assert len(catalog.activities) >= 120
    missing = [name for name in REFERENCE_ACTIVITIES if name not in catalog.activities]
    assert missing == []


def test_activity_lookup_ignores_case_like_bitrix(catalog: Catalog) -> None:
    spec = catalog.activity("setfieldactivity")
    assert spec is not None and spec.type == "SetFieldActivity"
    assert catalog.activity("IMNOTIFYACTIVITY") is catalog.activities["IMNotifyActivity"]
    assert catalog.activity("AbortActivity") is None  # there is no such activity in bizproc


def test_every_activity_has_a_title_and_a_module(catalog: Catalog) -> None:
    for spec in catalog.activities.values():
        assert spec.title and spec.summary
        assert "Title" in spec.properties
    assert catalog.activities["IMNotifyActivity"].module == "im"
    assert catalog.activities["Task2Activity"].module == "tasks"
    assert catalog.activities["CrmChangeStatusActivity"].module == "crm"


@pytest.mark.parametrize(("activity", "prop", "required", "message"), REQUIRED)
def test_required_properties_match_validate_properties(
    catalog: Catalog, activity: str, prop: str, required: bool, message: str | None
) -> None:
    spec = catalog.activities[activity].properties[prop]
    assert spec.required is required
    assert spec.required_message == message


def test_required_groups(catalog: Catalog) -> None:
    delay = catalog.activities["DelayActivity"]
    assert delay.require_one_of == (("TimeoutDuration", "TimeoutTime"),)
    assert delay.require_one_of_messages == ("The 'Period' value is not specified.",)
    mail = catalog.activities["MailActivity"]
    assert mail.require_one_of == (
        ("MailUserFrom", "MailUserFromArray"),
        ("MailUserTo", "MailUserToArray"),
    )


def test_required_keys_of_the_crm_create_activities(catalog: Catalog) -> None:
    deal = catalog.activities["CreateCrmDealDocumentActivity"].properties["Fields"]
    contact = catalog.activities["CreateCrmContactDocumentActivity"].properties["Fields"]
    assert deal.required_keys == ("TITLE",)
    assert contact.required_keys == ("NAME", "LAST_NAME")


def test_conditions_of_while_and_branches(catalog: Catalog) -> None:
    loop = catalog.activities["WhileActivity"]
    assert loop.condition == "required"
    assert loop.condition_message == "Loop condition not specified"
    assert catalog.activities["IfElseBranchActivity"].condition == "optional"
    assert catalog.activities["IfElseActivity"].condition == "none"


def test_admin_only_imports(catalog: Catalog) -> None:
    admin_only = {name for name, spec in catalog.activities.items() if spec.admin_only}
    drive = {"DiskAddFolderActivity", "DiskCopyMoveActivity", "DiskDetailActivity",
             "DiskRemoveActivity", "DiskUploadActivity", "DiskUploadVersionActivity"}
    assert admin_only == {"CodeActivity", "StartWorkflowActivity", "TasksGetDocumentActivity",
                          *drive}
    assert catalog.conditions["codecondition"].admin_only
    sender = catalog.activities["SocNetMessageActivity"].properties["MessageUserFrom"]
    assert sender.self_unless_admin


def test_defaults_are_the_class_defaults(catalog: Catalog) -> None:
    approve = catalog.activities["ApproveActivity"].properties
    assert approve["ApproveType"].default == "all"
    assert approve["ApproveType"].options == ("any", "all", "vote")
    assert approve["ApproveMinPercent"].default == 50
    assert approve["ShowComment"].default == "Y"
    assert approve["DelegationType"].options == (0, 1, 2)
    assert catalog.activities["LogActivity"].properties["SetVariable"].default is False
    assert catalog.activities["DelayActivity"].properties["TimeoutDurationType"].default == "s"
    assert catalog.activities["MailActivity"].properties["MailCharset"].default == "windows-1251"
    assert catalog.activities["SetFieldActivity"].properties["MergeMultipleFields"].default == "N"


def test_return_values(catalog: Catalog) -> None:
    approve = catalog.activities["ApproveActivity"].returns
    assert approve["LastApprover"].type == "user"
    assert approve["UserApprovers"].multiple
    assert approve["IsTimeout"].type == "int"
    assert catalog.activities["Task2Activity"].returns["TaskId"].type == "int"
    assert catalog.activities["SetFieldActivity"].returns["ErrorMessage"].type == "string"
    assert catalog.activities["ForEachActivity"].returns["Value"].type == "any"
    assert catalog.activities["LogActivity"].returns["Report"].type == "string"
    assert catalog.activities["CreateCrmDealDocumentActivity"].returns["DealId"].type == "int"


def test_condition_types_and_operators(catalog: Catalog) -> None:
    assert set(catalog.conditions) == {
        "fieldcondition",
        "propertyvariablecondition",
        "mixedcondition",
        "truecondition",
        "codecondition",
    }
    assert len(catalog.operators) == 14
    assert "modified" in catalog.conditions["fieldcondition"].operators
    assert "modified" not in catalog.conditions["mixedcondition"].operators
    assert "between" in catalog.conditions["propertyvariablecondition"].operators
    assert catalog.condition("FieldCondition") is catalog.conditions["fieldcondition"]
