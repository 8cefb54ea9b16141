"""Planning app robots and actions next to templates, against the sandbox portal.

The portal lists only CODEs, so the plan compares the sources with what the state file says bpl
registered last; these tests drive every decision: register, unchanged, update (with the fields
that change), registered outside bpl, kind changes, dropped by the portal, kept, pruned, in use,
foreign, and a connection that cannot list robots at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from compiler.deploy import ApplyReport, Plan, PlanInputs, Snapshot, apply_plan, plan_deploy
from compiler.deploy.state import DeployState
from compiler.pipeline import BuildResult
from compiler.portal import PortalClient, PortalConfig, WebhookAuth
from compiler.semantics.checker import robot_activity_type

from .rig import BASE, Rig

ROBOTS = """\
robot erp_invoice "Create invoice in ERP" {
    handler "https://erp.example.com/bitrix/robot"
    documents [crm.deal]
    input amount: double required "Amount"
    input currency: string = "EUR" "Currency"
    output erp_id: string "ERP id"
}

action erp_ping "Ping the ERP" {
    handler "https://erp.example.com/bitrix/ping"
    wait_for_result false
}
"""

INVOICES = """\
workflow invoices for crm.deal {
    title "Invoices"
    erp_invoice(amount: doc.OPPORTUNITY) as invoice
    erp_ping()
    log "ERP invoice {invoice.erp_id}"
}
"""

PROJECT = {"robots.bpl": ROBOTS, "invoices.bpl": INVOICES}


def plan(made: Rig, client: PortalClient, result: BuildResult, *, prune: bool = False,
         state: DeployState | None = None, app_id: int | None = None) -> tuple[Plan, Snapshot]:
    return plan_deploy(client, result.templates, result.sources,
                       PlanInputs("test", BASE, None, prune), state=state or made.state,
                       app_id=app_id, robots=result.robots, client_id=made.creds.client_id)


def apply(made: Rig, client: PortalClient, made_plan: Plan, result: BuildResult,
          snapshot: Snapshot | None = None) -> ApplyReport:
    return apply_plan(client, made_plan, result.templates, normaliser=made.normaliser,
                      snapshot=snapshot, state=made.state, robots=result.robots)


def deploy(made: Rig, client: PortalClient, result: BuildResult,
           *, prune: bool = False) -> tuple[Plan, ApplyReport]:
    made_plan, snapshot = plan(made, client, result, prune=prune)
    return made_plan, apply(made, client, made_plan, result, snapshot)


def registered(made: Rig) -> dict[tuple[str, str], dict[str, Any]]:
    """What the portal holds, read behind the client's back: (kind, CODE) → columns."""
    with made.sandbox.portal.store.transaction() as conn:
        rows = conn.execute("SELECT * FROM rest_activities ORDER BY id").fetchall()
    return {("robot" if r["is_robot"] == "Y" else "action", r["code"]): dict(r) for r in rows}


def actions(made_plan: Plan) -> dict[str, str]:
    return {r.key: r.action for r in made_plan.robots}


def test_a_first_plan_registers_every_declaration(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    assert actions(made) == {"robot:erp_invoice": "add", "action:erp_ping": "add"}
    invoice = made.robots[0]
    assert invoice.name == "Create invoice in ERP"
    assert invoice.activity_type == robot_activity_type(sandbox_rig.creds.client_id, "erp_invoice")
    assert invoice.location is not None and invoice.location.line == 1
    assert made.summary().endswith("robots and actions: 2 to register, 0 to update, "
                                   "0 to delete, 0 unchanged")
    assert made.has_changes and made.change_count == 3
    assert made.reads == 1  # the CODE lists ride in the first batch


def test_after_apply_everything_is_unchanged_and_nothing_is_written(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    deploy(sandbox_rig, sandbox_rig.client(), result)
    client = sandbox_rig.client()
    again, _ = plan(sandbox_rig, client, result)
    assert actions(again) == {"robot:erp_invoice": "unchanged", "action:erp_ping": "unchanged"}
    assert not again.has_changes
    assert client.stats.http_requests == 1


def test_a_changed_declaration_is_an_update_showing_each_field(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    edited = ROBOTS.replace('"ERP id"', '"ERP number"').replace('= "EUR"', '= "USD"') \
        .replace("/bitrix/robot", "/v2/robot")
    result = sandbox_rig.compile({**PROJECT, "robots.bpl": edited})
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    assert actions(made)["robot:erp_invoice"] == "update"
    fields = {f.field: (f.old, f.new) for f in made.robots[0].fields}
    assert fields == {
        "HANDLER": ("https://erp.example.com/bitrix/robot", "https://erp.example.com/v2/robot"),
        "PROPERTIES.currency.Default": ("EUR", "USD"),
        "RETURN_PROPERTIES.erp_id.Name": ("ERP id", "ERP number"),
    }
    # Defaults are written into every call, so the calling template changes with them.
    (template,) = made.templates
    changed = {(p.key, p.old, p.new) for a in template.activities for p in a.properties}
    assert template.action == "update" and changed == {("currency", "EUR", "USD")}


def test_a_robot_registered_outside_bpl_is_updated_to_match(sandbox_rig: Rig) -> None:
    client = sandbox_rig.client()
    client.call("bizproc.robot.add", {"CODE": "erp_invoice", "NAME": "Someone's",
                                      "HANDLER": "https://other.example.com/robot"})
    made, _ = plan(sandbox_rig, client, sandbox_rig.compile(PROJECT))
    invoice = made.robots[0]
    assert invoice.action == "update" and invoice.fields == []
    assert [n.kind for n in invoice.notes] == ["outside"]
    assert "registered outside bpl" in invoice.notes[0].message


def test_without_the_state_file_a_deployed_robot_is_updated_not_added(sandbox_rig: Rig,
                                                                     tmp_path: Path) -> None:
    result = sandbox_rig.compile(PROJECT)
    deploy(sandbox_rig, sandbox_rig.client(), result)
    fresh = DeployState(tmp_path / "fresh-checkout.json")
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result, state=fresh)
    assert actions(made) == {"robot:erp_invoice": "update", "action:erp_ping": "update"}


def test_a_declaration_changing_kind_replaces_the_registration(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    result = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace("action erp_ping",
                                                                          "robot erp_ping")})
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    ping = made.robots[1]
    assert (ping.key, ping.action, ping.previous_kind) == ("robot:erp_ping", "replace", "action")
    assert "the action is deleted and the robot registered" in ping.notes[0].message


def test_a_robot_the_portal_dropped_is_registered_again(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    deploy(sandbox_rig, sandbox_rig.client(), result)
    # What an update of the application does to its robots and actions.
    with sandbox_rig.sandbox.portal.store.transaction(write=True) as conn:
        conn.execute("DELETE FROM rest_activities")
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    assert actions(made) == {"robot:erp_invoice": "add", "action:erp_ping": "add"}
    assert made.robots[0].notes[0].kind == "gone"
    assert "no longer lists it" in made.robots[0].notes[0].message


def test_a_robot_left_out_of_the_sources_is_kept_unless_pruned(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    result = sandbox_rig.compile({"robots.bpl": ROBOTS.split("action erp_ping")[0]})
    kept, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    assert actions(kept)["action:erp_ping"] == "keep"
    assert "bpl plan --prune deletes it" in kept.robots[-1].notes[0].message
    assert not any(r.changes for r in kept.robots)
    pruned, _ = plan(sandbox_rig, sandbox_rig.client(), result, prune=True)
    ping = pruned.robots[-1]
    assert (ping.action, ping.blocked) == ("delete", None)
    # The managed template that calls it is deleted by the same plan: the delete waits for it.
    (template,) = pruned.templates
    assert template.action == "delete" and ping.used_by == [template.template_id]


def test_a_delete_is_blocked_while_a_remaining_template_calls_it(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    ping_type = robot_activity_type(sandbox_rig.creds.client_id, "erp_ping")
    designer = sandbox_rig.sandbox.seed_template(["crm", "CCrmDocumentDeal", "DEAL"], "By hand",
                                                 template=[{
        "Type": "SequentialWorkflowActivity", "Name": "Template", "Activated": "Y",
        "Properties": {"Title": "By hand"},
        "Children": [{"Type": ping_type.upper(), "Name": "A1", "Activated": "Y",
                      "Properties": {"Title": "Ping"}, "Children": []}]}])
    result = sandbox_rig.compile({"robots.bpl": ROBOTS.split("action erp_ping")[0]})
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result, prune=True)
    ping = made.robots[-1]
    assert ping.action == "delete"
    assert ping.blocked == (f"template(s) #{designer} \"By hand\" still call it; deleting it "
                            "would make them fail to load")
    assert [n.kind for n in ping.notes] == ["not-in-sources", "in-use"]


def test_robots_nobody_declared_or_registered_through_bpl_are_only_listed(
        sandbox_rig: Rig) -> None:
    client = sandbox_rig.client()
    client.call("bizproc.activity.add", {"CODE": "theirs", "NAME": "Theirs",
                                         "HANDLER": "https://other.example.com/a"})
    made, _ = plan(sandbox_rig, client, sandbox_rig.compile(PROJECT), prune=True)
    assert [(f.kind, f.code) for f in made.foreign_robots] == [("action", "theirs")]
    assert "action:theirs" not in actions(made)


def test_the_state_of_another_application_is_not_ours(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    deploy(sandbox_rig, sandbox_rig.client(), result)
    made, _ = plan(sandbox_rig, sandbox_rig.client(), result, app_id=99)
    assert actions(made) == {"robot:erp_invoice": "update", "action:erp_ping": "update"}


def test_a_webhook_cannot_list_robots_and_says_why(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    hook = WebhookAuth(f"{BASE}{sandbox_rig.creds.webhook_path}")
    client = PortalClient(PortalConfig(BASE, hook),
                          httpx.ASGITransport(app=sandbox_rig.sandbox.asgi_app))
    try:
        made, snapshot = plan(sandbox_rig, client, result, app_id=sandbox_rig.creds.app_id)
    finally:
        client.close()
    assert snapshot.robots is not None and not snapshot.robots.readable
    assert actions(made) == {"robot:erp_invoice": "add", "action:erp_ping": "add"}
    for entry in made.robots:
        assert entry.blocked is not None and "needs the application's OAuth token" in entry.blocked
        assert [n.kind for n in entry.notes] == ["app-context"]


def test_without_declarations_or_state_robots_cost_nothing_to_plan(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile({"lead.bpl": 'workflow w for crm.lead {\n    log "x"\n}\n'})
    client = sandbox_rig.client()
    made, _ = plan(sandbox_rig, client, result)
    assert made.robots == [] and made.foreign_robots == []
    assert "robots" not in made.summary()
    assert client.stats.http_requests == 1


def test_the_plan_round_trips_through_json(sandbox_rig: Rig) -> None:
    made, _ = plan(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    data = json.loads(made.to_json())
    assert [r["code"] for r in data["robots"]] == ["erp_invoice", "erp_ping"]
    assert Plan.model_validate(data) == made


@pytest.mark.parametrize("kind", ["robot", "action"])
def test_the_display_name_is_the_english_one(sandbox_rig: Rig, kind: str) -> None:
    text = (f'{kind} hello "Hello" {{\n    handler "https://erp.example.com/h"\n'
            '    translations { de: "Hallo" }\n}\n')
    made, _ = plan(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile({"h.bpl": text}))
    assert [(r.kind, r.name) for r in made.robots] == [(kind, "Hello")]
