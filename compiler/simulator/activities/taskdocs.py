"""Tasks-module activities that run on a task document (tasks): change its status,
responsible or stage, read a task's fields. (Task2Activity, which creates a task, is in
compiler.simulator.activities.tasks; TasksUpdateTaskActivity is SetFieldActivity's and
TasksDeleteTaskActivity DeleteDocumentActivity's handler.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator.activities import items
from compiler.simulator.activities.registry import activity
from compiler.simulator.directory import user_id_of

if TYPE_CHECKING:
    from compiler.simulator.run import Run


@activity("TasksChangeStatusActivity")
def change_status(run: Run, node: Activity) -> None:
    """STATUS 2 pending, 3 in progress, 5 completed, 6 deferred."""
    status = to_int(run.evaluator.value(run.props(node).get("TargetStatus")))
    run.set_field("STATUS", status)
    run.record("status", node, field="STATUS", value=status)


@activity("TasksChangeResponsibleActivity")
def change_responsible(run: Run, node: Activity) -> None:
    """Another of the users, at random, never the current responsible."""
    current = user_id_of(run.document.get("RESPONSIBLE_ID"))
    others = [u for u in run.users(run.props(node).get("Responsible")) if u != current]
    if not others:
        return
    chosen = run.rng().choice(others)
    run.set_field("RESPONSIBLE_ID", f"user_{chosen}")
    run.record("responsible", node, user=chosen, candidates=others)


@activity("TasksChangeStageActivity")
def change_stage(run: Run, node: Activity) -> None:
    """The task moves to the stage and the workflow ends, as after a CRM stage change."""
    stage = to_int(run.evaluator.value(run.props(node).get("TargetStage")))
    run.set_field("STAGE_ID", stage)
    run.record("status", node, field="STAGE_ID", value=stage)
    run.terminate()


@activity("TasksGetDocumentActivity")
def get_task(run: Run, node: Activity) -> None:
    """The chosen fields (FieldsMap, built from Fields) of task TaskId become results."""
    props = run.props(node)
    task_id = to_str(run.evaluator.value(props.get("TaskId")))
    key = f"TASK_{task_id}"
    document = run.store.get(key)
    if document is None:
        items.missing(run, node, key, "The task")
        return
    wanted = props.get("FieldsMap")
    codes = list(wanted) if isinstance(wanted, dict) and wanted else \
        run.evaluator.value(props.get("Fields") or [])
    run.set_result(node, {to_str(c): document.get(to_str(c), "")
                          for c in (codes if isinstance(codes, list) else [codes])})
