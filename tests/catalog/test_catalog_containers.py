"""Container rules: Bitrix's ValidateChild, as the catalog states and applies them (§2.4)."""

from __future__ import annotations

import pytest

from compiler.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_if_else_holds_only_branches(catalog: Catalog) -> None:
    assert catalog.activities["IfElseActivity"].children == ("IfElseBranchActivity",)
    assert catalog.child_error("IfElseActivity", "IfElseBranchActivity") is None
    assert catalog.child_error("IfElseActivity", "LogActivity") == (
        "An 'IfElseActivity' activity can contain only 'IfElseBranchActivity' activities."
    )


def test_state_holds_initialisation_finalisation_and_events(catalog: Catalog) -> None:
    assert set(catalog.activities["StateActivity"].children) == {
        "StateInitializationActivity",
        "StateFinalizationActivity",
        "EventDrivenActivity",
    }
    assert catalog.child_error("StateActivity", "EventDrivenActivity") is None
    assert catalog.child_error("StateActivity", "StateInitializationActivity") is None
    assert catalog.child_error("StateActivity", "SetStateActivity") is not None


def test_state_machine_holds_only_states(catalog: Catalog) -> None:
    assert catalog.activities["StateMachineWorkflowActivity"].children == ("StateActivity",)
    assert catalog.child_error("StateMachineWorkflowActivity", "StateActivity") is None
    assert catalog.child_error("StateMachineWorkflowActivity", "SequenceActivity") is not None


def test_event_driven_first_child_must_wait_for_an_event(catalog: Catalog) -> None:
    first = catalog.activities["EventDrivenActivity"].first_child
    assert "HandleExternalEventActivity" in first
    assert "DelayActivity" in first
    assert all(catalog.activities[name].event_driven for name in first)
    assert catalog.child_error("EventDrivenActivity", "DelayActivity", first=True) is None
    assert catalog.child_error("EventDrivenActivity", "LogActivity", first=True) is not None
    # Only the first child is restricted.
    assert catalog.child_error("EventDrivenActivity", "LogActivity") is None


def test_event_driven_activities_are_exactly_the_interface_implementers(catalog: Catalog) -> None:
    event_driven = {name for name, spec in catalog.activities.items() if spec.event_driven}
    assert event_driven == {
        "HandleExternalEventActivity",
        "DelayActivity",
        "Task2Activity",
        "WaitWorkDayActivity",
        "RobotDelayActivity",  # a DelayActivity subclass
    }


def test_listen_holds_only_event_branches(catalog: Catalog) -> None:
    assert catalog.activities["ListenActivity"].children == ("EventDrivenActivity",)
    assert catalog.child_error("ListenActivity", "EventDrivenActivity") is None
    assert catalog.child_error("ListenActivity", "DelayActivity") is not None


def test_leaves_hold_nothing_and_sequences_hold_anything(catalog: Catalog) -> None:
    assert catalog.child_error("LogActivity", "DelayActivity") is not None
    assert not catalog.activities["SetFieldActivity"].allows_children
    for container in ("SequenceActivity", "ParallelActivity", "ApproveActivity", "WhileActivity"):
        assert catalog.child_error(container, "LogActivity") is None


def test_subclasses_follow_their_base(catalog: Catalog) -> None:
    assert catalog.is_a("CreateCrmDealDocumentActivity", "CreateDocumentActivity")
    assert catalog.is_a("IfElseBranchActivity", "SequenceActivity")
    assert catalog.is_a("LogActivity", "LogActivity")
    assert not catalog.is_a("LogActivity", "SequenceActivity")


def test_unknown_types_are_left_to_other_checks(catalog: Catalog) -> None:
    assert catalog.child_error("IfElseActivity", "rest_0123456789abcdef") is None
    assert catalog.child_error("NoSuchActivity", "LogActivity") is None
