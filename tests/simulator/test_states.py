"""State machines: enter/exit, commands with permissions, delay events, SetState."""

from __future__ import annotations

import pytest

from compiler.bitrix import Template
from compiler.simulator import Directory, RejectedInput, Runtime
from compiler.simulator.run import Run
from tests.simulator.trees import log, log_lines, node, package, template


def state(name: str, title: str, *children: dict) -> dict:
    return node("StateActivity", title, list(children), name=name)


def enter(*children: dict) -> dict:
    return node("StateInitializationActivity", "Enter", list(children))


def leave(*children: dict) -> dict:
    return node("StateFinalizationActivity", "Exit", list(children))


def on_command(title: str, users: list[str], *children: dict) -> dict:
    return node("EventDrivenActivity", title, [
        node("HandleExternalEventActivity", title, Permission=users, SenderUserId=""),
        *children])


def on_delay(title: str, amount: int, unit: str, *children: dict) -> dict:
    return node("EventDrivenActivity", title, [
        node("DelayActivity", "Pause", TimeoutDuration=amount, TimeoutDurationType=unit),
        *children])


def goto(target: str) -> dict:
    return node("SetStateActivity", f"Go to {target}", TargetStateName=target,
                CancelCurrentState="N")


def machine() -> Run:
    pkg = package(
        state("draft", "Draft", enter(log("enter draft")), leave(log("leave draft")),
              on_command("Submit", ["author"], goto("review"))),
        state("review", "In review", enter(log("enter review")),
              on_command("Approve", ["user_5"], log("approved by {=Cmd:SenderUserId}"),
                         goto("done")),
              on_delay("Remind", 1, "d", log("reminder"))),
        state("done", "Done", enter(log("done"))),
        root="StateMachineWorkflowActivity", InitialStateName="draft")
    # Name the Approve command's event activity so its SenderUserId can be read.
    pkg["TEMPLATE"][0]["Children"][1]["Children"][1]["Children"][0]["Name"] = "Cmd"
    return Runtime(Template.from_package(pkg), document={"CREATED_BY": 8},
                   directory=Directory({5: "Head"}),
                   document_type=["lists", "BizprocDocument", "iblock_1"],
                   clock="2025-01-06 09:00:00").start()


def test_the_machine_waits_in_its_initial_state() -> None:
    run = machine()
    assert (run.status, run.state, run.state_title) == ("running", "draft", "Draft")
    assert log_lines(run) == ["enter draft"]


def test_commands_move_between_states_running_exit_and_enter() -> None:
    run = machine()
    run.send_command("Submit", 8)  # the author (CREATED_BY of a list element)
    assert log_lines(run) == ["enter draft", "leave draft", "enter review"]
    run.send_command("approve", "user_5")  # titles match case-insensitively
    assert log_lines(run)[-2:] == ["approved by user_5", "done"]
    assert run.status == "completed" and run.state == "done"


def test_command_permissions_and_unknown_commands_are_refused() -> None:
    run = machine()
    with pytest.raises(RejectedInput):
        run.send_command("Submit", 5)
    with pytest.raises(RejectedInput):
        run.send_command("Approve", 5)  # not offered in draft
    assert run.state == "draft"


def test_a_delay_event_fires_and_the_state_resubscribes() -> None:
    run = machine()
    run.send_command("Submit", 8)
    run.advance_to("2025-01-08 10:00:00")
    assert log_lines(run)[-2:] == ["reminder", "reminder"]  # day 1 and day 2
    assert run.state == "review"


def test_a_missing_state_is_an_error() -> None:
    pkg = package(state("a", "A", enter(goto("nowhere"))),
                  root="StateMachineWorkflowActivity", InitialStateName="a")
    run = Runtime(Template.from_package(pkg)).start()
    assert run.status == "error" and "nowhere" in (run.error or "")


def test_listen_runs_the_first_event_to_fire() -> None:
    listen = node("ListenActivity", "Either", [
        node("EventDrivenActivity", "Workday", [
            node("WaitWorkDayActivity", "Wait", TargetUser="user_1"), log("workday")]),
        on_delay("Timeout", 8, "h", log("timeout"))])
    weekday = Runtime(template(listen), clock="2025-03-04 11:00:00").start()
    assert log_lines(weekday) == ["workday"]
    saturday = Runtime(template(listen), clock="2025-03-08 10:00:00").start()
    saturday.advance_to("2025-03-10 12:00:00")
    assert log_lines(saturday) == ["timeout"]
    monday_dawn = Runtime(template(listen), clock="2025-03-10 06:00:00").start()
    monday_dawn.advance_to("2025-03-10 12:00:00")
    assert log_lines(monday_dawn) == ["workday"]  # 9:00 comes before eight hours pass


def test_document_edits_from_outside_reach_a_waiting_workflow() -> None:
    loop = node("WhileActivity", "Until paid", [node("SequenceActivity", "Body", [
        node("DelayActivity", TimeoutDuration=1, TimeoutDurationType="d")])],
        fieldcondition=[["STAGE_ID", "!=", "PAID", 0]])
    run = Runtime(template(loop, log("paid")), document={"STAGE_ID": "NEW"},
                  clock="2025-01-06 09:00:00").start()
    run.advance_to("2025-01-08 10:00:00")
    run.update_document({"STAGE_ID": "PAID"})
    run.advance_to("2025-01-09 10:00:00")
    assert log_lines(run) == ["paid"] and run.status == "completed"
