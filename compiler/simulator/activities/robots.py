"""App robots (`rest_<md5>` types): the call is recorded with its evaluated properties; with
UseSubscription 'Y' the robot waits for bizproc.event.send (Run.send_event) or its timeout
(IsTimeout = 1), otherwise it closes at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from compiler.bitrix import Activity
from compiler.catalog.models import APP_ACTIVITY_PREFIX
from compiler.simulator import classes
from compiler.simulator.activities.registry import activity, status_message, timeout_at
from compiler.simulator.waits import EventWait, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

@activity(APP_ACTIVITY_PREFIX)
def robot(run: Run, node: Activity) -> Iterator[Wait]:
    props = run.props(node)
    name = node.name
    # Its inputs: every property but those of the class itself (RestActivity's).
    spec = classes.spec(node.type)
    own = {*(spec.properties if spec is not None else ()), "EditorComment"}
    inputs = {k: run.evaluator.value(v) for k, v in props.items() if k not in own}
    waits = str(props.get("UseSubscription")).upper() == "Y"
    run.record("robot", node, type=node.type, properties=inputs, wait=waits)
    if not waits:
        return
    status_message(run, props)
    due = timeout_at(run, props)
    run.events.pop(name, None)
    yield EventWait(name, due)
    delivered = run.events.pop(name, None)
    if delivered is None:
        run.set_result(node, {"IsTimeout": 1})
        return
    run.set_result(node, {**delivered["values"], "IsTimeout": 0})
    if delivered.get("log"):
        run.write_log(node, str(delivered["log"]))
