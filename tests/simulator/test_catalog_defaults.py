"""The simulator's activity facts are the catalog's: defaults, results, handled classes.

Bitrix's own constructors (checked against modules/bizproc/install/activities/bitrix/*/*.php
and classes/general/restactivity.php): ApproveActivity 'ApproveType' => 'all',
'SetStatusMessage' => 'Y'; CBPRestActivity 'SetStatusMessage' => 'Y'.
"""

from __future__ import annotations

import ast as pyast
from pathlib import Path

from compiler.catalog import load_catalog
from compiler.catalog.statements import HANDLERS as HANDLERS_
from compiler.catalog.statements import STATEMENTS
from compiler.simulator import Directory, Runtime, classes
from compiler.simulator.activities import HANDLERS
from compiler.simulator.run import Run
from tests.simulator.trees import log, log_lines, node, seq, template

SIMULATOR = Path(__file__).resolve().parents[2] / "compiler" / "simulator"
CATALOG = load_catalog()
PEOPLE = Directory({1: "Starter", 12: "Olga", 13: "Boris"})


def start(*children: dict) -> Run:
    return Runtime(template(*children), directory=PEOPLE).start()


def test_an_approval_without_approve_type_needs_everyone_as_bitrix_does() -> None:
    # ApproveActivity's constructor default is 'all': one approval of two decides nothing.
    run = start(node("ApproveActivity", "Approve", [seq(log("yes"), title="Approved"),
                                                   seq(log("no"), title="Rejected")],
                     Users=["user_12", "user_13"], Name="Approve it"))
    task = run.waiting_tasks[0]
    run.complete_task(task.id, 12, "yes")
    assert run.status == "running" and log_lines(run) == []
    run.complete_task(task.id, 13, "yes")
    assert log_lines(run) == ["yes"]


def test_a_task_without_set_status_message_shows_its_status_text() -> None:
    run = start(node("ReviewActivity", "Review", Users=["user_12"], Name="Read it",
                     StatusMessage="Waiting for Olga"))
    assert run.state_title == "Waiting for Olga"


def test_an_app_robot_without_set_status_message_shows_its_status_text() -> None:
    run = start(node("rest_0123456789abcdef0123456789abcdef", "Score", name="Rb",
                     UseSubscription="Y", StatusMessage="Scoring"))
    assert run.state_title == "Scoring"


def test_created_documents_fill_the_results_the_catalog_lists() -> None:
    creates = [t for t in CATALOG.activities if CATALOG.is_a(t, "CreateDocumentActivity")]
    assert len(creates) >= 5
    # A list element needs its list (DocumentType); the other creates ignore the property.
    run = start(*(node(t, name=f"C{i}", Fields={"TITLE": "x"},
                       DocumentType=["lists", "BizprocDocument", "iblock_5"])
                  for i, t in enumerate(creates)))
    for index, activity_type in enumerate(creates):
        results = run.results[f"C{index}"]
        assert set(results) == set(CATALOG.activities[activity_type].returns)
        ids = [v for k, v in results.items() if CATALOG.activities[activity_type]
               .returns[k].type == "int"]
        assert all(isinstance(v, int) and v >= 1001 for v in ids)


def test_every_activity_a_statement_lowers_to_is_simulated() -> None:
    # What .bpl compiles to runs in `bpl test`: each activity of the statement table has a
    # handler, its own or that of the class it extends (the CRM creates run as creates).
    lowered = {a for row in STATEMENTS.values() for a in row.activities} | \
        {a for h in HANDLERS_.values() for a in (h.activity, h.event) if a}
    unhandled = {t for t in lowered if not any(k.lower() in HANDLERS for k in classes.lineage(t))}
    assert unhandled == set()
    assert "rest_" in HANDLERS  # every app activity (rest_<md5>, a RestActivity) runs in one


def _properties_with_defaults() -> set[str]:
    return {name for spec in CATALOG.activities.values() for name, prop in
            spec.properties.items() if prop.default is not None}


def _written_defaults(path: Path) -> list[str]:
    """`x.get("Prop", fallback)` and `x.get("Prop") or fallback` for a property the catalog
    gives a default: the fallback would be a second copy of the default."""
    defaults = _properties_with_defaults()
    found = []
    tree = pyast.parse(path.read_text(encoding="utf-8"))

    def key_of(call: pyast.AST) -> str | None:
        if isinstance(call, pyast.Call) and isinstance(call.func, pyast.Attribute) and \
                call.func.attr == "get" and call.args and \
                isinstance(call.args[0], pyast.Constant) and \
                isinstance(call.args[0].value, str):
            return call.args[0].value
        return None

    for item in pyast.walk(tree):
        key = key_of(item)
        if key in defaults and isinstance(item, pyast.Call) and \
                (len(item.args) > 1 or item.keywords):
            found.append(f"{path.name}:{item.lineno} {key}")
        if isinstance(item, pyast.BoolOp) and isinstance(item.op, pyast.Or) and \
                key_of(item.values[0]) in defaults and \
                any(isinstance(v, pyast.Constant) and v.value not in ("", None)
                    for v in item.values[1:]):
            found.append(f"{path.name}:{item.lineno} {key_of(item.values[0])}")
    return found


def test_the_simulator_writes_no_default_of_its_own() -> None:
    files = sorted(SIMULATOR.rglob("*.py"))
    assert len(files) > 20
    assert [hit for path in files for hit in _written_defaults(path)] == []


def test_the_scan_finds_a_written_default(tmp_path: Path) -> None:
    sample = tmp_path / "handler.py"
    sample.write_text('a = props.get("SetStatusMessage", "N")\n'
                      'b = props.get("MailSeparator") or ","\n'
                      'c = props.get("Users", [])\n', encoding="utf-8")
    assert _written_defaults(sample) == ["handler.py:1 SetStatusMessage",
                                         "handler.py:2 MailSeparator"]
