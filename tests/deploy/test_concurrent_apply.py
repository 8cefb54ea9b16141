"""Two applies against one portal at the same time: no workflow ends up with two templates
unless the report says so, and the next apply removes what a race left behind."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from compiler.bitrix.bpt import encode_template_data
from compiler.deploy import ApplyReport, DeployState, PlanInputs, apply_plan, plan_deploy
from compiler.deploy.apply import ADD
from compiler.deploy.identity import marked_description
from compiler.deploy.plan import RobotPlan, TemplatePlan
from compiler.pipeline import BuildResult
from compiler.portal import PortalClient
from compiler.sandbox import Faults
from compiler.sandbox.faults import FaultInjector

from .rig import BASE, PROJECT, Rig, numbered, rig, writes
from .test_sandbox_deploy import keys

SOURCES = {**PROJECT, **numbered(9)}


def doubled(made: Rig) -> set[str]:
    return {key for key, count in keys(made).items() if key is not None and count > 1}


def add_copy(client: PortalClient, result: BuildResult, workflow: str) -> int:
    """What a second apply racing this one does: add the workflow's template once more."""
    template = next(t for t in result.templates if t.workflow == workflow)
    return int(client.call(ADD, {
        "DOCUMENT_TYPE": list(template.document_type), "NAME": template.name,
        "DESCRIPTION": marked_description(template.description, workflow),
        "AUTO_EXECUTE": str(template.auto_execute),
        "TEMPLATE_DATA": [f"{workflow}.bpt", encode_template_data(template.bpt())]}))


def test_an_apply_planned_before_another_finished_updates_instead_of_adding(
        sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    first, second = sandbox_rig.client(), sandbox_rig.client()
    plan_a, snapshot_a = sandbox_rig.plan(first, result)
    plan_b, snapshot_b = sandbox_rig.plan(second, result)  # the portal is still empty
    assert sandbox_rig.apply(first, plan_a, result, snapshot_a).ok
    report = sandbox_rig.apply(second, plan_b, result, snapshot_b)
    assert report.ok, [o.message for o in report.outcomes]
    assert [o.template_id for o in report.outcomes] == [1, 2, 3]
    assert {o.message for o in report.outcomes} == {
        f"another apply added it meanwhile as template {n}; it holds the sources"
        for n in (1, 2, 3)}
    assert keys(sandbox_rig) == Counter({"deal_approval": 1, "lead_check": 1, "vacation": 1})
    assert writes(second) == 0  # the same sources: nothing to update either


def test_the_checks_cost_one_request_per_add_and_one_at_the_end(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile({**PROJECT, **numbered(60)})
    client = sandbox_rig.client()
    plan, report = sandbox_rig.deploy(client, result)
    assert report.ok and len(plan.changes) == 63
    # The plan's read, then a check and an add per workflow, then a read-back of two pages.
    assert client.stats.http_requests == 1 + 63 + 63 + 2
    assert client.stats.calls_by_method["bizproc.workflow.template.list"] == 63 + 2


def test_a_template_added_meanwhile_is_updated_to_the_sources(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    older = sandbox_rig.compile({**PROJECT, "lead.bpl": PROJECT["lead.bpl"].replace(
        "cannot be contacted", "has no phone and no e-mail")}, folder="older")
    client = sandbox_rig.client()
    made, snapshot = sandbox_rig.plan(client, result)
    other = sandbox_rig.client()
    sandbox_rig.deploy(other, older)  # another apply, of older sources, ran meanwhile
    report = sandbox_rig.apply(client, made, result, snapshot)
    assert report.ok and [o.message for o in report.outcomes] == [
        "another apply added it meanwhile as template 1; it holds the sources",
        "another apply added it meanwhile as template 2; updated to the sources",
        "another apply added it meanwhile as template 3; it holds the sources"]
    assert not sandbox_rig.plan(client, result)[0].has_changes


class _Racer:
    """A listener that lets another apply add a copy of `workflow` while this one runs."""

    def __init__(self, client: PortalClient, result: BuildResult, workflow: str) -> None:
        self.client, self.result, self.workflow = client, result, workflow
        self.added: int | None = None

    def started(self, entry: TemplatePlan | RobotPlan) -> None:
        if self.added is None and entry.subject != self.workflow:
            self.added = add_copy(self.client, self.result, self.workflow)

    def finished(self, outcome: object) -> None:
        pass


def test_apply_reports_a_duplicate_made_while_it_ran(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, sandbox_rig.compile({"deal.bpl": PROJECT["deal.bpl"]}, "one"))
    made, snapshot = sandbox_rig.plan(client, result)
    racer = _Racer(sandbox_rig.client(), result, "deal_approval")
    report = apply_plan(client, made, result.templates, normaliser=sandbox_rig.normaliser,
                        snapshot=snapshot, listener=racer)
    assert all(o.status == "applied" for o in report.outcomes)
    assert report.duplicates == {"deal_approval": [1, racer.added]} and not report.ok
    again, _ = sandbox_rig.plan(client, result)
    assert [(t.action, t.template_id, t.duplicate_of) for t in again.changes] == [
        ("delete", racer.added, 1)]
    assert sandbox_rig.apply(client, again, result).ok
    assert not sandbox_rig.plan(client, result)[0].has_changes and not doubled(sandbox_rig)


class _Unreachable:
    """A listener that takes the portal off the network once the last change is done."""

    def __init__(self, made: Rig, total: int) -> None:
        self.made, self.left = made, total

    def started(self, entry: TemplatePlan | RobotPlan) -> None:
        pass

    def finished(self, outcome: object) -> None:
        self.left -= 1
        if not self.left:
            self.made.sandbox.portal.faults = FaultInjector(Faults(drop_rate=1.0))


def test_an_apply_that_cannot_read_back_is_not_clean(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    made, snapshot = sandbox_rig.plan(client, result)
    report = apply_plan(client, made, result.templates, normaliser=sandbox_rig.normaliser,
                        snapshot=snapshot, listener=_Unreachable(sandbox_rig, 3))
    assert all(o.status == "applied" for o in report.outcomes)
    assert report.recheck_error is not None and "dropped" in report.recheck_error
    assert not report.ok  # it cannot tell whether another apply added the same workflows


def test_duplicates_on_the_portal_are_deleted_by_the_next_apply(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    sandbox_rig.deploy(client, result)
    copies = [add_copy(client, result, "deal_approval"), add_copy(client, result, "lead_check"),
              add_copy(client, result, "deal_approval")]
    sandbox_rig.sandbox.seed_document(["crm", "CCrmDocumentLead", "LEAD_5"])
    run = client.call("bizproc.workflow.start", {
        "TEMPLATE_ID": copies[1], "DOCUMENT_ID": ["crm", "CCrmDocumentLead", "LEAD_5"]})
    made, snapshot = sandbox_rig.plan(client, result)
    assert [(t.workflow, t.template_id, t.duplicate_of, t.blocked is not None)
            for t in made.changes] == [
        ("deal_approval", copies[0], 1, False), ("deal_approval", copies[2], 1, False),
        ("lead_check", copies[1], 2, True)]
    report = sandbox_rig.apply(client, made, result, snapshot)
    assert [o.status for o in report.outcomes] == ["applied", "applied", "failed"]
    assert "1 running workflow(s) use template" in report.outcomes[2].message
    assert report.duplicates == {"lead_check": [2, copies[1]]}
    client.call("bizproc.workflow.terminate", {"ID": run})
    again, report = sandbox_rig.deploy(client, result)
    assert again.summary().startswith("0 to add, 0 to update, 0 to replace, 1 to delete "
                                      "(1 duplicate)")
    assert report.ok
    assert not sandbox_rig.plan(client, result)[0].has_changes and not doubled(sandbox_rig)


def _apply_at_once(made: Rig, clients: list[PortalClient], result: BuildResult,
                   tmp_path: Path) -> list[ApplyReport]:
    """Each client plans, then all apply together (none has seen the others' adds)."""
    planned = [plan_deploy(client, result.templates, result.sources,
                           PlanInputs("test", BASE)) for client in clients]
    assert all(p.count("add") == len(result.templates) for p, _ in planned)
    start = threading.Barrier(len(clients))
    reports: list[ApplyReport | BaseException] = [RuntimeError("not run")] * len(clients)

    def run(n: int) -> None:
        plan, snapshot = planned[n]
        start.wait()
        try:
            reports[n] = apply_plan(clients[n], plan, result.templates,
                                    normaliser=made.normaliser, snapshot=snapshot,
                                    state=DeployState(tmp_path / f"state-{n}.json"))
        except BaseException as error:  # surfaced below, in the test's thread
            reports[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for report in reports:
        if isinstance(report, BaseException):
            raise report
    return reports  # type: ignore[return-value]


def assert_one_template_per_workflow(made: Rig, reports: list[ApplyReport]) -> None:
    """Every change applied; whatever race an apply lost it settled itself, so the portal ends
    with one template per workflow, holding the sources. A report may still name a duplicate:
    the one its read found before the racer that added it had deleted it."""
    assert all(o.status == "applied" for report in reports for o in report.outcomes), [
        o.message for report in reports for o in report.outcomes if o.status != "applied"]
    assert not doubled(made) and len(keys(made)) == len(SOURCES)
    client = made.client()
    assert not made.plan(client, made.compile(SOURCES, folder="check"))[0].has_changes
    ids = {int(str(r["id"])) for r in made.rows()}
    assert all(o.template_id in ids for report in reports for o in report.outcomes)
    for report in reports:
        for key, duplicate in report.duplicates.items():
            assert any(o.entry.key == key and o.template_id == min(duplicate)
                       for o in report.outcomes)


def test_two_threads_applying_at_once_in_process(tmp_path: Path) -> None:
    with rig(tmp_path) as made:
        result = made.compile(SOURCES)
        reports = _apply_at_once(made, [made.client(), made.client()], result, tmp_path)
        assert_one_template_per_workflow(made, reports)


def test_three_threads_applying_at_once_over_loopback(tmp_path: Path) -> None:
    with rig(tmp_path) as made, made.sandbox.running() as base:
        result = made.compile(SOURCES)
        clients = [made.client(base, in_process=False) for _ in range(3)]
        reports = _apply_at_once(made, clients, result, tmp_path)
        assert_one_template_per_workflow(made, reports)
