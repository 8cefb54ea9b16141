"""plan → apply → plan against the sandbox portal, in-process: convergence, faults, limits."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from compiler.bitrix import Activity
from compiler.deploy import PlanInputs, PlanMismatch, plan_deploy
from compiler.deploy.identity import read_marker
from compiler.deploy.read import ReadError
from compiler.portal import PortalClient, PortalConfig, WebhookAuth
from compiler.sandbox import Faults, Limits

from .rig import DEAL, LEAD, PROJECT, Rig, numbered, rig, writes


def keys(made: Rig) -> Counter[str | None]:
    return Counter(read_marker(str(r["description"]))[0] for r in made.rows())


def converge(made: Rig, sources: dict[str, str], *, runs: int = 6) -> int:
    """Apply fresh plans until one has no changes; the number of applies it took."""
    result = made.compile(sources)
    client = made.client()
    for attempt in range(runs):
        plan, snapshot = made.plan(client, result)
        if not plan.has_changes:
            return attempt
        made.apply(client, plan, result, snapshot)
    raise AssertionError(f"no convergence after {runs} applies")


def test_plan_apply_plan_ends_with_no_changes_and_no_write(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    first = sandbox_rig.client()
    plan, report = sandbox_rig.deploy(first, result)
    assert plan.summary().startswith("3 to add") and report.ok
    assert [o.template_id for o in report.outcomes] == [1, 2, 3]
    before = sandbox_rig.rows()
    second = sandbox_rig.client()
    again, _ = sandbox_rig.plan(second, result)
    assert not again.has_changes and again.count("unchanged") == 3
    assert writes(second) == 0
    assert second.stats.http_requests == 1  # app.info and the list in one batch
    assert sandbox_rig.rows() == before


def test_apply_is_idempotent(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    plan, snapshot = sandbox_rig.plan(client, result)
    assert sandbox_rig.apply(client, plan, result, snapshot).ok
    rows = sandbox_rig.rows()
    # The same plan again: the portal moved on, so it is refused and nothing is written.
    with pytest.raises(PlanMismatch, match="the portal changed since the plan was made"):
        sandbox_rig.apply(client, plan, result)
    # A fresh apply finds nothing to do.
    fresh, report = sandbox_rig.deploy(client, result)
    assert not fresh.has_changes and report.outcomes == []
    assert sandbox_rig.rows() == rows
    assert keys(sandbox_rig) == Counter({"deal_approval": 1, "lead_check": 1, "vacation": 1})


def test_edits_are_updates_in_place(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, result)
    edited = sandbox_rig.compile({**PROJECT, "deal.bpl": DEAL.replace("timeout 2d", "timeout 3d")
                                  .replace('title "Large deal approval"', 'title "Big deals"')})
    plan, report = sandbox_rig.deploy(client, edited)
    entry = plan.changes[0]
    assert (entry.action, entry.template_id) == ("update", 1) and report.ok
    assert [(a.kind, a.title, [p.key for p in a.properties]) for a in entry.activities] == [
        ("changed", "Big deals", ["Title"]),
        ("changed", "Approve", ["TimeoutDuration"])]
    assert not sandbox_rig.plan(client, edited)[0].has_changes


def test_twenty_percent_faults_converge_without_duplicates(tmp_path: Path) -> None:
    faults = Faults(error_rate=0.1, codes=(500, 503), drop_rate=0.05, after_commit_rate=0.1,
                    seed=20)
    sources = {**PROJECT, **numbered(12)}
    with rig(tmp_path, faults=faults) as made:
        converge(made, sources)
        assert keys(made) == Counter({k: 1 for k in [
            "deal_approval", "lead_check", "vacation", *(f"wf{n:03}" for n in range(12))]})
        # Updates under the same faults: every template changes.
        changed = {name: text.replace('title "', 'title "New ') for name, text in
                   sources.items()}
        converge(made, changed)
        assert len(made.rows()) == 15 and set(keys(made).values()) == {1}
        assert all(str(r["name"]).startswith("New ") for r in made.rows())
        stats = [c.stats for c in made.clients]
        assert sum(s.retries + s.reconciled for s in stats) > 0  # faults did strike


def test_lost_answers_to_add_never_duplicate(tmp_path: Path) -> None:
    with rig(tmp_path, faults=Faults(after_commit_rate=1.0, seed=3)) as made:
        result = made.compile(PROJECT)
        client = made.client()
        _plan, report = made.deploy(client, result)
        assert report.ok and client.stats.reconciled == 3
        assert keys(made) == Counter({"deal_approval": 1, "lead_check": 1, "vacation": 1})
        assert not made.plan(made.client(), result)[0].has_changes


def test_standard_limits_are_never_exceeded(tmp_path: Path) -> None:
    with rig(tmp_path, limits=Limits.standard(), client_limits="standard") as made:
        result = made.compile(numbered(70))
        client = made.client()
        plan, report = made.deploy(client, result)
        assert report.ok and len(plan.changes) == 70
        assert not made.plan(client, result)[0].has_changes
        assert made.refused == 0  # counted on the portal's side
        assert client.stats.throttled_waits > 0  # the limiter did have to hold requests back


def test_token_expiry_mid_apply_is_survived(tmp_path: Path) -> None:
    with rig(tmp_path, faults=Faults(expire_tokens_every=4)) as made:
        result = made.compile({**PROJECT, **numbered(8)})
        client = made.client()
        _plan, report = made.deploy(client, result)
        assert report.ok and len(report.outcomes) == 11
        assert client.stats.refreshes >= 2


def test_prune_refuses_while_workflows_run(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, result)
    sandbox_rig.sandbox.seed_document(["crm", "CCrmDocumentLead", "LEAD_5"])
    run = client.call("bizproc.workflow.start", {
        "TEMPLATE_ID": 2, "DOCUMENT_ID": ["crm", "CCrmDocumentLead", "LEAD_5"]})
    without = sandbox_rig.compile({"deal.bpl": DEAL, "vacation.bpl": PROJECT["vacation.bpl"]})
    kept, _ = sandbox_rig.plan(client, without)
    assert [(t.workflow, t.action) for t in kept.templates if t.action == "keep"] == \
        [("lead_check", "keep")]
    plan, report = sandbox_rig.deploy(client, without, prune=True)
    assert plan.changes[0].blocked is not None
    outcome = report.outcomes[0]
    assert outcome.status == "failed" and "1 running workflow(s)" in outcome.message
    assert keys(sandbox_rig)["lead_check"] == 1
    client.call("bizproc.workflow.terminate", {"ID": run})
    plan, report = sandbox_rig.deploy(client, without, prune=True)
    assert report.ok and [o.message for o in report.outcomes] == ["deleted"]
    assert "lead_check" not in keys(sandbox_rig)


def test_a_new_document_type_replaces_the_template(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, result)
    moved = sandbox_rig.compile({**PROJECT, "lead.bpl": LEAD.replace("crm.lead", "crm.contact")
                                 .replace("doc.TITLE", "doc.NAME")})
    plan, report = sandbox_rig.deploy(client, moved)
    assert [(t.action, t.template_id) for t in plan.changes] == [("replace", 2)]
    assert report.ok and report.outcomes[0].template_id == 4
    assert report.outcomes[0].message == "deleted template 2, added"
    assert sorted(sandbox_rig.state.templates) == [1, 3, 4]  # the old ID is forgotten
    assert keys(sandbox_rig)["lead_check"] == 1
    assert not sandbox_rig.plan(client, moved)[0].has_changes


def test_portal_edits_show_as_drift(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, result)
    client.call("bizproc.workflow.template.update", {"ID": 1, "FIELDS": {"NAME": "Edited"}})
    plan, _ = sandbox_rig.plan(client, result)
    entry = plan.changes[0]
    assert [n.kind for n in entry.notes] == ["drift"]
    assert [(f.field, f.old) for f in entry.fields] == [("NAME", "Edited")]


def test_templates_of_others_are_never_touched(sandbox_rig: Rig) -> None:
    sandbox = sandbox_rig.sandbox
    designer = sandbox.seed_template(["crm", "CCrmDocumentDeal", "DEAL"], "By hand",
                                     system_code=None)
    other = sandbox.create_app("other")
    foreign = sandbox.seed_template(["crm", "CCrmDocumentLead", "LEAD"], "Other app",
                                    system_code=f"rest_app_{other.app_id}")
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    plan, report = sandbox_rig.deploy(client, result, prune=True)
    assert {u.id: u.reason for u in plan.unmanaged} == {designer: "designer",
                                                       foreign: "other-app"}
    assert report.ok and {o.entry.action for o in report.outcomes} == {"add"}
    assert {r["id"] for r in sandbox_rig.rows()} >= {designer, foreign}


def test_a_saved_plan_refuses_changed_sources(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    plan, _ = sandbox_rig.plan(client, result)
    edited = sandbox_rig.compile({**PROJECT, "deal.bpl": DEAL.replace("2d", "5d")})
    with pytest.raises(PlanMismatch, match="deal_approval compiles differently"):
        sandbox_rig.apply(client, plan, edited)
    fewer = sandbox_rig.compile({"deal.bpl": DEAL})
    with pytest.raises(PlanMismatch, match="gone from the sources: lead_check, vacation"):
        sandbox_rig.apply(client, plan, fewer)
    assert sandbox_rig.rows() == []


def test_an_import_refusal_points_at_the_statement(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile({"lead.bpl": LEAD})
    template = result.templates[0]
    condition = template.template.root.children[0]
    assert condition.type == "IfElseActivity"
    # A Log directly inside the condition: Bitrix's ValidateChild refuses it on import.
    condition.children.append(Activity("LogActivity", "A99999_1_2_3",
                                       {"Title": "Stray", "Text": "x"}))
    client = sandbox_rig.client()
    _plan, report = sandbox_rig.deploy(client, result)
    outcome = report.outcomes[0]
    assert outcome.status == "failed" and not report.ok
    (diagnostic,) = outcome.diagnostics
    assert diagnostic.code == "E700"
    assert diagnostic.message.startswith("portal: Action 'Condition': ")
    assert (Path(diagnostic.span.file).name, diagnostic.span.line) == ("lead.bpl", 3)
    assert sandbox_rig.rows() == []


def test_a_refused_property_points_at_its_activity(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile({"lead.bpl": LEAD})
    template = result.templates[0]
    notify = template.template.root.children[1]
    assert notify.type == "IMNotifyActivity"
    notify.properties["MessageSite"] = ""  # no title in Bitrix's message for this one
    _, report = sandbox_rig.deploy(sandbox_rig.client(), result)
    (diagnostic,) = report.outcomes[0].diagnostics
    assert (Path(diagnostic.span.file).name, diagnostic.span.line) == ("lead.bpl", 6)


def test_a_webhook_plans_with_app_id_but_cannot_apply(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    sandbox_rig.deploy(sandbox_rig.client(), result)
    hook = WebhookAuth(f"https://sandbox.test{sandbox_rig.creds.webhook_path}")
    client = PortalClient(PortalConfig("https://sandbox.test", hook),
                          httpx.ASGITransport(app=sandbox_rig.sandbox.asgi_app))
    inputs = PlanInputs("test", "https://sandbox.test")
    with pytest.raises(ReadError, match="set app_id of the environment"):
        plan_deploy(client, result.templates, result.sources, inputs)
    plan, snapshot = plan_deploy(client, result.templates, result.sources, inputs,
                                 app_id=sandbox_rig.creds.app_id)
    assert plan.count("unchanged") == 3
    edited = sandbox_rig.compile({**PROJECT, "deal.bpl": DEAL.replace("2d", "9d")})
    plan, snapshot = plan_deploy(client, edited.templates, edited.sources, inputs,
                                 app_id=sandbox_rig.creds.app_id)
    report = sandbox_rig.apply(client, plan, edited, snapshot)
    (outcome,) = report.outcomes
    assert outcome.status == "failed" and outcome.fatal
    assert "webhooks cannot deploy templates" in outcome.message
    client.close()
