"""Per-activity diff: insertions, removals, moves and edits, whatever the activity names."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from compiler.bitrix import Activity, Field
from compiler.bitrix.canonical import Node, Normaliser
from compiler.catalog import load_catalog
from compiler.deploy.diff import diff_entries, diff_trees

NORMALISER = Normaliser(load_catalog())
_counter = itertools.count(10000)


def tree(roots: list[dict[str, Any]]) -> list[Node]:
    return NORMALISER.tree([Activity.from_php(raw) for raw in roots])  # type: ignore[arg-type]


def collection(raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return NORMALISER.collection({ident: Field.from_php(ident, spec, ident)
                                  for ident, spec in raw.items()})


def act(kind: str, title: str, *children: dict[str, Any], name: str | None = None,
        **props: Any) -> dict[str, Any]:
    return {"Type": kind, "Name": name or f"A{next(_counter)}_11111_22222_33333",
            "Activated": props.pop("activated", "Y"), "Properties": {"Title": title, **props},
            "Children": list(children)}


def log(title: str, text: str = "x", **kw: Any) -> dict[str, Any]:
    return act("LogActivity", title, Text=text, **kw)


def root(*children: dict[str, Any]) -> list[dict[str, Any]]:
    return [act("SequentialWorkflowActivity", "Flow", *children, name="Template")]


def branch(title: str, *children: dict[str, Any]) -> dict[str, Any]:
    return act("IfElseBranchActivity", title, *children)


def diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[str, str]]:
    changes = diff_trees(tree(old), tree(new))
    return [(c.kind, c.node.title) for c in changes]


def test_identical_trees_with_different_names_have_no_changes() -> None:
    assert diff(root(log("a"), log("b")), root(log("a"), log("b"))) == []


def test_an_insertion_is_one_added_activity() -> None:
    old = root(log("a"), log("b"), log("c"))
    new = root(log("a"), log("b"), log("new"), log("c"))
    assert diff(old, new) == [("added", "new")]


def test_a_removal_is_one_removed_activity_with_its_content() -> None:
    old = root(log("a"), act("IfElseActivity", "If", branch("Yes", log("y")), branch("No")))
    new = root(log("a"))
    changes = diff_trees(tree(old), tree(new))
    assert [(c.kind, c.node.title, c.inside) for c in changes] == [("removed", "If", 3)]


def test_swapped_siblings_are_a_move() -> None:
    assert diff(root(log("a"), log("b"), log("c")), root(log("b"), log("c"), log("a"))) == \
        [("moved", "a")]


def test_a_move_into_another_branch() -> None:
    keep = log("moving", name="A55555_11111_22222_33333")
    old = root(act("IfElseActivity", "If", branch("Yes", keep), branch("No")))
    new = root(act("IfElseActivity", "If", branch("Yes"), branch("No", dict(keep))))
    changes = diff_trees(tree(old), tree(new))
    assert [(c.kind, c.node.title) for c in changes] == [("moved", "moving")]
    assert changes[0].old is not None and changes[0].old.parent is not None
    assert changes[0].old.parent.title == "Yes" and changes[0].node.parent.title == "No"


def test_an_edited_property_shows_old_and_new_as_stored() -> None:
    old = root(act("ApproveActivity", "Approve", TimeoutDuration="2", ApproveType="any",
                   Users=["user_1"]))
    new = root(act("ApproveActivity", "Approve", TimeoutDuration=3, ApproveType="any",
                   Users=["user_1"]))
    changes = diff_trees(tree(old), tree(new))
    assert [(c.kind, [(p.key, p.old, p.new) for p in c.properties]) for c in changes] == \
        [("changed", [("TimeoutDuration", "2", 3)])]


def test_designer_flag_spellings_and_defaults_are_no_change() -> None:
    old = root(act("ApproveActivity", "Approve", ShowComment=True, SetStatusMessage="1",
                   TimeoutDuration="0", activated="Y"))
    new = root(act("ApproveActivity", "Approve"))
    assert diff(old, new) == []


def test_switching_an_activity_off() -> None:
    changes = diff_trees(tree(root(log("a"))),
                         tree(root(log("a", activated="N"))))
    assert [(c.kind, c.activated) for c in changes] == [("changed", (True, False))]


def test_an_activated_flag_bitrix_does_not_run_is_switched_off() -> None:
    # Bitrix's loader runs an activity only when Activated is missing or exactly "Y".
    for spelling in (True, "1", "y", "N"):
        changes = diff_trees(tree(root(log("a"))), tree(root(log("a", activated=spelling))))
        assert [(c.kind, c.activated) for c in changes] == [("changed", (True, False))]


def test_references_follow_their_activity_across_an_insertion() -> None:
    # The old side has designer names; the new side inserts before the referenced task.
    task = act("ApproveActivity", "Approve", name="A70000_11111_22222_33333")
    reader = log("reader", "said {=A70000_11111_22222_33333:Comments}")
    old = root(task, reader)
    task2 = act("ApproveActivity", "Approve", name="A80000_11111_22222_33333")
    reader2 = log("reader", "said {=A80000_11111_22222_33333:Comments}")
    new = root(log("first"), task2, reader2)
    assert diff(old, new) == [("added", "first")]


def test_a_reference_to_another_activity_is_a_change() -> None:
    one = act("ApproveActivity", "One", name="A70001_11111_22222_33333")
    two = act("ApproveActivity", "Two", name="A70002_11111_22222_33333")
    old = root(one, two, log("reader", "{=A70001_11111_22222_33333:Comments}"))
    new = root(dict(one), dict(two), log("reader", "{=A70002_11111_22222_33333:Comments}"))
    assert diff(old, new) == [("changed", "reader")]


def test_entries() -> None:
    old = collection({"a": {"Name": "A", "Type": "string", "Required": "0"},
                                 "b": {"Name": "B", "Type": "int"}})
    new = collection({"a": {"Name": "A", "Type": "string", "Required": False},
                                 "c": {"Name": "C", "Type": "int"}})
    changes = diff_entries("PARAMETERS", old, new)
    assert [(c.kind, c.ident) for c in changes] == [("added", "c"), ("removed", "b")]
    renamed = collection({"a": {"Name": "Z", "Type": "string"}})
    assert diff_entries("VARIABLES", old, renamed)[0].keys == ["Name"]


titles = st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=6), min_size=1,
                  max_size=8, unique=True)


@given(existing=titles, position=st.integers(0, 8), new=st.text(alphabet="xyz", min_size=1))
def test_any_insertion_is_one_addition(existing: list[str], position: int, new: str) -> None:
    old = root(*(log(t) for t in existing))  # designer names: nothing pairs by name
    changed = [log(t) for t in existing]
    changed.insert(min(position, len(changed)), log(new))
    assert diff(old, root(*changed)) == [("added", new)]


@given(existing=titles, position=st.integers(0, 7))
def test_any_removal_is_one_removal(existing: list[str], position: int) -> None:
    gone = existing[min(position, len(existing) - 1)]
    kept = [log(t) for t in existing if t != gone]
    assert diff(root(*(log(t) for t in existing)), root(*kept)) == [("removed", gone)]
