"""Scenario files for the portal around a workflow: scripted activity results
(`[[scenario.activities]]`), the portal's other documents (`[documents]`), changes to them,
global variables, and what `bpl test` says about activities it cannot run as Bitrix would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.simulator.scenario import ScenarioError, find, load
from compiler.simulator.suite import Suite

WORKFLOW = """
workflow calls for crm.deal {
    activity VoximplantCallActivity "Call the client" {
        OutputNumber: "+100", Number: "+200", Text: "Your order is ready"
    } as T1
    activity CrmGetDataEntityActivity "Read the contact" {
        DocumentType: ["crm", "CCrmDocumentContact", "CONTACT"], EntityType: "CONTACT",
        EntityId: doc.CONTACT_ID, EntityFields: { NAME: "Name" }
    } as T2
    activity CrmUpdateDynamicActivity "Close the claim" {
        DynamicTypeId: 128, DynamicId: 5, DynamicEntitiesFields: { STAGE_ID: "DONE" }
    }
    activity SetGlobalVariableActivity "Count" { GlobalVariableValue: { Calls: "1" } }
    log "reached {T1.Result} {T2.NAME}"
}
"""

SCENARIOS = """
workflow = "calls"

[documents]
CONTACT_3 = { NAME = "Anna" }

[[scenario]]
name = "answered"
document = { CONTACT_ID = 3 }
documents = { DYNAMIC_128_5 = { STAGE_ID = "NEW" } }
global_variables = { Calls = 0 }
[[scenario.activities]]
activity = "Call the*"
returns = { Result = true, ResultCode = "200" }
[scenario.expect]
status = "completed"
documents = { DYNAMIC_128_5 = { STAGE_ID = "DONE" } }
global_variables = { Calls = 1 }

[[scenario]]
name = "nobody scripted"
document = { CONTACT_ID = 9 }
[scenario.expect]
status = "completed"
"""


def write(tmp_path: Path, workflow: str = WORKFLOW, scenarios: str = SCENARIOS) -> Path:
    (tmp_path / "bpl.toml").write_text('[project]\nsources = ["."]\n', encoding="utf-8")
    (tmp_path / "calls.bpl").write_text(workflow, encoding="utf-8")
    (tmp_path / "calls.test.toml").write_text(scenarios, encoding="utf-8")
    return tmp_path


def test_scripted_results_documents_and_global_variables_play_through(tmp_path: Path) -> None:
    result = Suite().run_files(find([write(tmp_path)]))
    assert result.errors == []
    answered, unscripted = result.outcomes
    assert answered.passed, (answered.failures, answered.problems)
    assert answered.run is not None and answered.run.report_lines() == ["reached Y Anna"]
    assert unscripted.passed
    assert unscripted.run is not None
    assert unscripted.run.report_lines() == ["CONTACT_9 was not found", "The item was not found",
                                             "reached N "]
    coverage = result.coverage["calls"]
    assert len(coverage.not_simulated) == 3  # the call; the missing contact; the missing claim


def test_bpl_test_prints_what_was_not_simulated_and_counts_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write(tmp_path))
    out = tmp_path / "coverage.json"
    result = CliRunner().invoke(main, ["test", "--coverage-json", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first = lines.index(next(line for line in lines if "PASS" in line and "answered" in line))
    assert "note VoximplantCallActivity 'Call the client': not simulated: the call's " \
        "outcome is decided by the telephony service; its results are scripted by the " \
        "scenario: Result = 'Y', ResultText = '', ResultCode = '200' (" in \
        " ".join(line.strip() for line in lines[first + 1:first + 5])
    assert "not simulated" in result.output.split("Coverage")[1]
    data = json.loads(out.read_text())
    assert len(data["workflows"]["calls"]["not_simulated"]) == 3


def test_a_change_reaches_another_document(tmp_path: Path) -> None:
    workflow = """
workflow wait for crm.deal {
    activity CrmDealStageListenActivity "Wait for the other deal" {
        DealId: "4", WaitForState: ["FINAL_CHECK"]
    }
    log "moved on"
}
"""
    scenarios = """
workflow = "wait"
[documents]
DEAL_4 = { STAGE_ID = "NEW" }
[[scenario]]
name = "moves"
[[scenario.changes]]
id = "DEAL_4"
document = { STAGE_ID = "FINAL_CHECK" }
after = "2d"
[scenario.expect]
log = ["moved on"]
documents = { DEAL_4 = { STAGE_ID = "FINAL_CHECK" } }
"""
    (tmp_path / "bpl.toml").write_text('[project]\nsources = ["."]\n', encoding="utf-8")
    (tmp_path / "wait.bpl").write_text(workflow, encoding="utf-8")
    (tmp_path / "wait.test.toml").write_text(scenarios, encoding="utf-8")
    [outcome] = Suite().run_files(find([tmp_path])).outcomes
    assert outcome.passed, (outcome.failures, outcome.problems)


@pytest.mark.parametrize(("script", "message"), [
    ('activity = "Call*"\nreturn = {}', "scenario 'answered', activity 1: unknown keys return "
                                         "(known: activity, returns)"),
    ('returns = { Result = true }', "activity 1: needs `activity`"),
    ('activity = "Call*"\nreturns = 5', "activity 1: returns must be a table"),
    ('activity = 3', "activity 1: activity must be a string"),
])
def test_bad_activity_scripts_are_refused_where_they_are(tmp_path: Path, script: str,
                                                          message: str) -> None:
    text = SCENARIOS.replace('activity = "Call the*"\nreturns = { Result = true, '
                             'ResultCode = "200" }', script)
    path = write(tmp_path, scenarios=text) / "calls.test.toml"
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(path)


@pytest.mark.parametrize(("script", "problem"), [
    ('activity = "Ring*"', "activity 1: no activity of workflow 'calls' has the title, Name or "
                           "type 'Ring*'"),
    ('activity = "Call the*"\nreturns = { Duration = 5 }',
     "activity 1: VoximplantCallActivity 'Call the client' returns no 'Duration' (it returns "
     "Result, ResultText, ResultCode)"),
    ('activity = "VoximplantCallActivity"\nreturns = { Result = "maybe" }',
     "activity 1: returns.Result: 'maybe' is not a bool (true, false, 'Y' or 'N') "
     "(VoximplantCallActivity returns Result as bool)"),
])
def test_scripts_that_do_not_fit_the_workflow_fail_the_scenario(tmp_path: Path, script: str,
                                                                problem: str) -> None:
    text = SCENARIOS.replace('activity = "Call the*"\nreturns = { Result = true, '
                             'ResultCode = "200" }', script)
    outcome = Suite().run_files(find([write(tmp_path, scenarios=text)])).outcomes[0]
    assert not outcome.passed and outcome.run is None
    assert [p.split("calls.test.toml: scenario 'answered', ")[1] for p in outcome.problems] == \
        [problem]


@pytest.mark.parametrize(("text", "message"), [
    ('[documents]\nDEAL = {}\n', "documents key 'DEAL' is not a document key like DEAL_7"),
    ('[[scenario]]\n[[scenario.changes]]\nid = "x"\ndocument = {}\n', "id 'x' is not a docum"),
    ('[[scenario]]\n[[scenario.changes]]\ndocument = {}\nwhen = 1\n', "unknown keys when"),
])
def test_bad_documents_are_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.test.toml"
    path.write_text('workflow = "w"\n' + text + ('[[scenario]]\n' if "[[scenario]]" not in text
                                                 else ""), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load(path)
