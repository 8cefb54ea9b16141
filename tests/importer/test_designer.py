"""Templates in the designer's own spellings, imported and compiled back.

Where the canonical form cannot tell a missing key from its empty value, the import is not
equivalent, and the report says exactly where; nothing is dropped silently.
"""

from __future__ import annotations

import copy
from typing import Any

from compiler.format import format_text
from compiler.importer import ImportResult, TemplateSource
from tests.importer import designer
from tests.importer.support import differences, imported

DEAL = ("crm", "CCrmDocumentDeal", "DEAL")
LIST = ("lists", "BizprocDocument", "iblock_42")


def run(package: dict[str, Any], document: tuple[str, str, str]) -> tuple[ImportResult,
                                                                            list[str]]:
    source = TemplateSource(package, "designer", document_type=document)
    result = imported(source)
    assert format_text(result.text) == result.text
    return result, differences(source.row(), result.text, header=False)


def complete(package: dict[str, Any]) -> dict[str, Any]:
    """The same template with every key the designer may leave out written out."""
    full = copy.deepcopy(package)
    for key in ("PARAMETERS", "VARIABLES", "CONSTANTS"):
        for spec in (full.get(key) or {}).values():
            for name in ("Description", "Options", "Default"):
                spec.setdefault(name, "")

    def visit(node: dict[str, Any]) -> None:
        if node["Type"] == "HandleExternalEventActivity":
            node["Properties"].setdefault("SenderUserId", "")
        for child in node.get("Children", []):
            visit(child)

    for root in full["TEMPLATE"]:
        visit(root)
    return full


def test_reference_example_is_equivalent() -> None:
    result, diff = run(designer.BIG_DEAL, DEAL)
    assert diff == [] and result.report.equivalent
    text = result.text
    assert 'param MinAmount: double = 100000 required "Minimal amount"' in text
    assert 'set doc.COMMENTS = "Big deal: {doc.OPPORTUNITY} ({var.Note})"' in text
    assert 'log "Checked deal {doc.ID}, threshold {param.MinAmount}' in text
    # The IfElse has its own title, written after the last branch; the head's title is the
    # first branch's.
    assert 'if doc.OPPORTUNITY >= param.MinAmount title "Amount >= threshold" {' in text
    assert '} title "Is it a big deal?"' in text
    assert "activity " not in text


def test_state_machine_with_legacy_shapes() -> None:
    result, diff = run(complete(designer.VACATION), LIST)
    assert diff == [] and result.report.equivalent, result.report.lines()
    text = result.text
    # States are named after their titles; SetState becomes goto.
    assert 'state draft "Draft" initial {' in text and "goto approval" in text
    # A single tuple without its list, a 3-tuple and a branch without a condition key read
    # as Bitrix reads them: a condition, a condition joined with AND, an else.
    assert 'if doc.PROPERTY_DAYS > 14 title "Long" {' in text
    assert '} else if doc.PROPERTY_DAYS < 3 title "Short" {' in text
    assert '} else title "Else" {}' in text
    # A legacy [object, field] pair among the users is a reference: the approval is sugar.
    assert 'approve "Approve {doc.NAME}" by [group("hrr7"), param.TargetUser] as a1' in text
    # The approval is read elsewhere ({=A4_4_4_4:Comments}): it gets a label.
    assert "as a1" in text and "{a1.Comments}" in text


def test_keys_left_out_equal_their_empty_values() -> None:
    # The designer leaves out SenderUserId where codegen writes ""; both are null to Bitrix.
    assert "SenderUserId" not in str(designer.VACATION)
    result, diff = run(designer.VACATION, LIST)
    assert diff == [] and result.report.equivalent, result.report.lines()


def test_newer_designer_template() -> None:
    result, diff = run(complete(designer.CLAIMS), DEAL)
    assert diff == [] and result.report.equivalent, result.report.lines()
    text = result.text
    assert 'var.Due = dateadd(system.now, "3d") title "Deadline"' in text  # formula
    assert 'wait 2h title "Wait a bit"' in text  # "2" and "h" as strings
    assert "var Watchers: user[] = [user(3), group(\"hrr5\"), role.author]" in text
    assert 'param Kind: select {"refund": "Refund", "warranty": "Warranty", ' \
           '"repair": "Repair"} = "refund" required' in text
    assert 'var Stage: internalselect("STAGE_ID")' in text
    assert 'var Link: type("UF:crm")[]' in text
    assert "var Flag: bool = true" in text
    assert "const Limit: int = 50000 required" in text
    assert 'log "{{=strtoupper({=Variable:Kind})}} claim" disabled' in text
    verbatim = [f.where for f in result.report.findings if f.kind == "verbatim"]
    assert verbatim == ["{{=strtoupper({=Variable:Kind})}}"]  # Kind is a parameter
    generic = [f.where for f in result.report.findings if f.kind == "generic"]
    assert any("CodeActivity" in g for g in generic)


def test_declaration_keys_left_out_equal_their_empty_values() -> None:
    # CLAIMS leaves Description out of some variables; codegen writes "".
    result, diff = run(designer.CLAIMS, DEAL)
    assert diff == [] and result.report.equivalent, result.report.lines()


def test_a_node_without_title_is_reported() -> None:
    package = copy.deepcopy(designer.BIG_DEAL)
    package["TEMPLATE"][0]["Children"].append(
        {"Type": "SequenceActivity", "Name": "A1", "Properties": [], "Children": []})
    result, _ = run(package, DEAL)
    assert any(f.kind == "lossy" and "no Title" in f.message for f in result.report.findings)
    assert not result.report.equivalent


def test_an_activity_named_in_a_condition() -> None:
    package = copy.deepcopy(designer.BIG_DEAL)
    log = package["TEMPLATE"][0]["Children"][1]
    log["Name"] = "A5_55_555_5555"
    if_else = package["TEMPLATE"][0]["Children"][0]
    branch = if_else["Children"][0]["Properties"]
    del branch["fieldcondition"]
    branch["mixedcondition"] = [{"object": "A5_55_555_5555", "field": "Report",
                                 "operator": "!empty", "value": "", "joiner": 0}]
    # As an `if`, the condition reads a label.
    branch["Title"] = "Yes"
    result, diff = run(package, DEAL)
    assert diff == [] and result.report.equivalent, result.report.lines()
    assert "if a1.Report is not empty {" in result.text
    # In the generic form (a switched-off IfElse around a switched-on branch has no `if`)
    # the condition names the activity itself: reported.
    if_else["Activated"] = "N"
    result, _ = run(package, DEAL)
    assert any(f.kind == "lossy" and "names activity A5_55_555_5555" in f.message
               for f in result.report.findings)
