"""A run's state goes to JSON and comes back: the sandbox stores runs in SQLite."""

from __future__ import annotations

import json

from compiler.bitrix import Template
from compiler.simulator import Directory, Runtime
from compiler.simulator.run import Run
from tests.simulator.trees import approve, log, log_lines, node, package, template


def test_a_run_round_trips_through_json_mid_flight() -> None:
    pkg = package(log("start {=Document:ID}"),
                  approve(["user_12"], yes=[log("yes {=System:Now}")], no=[log("no")]),
                  node("DelayActivity", TimeoutDuration=1, TimeoutDurationType="d"),
                  node("CrmChangeResponsibleActivity", Responsible=["user_1", "user_2"],
                       GetterType="r"),
                  log("{=Document:ASSIGNED_BY_ID}"))
    run = Runtime(Template.from_package(pkg), document={"ID": 3},
                  directory=Directory({12: "Olga"}), seed=7, clock="2025-01-06 09:00:00").start()
    run.advance_to("2025-01-06 12:00:00")
    run.complete_task(run.waiting_tasks[0].id, 12, "yes", "fine")
    stored = json.dumps(run.to_json())

    again = Run.from_json(json.loads(stored))
    assert again.status == run.status == "running"
    assert log_lines(again) == log_lines(run) == ["start 3", "yes 2025-01-06 12:00:00"]
    assert again.snapshot() == run.snapshot()

    again.advance_to("2025-01-08 00:00:00")
    run.advance_to("2025-01-08 00:00:00")
    assert again.status == run.status == "completed"
    assert again.document == run.document  # the seeded random choice repeats


def test_the_snapshot_is_plain_json() -> None:
    run = Runtime(template(approve(["user_12"]))).start()
    snapshot = json.loads(json.dumps(run.snapshot()))
    assert snapshot["status"] == "running"
    assert snapshot["tasks"][0]["users"] == [12]


def test_host_termination_is_kept() -> None:
    run = Runtime(template(approve(["user_12"]))).start()
    run.terminate_by_host("Cancelled")
    again = Run.from_json(json.loads(json.dumps(run.to_json())))
    assert (again.status, again.state_title) == ("terminated", "Cancelled")
