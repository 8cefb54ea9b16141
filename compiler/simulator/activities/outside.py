"""Activities whose outcome depends on what the simulator cannot know — PHP code, payments,
Drive contents, telephony. They run with the empty values their results are declared with,
or what the scenario scripts (`[[scenario.activities]]`); the call is recorded with its
properties, and the run's log says so (compiler.simulator.activities.closing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.bitrix import Activity
from compiler.simulator import returns
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


@activity("CodeActivity", "CrmGetPaymentInfoActivity", "DiskDetailActivity",
          "VoximplantCallActivity")
def declared(run: Run, node: Activity) -> None:
    props = run.props(node)
    run.record("not_simulated", node, type=node.type,
               properties={k: run.evaluator.value(v) for k, v in props.items()
                           if k not in ("Title", "EditorComment")})
    run.set_result(node, returns.declared(node.type))
