"""Activities that give people tasks: Approve, Review, RequestInformation, Task2 (Tasks).

Each creates a `Task` on the run and waits; answers arrive through `Run.complete_task`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import is_empty_value, to_float, to_str
from compiler.simulator.activities.registry import activity, status_message, timeout_at
from compiler.simulator.model import Answer, SimulationError, Task
from compiler.simulator.types import to_bool_yn
from compiler.simulator.waits import TaskWait, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def _people(run: Run, node: Activity, key: str = "Users") -> list[int]:
    users = run.users(run.props(node).get(key, []))
    if not users:
        raise SimulationError(f"{node.type} '{node.title}' has nobody to ask "
                              f"(the {key} list is empty)", node.name)
    return users


def _open(run: Run, node: Activity, kind: str, **extra: Any) -> tuple[Task, Any]:
    props = run.props(node)
    users = _people(run, node)
    due = timeout_at(run, props)
    status_message(run, props)
    task = run.new_task(node, kind, run.evaluator.text(props.get("Name", "")), users, due,
                        description=run.evaluator.text(props.get("Description", "")), **extra)
    run.set_result(node, {"TaskId": task.id, "IsTimeout": 0})
    return task, due


def _wait(run: Run, task: Task, due: Any,
          decide: Callable[[Task], str | None]) -> Generator[Wait, None, str]:
    """Waits until `decide(task)` gives an outcome or the task times out ('timeout')."""
    while True:
        yield TaskWait(task.id, len(task.answers), due)
        outcome = decide(task)
        if outcome is not None:
            return outcome
        if due is not None and run.clock >= due:
            return "timeout"


def _comments(run: Run, answers: list[Answer], verdicts: bool = False) -> str:
    """Comments as Bitrix collects them: one block per answer, the person first."""
    out = []
    for answer in answers:
        verdict = ("Approved" if answer.status == "yes" else "Rejected") if verdicts else ""
        head = f"{run.directory.name(answer.user)}: {verdict}".rstrip(": ").rstrip()
        if verdicts:
            out.append(f"{head}\n" + (f"Comment: {answer.comment}" if answer.comment else "")
                       + "\n")
        elif answer.comment:
            out.append(f"{head}: {answer.comment}")
    return "".join(out) if verdicts else "\n".join(out)


# ── ApproveActivity ──────────────────────────────────────────────────────────────────────
def approve_outcome(task: Task, approve_type: str, min_percent: float,
                    wait_for_all: bool) -> str | None:
    """'yes', 'no' or None (undecided) after the answers so far, as ApproveActivity decides:
    percentages are whole numbers (rounded down) and a vote passes only *above* the
    minimum percentage (or at 100 when 100 is required)."""
    yes = sum(1 for a in task.answers if a.status == "yes")
    voted = len(task.answers)
    total = len(task.users) or 1
    last = task.answers[-1] if task.answers else None
    if last is None:
        return None
    if approve_type == "any":
        return "yes" if last.status == "yes" else "no"
    if approve_type == "all":
        if last.status != "yes":
            return "no"
        return "yes" if all(task.answered_by(u) for u in task.users) else None
    voted_percent = voted * 100 // total
    approved_percent = yes * 100 // total
    passes = approved_percent > min_percent or (approved_percent == 100 and min_percent == 100)
    if wait_for_all:
        if voted_percent == 100:
            return "yes" if passes else "no"
        return None
    not_approved_percent = (voted - yes) * 100 / total
    if passes:
        return "yes"
    if not_approved_percent > 0 and not_approved_percent >= 100 - min_percent:
        return "no"
    return None


def _votes(run: Run, task: Task) -> dict[str, Any]:
    answers = task.answers
    approvers = [a.user for a in answers if a.status == "yes"]
    rejecters = [a.user for a in answers if a.status != "yes"]
    total = len(task.users)
    last = answers[-1] if answers else None
    return {
        "Comments": _comments(run, answers, verdicts=True),
        "VotedCount": len(answers), "TotalCount": total,
        "VotedPercent": len(answers) * 100 // total if total else 0,
        "ApprovedPercent": len(approvers) * 100 // total if total else 0,
        "NotApprovedPercent": len(rejecters) * 100 // total if total else 0,
        "ApprovedCount": len(approvers), "NotApprovedCount": len(rejecters),
        "LastApprover": f"user_{last.user}" if last else "",
        "LastApproverComment": last.comment if last else "",
        "UserApprovers": [f"user_{u}" for u in approvers],
        "Approvers": ", ".join(run.directory.name(u) for u in approvers),
        "UserRejecters": [f"user_{u}" for u in rejecters],
        "Rejecters": ", ".join(run.directory.name(u) for u in rejecters),
    }


def _vote_status(run: Run, props: dict[str, Any], votes: dict[str, Any]) -> None:
    """A StatusMessage's placeholders (#PERC#, #VOTED#, #TOTAL#, #APPROVERS# …) filled in
    after each answer, as ApproveActivity does."""
    template = props.get("StatusMessage")
    if str(props.get("SetStatusMessage")).upper() != "Y" or not template:
        return
    text = run.evaluator.text(template)
    for keys, value in ((("#PERC#", "#PERCENT#"), votes["VotedPercent"]),
                        (("#REV#", "#VOTED#"), votes["VotedCount"]),
                        (("#TOT#", "#TOTAL#"), votes["TotalCount"]),
                        (("#APPROVERS#",), votes["Approvers"] or "none"),
                        (("#REJECTERS#",), votes["Rejecters"] or "none")):
        for key in keys:
            text = text.replace(key, str(value))
    run.state_title = text


@activity("ApproveActivity")
def approve(run: Run, node: Activity) -> Iterator[Wait]:
    props = run.props(node)
    approve_type = str(props.get("ApproveType")).lower()
    min_percent = to_float(run.evaluator.value(props.get("ApproveMinPercent")))
    wait_for_all = to_bool_yn(props.get("ApproveWaitForAll")) == "Y"
    task, due = _open(run, node, "approve", approve_type=approve_type)
    task.fields["comment_required"] = str(props.get("CommentRequired")).upper() \
        if str(props.get("ShowComment")).upper() != "N" else "N"
    _vote_status(run, props, _votes(run, task))

    def decide(t: Task) -> str | None:
        votes = _votes(run, t)
        run.set_result(node, votes)  # Bitrix updates the counts on every answer
        _vote_status(run, props, votes)
        return approve_outcome(t, approve_type, min_percent, wait_for_all)

    outcome = yield from _wait(run, task, due, decide)
    task.status = {"yes": "approved", "no": "rejected"}.get(outcome, "timeout")
    run.set_result(node, {**_votes(run, task), "IsTimeout": 1 if outcome == "timeout" else 0})
    children = node.children
    branch = children[0] if outcome == "yes" and children else (
        children[1] if outcome != "yes" and len(children) > 1 else None)
    if branch is not None:
        yield from run.execute(branch)


# ── ReviewActivity ───────────────────────────────────────────────────────────────────────
@activity("ReviewActivity")
def review(run: Run, node: Activity) -> Iterator[Wait]:
    every = str(run.props(node).get("ApproveType")).lower() == "all"
    task, due = _open(run, node, "review", approve_type="all" if every else "any")

    def decide(t: Task) -> str | None:
        done = len(t.answers) >= len(t.users) if every else bool(t.answers)
        return "done" if done else None

    outcome = yield from _wait(run, task, due, decide)
    task.status = "done" if outcome == "done" else "timeout"
    last = task.answers[-1] if task.answers else None
    run.set_result(node, {
        "Comments": _comments(run, task.answers), "ReviewedCount": len(task.answers),
        "TotalCount": len(task.users), "IsTimeout": 1 if outcome == "timeout" else 0,
        "LastReviewer": f"user_{last.user}" if last else "",
        "LastReviewerComment": last.comment if last else "",
    })


# ── RequestInformationActivity ───────────────────────────────────────────────────────────
def requested_fields(task: Task) -> list[dict[str, Any]]:
    """The fields a request asks for: the RequestedInformation entries that are tables."""
    fields = task.fields.get("requested", [])
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def missing_required(task: Task, answer: dict[str, Any]) -> list[str]:
    """Titles of required fields an answer leaves empty (Bitrix refuses such an answer)."""
    missing = []
    for spec in requested_fields(task):
        if to_bool_yn(spec.get("Required", "N")) != "Y":
            continue
        value = answer.get(str(spec.get("Name")), answer.get(str(spec.get("Title")), ""))
        if is_empty_value(value):
            missing.append(str(spec.get("Title") or spec.get("Name")))
    return missing


@activity("RequestInformationActivity", "RequestInformationOptionalActivity")
def request_information(run: Run, node: Activity) -> Iterator[Wait]:
    """The answers go into the variables. The optional kind may be refused: a refusal (by
    anyone, or by everyone with CancelType 'all') keeps the variables unless SaveVariables,
    and runs the second branch; an answer runs the first
    (requestinformationoptionalactivity.php)."""
    props = run.props(node)
    optional = node.is_type("RequestInformationOptionalActivity")
    every_refusal = optional and to_str(props.get("CancelType")) == "all"
    requested = props.get("RequestedInformation") or []
    task, due = _open(run, node, "request")
    task.fields["requested"] = requested if isinstance(requested, list) else []

    def decide(t: Task) -> str | None:
        last = t.answers[-1] if t.answers else None
        if last is None:
            return None
        if last.status == "cancel" and every_refusal and \
                not all(any(a.user == u and a.status == "cancel" for a in t.answers)
                        for u in t.users):
            return None
        return "done"

    outcome = yield from _wait(run, task, due, decide)
    task.status = "done" if outcome == "done" else "timeout"
    changes: list[str] = []
    answer = task.answers[-1] if task.answers else None
    refused = answer is not None and answer.status == "cancel"
    keep = answer is not None and (not refused or to_bool_yn(props.get("SaveVariables")) == "Y")
    if keep and answer is not None:
        for spec in requested_fields(task):
            name = str(spec.get("Name"))
            if name in answer.fields or str(spec.get("Title")) in answer.fields:
                value = answer.fields.get(name, answer.fields.get(str(spec.get("Title"))))
                run.set_variable(name, value)
                changes.append(f"{spec.get('Title') or name}: {run.variables.get(name)}")
    run.set_result(node, {
        "Comments": answer.comment if answer else "",
        "InfoUser": f"user_{answer.user}" if answer else "",
        "Changes": changes, "IsTimeout": 1 if outcome == "timeout" else 0,
    })
    branch = (1 if refused else 0) if optional and answer is not None else None
    if branch is not None and len(node.children) > branch:
        yield from run.execute(node.children[branch])


# ── Task2Activity (the Tasks module) ─────────────────────────────────────────────────────
@activity("Task2Activity")
def task2(run: Run, node: Activity) -> Iterator[Wait]:
    props = run.props(node)
    fields = run.evaluator.value(props.get("Fields") or {})
    fields = fields if isinstance(fields, dict) else {}
    if not run.users(fields.get("CREATED_BY", [])):
        raise SimulationError(f"Task2Activity '{node.title}': the task has no creator "
                              "(CREATED_BY)", node.name)
    responsible = run.users(fields.get("RESPONSIBLE_ID", []))
    accomplices = run.users(fields.get("ACCOMPLICES", []))
    task = run.new_task(node, "task", str(fields.get("TITLE", "")),
                        responsible + [u for u in accomplices if u not in responsible], None,
                        description=str(fields.get("DESCRIPTION", "")))
    task.fields = fields
    # The item's stage when the task was made: CrmCompleteTaskActivity closes by it.
    stage = run.document.get("STAGE_ID", run.document.get("STATUS_ID", ""))
    run.storage.setdefault("task_stages", {})[task.id] = stage
    run.set_result(node, {"TaskId": task.id, "IsDeleted": "N", "ClosedDate": "",
                          "ClosedBy": ""})
    if to_bool_yn(props.get("HoldToClose")) != "Y":
        task.status = "open"  # the workflow does not wait for this one
        return
    yield from _wait(run, task, None,
                     lambda t: "closed" if t.answers or not t.waiting else None)
    task.status = "closed"
    closer = task.answers[-1] if task.answers else None
    run.set_result(node, {"ClosedDate": run.stamp(),
                          "ClosedBy": f"user_{closer.user}" if closer else ""})
