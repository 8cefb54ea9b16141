"""A workflow simulator: runs compiled Bitrix24 templates (the deployed data) with Bitrix's
run-time semantics and a virtual clock, for `bpl test` and for the sandbox portal.

    run = Runtime(Template.from_package(package), document={...}, parameters={...}).start()
    run.complete_task(run.waiting_tasks[0].id, user=12, status="yes")
    run.advance_to("2025-01-10 09:00:00")
    run.status, run.document, run.log
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.simulator.directory import Directory
    from compiler.simulator.model import RejectedInput, SimulationError, Task
    from compiler.simulator.run import Run, Runtime

__all__ = ["Directory", "RejectedInput", "Run", "Runtime", "SimulationError", "Task"]

# Loaded on first use: `bpl check` reads a few of the simulator's modules (PHP's dates, the
# expression patterns) and should not pay for the runtime and its activities.
_HOMES = {"Directory": "directory", "RejectedInput": "model", "SimulationError": "model",
          "Task": "model", "Run": "run", "Runtime": "run"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
