"""What bizproc activities do to the workflow's document as a whole: create another of its
type, delete it, publish it, set who may do what with it, save a history copy, lock it, and
fix the workflow's result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator import classes
from compiler.simulator.activities import items
from compiler.simulator.activities.registry import activity
from compiler.simulator.store import split_key

if TYPE_CHECKING:
    from compiler.simulator.run import Run

# CBPSetPermissionsMode (bizproc/classes/general/constants.php).
_HOLD, _REWRITE, _CLEAR = 1, 2, 3


def _id_results(node: Activity, new_id: int) -> dict[str, Any]:
    """A create activity's results: its int results (ItemId, DealId, ElementId …) hold the
    new id, its string ones (ErrorMessage) are empty."""
    spec = classes.spec(node.type)
    declared = spec.returns if spec is not None else {}
    results: dict[str, Any] = {key: "" for key, r in declared.items() if r.type == "string"}
    results.update({key: new_id for key, r in declared.items() if r.type == "int"})
    return results


def create_item(run: Run, node: Activity, prefix: str, fields: dict[str, Any]) -> None:
    new_id = items.create(run, node, prefix, fields)
    run.set_result(node, _id_results(node, new_id))


@activity("CreateDocumentActivity")
def create_document(run: Run, node: Activity) -> None:
    """A document of the workflow's own type (createdocumentactivity.php)."""
    parts = split_key(run.store.current)
    prefix = parts[0] if parts is not None else run.store.current
    create_item(run, node, prefix, items.evaluated(run, run.props(node).get("Fields")))


@activity("DeleteDocumentActivity", "TasksDeleteTaskActivity")
def delete_document(run: Run, node: Activity) -> None:
    """Deleting the document ends every workflow on it (CBPDocument::onDocumentDelete
    terminates them), this one included."""
    run.store.delete(run.store.current)
    run.record("deleted", node, key=run.store.current)
    run.terminate()


@activity("PublishDocumentActivity")
def publish(run: Run, node: Activity) -> None:
    run.record("publish", node, key=run.store.current)


@activity("UnpublishDocumentActivity")
def unpublish(run: Run, node: Activity) -> None:
    run.record("unpublish", node, key=run.store.current)


@activity("LockDocumentActivity", "UnlockDocumentActivity")
def lock(run: Run, node: Activity) -> None:
    """Only other workflows would wait for the lock, and a simulation runs one."""


@activity("SaveHistoryActivity")
def save_history(run: Run, node: Activity) -> None:
    """A copy of the document under a name: Name, else the document's NAME or TITLE, else
    the time (savehistoryactivity.php)."""
    props = run.props(node)
    name = run.evaluator.text(props.get("Name", ""))
    for code in ("NAME", "TITLE"):
        if not name and to_str(run.document.get(code)):
            name = to_str(run.document.get(code))
    users = run.extract_users(run.evaluator.value(props.get("UserId")))
    run.record("history", node, name=name or run.stamp(), user=users[0] if users else 1,
               document=dict(run.document))


@activity("SetPermissionsActivity")
def set_permissions(run: Run, node: Activity) -> None:
    """Operation → users for the run's document (setpermissionsactivity.php,
    CBPStateService::SetStatePermissions): Clear (or no SetMode with Rewrite other than 'N')
    replaces all, Rewrite replaces the operations named, Hold adds to them."""
    props = run.props(node)
    mode = to_int(props.get("SetMode"))
    if not mode:
        mode = _HOLD if to_str(props.get("Rewrite")) == "N" else _CLEAR
    given = props.get("Permission") or {}
    granted = {str(op): run.extract_users(run.evaluator.value(who))
               for op, who in (given.items() if isinstance(given, dict) else [])}
    current: dict[str, list[int]] = run.storage.setdefault("permissions", {})
    if mode == _CLEAR:
        current.clear()
    for operation, users in granted.items():
        if mode == _HOLD:
            current[operation] = current.get(operation, []) + [
                u for u in users if u not in current.get(operation, [])]
        else:
            current[operation] = users
    run.record("permissions", node, permissions={k: list(v) for k, v in current.items()},
               mode=mode, scope=to_int(props.get("SetScope")))


@activity("FixResultActivity")
def fix_result(run: Run, node: Activity) -> None:
    """The workflow's result — a user (ResultType 1) or a created item (2) — and who may see
    it (fixresultactivity.php); an unknown ResultType fixes nothing."""
    props = run.props(node)
    result_type = to_int(props.get("ResultType"))
    fields = props.get("ResultFields") or {}
    fields = fields if isinstance(fields, dict) else {}
    if result_type == 1:
        users = run.extract_users(run.evaluator.value(fields.get("ResultUser")))
        value: Any = users[0] if users else None
    elif result_type == 2:
        value = run.evaluator.value(fields.get("ResultItem"))
    else:
        run.write_log(node, "Incorrect result type")
        return
    if value in (None, "", []):
        return
    access = props.get("AccessFields") or {}
    allowed = run.extract_users(run.evaluator.value(
        access.get("AllowedUsers") if isinstance(access, dict) else None))
    run.record("result", node, result_type=result_type, value=value,
               access=to_int(props.get("AccessType")), users=allowed)
    run.set_result(node, {"ErrorMessage": ""})
