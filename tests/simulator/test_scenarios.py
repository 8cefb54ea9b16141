"""Scenario files end to end: loading, the driver, expectations, coverage and `bpl test`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli.main import main
from compiler.pipeline import build
from compiler.semantics.environment import Environment
from compiler.simulator.scenario import ScenarioError, find, load
from compiler.simulator.suite import Suite

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"

WORKFLOW = """
workflow pay for crm.deal {
    param limit: double = 1000 "Limit"
    var tries: int = 0 "Tries"
    if doc.OPPORTUNITY > param.limit {
        approve "Pay {doc.TITLE}" by user(5) as pay {
            vote any
            timeout 1d
        } approved {
            log "paid"
        } rejected {
            log "refused {pay.IsTimeout}"
        }
    } else {
        while var.tries < 3 {
            var.tries = var.tries + 1
        }
        log "small after {var.tries}"
    }
}
"""

SCENARIOS = """
workflow = "pay"

[users]
5 = "Payer"

[[scenario]]
name = "big and approved"
document = { TITLE = "X", OPPORTUNITY = 5000 }
[[scenario.tasks]]
task = "Pay X"
by = 5
action = "approve"
[scenario.expect]
status = "completed"
log = ["paid"]
tasks = [{ name = "Pay X", users = [5], status = "approved" }]
path = ["Approve", "Approved", "Log"]

[[scenario]]
name = "big and forgotten"
document = { TITLE = "X", OPPORTUNITY = 5000 }
[[scenario.tasks]]
action = "timeout"
[scenario.expect]
log = ["refused 1"]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "bpl.toml").write_text('[project]\nsources = ["."]\n', encoding="utf-8")
    (tmp_path / "pay.bpl").write_text(WORKFLOW, encoding="utf-8")
    (tmp_path / "pay.test.toml").write_text(SCENARIOS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_suite_runs_and_reports_coverage(project: Path) -> None:
    result = Suite().run_files(find([project]))
    assert result.errors == []
    assert [o.passed for o in result.outcomes] == [True, True]
    coverage = result.coverage["pay"]
    missing = {(p.kind, p.title) for p in coverage.missing()}
    assert missing == {("branch", "Otherwise"), ("loop body", "Loop body")}
    assert coverage.branch_percent == pytest.approx(60.0)


def test_failures_show_expected_and_actual(project: Path) -> None:
    (project / "pay.test.toml").write_text(SCENARIOS.replace('log = ["paid"]',
                                                             'log = ["not paid"]'))
    result = Suite().run_files(find([project]))
    failed = [o for o in result.outcomes if not o.passed]
    assert len(failed) == 1
    failure = failed[0].failures[0]
    assert (failure.what, failure.expected, failure.actual) == ("log", ["not paid"], ["paid"])


def test_unused_answers_and_compile_errors_are_reported(project: Path) -> None:
    extra = SCENARIOS + """
[[scenario]]
name = "small"
document = { TITLE = "Y", OPPORTUNITY = 10 }
[[scenario.tasks]]
task = "Pay Y"
action = "approve"
[scenario.expect]
log = ["small after 3"]
variables = { tries = 3 }
"""
    (project / "pay.test.toml").write_text(extra)
    result = Suite().run_files(find([project]))
    small = result.outcomes[-1]
    assert small.failures == []
    assert small.problems == ["scripted answer for 'Pay Y' (approve) was never used"]
    (project / "pay.bpl").write_text("workflow pay for crm.deal { log doc.NOPE_FIELD_X }")
    result = Suite().run_files(find([project]))
    assert result.errors and "do not compile" in result.errors[0]


@pytest.mark.parametrize(("text", "message"), [
    ("", "no [[scenario]]"),
    ('[[scenario]]\nname = "a"\n', "which workflow"),
    ('workflow = "w"\n[[scenario]]\nname = "a"\nbogus = 1\n', "unknown keys bogus"),
    ('workflow = "w"\n[[scenario]]\nstart = "soon"\n', "is not a date"),
    ('workflow = "w"\n[[scenario]]\n[[scenario.tasks]]\naction = "maybe"\n', "action 'maybe'"),
    ('workflow = "w"\n[[scenario]]\n[[scenario.tasks]]\nafter = "later"\n', "not a duration"),
    ('workflow = "w"\n[[scenario]]\nname = "a"\n[[scenario]]\nname = "a"\n', "repeat"),
    ("workflow = [", "Invalid value"),
])
def test_bad_scenario_files_are_explained(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.test.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[")):
        load(path)


def test_cli_exit_codes_and_coverage_json(project: Path) -> None:
    runner = CliRunner()
    out = project / "coverage.json"
    result = runner.invoke(main, ["test", "--coverage-json", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.output
    data = json.loads(out.read_text())
    assert data["workflows"]["pay"]["branches"] == {"covered": 3, "total": 5, "percent": 60.0}
    (project / "pay.test.toml").write_text(SCENARIOS.replace('status = "completed"',
                                                             'status = "terminated"'))
    result = runner.invoke(main, ["test", "pay.test.toml"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "pay.bpl:" in result.output  # the trace points at lines


@pytest.mark.skipif(not (SAMPLES / "deal_approval.bpl").exists(), reason="samples not present")
def test_the_samples_scenarios_pass_with_full_branch_coverage() -> None:
    files = find([SAMPLES])
    result = Suite(project_sources=[SAMPLES]).run_files(files)
    assert result.errors == []
    failed = [(o.scenario.label, o.failures, o.problems) for o in result.outcomes if not o.passed]
    assert failed == []
    for name, coverage in result.coverage.items():
        assert coverage.missing() == [], name
    # Every sample workflow has scenarios, not only those that happen to have a file.
    declared = {w.name for w in build([SAMPLES], Environment()).program.workflows}
    assert declared - set(result.coverage) == set()
