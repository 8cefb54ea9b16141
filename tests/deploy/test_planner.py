"""Planning against portal snapshots (no HTTP): what each situation turns into."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from compiler.bitrix.canonical import Normaliser, from_compiled
from compiler.catalog import load_catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy import DeployState, Plan, PlanInputs, Snapshot, load_plan, save_plan
from compiler.deploy.identity import marked_description
from compiler.deploy.planner import Planner
from compiler.deploy.render import render_human, render_markdown
from compiler.deploy.state import Applied
from compiler.pipeline import BuildResult

from .designer import as_designer, portal_row
from .rig import PROJECT, Rig

NORMALISER = Normaliser(load_catalog())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    rig = Rig(tmp_path_factory.mktemp("planner"))
    try:
        return rig.compile(PROJECT)
    finally:
        rig.close()


def by_name(built: BuildResult, workflow: str) -> CompiledTemplate:
    return next(t for t in built.templates if t.workflow == workflow)


def row(template: CompiledTemplate, template_id: int, package: dict[str, Any] | None = None,
        **overrides: Any) -> dict[str, Any]:
    made = portal_row(template, package or template.template.to_package(), template_id=template_id,
                      description=marked_description(template.description, template.workflow))
    made.update(overrides)
    return made


def plan(built: BuildResult, rows: list[dict[str, Any]], *, prune: bool = False,
         state: DeployState | None = None, running: dict[int, int] | None = None,
         templates: list[CompiledTemplate] | None = None) -> Plan:
    planner = Planner(NORMALISER, built.sources, state,
                      instances=lambda ids: {i: (running or {}).get(i, 0) for i in ids})
    snapshot = Snapshot(app_id=1, rows=rows, calls=1)
    return planner.plan(built.templates if templates is None else templates, snapshot,
                        PlanInputs("test", "https://portal.test", None, prune))


def actions(made: Plan) -> dict[str, str]:
    return {t.workflow: t.action for t in made.templates}


def notes(made: Plan, workflow: str) -> list[str]:
    entry = next(t for t in made.templates if t.workflow == workflow)
    return [n.kind for n in entry.notes]


def test_an_empty_portal_gets_everything_added(built: BuildResult) -> None:
    made = plan(built, [])
    assert actions(made) == {"deal_approval": "add", "lead_check": "add", "vacation": "add"}
    assert notes(made, "deal_approval") == ["autostart"]
    entry = made.templates[0]
    assert entry.send is not None and entry.send.AUTO_EXECUTE == "3"
    assert entry.send.DESCRIPTION.endswith("\n\n[bpl:deal_approval]")
    assert entry.location is not None and entry.location.file.endswith("deal.bpl")


def test_what_the_designer_stores_is_unchanged(built: BuildResult) -> None:
    rows = [row(t, n + 1, as_designer(t.template.to_package(), n))
            for n, t in enumerate(built.templates)]
    made = plan(built, rows)
    assert set(actions(made).values()) == {"unchanged"}
    assert not made.has_changes


def test_a_new_title_is_an_update_of_the_header_only(built: BuildResult) -> None:
    deal = by_name(built, "deal_approval")
    made = plan(built, [row(deal, 4, NAME="Old name", AUTO_EXECUTE="1")],
                templates=[deal])
    entry = made.templates[0]
    assert entry.action == "update" and entry.template_id == 4
    assert entry.send is not None and entry.send.template_data is False
    assert [(f.field, f.old, f.new) for f in entry.fields] == [
        ("NAME", "Old name", "Large deal approval"), ("AUTO_EXECUTE", "1", "3")]
    assert notes(made, "deal_approval") == ["autostart"]


def test_a_changed_tree_is_a_reimport_that_resets_tuned_constants(built: BuildResult) -> None:
    deal = by_name(built, "deal_approval")
    package = copy.deepcopy(deal.template.to_package())
    package["CONSTANTS"]["head"]["Default"] = "user_99"  # tuned on the portal
    package["TEMPLATE"][0]["Children"][0]["Children"][1]["Children"][0]["Properties"]["Text"] \
        = "old text"
    made = plan(built, [row(deal, 4, package)], templates=[deal])
    entry = made.templates[0]
    assert entry.action == "update" and entry.send is not None and entry.send.template_data
    assert [(a.kind, a.title, [p.key for p in a.properties]) for a in entry.activities] == \
        [("changed", "Log", ["Text"])]
    assert entry.activities[0].location is not None
    assert entry.activities[0].location.source.startswith('log "Deal {doc.TITLE}')
    assert [(e.ident, e.keys) for e in entry.entries] == [("head", ["Default"])]
    assert "constants-reset" in notes(made, "deal_approval")


def test_another_document_type_is_a_replace(built: BuildResult) -> None:
    deal = by_name(built, "deal_approval")
    made = plan(built, [row(deal, 4, DOCUMENT_TYPE=["crm", "CCrmDocumentLead", "LEAD"],
                            ENTITY="CCrmDocumentLead")], templates=[deal], running={4: 2})
    entry = made.templates[0]
    assert entry.action == "replace"
    assert notes(made, "deal_approval")[:1] == ["document-type"]
    assert entry.blocked is not None and "2 running workflow(s)" in entry.blocked


def test_drift_is_told_from_the_state_file(built: BuildResult, tmp_path: Path) -> None:
    deal = by_name(built, "deal_approval")
    state = DeployState(tmp_path / "state.json")
    applied = from_compiled(deal, NORMALISER).content_hash
    state.record(4, Applied("deal_approval", applied, "2026-01-01T00:00:00+00:00"))
    assert "drift" not in notes(plan(built, [row(deal, 4, NAME="x")], templates=[deal]),
                                "deal_approval")  # no state: nothing to compare with
    edited = plan(built, [row(deal, 4, NAME="Edited in the designer")], templates=[deal],
                  state=state)
    assert "drift" in notes(edited, "deal_approval")
    clean = plan(built, [row(deal, 4)], templates=[deal], state=state)
    assert actions(clean) == {"deal_approval": "unchanged"}


def test_leftovers_are_kept_unless_pruned(built: BuildResult) -> None:
    deal, lead = by_name(built, "deal_approval"), by_name(built, "lead_check")
    rows = [row(deal, 3), row(lead, 5)]
    kept = plan(built, rows, templates=[deal])
    assert [(t.workflow, t.action, t.template_id) for t in kept.templates] == [
        ("deal_approval", "unchanged", 3), ("lead_check", "keep", 5)]
    assert not kept.has_changes
    pruned = plan(built, rows, templates=[deal], prune=True, running={5: 1})
    assert [(t.action, t.template_id) for t in pruned.changes] == [("delete", 5)]
    assert pruned.templates[1].blocked is not None


def test_duplicates_are_deleted_without_prune(built: BuildResult) -> None:
    deal, lead = by_name(built, "deal_approval"), by_name(built, "lead_check")
    rows = [row(deal, 9), row(deal, 3), row(lead, 5), row(lead, 7), row(deal, 12)]
    made = plan(built, rows, templates=[deal], running={12: 2})
    assert [(t.workflow, t.action, t.template_id, t.duplicate_of) for t in made.templates] == [
        ("deal_approval", "unchanged", 3, None), ("deal_approval", "delete", 9, 3),
        ("deal_approval", "delete", 12, 3), ("lead_check", "keep", 5, None),
        ("lead_check", "delete", 7, 5)]
    assert made.has_changes and made.duplicates == 3
    assert "3 to delete (3 duplicates)" in made.summary()
    assert [n.kind for n in made.templates[1].notes] == ["duplicate"]
    assert made.templates[1].blocked is None
    assert made.templates[2].blocked is not None  # workflows run on it: apply refuses
    text = render_human(made)
    assert ("- deal_approval \"Large deal approval\" (DEAL) template 9 will be deleted, a "
            "duplicate of template 3") in text
    assert "template 9 carries the marker of deal_approval as well as template 3" in text
    markdown = render_markdown(made)
    assert "| - | `deal_approval` | 9 | DEAL | delete (duplicate of 3) | duplicate |" in markdown
    assert "deal_approval</b> \"Large deal approval\" — delete, a duplicate of template 3" \
        in markdown
    data = json.loads(made.to_json())
    assert [t["duplicate_of"] for t in data["templates"]] == [None, 3, 3, None, 5]


def test_what_bpl_does_not_manage(built: BuildResult, tmp_path: Path) -> None:
    deal = by_name(built, "deal_approval")
    state = DeployState(tmp_path / "state.json")
    state.record(12, Applied("deal_approval", "x", "2026-01-01T00:00:00+00:00"))
    rows = [
        row(deal, 10, SYSTEM_CODE=None),
        row(deal, 11, SYSTEM_CODE="rest_app_9"),
        row(deal, 12, DESCRIPTION="someone removed the marker"),
        row(deal, 13, DESCRIPTION=marked_description("", "other/deal_approval")),
    ]
    made = plan(built, rows, templates=[deal], state=state)
    assert actions(made) == {"deal_approval": "add"}
    reasons = {u.id: (u.reason, u.note) for u in made.unmanaged}
    assert [reasons[i][0] for i in (10, 11, 12, 13)] == [
        "designer", "other-app", "unmarked", "other-project"]
    assert "carries the marker [bpl:deal_approval]" in reasons[11][1]
    assert "[bpl:deal_approval] back" in reasons[12][1]


def test_human_and_markdown_read_in_bpl_terms(built: BuildResult) -> None:
    deal = by_name(built, "deal_approval")
    package = copy.deepcopy(deal.template.to_package())
    del package["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"][0]  # the status
    made = plan(built, [row(deal, 4, package, SYSTEM_CODE="rest_app_1"),
                        row(deal, 8, SYSTEM_CODE=None, NAME="Designer copy")],
                templates=[deal])
    text = render_human(made)
    assert "~ deal_approval \"Large deal approval\" (DEAL) template 4 will be updated" in text
    assert "+ SetStateTitleActivity \"Set status\" in Condition › Yes" in text
    assert 'deal.bpl:11  status "Waiting for approval"' in text
    assert "A1" not in text.replace("A10", "")  # no generated activity names
    assert "Plan: 0 to add, 1 to update" in text
    markdown = render_markdown(made)
    assert "| ~ | `deal_approval` | 4 | DEAL | update |" in markdown
    assert "<details>" in markdown and "Not managed by bpl, never touched: 1" in markdown


def test_a_saved_plan_reads_back_equal(built: BuildResult, tmp_path: Path) -> None:
    made = plan(built, [])
    save_plan(made, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json") == made


def test_a_portal_template_that_cannot_be_read_is_blocked_with_a_sentence(
        built: BuildResult) -> None:
    deal = by_name(built, "deal_approval")
    package = copy.deepcopy(deal.template.to_package())
    package["TEMPLATE"][0]["Children"][0]["Properties"] = "garbage"
    made = plan(built, [row(deal, 4, package)], templates=[deal])
    (entry,) = made.templates
    assert entry.action == "update" and entry.template_id == 4
    assert entry.blocked is not None and entry.blocked.startswith(
        "the template on the portal cannot be read (the Properties of activity ")
    assert "(IfElseActivity, at TEMPLATE[0].Children[0]) are a text" in entry.blocked
    assert f"! blocked: {entry.blocked}" in render_human(made)
    assert entry.blocked in render_markdown(made)
