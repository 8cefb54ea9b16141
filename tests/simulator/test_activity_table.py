"""The table of how the simulator runs each catalogued activity (activities/fidelity.py):
complete, consistent with the handlers, and honest in the run's log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.bitrix import Template
from compiler.catalog import load_catalog
from compiler.catalog.models import APP_ACTIVITY
from compiler.simulator import Run, Runtime
from compiler.simulator.activities import HANDLERS
from compiler.simulator.activities.fidelity import FIDELITY, How
from tests.simulator.trees import log, node, package

CATALOG = load_catalog()
CATALOGUED = [*CATALOG.activities, *CATALOG.app_activities]


def test_every_catalogued_type_has_an_entry_and_no_entry_is_outside_the_catalog() -> None:
    assert sorted(set(CATALOGUED) - set(FIDELITY)) == []
    assert sorted(set(FIDELITY) - set(CATALOGUED)) == []
    assert all(entry.why.strip() for entry in FIDELITY.values())


def test_every_catalogued_type_has_a_handler_of_its_own() -> None:
    # Its own: a type never runs by accident as the class it extends (a contact's SetField
    # is not the deal's). App robots run under the rest_ prefix, RestActivity's.
    missing = [t for t in CATALOG.activities if t.lower() not in HANDLERS]
    assert missing == []
    assert "rest_" in HANDLERS and APP_ACTIVITY in FIDELITY


def test_containers_are_the_structural_types() -> None:
    containers = {t for t, f in FIDELITY.items() if f.how == How.CONTAINER}
    structural = {t for t, a in CATALOG.activities.items()
                  if a.category in ("root", "branch") or t in (
                      "SequenceActivity", "EmptyBlockActivity", "IfElseActivity",
                      "WhileActivity", "ForEachActivity", "ParallelActivity", "ListenActivity",
                      "StateActivity")}
    assert containers == structural


def _run(*children: dict[str, Any], scripted: list[dict[str, Any]] | None = None) -> Run:
    return Runtime(Template.from_package(package(*children)), scripted=scripted or []).start()


def test_a_declared_activity_says_so_in_the_log_every_time_and_keeps_its_declared_results(
        ) -> None:
    call = node("VoximplantCallActivity", "Call the client", name="Call", OutputNumber="+1")
    run = _run(call, log("result={=Call:Result} code={=Call:ResultCode}"), log("end"))
    notes = [e["text"] for e in run.log if e.get("note")]
    assert notes == ["[simulator] VoximplantCallActivity 'Call the client': not simulated: "
                     "the call's outcome is decided by the telephony service; its results "
                     "are declared (empty): Result = 'N', ResultText = '', ResultCode = ''"]
    assert run.report_lines() == ["result=N code=", "end"]


def test_scripted_results_replace_declared_ones_and_are_typed_as_declared() -> None:
    call = node("VoximplantCallActivity", "Call the client", name="Call", OutputNumber="+1")
    run = _run(call, log("result={=Call:Result}"),
               scripted=[{"activity": "call *", "returns": {"result": True,
                                                            "ResultCode": 200}}])
    assert run.report_lines() == ["result=Y"]
    assert run.results["Call"] == {"Result": "Y", "ResultText": "", "ResultCode": "200"}
    note = next(e["text"] for e in run.log if e.get("note"))
    assert "scripted by the scenario: Result = 'Y'" in note


def test_an_effect_activity_writes_no_note() -> None:
    run = _run(node("RandomStringActivity", "Code", name="R", StringLength=8, Alphabet=[1, 4]),
               log("{=R:ResultString}"))
    assert not any(e.get("note") for e in run.log)
    [code] = run.report_lines()
    assert len(code) == 8 and all(c.isdigit() or c.isupper() for c in code)


def test_docs_name_the_count_of_each_kind_and_every_type_not_carried_out() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text("utf-8")
    for how in (How.EFFECT, How.RECORDS, How.DECLARED, How.NO_EFFECT):
        count = sum(1 for entry in FIDELITY.values() if entry.how == how)
        assert f"**{how.value}** ({count} types)" in text, how
    for name, entry in FIDELITY.items():
        if entry.how in (How.DECLARED, How.NO_EFFECT):
            assert name in text, name
