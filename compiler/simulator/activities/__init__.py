"""Activity kinds the simulator runs, by lower-cased Type (Bitrix matches types that way).

A handler takes the run and the activity node. One that finishes at once returns None; one
that waits is a generator yielding `Wait`s (see compiler.simulator.waits).
"""

from __future__ import annotations

from compiler.simulator.activities.registry import CONTAINERS, HANDLERS, Handler, activity

# Importing the modules registers their handlers.
from compiler.simulator.activities import (  # noqa: F401  isort: skip
    crm, crmitems, data, disk, document, flow, im, lists, messages, outside, people, robots,
    rpa, states, taskdocs, tasks, timeline, workflow,
)

__all__ = ["CONTAINERS", "HANDLERS", "Handler", "activity"]
