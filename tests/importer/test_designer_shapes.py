"""Designer shapes the statements take: approval branches with their own titles, keys the
designer leaves out where codegen writes Bitrix's null default."""

from __future__ import annotations

from compiler.bitrix.template import Template
from compiler.format import format_text
from compiler.importer import TemplateSource
from tests.importer.designer import node
from tests.importer.support import NORMALISER, compile_text, differences, imported

LIST = ("lists", "BizprocDocument", "iblock_42")
APPROVAL = """workflow w for lists.element(42) {
    approve "Approve it" by role.author {
        vote all
    } approved title "Sequence of actions" {
        log "yes"
    } rejected title "Sequence of actions" {}
}
"""


def test_approval_branch_titles_format_and_compile() -> None:
    assert format_text(APPROVAL) == APPROVAL
    result = compile_text(APPROVAL)
    approval = result.templates[0].template.roots[0].children[0]
    assert [c.properties["Title"] for c in approval.children] == ["Sequence of actions"] * 2


def test_a_mail_without_file_and_a_set_without_modified_by_are_sugar() -> None:
    package = {
        "VERSION": 2,
        "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {"Title": "T"}, [
            node("MailActivity", "A1_1_1_1", {
                "Title": "Mail", "MailSubject": "Hi", "MailText": "Body",
                "MailMessageType": "plain", "MailCharset": "UTF-8", "MailUserFrom": "",
                "MailUserFromArray": ["user_1"], "MailUserTo": "",
                "MailUserToArray": ["author"]}),
            node("SetFieldActivity", "A2_2_2_2", {
                "Title": "Set", "FieldValue": {"NAME": "x"}}),
        ])],
        "PARAMETERS": [], "VARIABLES": [], "CONSTANTS": [],
    }
    source = TemplateSource(package, "shapes", document_type=LIST)
    result = imported(source)
    assert result.report.generic == 0, result.report.lines()
    assert differences(source.row(), result.text, header=False) == []
    # The canonical form: a File of [] (what codegen writes) is a File left out.
    with_file = Template.from_package(package)
    with_file.roots[0].children[0].properties["File"] = []
    assert NORMALISER.tree(with_file.roots)[0].canonical() == \
        NORMALISER.tree(Template.from_package(package).roots)[0].canonical()


def test_conditions_compare_as_bitrix_reads_them() -> None:
    def branch(props: dict[str, object]) -> dict[str, object]:
        package = {"VERSION": 2, "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {
            "Title": "T"}, [node("IfElseActivity", "A1_1_1_1", {"Title": "Condition"}, [
                node("IfElseBranchActivity", "A1_1_1_2", props, [])])])],
            "PARAMETERS": [], "VARIABLES": [], "CONSTANTS": []}
        tree = NORMALISER.tree(Template.from_package(package).roots)
        return tree[0].children[0].children[0].properties

    full = branch({"Title": "B", "fieldcondition": [["NAME", "=", "x", 0]]})
    assert branch({"Title": "B", "fieldcondition": [["NAME", "=", "x"]]}) == full
    assert branch({"Title": "B", "fieldcondition": ["NAME", "=", "x", 0]}) == full
    assert branch({"Title": "B", "fieldcondition": [["NAME", "=", "x", 1]]}) != full
    assert branch({"Title": "B"}) == branch({"Title": "B", "truecondition": "1"})


CONTAINERS = """workflow w for lists.element(42) {
    var n: int = 3

    while var.n > 0 title "Approval cycle" do title "Sequence of actions" {
        if var.n == 1 title "Last" {
            log "last"
        } else title "No" {
            var.n = var.n - 1
        } title "Reached the end"
        var.n = var.n - 1
    }
    while var.n < 3 {
        var.n = var.n + 1
    }
    if var.n == 3 {
        log "three"
    }
}
"""


def test_container_titles_format_compile_and_import_back() -> None:
    assert format_text(CONTAINERS) == CONTAINERS
    root = compile_text(CONTAINERS).templates[0].template.roots[0]
    loop, plain_loop, plain_if = root.children
    assert loop.properties["Title"] == "Approval cycle"
    assert loop.children[0].properties["Title"] == "Sequence of actions"
    condition = loop.children[0].children[0]
    assert condition.properties["Title"] == "Reached the end"
    assert [b.properties["Title"] for b in condition.children] == ["Last", "No"]
    # Without titles codegen writes the table's defaults, as before.
    assert plain_loop.children[0].properties["Title"] == "Loop body"
    assert plain_if.properties["Title"] == "Condition"
    # The designer's titles come back as sugar: the same text, nothing generic.
    source = TemplateSource(root_package(CONTAINERS), "w", document_type=LIST)
    result = imported(source)
    assert result.report.generic == 0, result.report.lines()
    assert differences(source.row(), result.text, header=False) == []
    statements = CONTAINERS.split("\n\n", 1)[1]
    assert result.text.endswith(statements)


def root_package(text: str) -> dict[str, object]:
    return compile_text(text).templates[0].template.to_package()


def _user_variable(name: str, multiple: str) -> dict[str, str]:
    return {"Name": name, "Description": "", "Type": "user", "Required": "0",
            "Multiple": multiple, "Options": "", "Default": ""}


def test_a_condition_value_given_as_a_legacy_pair_is_a_reference() -> None:
    # The lists' invoice template tests `Approver in ['Variable', 'ManagerApprover']`.
    package = {
        "VERSION": 2,
        "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {"Title": "T"}, [
            node("IfElseActivity", "A1_1_1_1", {"Title": "Reached supervisors"}, [
                node("IfElseBranchActivity", "A2_2_2_2", {
                    "Title": "Yes", "propertyvariablecondition": [
                        ["Approver", "in", ["Variable", "Board"]]]}, [
                    node("LogActivity", "A3_3_3_3", {"Title": "Log", "Text": "reached"})]),
                node("IfElseBranchActivity", "A4_4_4_4", {"Title": "No"}, []),
            ])])],
        "PARAMETERS": [], "CONSTANTS": [],
        "VARIABLES": {"Approver": _user_variable("Approver", "0"),
                      "Board": _user_variable("Board", "1")},
    }
    source = TemplateSource(package, "pair", document_type=LIST)
    result = imported(source)
    assert result.report.generic == 0, result.report.lines()
    assert 'if var.Approver in var.Board {' in result.text
    assert '} else title "No" {} title "Reached supervisors"' in result.text
    assert differences(source.row(), result.text, header=False) == []


def test_request_entries_compare_as_bitrix_reads_them() -> None:
    def entries(entry: dict[str, object]) -> object:
        package = {"VERSION": 2, "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {
            "Title": "T"}, [node("RequestInformationActivity", "A1_1_1_1", {
                "Title": "Ask", "Name": "Pay", "Users": ["author"],
                "RequestedInformation": [{"Name": "PayDate", "Title": "Payment date",
                                          "Type": "date", **entry}]})])],
            "PARAMETERS": [], "VARIABLES": [], "CONSTANTS": []}
        tree = NORMALISER.tree(Template.from_package(package).roots)
        return tree[0].children[0].properties["RequestedInformation"]

    # The designer's entry (flags as '1'/'0', no Description or Options) and codegen's.
    designer = entries({"Required": "1", "Multiple": "0", "Default": ""})
    assert designer == entries({"Description": "", "Default": "", "Required": True,
                                "Multiple": False, "Options": ""})
    assert designer != entries({"Description": "When paid", "Default": "", "Required": True,
                                "Multiple": False, "Options": ""})
    assert designer != entries({"Required": "0", "Multiple": "0", "Default": ""})


def test_a_designer_task_is_a_task_statement() -> None:
    # As the CRM's lead template writes it: one user as a text, "" for no one, no checklist,
    # the report flag and the CRM link among the fields.
    package = {
        "VERSION": 2,
        "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {"Title": "T"}, [
            node("Task2Activity", "A1_1_1_1", {"Title": "Process lead", "HoldToClose": "0",
                                               "Fields": {
                "TITLE": "Process {=Document:TITLE}", "CREATED_BY": "user_1",
                "RESPONSIBLE_ID": ["Document", "ASSIGNED_BY_ID"], "ACCOMPLICES": "",
                "AUDITORS": "", "PRIORITY": "0", "ADD_IN_REPORT": "Y",
                "UF_CRM_TASK": ["L_{=Document:ID}"]}})])],
        "PARAMETERS": [], "VARIABLES": [], "CONSTANTS": [],
    }
    source = TemplateSource(package, "task", document_type=("crm", "CCrmDocumentLead", "LEAD"))
    result = imported(source)
    assert result.report.generic == 0, result.report.lines()
    assert "creator user(1)" in result.text and "accomplices" not in result.text
    assert "in_report true" in result.text and 'crm ["L_{doc.ID}"]' in result.text
    assert differences(source.row(), result.text, header=False) == []
