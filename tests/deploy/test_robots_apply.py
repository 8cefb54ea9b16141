"""Applying robot and action changes against the sandbox portal: registration before the
templates that call them, deletion after, a lost answer never fails or duplicates a
registration, and a failure stops only what depends on it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from compiler.deploy import PlanMismatch
from compiler.portal import PortalClient, PortalConfig, WebhookAuth
from compiler.portal.auth import OAuthAuth
from compiler.sandbox import Faults

from .rig import BASE, Rig, rig
from .test_robots_plan import INVOICES, PROJECT, ROBOTS, apply, deploy, plan, registered


class LosingTransport(httpx.ASGITransport):
    """Loses the answer to the first `lose` calls of `method`, after the portal ran them."""

    def __init__(self, made: Rig, method: str, lose: int = 1) -> None:
        super().__init__(app=made.sandbox.asgi_app)
        self.method = method
        self.lose = lose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        if self.method in request.url.path and self.lose > 0:
            self.lose -= 1
            await response.aread()
            raise httpx.RemoteProtocolError("Server disconnected without sending a response")
        return response


def losing_client(made: Rig, method: str, lose: int = 1) -> PortalClient:
    auth = OAuthAuth(made.creds.client_id, made.creds.client_secret, made.creds.access_token,
                     made.creds.refresh_token, oauth_url=f"{BASE}/oauth/token/")
    client = PortalClient(PortalConfig(BASE, auth, limits="off", timeout=10),
                          LosingTransport(made, method, lose), clock=made.clock)
    made.clients.append(client)
    return client


def test_robots_are_registered_before_the_templates_that_call_them(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, report = deploy(sandbox_rig, client, result)
    assert report.ok
    assert [(o.entry.subject, o.message) for o in report.outcomes] == [
        ("robot erp_invoice", "registered"), ("action erp_ping", "registered"),
        ("invoices", "added")]
    portal = registered(sandbox_rig)
    invoice = portal["robot", "erp_invoice"]
    assert invoice["handler"] == "https://erp.example.com/bitrix/robot"
    assert invoice["use_subscription"] == "Y"
    assert json.loads(invoice["properties"])["amount"] == {
        "NAME": "Amount", "TYPE": "double", "REQUIRED": "Y", "MULTIPLE": "N"}
    assert json.loads(invoice["filter"]) == {"INCLUDE": [["crm", "CCrmDocumentDeal", "DEAL"]]}
    assert portal["action", "erp_ping"]["use_subscription"] == "N"
    # The state file is the only record of what was registered.
    saved = json.loads(sandbox_rig.state.path.read_text())["robots"][
        str(sandbox_rig.creds.app_id)]
    assert set(saved) == {"robot:erp_invoice", "action:erp_ping"}
    assert saved["robot:erp_invoice"]["content_hash"] == made.robots[0].content_hash
    assert saved["robot:erp_invoice"]["params"] == result.robots[0].params


def test_a_lost_add_answer_is_reconciled_by_updating(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = losing_client(sandbox_rig, "bizproc.robot.add")
    _, report = deploy(sandbox_rig, client, result)
    assert report.ok, [o.message for o in report.outcomes]
    assert report.outcomes[0].message == "registered (it was there already: updated to match)"
    assert list(registered(sandbox_rig)) == [("robot", "erp_invoice"), ("action", "erp_ping")]
    assert client.stats.calls_by_method["bizproc.robot.update"] == 1


def test_a_lost_update_answer_is_sent_again(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    edited = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace("/bitrix/ping",
                                                                          "/v2/ping")})
    client = losing_client(sandbox_rig, "bizproc.activity.update", lose=2)
    _, report = deploy(sandbox_rig, client, edited)
    assert report.ok
    assert registered(sandbox_rig)["action", "erp_ping"]["handler"] == \
        "https://erp.example.com/v2/ping"
    assert client.stats.calls_by_method["bizproc.activity.update"] == 3


def test_a_lost_delete_answer_is_checked_against_the_list(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    client = losing_client(sandbox_rig, "bizproc.activity.delete")
    _, report = deploy(sandbox_rig, client,
                       sandbox_rig.compile({"robots.bpl": ROBOTS.split("action")[0]}), prune=True)
    assert report.ok
    assert ("action", "erp_ping") not in registered(sandbox_rig)
    assert client.stats.calls_by_method["bizproc.activity.delete"] == 1
    assert "action:erp_ping" not in sandbox_rig.state.registered(sandbox_rig.creds.app_id)


def test_registered_meanwhile_the_add_becomes_an_update(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, snapshot = plan(sandbox_rig, client, result)
    client.call("bizproc.robot.add", {"CODE": "erp_invoice", "NAME": "Someone's",
                                      "HANDLER": "https://other.example.com/robot"})
    report = apply(sandbox_rig, client, made, result, snapshot)
    assert report.ok
    assert registered(sandbox_rig)["robot", "erp_invoice"]["handler"] == \
        "https://erp.example.com/bitrix/robot"


def test_dropped_meanwhile_the_update_becomes_an_add(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    edited = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace('"ERP id"', '"Id"')})
    client = sandbox_rig.client()
    made, snapshot = plan(sandbox_rig, client, edited)
    client.call("bizproc.robot.delete", {"CODE": "erp_invoice"})
    report = apply(sandbox_rig, client, made, edited, snapshot)
    assert report.ok and report.outcomes[0].message == "registered"
    assert json.loads(registered(sandbox_rig)["robot", "erp_invoice"]["return_properties"]) \
        ["erp_id"]["NAME"] == "Id"


def test_a_kind_change_deletes_the_old_registration_first(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    result = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace("action erp_ping",
                                                                          "robot erp_ping")})
    _, report = deploy(sandbox_rig, sandbox_rig.client(), result)
    assert report.ok
    assert report.outcomes[0].message == "deleted the action, registered"
    assert ("robot", "erp_ping") in registered(sandbox_rig)
    assert ("action", "erp_ping") not in registered(sandbox_rig)
    assert set(sandbox_rig.state.registered(sandbox_rig.creds.app_id)) == {
        "robot:erp_invoice", "robot:erp_ping"}
    again, _ = plan(sandbox_rig, sandbox_rig.client(), result)
    assert not again.has_changes


def test_a_refused_robot_stops_only_the_templates_that_call_it(sandbox_rig: Rig) -> None:
    # Two registrations cannot share a placement handler: the portal refuses the second.
    shared = ROBOTS.replace('    wait_for_result false\n',
                            '    wait_for_result false\n'
                            '    placement "https://erp.example.com/dialog"\n') \
        .replace('    documents [crm.deal]\n',
                 '    documents [crm.deal]\n    placement "https://erp.example.com/dialog"\n')
    lead = 'workflow leads for crm.lead {\n    log "no robots here"\n}\n'
    result = sandbox_rig.compile({"robots.bpl": shared, "invoices.bpl": INVOICES,
                                  "lead.bpl": lead})
    _, report = deploy(sandbox_rig, sandbox_rig.client(), result)
    by_subject = {o.entry.subject: o for o in report.outcomes}
    assert by_subject["robot erp_invoice"].status == "applied"
    assert by_subject["action erp_ping"].status == "failed"
    assert "unique placement handler" in by_subject["action erp_ping"].message
    assert by_subject["invoices"].status == "not attempted"
    assert by_subject["invoices"].message == \
        "not attempted: it calls action erp_ping, which was not registered"
    assert by_subject["leads"].status == "applied"


def test_a_robot_is_not_deleted_while_a_failed_template_change_still_calls_it(
        sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    deploy(sandbox_rig, client, result)
    sandbox_rig.sandbox.seed_document(["crm", "CCrmDocumentDeal", "DEAL_1"])
    template_id = registered_template(sandbox_rig)
    client.call("bizproc.workflow.start", {"TEMPLATE_ID": template_id,
                                           "DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_1"]})
    gone = sandbox_rig.compile({"robots.bpl": ROBOTS.split("action")[0]})
    made, report = deploy(sandbox_rig, client, gone, prune=True)
    ping = next(r for r in made.robots if r.code == "erp_ping")
    assert ping.used_by == [template_id]
    by_subject = {o.entry.subject: o for o in report.outcomes}
    assert by_subject["invoices"].status == "failed"
    assert by_subject["action erp_ping"].status == "failed"
    assert "still call it, because their change above failed" in \
        by_subject["action erp_ping"].message
    assert ("action", "erp_ping") in registered(sandbox_rig)


def registered_template(made: Rig) -> int:
    (row,) = made.rows()
    return int(row["id"])


def test_a_saved_plan_refuses_a_changed_robot_list(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, _ = plan(sandbox_rig, client, result)
    client.call("bizproc.activity.add", {"CODE": "theirs", "NAME": "Theirs",
                                         "HANDLER": "https://other.example.com/a"})
    with pytest.raises(PlanMismatch, match="robots or actions on the portal changed"):
        apply(sandbox_rig, client, made, result)
    assert ("robot", "erp_invoice") not in registered(sandbox_rig)


def test_a_saved_plan_refuses_changed_declarations(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, _ = plan(sandbox_rig, client, result)
    edited = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace('"ERP id"', '"Id"')})
    with pytest.raises(PlanMismatch, match="robot erp_invoice compiles differently"):
        apply(sandbox_rig, client, made, edited)
    only_robots = sandbox_rig.compile({"robots.bpl": ROBOTS})
    made, _ = plan(sandbox_rig, client, only_robots)
    fewer = sandbox_rig.compile({"robots.bpl": ROBOTS.split("action")[0]})
    with pytest.raises(PlanMismatch, match="gone from the sources: action:erp_ping"):
        apply(sandbox_rig, client, made, fewer)


def test_a_saved_plan_applies_when_nothing_moved(sandbox_rig: Rig, tmp_path: Path) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, _ = plan(sandbox_rig, client, result)
    saved = tmp_path / "saved.plan"
    saved.write_text(made.to_json(), encoding="utf-8")
    from compiler.deploy import load_plan

    report = apply(sandbox_rig, client, load_plan(saved), result)
    assert report.ok and len(report.outcomes) == 3


def test_a_webhook_is_refused_with_the_reason(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    hook = WebhookAuth(f"{BASE}{sandbox_rig.creds.webhook_path}")
    client = PortalClient(PortalConfig(BASE, hook),
                          httpx.ASGITransport(app=sandbox_rig.sandbox.asgi_app))
    sandbox_rig.clients.append(client)
    made, snapshot = plan(sandbox_rig, client, result, app_id=sandbox_rig.creds.app_id)
    report = apply(sandbox_rig, client, made, result, snapshot)
    first = report.outcomes[0]
    assert first.status == "failed" and not first.fatal
    assert first.message.startswith("refused: registering robots and actions needs the "
                                     "application's OAuth token")
    assert report.outcomes[-1].message == \
        "not attempted: it calls robot erp_invoice, which was not registered"
    assert registered(sandbox_rig) == {}


def test_registrations_the_portal_dropped_leave_the_state_file(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    with sandbox_rig.sandbox.portal.store.transaction(write=True) as conn:
        conn.execute("DELETE FROM rest_activities WHERE code = 'erp_ping'")
    lead = 'workflow leads for crm.lead {\n    log "x"\n}\n'
    result = sandbox_rig.compile({"robots.bpl": ROBOTS.split("action")[0], "lead.bpl": lead})
    _, report = deploy(sandbox_rig, sandbox_rig.client(), result, prune=True)
    assert report.ok
    assert set(sandbox_rig.state.registered(sandbox_rig.creds.app_id)) == {"robot:erp_invoice"}


def test_faults_converge_without_duplicates(tmp_path: Path) -> None:
    faults = Faults(error_rate=0.15, codes=(500, 503), drop_rate=0.05, after_commit_rate=0.15,
                    seed=11)
    with rig(tmp_path, faults=faults) as made:
        result = made.compile(PROJECT)
        client = made.client()
        for _ in range(8):
            todo, snapshot = plan(made, client, result)
            if not todo.has_changes:
                break
            apply(made, client, todo, result, snapshot)
        else:
            raise AssertionError("no convergence")
        assert list(registered(made)) == [("robot", "erp_invoice"), ("action", "erp_ping")]
        assert len(made.rows()) == 1
