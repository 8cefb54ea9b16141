"""Activities about workflows themselves: start another one (or a smart script), terminate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.bitrix import Activity
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


@activity("StartWorkflowActivity")
def start_workflow(run: Run, node: Activity) -> None:
    props = run.props(node)
    workflow_id = f"{run.runtime.workflow_id}.{run.next_id('workflow')}"
    run.record("workflow", node, template_id=run.evaluator.value(props.get("TemplateId")),
               document_id=run.evaluator.value(props.get("DocumentId", "")),
               parameters=run.evaluator.value(props.get("TemplateParameters") or {}),
               wait=str(props.get("UseSubscription")).upper() == "Y", id=workflow_id)
    run.set_result(node, {"WorkflowId": workflow_id})


@activity("StartScriptActivity")
def start_script(run: Run, node: Activity) -> None:
    """A CRM smart script on an item; nothing is returned (startscriptactivity.php)."""
    props = run.props(node)
    starters = run.users(props.get("StartBy"))
    run.record("script", node, template_id=run.evaluator.value(props.get("TemplateId")),
               document_id=run.evaluator.value(props.get("DocumentId", "")),
               parameters=run.evaluator.value(props.get("TemplateParameters") or {}),
               user=starters[0] if starters else None)


@activity("TerminateActivity")
def terminate(run: Run, node: Activity) -> None:
    run.terminate(run.evaluator.text(run.props(node).get("StateTitle", "")))
