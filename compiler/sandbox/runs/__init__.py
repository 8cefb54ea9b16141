"""Started workflows executed by the simulator: the bridge between the portal's tables and a
`compiler.simulator.Run`.

A run lives in the `runs` table as its JSON (start inputs + journal of inputs); every request
that touches it replays it, applies one input (a task answer, an event, the clock), mirrors
what changed into the portal's own tables (workflow status, tasks, log, document fields, app
robot calls) and stores the JSON again. The portal's tables stay the single source for the
REST methods, so seeded tasks and run tasks are listed and answered side by side.
"""

from compiler.sandbox.runs.context import Ctx
from compiler.sandbox.runs.engine import (
    complete_task,
    delegate_task,
    document_changed,
    forget,
    owns_task,
    owns_workflow,
    send_command,
    send_event,
    start,
    terminate,
    tick,
)
from compiler.sandbox.runs.record import load_run

__all__ = [
    "Ctx",
    "complete_task",
    "delegate_task",
    "document_changed",
    "forget",
    "load_run",
    "owns_task",
    "owns_workflow",
    "send_command",
    "send_event",
    "start",
    "terminate",
    "tick",
]
