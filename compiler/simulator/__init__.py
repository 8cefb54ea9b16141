"""A workflow simulator: runs compiled Bitrix24 templates (the deployed data) with Bitrix's
run-time semantics and a virtual clock, for `bpl test` and for the sandbox portal.

    run = Runtime(Template.from_package(package), document={...}, parameters={...}).start()
    run.complete_task(run.waiting_tasks[0].id, user=12, status="yes")
    run.advance_to("2025-01-10 09:00:00")
    run.status, run.document, run.log
"""

from compiler.simulator.directory import Directory
from compiler.simulator.model import RejectedInput, SimulationError, Task
from compiler.simulator.run import Run, Runtime

__all__ = ["Directory", "RejectedInput", "Run", "Runtime", "SimulationError", "Task"]
