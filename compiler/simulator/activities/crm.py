"""CRM activities that change the workflow's own item: stage, responsible, pipeline,
observers, links to parent items, its tasks, and the fields of its contact or company."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator.activities import items
from compiler.simulator.activities.people import is_absent, workday_status
from compiler.simulator.activities.registry import activity
from compiler.simulator.directory import user_id_of
from compiler.simulator.store import crm_name, split_key
from compiler.simulator.types import to_bool_yn

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def status_field(run: Run) -> str:
    """Deals and smart processes have stages (STAGE_ID); leads, quotes, invoices statuses."""
    entity = " ".join(str(p) for p in run.runtime.document_type).lower()
    return "STAGE_ID" if "deal" in entity or "dynamic" in entity else "STATUS_ID"


def _entity(run: Run) -> str:
    """The run's own item's entity name (DEAL, LEAD, DYNAMIC_128 …)."""
    parts = split_key(run.store.current)
    return parts[0] if parts is not None else ""


@activity("CrmChangeStatusActivity")
def change_status(run: Run, node: Activity) -> None:
    target = to_str(run.evaluator.value(run.props(node).get("TargetStatus", "")))
    run.set_field(status_field(run), target)
    run.record("status", node, field=status_field(run), value=target)
    run.terminate()  # Bitrix always ends the current workflow after a stage change


def _available(run: Run, user: int, skip_absent: bool, skip_timeman: bool) -> bool:
    if skip_absent and is_absent(run.directory, user, run.clock):
        return False
    status = workday_status(run.directory, user, run.clock)
    return not (skip_timeman and status not in ("OPENED", "PAUSED"))


@activity("CrmChangeResponsibleActivity")
def change_responsible(run: Run, node: Activity) -> None:
    """crmchangeresponsibleactivity.php: first available, the next after the last one chosen,
    or (r) at random among the others; no change when that is the current responsible."""
    props = run.props(node)
    candidates = run.users(props.get("Responsible", []))
    if not candidates:
        return
    field = "RESPONSIBLE_ID" if _entity(run) in ("ORDER", "INVOICE") else "ASSIGNED_BY_ID"
    current = user_id_of(_single(run.document.get(field)))
    skip_absent = to_bool_yn(props.get("SkipAbsent")) == "Y"
    skip_timeman = to_bool_yn(props.get("SkipTimeMan")) == "Y"

    def first(users: list[int]) -> int | None:
        return next((u for u in users if _available(run, u, skip_absent, skip_timeman)), None)

    getter = to_str(props.get("GetterType")).lower()
    if getter == "f":
        chosen = first(candidates)
    elif getter == "s":
        last = run.storage.get(f"responsible:{node.name}")
        order = candidates
        if last in candidates and len(candidates) > 1:
            at = candidates.index(last)
            order = candidates[at + 1:] + candidates[:at]
        chosen = first(order)
        if chosen is None and last in candidates:
            chosen = first([last])
        if chosen is not None:
            run.storage[f"responsible:{node.name}"] = chosen
    else:
        others = [u for u in candidates if u != current]
        run.rng().shuffle(others)
        chosen = first(others)
    if chosen is None or chosen == current:
        return
    run.set_field(field, f"user_{chosen}")
    run.record("responsible", node, user=chosen, candidates=candidates)


@activity("CrmChangeDealCategoryActivity")
def change_deal_category(run: Run, node: Activity) -> None:
    """The deal moves to the pipeline's first stage (NEW, or C<id>:NEW) and every workflow
    of the deal ends (crmchangedealcategoryactivity.php, CCrmDeal::MoveToCategory)."""
    if _entity(run) != "DEAL":
        run.write_log(node, "The deal was not found")
        return
    category = to_int(run.evaluator.value(run.props(node).get("CategoryId")))
    if category == to_int(run.document.get("CATEGORY_ID")):
        run.write_log(node, "The deal is already in this pipeline")
        return
    stage = "NEW" if category == 0 else f"C{category}:NEW"
    run.set_field("CATEGORY_ID", category)
    run.set_field("STAGE_ID", stage)
    run.record("category", node, category=category, stage=stage)
    run.terminate("Auto completed when pipeline changed")


@activity("CrmChangeDynamicCategoryActivity")
def change_dynamic_category(run: Run, node: Activity) -> None:
    """The item moves to the pipeline and stage; its workflows end."""
    props = run.props(node)
    category = to_int(run.evaluator.value(props.get("CategoryId")))
    stage = to_str(run.evaluator.value(props.get("StageId")))
    run.set_field("CATEGORY_ID", category)
    if stage:
        run.set_field("STAGE_ID", stage)
    run.record("category", node, category=category, stage=stage)
    run.terminate()


@activity("CrmSetObserverField")
def set_observers(run: Run, node: Activity) -> None:
    """OBSERVER_IDS of a deal or lead: add, remove or replace (crmsetobserverfield.php);
    other items are left alone."""
    if _entity(run) not in ("DEAL", "LEAD"):
        return
    props = run.props(node)
    action = to_str(props.get("ActionOnObservers"))
    given = run.extract_users(run.evaluator.value(props.get("Observers")))
    current = run.extract_users(run.document.get("OBSERVER_IDS") or [])
    if action == "add":
        result = current + [u for u in given if u not in current]
    elif action == "remove":
        result = [u for u in current if u not in given]
    elif action == "replace":
        result = given
    else:
        return
    run.set_field("OBSERVER_IDS", [f"user_{u}" for u in result])


@activity("CrmChangeRelationsActivity")
def change_relations(run: Run, node: Activity) -> None:
    """The item's link to a parent of ParentTypeId (its PARENT_ID_<type> field): removed, or
    replaced by ParentId (crmchangerelationsactivity.php)."""
    props = run.props(node)
    parent_type = to_int(run.evaluator.value(props.get("ParentTypeId")))
    action = to_str(props.get("Action"))
    name = crm_name(parent_type)
    if name is None or name == _entity(run):
        run.write_log(node, "There is no such relation")
        return
    field = f"PARENT_ID_{parent_type}"
    if action == "remove":
        run.set_field(field, 0)
    elif action == "replace":
        parent = to_int(run.evaluator.value(props.get("ParentId")))
        if parent <= 0:
            run.write_log(node, "The element is not chosen")
            return
        if run.store.get(f"{name}_{parent}") is None:
            items.missing(run, node, f"{name}_{parent}")
            return
        run.set_field(field, parent)


@activity("CrmCompleteTaskActivity")
def complete_tasks(run: Run, node: Activity) -> None:
    """Closes the item's open tasks that were created while it was in one of the stages
    (the run's Task2Activity tasks remember the stage they were created in)."""
    stages = run.evaluator.value(run.props(node).get("TargetStatus"))
    wanted = {to_str(s) for s in (stages if isinstance(stages, list) else [stages])}
    stages_made = run.storage.get("task_stages", {})
    for task in run.tasks:
        if task.kind == "task" and task.status in ("open", "waiting") and \
                to_str(stages_made.get(task.id)) in wanted:
            task.status = "closed"
            run.record("task_closed", node, task=task.id)


def _linked_fields(run: Run, node: Activity, entity: str) -> None:
    """SetFieldActivity on the item's linked contact or company (CONTACT_ID / COMPANY_ID)."""
    props = run.props(node)
    link = to_int(_single(run.document.get(f"{entity}_ID")))
    if link <= 0:
        run.write_log(node, f"The item has no {entity.lower()}")
        return
    key = f"{entity}_{link}"
    merge = to_str(props.get("MergeMultipleFields")).upper() == "Y"
    if not items.write(run, key, items.evaluated(run, props.get("FieldValue")), merge):
        items.missing(run, node, key)
        return
    run.set_result(node, {"ErrorMessage": ""})


@activity("CrmSetCompanyField")
def set_company_field(run: Run, node: Activity) -> None:
    _linked_fields(run, node, "COMPANY")


@activity("CrmSetContactField")
def set_contact_field(run: Run, node: Activity) -> None:
    _linked_fields(run, node, "CONTACT")


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
