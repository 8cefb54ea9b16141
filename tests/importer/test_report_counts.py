"""The import report counts the statements the written workflow holds: not statements built and
given up on the way (a container that fell back to the generic form), nor any twice."""

from __future__ import annotations

import pytest

from compiler.codegen import CompiledTemplate
from compiler.diagnostics import Diagnostics
from compiler.importer import TemplateSource
from compiler.semantics.walk import walk_statements, workflow_bodies
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module
from tests.importer.support import compile_fixtures, compile_samples, imported, source_of

TEMPLATES = compile_samples() + compile_fixtures()


def _statements(text: str) -> tuple[int, int]:
    module = parse_module(SourceFile.from_text("imported.bpl", text), Diagnostics())
    assert module is not None
    workflow = module.workflows[0]
    statements = [s for body in workflow_bodies(workflow) for s in walk_statements(body)]
    return len(statements), sum(isinstance(s, ast.ActivityStmt) for s in statements)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.workflow)
def test_the_report_counts_the_statements_written(template: CompiledTemplate) -> None:
    result = imported(source_of(template))
    written, generic = _statements(result.text)
    assert (result.report.statements, result.report.generic) == (written, generic)


def test_statements_given_up_with_their_container_are_not_counted() -> None:
    # An IfElse without an else branch: the `if` is given up once its branches are built (it
    # would compile with an added empty else), and it is written in the generic form instead.
    log = {"Type": "LogActivity", "Name": "A1", "Activated": "Y",
           "Properties": {"Title": "Log", "Text": "hi", "SetVariable": False}, "Children": []}
    branch = {"Type": "IfElseBranchActivity", "Name": "A2", "Activated": "Y",
              "Properties": {"Title": "Yes", "propertyvariablecondition": [
                  ["n", ">", "1", 0]]}, "Children": [log]}
    condition = {"Type": "IfElseActivity", "Name": "A3", "Activated": "Y",
                 "Properties": {"Title": "Condition"}, "Children": [branch]}
    package = {"VERSION": 2, "PARAMETERS": [], "CONSTANTS": [], "DOCUMENT_FIELDS": [],
               "VARIABLES": {"n": {"Name": "n", "Description": "", "Type": "int",
                                   "Required": "0", "Multiple": "0", "Options": "",
                                   "Default": ""}},
               "TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                             "Activated": "Y", "Properties": {"Title": "w", "Permission": []},
                             "Children": [condition]}]}
    result = imported(TemplateSource(package, "w", "w", "", ("crm", "CCrmDocumentDeal",
                                                               "DEAL"), 0, "w"))
    written, generic = _statements(result.text)
    assert (written, generic) == (3, 2)  # the generic IfElse and branch, the log
    assert (result.report.statements, result.report.generic) == (written, generic)
