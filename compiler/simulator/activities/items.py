"""What activities do to documents other than (or as well as) the run's own: create one,
write its fields, find one by a field filter, read its fields, delete it. The documents live
in the run's store (compiler.simulator.store); the run's own document is written through
`Run.set_field`, so its changes count as modifications like SetField's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import is_numeric, to_float, to_str
from compiler.simulator.store import FIRST_NEW_ID, split_key

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def evaluated(run: Run, values: Any) -> dict[str, Any]:
    """A fields map with every value evaluated (non-maps give nothing)."""
    if not isinstance(values, Mapping):
        return {}
    return {str(code): run.evaluator.value(raw) for code, raw in values.items()}


def create(run: Run, node: Activity, prefix: str, fields: Mapping[str, Any]) -> int:
    """A new document `<prefix>_<id>` with `fields`, recorded (kind document)."""
    new_id = run.store.create(prefix, fields, lambda: run.next_id("document", FIRST_NEW_ID))
    run.record("document", node, type=node.type, key=f"{prefix}_{new_id}", id=new_id,
               fields=dict(fields))
    return new_id


def write(run: Run, key: str, values: Mapping[str, Any], merge: bool = False) -> bool:
    """Writes fields of the document `key`; False when there is no such document."""
    if key.upper() == run.store.current:
        for code, value in values.items():
            run.set_field(code, value, merge)
        return True
    target = run.store.get(key)
    if target is None:
        return False
    for code, value in values.items():
        current = target.get(code)
        if merge and isinstance(current, list):
            value = current + (value if isinstance(value, list) else [value])
        target[code] = value
    return True


def missing(run: Run, node: Activity, key: str, what: str = "") -> None:
    """The activity's target is not among the documents the run knows: Bitrix would find
    nothing (an error in the log), or a document the scenario does not give."""
    run.write_log(node, f"{what or key} was not found")
    run.note(node, f"{key} is not among the scenario's [documents]; on a portal it may "
                   "exist — give it there to simulate this activity")


# ── field filters (Bitrix\Bizproc\Automation\Engine\ConditionGroup) ────────────────────────
def _holds(operator: str, actual: Any, wanted: Any) -> bool:
    values = actual if isinstance(actual, list) else [actual]
    text = [to_str(v) for v in values]
    if operator == "empty":
        return all(t == "" for t in text)
    if operator == "!empty":
        return any(t != "" for t in text)
    options = wanted if isinstance(wanted, list) else [wanted]
    if operator in ("in", "!in"):
        found = any(t in [to_str(o) for o in options] for t in text)
        return found if operator == "in" else not found
    if operator in ("contain", "!contain"):
        found = any(to_str(wanted).lower() in t.lower() for t in text)
        return found if operator == "contain" else not found
    left, right = (values[0] if values else ""), wanted
    if is_numeric(left) and is_numeric(right):
        a: Any = to_float(left)
        b: Any = to_float(right)
    else:
        a, b = to_str(left), to_str(right)
    return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b,
            "<=": a <= b}.get(operator, False)


def _groups(run: Run, filter_value: Any) -> list[list[tuple[str, str, Any]]]:
    """{"items": [[{field, operator, value}, joiner], …]} as OR-ed groups of AND-ed tests:
    a condition joined with OR starts a new group (crmgetdynamicinfoactivity.php)."""
    items = filter_value.get("items", []) if isinstance(filter_value, Mapping) else []
    groups: list[list[tuple[str, str, Any]]] = [[]]
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, list | tuple) or not item or not isinstance(item[0], Mapping):
            continue
        condition = item[0]
        joiner = to_str(item[1]).upper() if len(item) > 1 else "AND"
        test = (to_str(condition.get("field")), to_str(condition.get("operator", "=")),
                run.evaluator.value(condition.get("value", "")))
        if joiner == "OR" and groups[-1]:
            groups.append([])
        groups[-1].append(test)
    return groups


def find(run: Run, prefix: str, filter_value: Any,
         extra: list[tuple[str, str, Any]] | None = None) -> Iterator[str]:
    """Keys of the documents of one type that pass the filter, in id order."""
    groups = _groups(run, filter_value)
    if extra:
        groups = [extra + group for group in groups]
    for key, fields in run.store.of_prefix(prefix):
        if any(all(_holds(op, fields.get(code, ""), value) for code, op, value in group)
               for group in groups):
            yield key


def entity_id(key: str) -> int:
    parts = split_key(key)
    return parts[1] if parts is not None else 0
