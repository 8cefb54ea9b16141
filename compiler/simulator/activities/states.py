"""State machines: the root, StateActivity (enter, events, exit), SetState, and the event
activities (HandleExternalEvent, Delay) that start an EventDrivenActivity."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from compiler.bitrix import Activity
from compiler.simulator.activities.data import delay_until
from compiler.simulator.activities.registry import activity
from compiler.simulator.model import SimulationError
from compiler.simulator.waits import AnyOf, CommandWait, Timer, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def _active(node: Activity, kind: str) -> list[Activity]:
    return [c for c in node.active_children if c.is_type(kind)]


@activity("StateMachineWorkflowActivity", container=True)
def state_machine(run: Run, node: Activity) -> Iterator[Wait]:
    states = {s.name: s for s in _active(node, "StateActivity")}
    current: str | None = str(run.props(node).get("InitialStateName", ""))
    while current:
        state = states.get(current)
        if state is None:
            raise SimulationError(f"there is no state '{current}'", node.name)
        run.state = current
        run.next_state = None
        yield from run.execute(state)
        current = run.next_state


@activity("StateActivity", container=True)
def state(run: Run, node: Activity) -> Iterator[Wait]:
    """Enter (StateInitialization), wait for the first event whose branch sets a next state,
    then exit (StateFinalization). The state's Title is the workflow's status text."""
    run.state_title = node.title
    for init in _active(node, "StateInitializationActivity"):
        yield from run.execute(init)
    handlers = _active(node, "EventDrivenActivity")
    while run.next_state is None and handlers:
        subscriptions: list[tuple[Activity, Wait]] = []
        for handler in handlers:
            subscriptions.append((handler, _subscribe(run, handler)))
        wait = AnyOf([w for _, w in subscriptions])
        yield wait
        handler, fired = _fired(run, subscriptions)
        yield from _handle(run, handler, fired)
    for final in _active(node, "StateFinalizationActivity"):
        yield from run.execute(final)


def _first(handler: Activity) -> Activity:
    children = handler.active_children
    if not children:
        raise SimulationError(f"EventDrivenActivity '{handler.properties.get('Title')!s}'"
                              " has no event activity", handler.name)
    return children[0]


def _subscribe(run: Run, handler: Activity) -> Wait:
    event = _first(handler)
    if event.is_type("HandleExternalEventActivity"):
        allowed = run.users(run.props(event).get("Permission"))
        return CommandWait(handler, event, allowed)
    if event.is_type("DelayActivity"):
        return Timer(delay_until(run, event))
    if event.is_type("WaitWorkDayActivity"):
        return Timer(next_work_time(run.clock))
    raise SimulationError(f"cannot simulate activity {event.type} "
                          f"'{event.title}' as a state event", event.name)


def _fired(run: Run, subscriptions: list[tuple[Activity, Wait]]) -> tuple[
        Activity, Wait]:
    """Commands in the order they were sent, before timers; timers by due time."""
    for command in run.commands:
        for handler, wait in subscriptions:
            if isinstance(wait, CommandWait) and wait.matches(command["command"]):
                return handler, wait
    ready = [(h, w) for h, w in subscriptions if isinstance(w, Timer) and w.ready(run)]
    ready.sort(key=lambda pair: pair[1].at)  # type: ignore[attr-defined]
    return ready[0]


def _handle(run: Run, handler: Activity, fired: Wait) -> Iterator[Wait]:
    event = _first(handler)
    run.trace_node(handler)
    run.trace_node(event)
    if isinstance(fired, CommandWait):
        command = next(c for c in run.commands if fired.matches(c["command"]))
        run.commands.remove(command)
        run.set_result(event, {"SenderUserId": f"user_{command['user']}"})
    for child in handler.children[1:]:
        yield from run.execute(child)


def next_work_time(moment: datetime) -> datetime:
    """When the simulated people start working: Monday to Friday at 9:00 (there is no
    time-management module here; within 9:00–18:00 of a working day it is now)."""
    if moment.weekday() < 5 and 9 <= moment.hour < 18:
        return moment
    day = moment if moment.weekday() < 5 and moment.hour < 9 else moment + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=9, minute=0, second=0, microsecond=0)


@activity("ListenActivity", container=True)
def listen(run: Run, node: Activity) -> Iterator[Wait]:
    """Waits for the first of its EventDrivenActivity children to fire and runs that one."""
    handlers = _active(node, "EventDrivenActivity")
    if not handlers:
        return
    subscriptions = [(handler, _subscribe(run, handler)) for handler in handlers]
    yield AnyOf([w for _, w in subscriptions])
    handler, fired = _fired(run, subscriptions)
    yield from _handle(run, handler, fired)


@activity("WaitWorkDayActivity")
def wait_work_day(run: Run, node: Activity) -> Iterator[Wait]:
    moment = next_work_time(run.clock)
    if moment > run.clock:
        yield Timer(moment)


@activity("SetStateActivity")
def set_state(run: Run, node: Activity) -> None:
    run.next_state = str(run.evaluator.value(run.props(node).get("TargetStateName", "")))


@activity("EventDrivenActivity", container=True)
@activity("HandleExternalEventActivity")
def outside_state(run: Run, node: Activity) -> None:
    raise SimulationError(f"cannot simulate activity {node.type} '{node.title}' "
                          "outside a state", node.name)
