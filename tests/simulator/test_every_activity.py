"""Every catalogued activity type, written in the generic form, checks, compiles, deploys to
the embedded sandbox and runs in the simulator without an error — from the template the
sandbox stored, with the tasks it gives answered and the clock moved on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from compiler.sandbox.runs.inputs import template_of
from compiler.simulator import Run, Runtime
from compiler.simulator.directory import Directory
from compiler.simulator.waits import CommandWait
from tests.deploy.rig import Rig, rig
from tests.simulator.catalog_workflows import (
    CATALOG,
    DOCUMENTS,
    NOT_GENERIC,
    OWN_DOCUMENT,
    workflows,
)

# Warnings the checker gives on these workflows: no W2xx/W3xx about an activity or its
# properties (a branch's condition key is its condition, not an unknown property), only the
# reviewer's:
# a generic property names its variable or state as a string (ForEachActivity's Variable,
# SetStateActivity's TargetStateName), which is no reference to the reviewer checks: the
# variables look unused, the states unreachable.
KNOWN_WARNINGS = {("W110", "variable 'n' is never used"),
                  ("W110", "variable 'items' is never used"),
                  ("W404", "state 'second' is never entered: no goto of a state the workflow "
                           "reaches leads to it"),
                  ("W405", "state 'first' has no way out: no goto leaves it and nothing ends the "
                           "workflow, so it waits there forever")}
# What a person does with each kind of task.
ANSWERS = {"approve": "yes", "review": "ok", "request": "ok", "task": "closed"}
PEOPLE = Directory({1: "Starter Person", 2: "Second Person"}, {}, {1: 2})


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Rig, list[str]]]:
    with rig(Path(tmp_path_factory.mktemp("every"))) as made:
        result = made.compile(workflows())
        warnings = {(d.code, d.message) for d in result.diagnostics.sorted()
                    if d.severity.name == "WARNING"}
        assert warnings <= KNOWN_WARNINGS
        _plan, report = made.deploy(made.client(), result)
        assert report.ok
        yield made, [t.workflow for t in result.templates]


def _play(run: Run) -> None:
    """Answer every task and send every command as they come, and let the clock run."""
    for _ in range(20):
        if run.status != "running":
            return
        for task in run.waiting_tasks:
            if task.users and task.waiting:
                run.complete_task(task.id, task.users[0], ANSWERS[task.kind])
        for wait in run.waiting_for:
            if isinstance(wait, CommandWait) and run.status == "running":
                run.send_command(wait.event.title, 1)
        run.advance_to(run.next_timer() or run.clock)
        if not run.waiting_tasks and run.next_timer() is None:
            return


def _runs(made: Rig) -> Iterator[tuple[str, Run]]:
    for row in made.rows():
        document_type = [str(row["module_id"]), str(row["entity"]), str(row["document_type"])]
        run = Runtime(template_of(row), document=OWN_DOCUMENT, document_type=document_type,
                      document_id="7", documents=DOCUMENTS, directory=PEOPLE).start()
        _play(run)
        yield str(row["name"]), run


def test_every_catalogued_type_deploys_and_runs_without_an_error(
        deployed: tuple[Rig, list[str]]) -> None:
    made, names = deployed
    assert len(made.rows()) == len(names) == len(workflows())
    ran: set[str] = set()
    for name, run in _runs(made):
        assert run.status != "error", f"{name}: {run.error}"
        ran.update(entry.type.lower() for entry in run.trace)
    missing = [t for t in CATALOG.activities if t.lower() not in ran]
    assert missing == []


def test_the_generic_form_writes_every_type_but_the_roots_and_states() -> None:
    written = "".join(workflows().values())
    generic = {t for t in CATALOG.activities if f"activity {t} " in written}
    assert set(CATALOG.activities) - generic == set(NOT_GENERIC)
