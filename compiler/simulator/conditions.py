"""Branch and loop conditions (reference §5): the four condition kinds, every operator, and
Bitrix's joiner algorithm.

Joiners: an item with joiner 1 (OR) starts a new group whose value is the item's result; an
item with joiner 0 (AND) falsifies the current group when false; the condition holds when
any group holds. The result starts as one true group, so a first item joined with OR leaves
that group in place and the condition is always true — exactly Bitrix's behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from compiler.simulator.expressions import Evaluator, Lookup
from compiler.simulator.phpvalues import is_empty_value, loose_compare, to_str
from compiler.simulator.types import FieldInfo, compare_key, convert

CONDITION_KINDS = ("fieldcondition", "propertyvariablecondition", "mixedcondition",
                   "truecondition", "codecondition")
JOIN_OR = 1


class ConditionError(Exception):
    pass


class ConditionSources(Protocol):
    evaluator: Evaluator

    def document_field(self, code: str) -> Lookup | None: ...

    def parameter_or_variable(self, name: str) -> Lookup | None: ...

    def lookup(self, obj: str, field: str) -> Lookup | None: ...

    def modified_fields(self) -> list[str] | None: ...


@dataclass(frozen=True)
class Item:
    found: Lookup | None  # None: the source does not exist
    operator: str
    value: Any
    joiner: int
    field: str = ""


def condition_of(properties: Mapping[str, Any]) -> tuple[str, Any] | None:
    """The first property key that names a condition kind, as Bitrix's loader picks it."""
    for key, value in properties.items():
        if key.lower() in CONDITION_KINDS:
            return key.lower(), value
    return None


def evaluate(kind: str, spec: Any, sources: ConditionSources) -> bool:
    if kind == "truecondition":
        return True
    if kind == "codecondition":
        raise ConditionError("codecondition runs PHP code, which the simulator cannot run")
    return join(_check(item, sources) for item in items(kind, spec, sources))


def join(results: Iterable[tuple[bool, int]]) -> bool:
    groups = [True]
    for result, joiner in results:
        if joiner == JOIN_OR:
            groups.append(result)
        elif not result:
            groups[-1] = False
    return any(groups)


def items(kind: str, spec: Any, sources: ConditionSources) -> list[Item]:
    if kind == "mixedcondition":
        rows = [spec] if isinstance(spec, Mapping) else list(spec or [])
        out = []
        for row in rows:
            found = sources.lookup(str(row.get("object", "")), str(row.get("field", "")))
            out.append(Item(found, str(row.get("operator", "=")), row.get("value", ""),
                            _joiner(row.get("joiner")), str(row.get("field", ""))))
        return out
    rows = spec if isinstance(spec, list) else []
    if rows and not isinstance(rows[0], list):
        rows = [rows]  # a single 4-tuple without the outer list
    out = []
    for row in rows:
        code = str(row[0]) if row else ""
        operator = str(row[1]) if len(row) > 1 else "="
        value = row[2] if len(row) > 2 else ""
        joiner = _joiner(row[3] if len(row) > 3 else 0)
        if kind == "fieldcondition":
            found = sources.document_field(code)
        else:
            found = sources.parameter_or_variable(code)
            if found is None:
                operator = "empty"  # Bitrix checks a missing parameter/variable for emptiness
        out.append(Item(found, operator, value, joiner, code))
    return out


def _joiner(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _check(item: Item, sources: ConditionSources) -> tuple[bool, int]:
    if item.operator == "modified":
        modified = sources.modified_fields()
        ok = modified is None or item.field.upper() in {f.upper() for f in modified}
        return ok, item.joiner
    if item.found is None:
        return item.operator == "empty", item.joiner
    value = sources.evaluator.value(item.value)
    return operator_result(item.operator, item.found.value, value, item.found.info), item.joiner


def operator_result(operator: str, field_value: Any, condition_value: Any,
                    info: FieldInfo) -> bool:
    """One operator of §5.4 applied to a field's value and the (evaluated) condition value."""
    base = info.base
    if operator == "empty":
        return is_empty_value(field_value)
    if operator == "!empty":
        return not is_empty_value(field_value)
    if operator in ("!=", "!in", "!contain"):
        return not operator_result(operator[1:] if operator != "!=" else "=", field_value,
                                   condition_value, info)
    fields = _values(field_value, base)
    if operator == "=":
        wanted = _values(_typed(condition_value, info), base)
        if not fields and not wanted:
            return True
        if len(fields) != len(wanted):
            if len(wanted) == 1 and len(fields) == 0:
                return _equal("", wanted[0], base)
            return False
        return all(_equal(a, b, base) for a, b in zip(fields, wanted, strict=True))
    if operator in (">", ">=", "<", "<="):
        target = _first(_values(_typed(condition_value, info), base))
        subjects = fields or [""]
        return all(_ordered(operator, _compare(a, target, base)) for a in subjects)
    if operator == "between":
        bounds = condition_value if isinstance(condition_value, list) else [condition_value]
        low = _first(_values(_typed(bounds[0] if bounds else "", info), base))
        high = _first(_values(_typed(bounds[1] if len(bounds) > 1 else "", info), base))
        subject = fields[0] if fields else ""
        return _compare(subject, low, base) >= 0 and _compare(subject, high, base) <= 0
    if operator == "in":
        subjects = fields or [""]
        if isinstance(condition_value, list):
            pool = _values(_typed(condition_value, FieldInfo(info.type, True, info.options)),
                           base)
            return all(any(_equal(a, b, base) for b in pool) for a in subjects)
        haystack = to_str(condition_value)
        return all(to_str(a) in haystack for a in subjects)
    if operator == "contain":
        wanted = condition_value if isinstance(condition_value, list) else [condition_value]
        if base == "user" or isinstance(field_value, list):
            pool = fields
            needles = _values(_typed(wanted, FieldInfo(info.type, True, info.options)), base)
            return all(any(_equal(a, b, base) for a in pool) for b in needles)
        return all(to_str(w) in to_str(field_value) for w in wanted)
    # Unknown operators fall back to a strict comparison, as Bitrix's BaseOperator does.
    return bool(field_value == condition_value)


def _typed(value: Any, info: FieldInfo) -> Any:
    """A condition value parsed with the field's type (Bitrix stores them as strings)."""
    if not info.type:
        return value
    return convert(value, info)


def _values(value: Any, base: str) -> list[Any]:
    if base == "user":
        return compare_key(value, "user")  # type: ignore[no-any-return]
    if isinstance(value, list):
        return [compare_key(v, base) for v in value]
    if value is None or value == "":
        return []
    return [compare_key(value, base)]


def _first(values: list[Any]) -> Any:
    return values[0] if values else ""


def _equal(a: Any, b: Any, base: str) -> bool:
    # '' against '0' or 0.0 is treated as equal ("equal-null"), as Bitrix does.
    if {_blank(a), _blank(b)} == {True} or (_blank(a) and _zero(b)) or (_blank(b) and _zero(a)):
        return True
    return _compare(a, b, base) == 0


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _zero(value: Any) -> bool:
    return value in ("0", 0, 0.0) and not isinstance(value, bool)


def _compare(a: Any, b: Any, base: str) -> int:
    if a is None:
        a = ""
    if b is None:
        b = ""
    return loose_compare(a, b)


def _ordered(operator: str, result: int) -> bool:
    return {">": result > 0, ">=": result >= 0, "<": result < 0, "<=": result <= 0}[operator]
