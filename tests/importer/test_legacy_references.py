"""Legacy `[object, field]` references: read as references, renamed with their activity,
dangling ones reported (import) and refused (E112 in .bpl)."""

from __future__ import annotations

from typing import Any

from compiler.bitrix.canonical import pair_token
from compiler.bitrix.template import Template
from compiler.importer import TemplateSource
from tests.importer.designer import node
from tests.importer.support import NORMALISER, compile_text, differences, imported

LIST = ("lists", "BizprocDocument", "iblock_42")
APPROVE = {"Title": "Approve", "ApproveType": "any", "Name": "Approve it", "Description": "",
           "Users": ["author"],
           "TimeoutDuration": "0", "TimeoutDurationType": "s", "ShowComment": "Y",
           "CommentRequired": "N", "SetStatusMessage": "Y", "StatusMessage": "",
           "TaskButton1Message": "Approve", "TaskButton2Message": "Reject"}


def _package(tell: dict[str, Any], condition: dict[str, Any] | None = None) -> dict[str, Any]:
    branch = {"Title": "Was it me?"}
    branch.update(condition or {"truecondition": "1"})
    return {
        "VERSION": 2,
        "TEMPLATE": [node("SequentialWorkflowActivity", "Template", {
            "Title": "Legacy", "Permission": {"read": [["Variable", "Boss"], "author"]}}, [
            node("ApproveActivity", "A94751_1_2_3", dict(APPROVE), [
                node("SequenceActivity", "A94751_1_2_4", {"Title": "Approved"}, []),
                node("SequenceActivity", "A94751_1_2_5", {"Title": "Rejected"}, []),
            ]),
            node("SocNetMessageActivity", "A7_7_7_7", {
                "Title": "Tell", "MessageUserFrom": ["author"], "MessageText": "done",
                **tell}),
            node("IfElseActivity", "A8_8_8_8", {"Title": "Condition"}, [
                node("IfElseBranchActivity", "A8_8_8_9", branch, [
                    node("LogActivity", "A8_8_8_10", {"Title": "Log", "Text": "yes"})]),
                node("IfElseBranchActivity", "A8_8_8_11", {"Title": "No",
                                                           "truecondition": "1"}, []),
            ]),
        ])],
        "PARAMETERS": [],
        "VARIABLES": {"Boss": {"Name": "Boss", "Description": "", "Type": "user",
                               "Required": "0", "Multiple": "1", "Options": "",
                               "Default": ""}},
        "CONSTANTS": [],
    }


def test_pair_is_a_token_only_for_objects_bitrix_resolves() -> None:
    assert pair_token(["Template", "Voters"], ()) == "{=Template:Voters}"
    assert pair_token(["A1_2_3_4", "LastApprover"], {"A1_2_3_4"}) == "{=A1_2_3_4:LastApprover}"
    assert pair_token(["A1_2_3_4", "LastApprover"], set()) is None  # no such activity
    assert pair_token(["user_1", "user_2"], set()) is None
    assert pair_token(["Template", "Voters", "x"], set()) is None


def test_canonical_form_reads_pairs_as_tokens() -> None:
    def users(value: Any) -> Any:
        template = Template.from_package(_package({"MessageUserTo": value}))
        tree = NORMALISER.tree(template.roots)
        return tree[0].children[1].properties["MessageUserTo"], tree[0].properties

    approved, root = users([["A94751_1_2_3", "LastApprover"], "author"])
    assert approved == ["{=@0.0:LastApprover}", "author"]
    assert root["Permission"] == {"read": ["{=Variable:Boss}", "author"]}
    # A whole property that is one pair is that one token, as a one-item user list.
    assert users(["Variable", "Boss"])[0] == ["{=Variable:Boss}"]
    assert users("{=Variable:Boss}")[0] == ["{=Variable:Boss}"]
    # A pair naming no activity stays what Bitrix reads: a list of two texts.
    assert users([["A9_9_9_9", "LastApprover"]])[0] == [["A9_9_9_9", "LastApprover"]]


def test_pairs_import_as_references_that_follow_the_activity() -> None:
    package = _package({"MessageUserTo": [["A94751_1_2_3", "LastApprover"]]}, {
        "mixedcondition": [{"object": "A94751_1_2_3", "field": "LastApprover",
                            "operator": "=", "value": "user_1", "joiner": 0}]})
    del package["TEMPLATE"][0]["Properties"]["Permission"]  # no .bpl form yet
    source = TemplateSource(package, "legacy", document_type=LIST)
    result = imported(source)
    assert "a1.LastApprover" in result.text, result.text
    assert not [f for f in result.report.findings if f.kind in ("lossy", "dangling")]
    assert '"A94751_1_2_3"' not in result.text
    assert differences(source.row(), result.text, header=False) == []
    assert result.report.equivalent, result.report.lines()
    # Compiled, the approval has a new Name and the reference reads it.
    built = compile_text(result.text)
    root = built.templates[0].template.roots[0]
    approval = root.children[0]
    assert approval.name != "A94751_1_2_3"
    assert root.children[1].properties["MessageUserTo"] == [f"{{={approval.name}:LastApprover}}"]


def test_a_pair_naming_no_activity_is_a_finding() -> None:
    package = _package({"MessageUserTo": [["A5_5_5_5", "LastApprover"]]})
    result = imported(TemplateSource(package, "legacy", document_type=LIST))
    found = [f for f in result.report.findings if f.kind == "dangling"]
    assert [f.where for f in found] == ["A5_5_5_5.LastApprover"], result.report.lines()


def test_checker_refuses_designer_names_in_bpl() -> None:
    text = """workflow w for lists.element(42) {
    activity SocNetMessageActivity "Tell" {
        MessageUserFrom: ["author"]
        MessageUserTo: [["A5_5_5_5", "LastApprover"]]
        MessageText: "by {=A6_6_6_6:LastApprover}"
    }
}
"""
    result = compile_text(text)
    codes = [(d.code, d.message.split()[0]) for d in result.diagnostics]
    assert ("E112", "A5_5_5_5") in codes and ("E112", "A6_6_6_6") in codes, codes
