"""CRM and document activities: stage changes (which end the workflow), responsible
changes, created documents and started workflows (recorded, with the ids they return)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_str
from compiler.simulator import classes
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run

def status_field(run: Run) -> str:
    """Deals and smart processes have stages (STAGE_ID); leads, quotes, invoices statuses."""
    entity = " ".join(str(p) for p in run.runtime.document_type).lower()
    return "STAGE_ID" if "deal" in entity or "dynamic" in entity else "STATUS_ID"


@activity("CrmChangeStatusActivity")
def change_status(run: Run, node: Activity) -> None:
    target = to_str(run.evaluator.value(run.props(node).get("TargetStatus", "")))
    run.set_field(status_field(run), target)
    run.record("status", node, field=status_field(run), value=target)
    run.terminate()  # Bitrix always ends the current workflow after a stage change


@activity("CrmChangeResponsibleActivity")
def change_responsible(run: Run, node: Activity) -> None:
    props = run.props(node)
    candidates = run.users(props.get("Responsible", []))
    if not candidates:
        return
    getter = str(props.get("GetterType")).lower()
    if getter == "f":
        chosen = candidates[0]
    elif getter == "s":
        # Bitrix keeps the queue position between runs; within one run it starts at the top.
        position = run.next_id(f"queue:{node.name}", 0)
        chosen = candidates[position % len(candidates)]
    else:
        chosen = run.rng().choice(candidates)
    run.set_field("ASSIGNED_BY_ID", f"user_{chosen}")
    run.record("responsible", node, user=chosen, candidates=candidates)


@activity("CreateDocumentActivity")
def create_document(run: Run, node: Activity) -> None:
    """Every create activity (the CRM ones extend this class): the new document's id goes to
    the class's id result (DealId, LeadId, … — its int results in the catalog)."""
    fields = run.evaluator.value(run.props(node).get("Fields") or {})
    document_id = run.next_id("document", 1001)
    run.record("document", node, type=node.type, id=document_id, fields=fields)
    spec = classes.spec(node.type)
    returns = spec.returns if spec is not None else {}
    results: dict[str, Any] = {key: "" for key, r in returns.items() if r.type == "string"}
    results.update({key: document_id for key, r in returns.items() if r.type == "int"})
    run.set_result(node, results)


@activity("StartWorkflowActivity")
def start_workflow(run: Run, node: Activity) -> None:
    props = run.props(node)
    workflow_id = f"{run.runtime.workflow_id}.{run.next_id('workflow')}"
    run.record("workflow", node, template_id=run.evaluator.value(props.get("TemplateId")),
               document_id=run.evaluator.value(props.get("DocumentId", "")),
               parameters=run.evaluator.value(props.get("TemplateParameters") or {}),
               wait=str(props.get("UseSubscription")).upper() == "Y", id=workflow_id)
    run.set_result(node, {"WorkflowId": workflow_id})


@activity("TerminateActivity")
def terminate(run: Run, node: Activity) -> None:
    run.terminate(run.evaluator.text(run.props(node).get("StateTitle", "")))
