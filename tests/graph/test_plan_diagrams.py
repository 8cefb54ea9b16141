"""`bpl plan --format markdown` shows each changing workflow as a Mermaid picture whose marks
agree with the plan's list of activities."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from graph_support import REPO, SAMPLES, catalog
from mermaid_check import Flowchart, parse

from compiler.cli.main import main
from compiler.graph.changes import changed_graph
from compiler.graph.mermaid import write_mermaid
from compiler.graph.source import from_portal

EDITS = (
    # A changed property, a removed and an added activity inside the approval's branches, an
    # added one at the end of the else branch.
    ("timeout 2d                  // TimeoutDuration", "timeout 4d                  //"),
    ('log "No answer from the head of sales in 2 days, escalating"', 'status "Escalated"'),
    ('log "Deal {doc.TITLE}: amount unchanged or below the limit; no approval needed"',
     'log "Deal {doc.TITLE}: amount unchanged or below the limit; no approval needed"\n'
     '        notify doc.ASSIGNED_BY_ID "No approval needed" title "Tell the responsible"'),
)


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "samples").mkdir()
    for name in ("deal_approval.bpl", "common.bpl", "lead_qualification.bpl"):
        shutil.copy(SAMPLES / name, tmp_path / "samples" / name)
    shutil.copy(REPO / "bpl.toml", tmp_path / "bpl.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def diagrams(markdown: str) -> list[Flowchart]:
    return [parse(block) for block in re.findall(r"```mermaid\n(.*?)```", markdown, re.S)]


def by_label(chart: Flowchart, text: str) -> str:
    found = [i for i, (_, label) in chart.nodes.items() if label.startswith(text)]
    assert len(found) == 1, (text, found)
    return found[0]


def test_a_new_workflow_is_drawn_all_added(project: Path) -> None:
    result = run("plan", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    charts = diagrams(result.stdout)
    assert len(charts) == 2  # both workflows are added
    for chart in charts:
        assert set(chart.classes["added"]) == set(chart.nodes) - {"wf_end"}


def test_an_update_marks_changed_added_and_removed_activities(project: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    source = project / "samples" / "deal_approval.bpl"
    text = source.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert old in text
        text = text.replace(old, new)
    source.write_text(text, encoding="utf-8")
    result = run("plan", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    charts = diagrams(result.stdout)
    assert len(charts) == 1, "only the changed workflow is drawn"
    chart = charts[0]
    approve = by_label(chart, "~ Approve Approve deal")
    assert chart.classes["changed"] == [approve]
    added = {chart.text(i) for i in chart.classes["added"]}
    assert added == {"+ Set status", "+ Tell the responsible"}
    [removed] = chart.classes["removed"]
    assert chart.text(removed) == "- Log" and removed.startswith("r")
    # The removed log is drawn where it stood: on the "Yes" branch of the timeout test.
    assert any(b == removed and label == "Yes: head_vote.IsTimeout == 1"
               for _, b, label, _ in chart.edges)
    # The list under the picture names the same activities.
    assert '`- LogActivity "Log" in Condition › Yes › Approve › Rejected › Condition › Yes`' \
        in result.stdout
    assert "```mermaid" not in run("plan").stdout, "pictures are for markdown only"


def test_a_deleted_workflow_is_drawn_all_removed(project: Path) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    (project / "samples" / "lead_qualification.bpl").unlink()
    result = run("plan", "--prune", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    [chart] = diagrams(result.stdout)
    assert chart.text("wf_start") == "- Lead qualification"
    assert set(chart.classes["removed"]) == set(chart.nodes) - {"wf_end"}


def test_a_portal_template_bpl_never_wrote_is_drawn_as_stored() -> None:
    """The portal's side may hold anything the designer or another tool wrote: odd
    conditions are shown as stored, unknown activity types as plain boxes."""
    row = {"ID": "7", "NAME": "Odd", "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
           "TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                         "Properties": {"Title": "Odd"}, "Children": {
                             "0": {"Type": "IfElseActivity", "Name": "A1", "Children": [
                                 {"Type": "IfElseBranchActivity", "Name": "A2",
                                  "Properties": {"Title": "Odd branch",
                                                 "fieldcondition": "not a list"}},
                                 {"Type": "IfElseBranchActivity", "Name": "A3",
                                  "Properties": {"Title": "Weird",
                                                 "mixedcondition": [{"object": "Nowhere"}]}}]},
                             "1": {"Type": "SomeVendorActivity", "Name": "A4"}}}],
           "PARAMETERS": [], "VARIABLES": {"x": "not a map"}}
    chart = parse(write_mermaid(changed_graph(None, from_portal(row, catalog()), catalog())))
    labels = [edge[2] for edge in chart.edges]
    assert 'Odd branch: fieldcondition "not a list"' in labels
    assert any(label.startswith("Weird: mixedcondition") for label in labels)
    assert "- SomeVendorActivity" in [text for _, text in chart.nodes.values()]

