"""RPA activities (rpa): tasks whose answer moves the item to a stage, and the stage change
itself. Moving the item to another stage ends the workflow (rpaapproveactivity.php:
ExecuteAction throws the instance-terminated exception when the stage changes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator.activities.people import is_absent
from compiler.simulator.activities.registry import activity
from compiler.simulator.directory import user_id_of
from compiler.simulator.model import Task
from compiler.simulator.waits import TaskWait, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def _actions(run: Run, props: dict[str, Any]) -> list[dict[str, Any]]:
    given = run.evaluator.value(props.get("Actions") or [])
    return [a for a in (given if isinstance(given, list) else []) if isinstance(a, dict)]


def _without_absent(run: Run, props: dict[str, Any], users: list[int]) -> list[int]:
    """SkipAbsent 'Y': absent users are left out; nobody left means AlterResponsible."""
    if to_str(props.get("SkipAbsent")) != "Y":
        return users
    present = [u for u in users if not is_absent(run.directory, u, run.clock)]
    return present or run.users(props.get("AlterResponsible"))


def _heads(run: Run, user: int | None) -> list[int]:
    head = run.directory.heads.get(user) if user is not None else None
    return [head] if head is not None else []


def _move(run: Run, node: Activity, action: dict[str, Any] | None, by: int | None,
          fields: dict[str, Any] | None = None) -> None:
    """The action's stage (and any answered fields) onto the item; another stage than the
    item's ends the workflow."""
    for code, value in (fields or {}).items():
        run.set_field(code, value)
    if action is None:
        run.write_log(node, "The stage is not set")
        return
    stage = to_int(action.get("stageId"))
    before = to_int(run.document.get("STAGE_ID"))
    run.set_field("STAGE_ID", stage)
    run.record("stage", node, field="STAGE_ID", value=stage, by=by)
    if stage != before:
        run.terminate()


def _outcome(task: Task, kind: str, target: int) -> bool | None:
    """True/False once the answers decide (calculate…ApproveResult), None while open."""
    yes = sum(1 for a in task.answers if a.status in ("yes", "ok"))
    no = sum(1 for a in task.answers if a.status == "no")
    total = len(task.users)
    if not task.answers:
        return None
    if kind == "any":
        return task.answers[-1].status != "no"
    if kind == "vote":
        limit = min(total, max(0, target))
        return True if yes >= limit else False if total - no < limit else None
    return True if yes >= total else False if no > 0 else None


def _approval(run: Run, node: Activity, kind: str) -> Iterator[Wait]:
    props = run.props(node)
    approve_type = to_str(props.get("ApproveType")) or "all"
    heads_mode = to_str(props.get("ResponsibleType")) == "heads"
    responsible = user_id_of(_single(run.document.get("ASSIGNED_BY_ID",
                                                      run.document.get("CREATED_BY"))))
    queue: list[int] = []
    if heads_mode:
        users = _without_absent(run, props, _heads(run, responsible))
    else:
        users = run.users(props.get("Responsible"))
        if approve_type == "queue":
            queue, users = users[1:], users[:1]
        users = _without_absent(run, props, users)
    task = run.new_task(node, kind, run.evaluator.text(props.get("Name", "")), users, None,
                        description=run.evaluator.text(props.get("Description", "")),
                        approve_type=approve_type)
    run.set_result(node, {"TaskId": task.id})
    executives = run.users(props.get("ExecutiveResponsible"))
    while True:
        yield TaskWait(task.id, len(task.answers), None)
        last = task.answers[-1]
        decided: bool | None
        if heads_mode and last.user not in executives:
            decided = None if last.status != "no" else (False if len(task.users) - sum(
                1 for a in task.answers if a.status == "no") < 1 else None)
            more = [h for h in _heads(run, last.user) if h not in task.users]
            if last.status != "no":
                if more:
                    task.users.extend(more)
                else:
                    decided = True
        elif approve_type == "queue" and not heads_mode:
            decided = False if last.status == "no" else None
            if decided is None:
                if queue:
                    task.users.append(queue.pop(0))
                else:
                    decided = True
        else:
            decided = _outcome(task, approve_type, to_int(props.get("ApproveVoteTarget")))
        if decided is not None:
            break
    task.status = "approved" if decided else "rejected" if kind == "approve" else "done"
    run.set_result(node, {"LastApprover" if kind == "approve" else "LastReviewer":
                          f"user_{last.user}"})
    actions = _actions(run, props)
    wanted = (actions[0] if decided else actions[1]) if len(actions) > 1 else (
        actions[0] if actions and decided else None)
    fields = None
    if kind == "request":
        codes = run.evaluator.value(props.get("FieldsToSet") or [])
        fields = {to_str(c): last.fields[to_str(c)] for c in (codes if isinstance(codes, list)
                                                             else []) if to_str(c) in last.fields}
    _move(run, node, wanted, last.user, fields)


@activity("RpaApproveActivity")
def rpa_approve(run: Run, node: Activity) -> Iterator[Wait]:
    return _approval(run, node, "approve")


@activity("RpaReviewActivity", "RpaMoveActivity")
def rpa_review(run: Run, node: Activity) -> Iterator[Wait]:
    return _approval(run, node, "review")


@activity("RpaRequestActivity")
def rpa_request(run: Run, node: Activity) -> Iterator[Wait]:
    return _approval(run, node, "request")


@activity("RpaChangeStageActivity")
def rpa_change_stage(run: Run, node: Activity) -> None:
    """The item moves to TargetStageId and the workflow ends."""
    stage = run.evaluator.value(run.props(node).get("TargetStageId"))
    run.set_field("STAGE_ID", stage)
    run.record("stage", node, field="STAGE_ID", value=stage)
    run.terminate()


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
