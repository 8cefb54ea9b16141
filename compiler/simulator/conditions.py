"""Branch and loop conditions (reference §5): the condition kinds, every operator, joiners.

Each kind builds the items Bitrix's condition activities build
(bizproc/install/activities/bitrix/{fieldcondition,propertyvariablecondition,
mixedcondition}): the field's stored value, its type, and the condition's value parsed
and converted to that type (CBPActivity::parseValue with the type). The operators are
Bizproc\\Activity\\Operator\\* (bizproc/lib/activity/operator/), comparing through the
type's compareValues (compiler.simulator.types.compare_values).

Joiners (bizproc/lib/activity/conditiongroup.php): an item with joiner 1 (OR) starts a new
group whose value is the item's result; an item with joiner 0 (AND) falsifies the current
group when false; the condition holds when any group holds. The result starts as one true
group, so a first item joined with OR leaves that group in place and the condition is
always true — exactly Bitrix's behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from compiler.php.values import (
    array_values,
    current,
    flatten,
    has_string_representation,
    in_array,
    is_empty_value,
    php_empty,
    php_identical,
    scalar_string,
)
from compiler.simulator.expressions import Evaluator, FormulaError, Lookup
from compiler.simulator.types import FieldInfo, compare_values, string_to_type

CONDITION_KINDS = ("fieldcondition", "propertyvariablecondition", "mixedcondition",
                   "truecondition", "codecondition")
JOIN_OR = 1
_STRING = FieldInfo("string")

Users = Callable[[Any], list[int]]


class ConditionError(Exception):
    pass


class ConditionSources(Protocol):
    evaluator: Evaluator

    def document_value(self, code: str) -> tuple[Any, FieldInfo | None]: ...

    def parameter_or_variable(self, name: str) -> Lookup | None: ...

    def lookup(self, obj: str, field: str) -> Lookup | None: ...

    def modified_fields(self) -> list[str] | None: ...

    def extract_users(self, value: Any) -> list[int]: ...


@dataclass(frozen=True)
class Item:
    operator: str
    field_value: Any  # the value checked (valueToCheck)
    value: Any  # the condition's value, parsed with the field's type
    info: FieldInfo
    joiner: int


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
    return join((check(item, sources.extract_users), item.joiner)
                for item in items(kind, spec, sources))


def join(results: Iterable[tuple[bool, int]]) -> bool:
    groups = [True]
    for result, joiner in results:
        if joiner == JOIN_OR:
            groups.append(result)
        elif not result:
            groups[-1] = False
    return any(groups)


def _rows(spec: Any) -> list[Any]:
    """CBPActivityCondition: no condition (or an empty one) holds; a single row is wrapped."""
    if not spec or not isinstance(spec, list | dict):
        return []
    if isinstance(spec, dict) or not isinstance(spec[0], list | dict):
        return [spec]
    return list(spec)


def _joiner(value: Any) -> int:
    # getJoiner: empty($condition[3]) is AND, anything else OR ("0" is empty, "00" is not)
    return 0 if php_empty(value) else JOIN_OR


def items(kind: str, spec: Any, sources: ConditionSources) -> list[Item]:
    out = []
    for row in _rows(spec):
        if kind == "mixedcondition":
            out.append(_mixed_item(row if isinstance(row, Mapping) else {}, sources))
        else:
            row = list(row.values()) if isinstance(row, Mapping) else list(row)
            row += [None] * (4 - len(row))
            build = _field_item if kind == "fieldcondition" else _variable_item
            out.append(build(row, sources))
    return out


def _field_item(row: list[Any], sources: ConditionSources) -> Item:
    code, operator, raw, joiner = scalar_string(row[0]), scalar_string(row[1]), row[2], row[3]
    value, info = sources.document_value(code)
    if value is None and code.endswith("_PRINTABLE"):
        code = code[: -len("_PRINTABLE")]
        value, info = sources.document_value(code)
    if operator == "modified":
        modified = sources.modified_fields()
        return Item(operator, code, modified if modified is not None else False, _STRING,
                    _joiner(joiner))
    info = info or FieldInfo("")
    return Item(operator, value, condition_value(sources.evaluator, raw, info.base), info,
                _joiner(joiner))


def _variable_item(row: list[Any], sources: ConditionSources) -> Item:
    name, operator, raw, joiner = scalar_string(row[0]), scalar_string(row[1]), row[2], row[3]
    found = sources.parameter_or_variable(name)
    if found is None:  # neither a parameter nor a variable: it is checked for emptiness
        return Item("empty", None, None, _STRING, _joiner(joiner))
    return Item(operator, found.value, condition_value(sources.evaluator, raw, found.info.base),
                found.info, _joiner(joiner))


def _mixed_item(row: Mapping[str, Any], sources: ConditionSources) -> Item:
    obj, field = scalar_string(row.get("object")), scalar_string(row.get("field"))
    operator, raw = scalar_string(row.get("operator")), row.get("value")
    joiner = _joiner(row.get("joiner"))
    if not obj:
        return Item(operator, None, None, _STRING, joiner)
    if obj.lower() == "document":
        value, info = sources.document_value(field)
        found = Lookup(value, info or _STRING)
    else:
        found = sources.lookup(obj, field) or Lookup(None, _STRING)
    info = found.info if found.info.type else _STRING
    if info.type == "user" and isinstance(raw, str) and ("[" in raw or "{" in raw):
        raw = users_string_to_array(raw)  # mixedcondition::additionalExtractValue
    return Item(operator, found.value, condition_value(sources.evaluator, raw, info.base),
                info, joiner)


# ── operators: bizproc/lib/activity/operator/*.php ───────────────────────────────────────
def check(item: Item, users: Users) -> bool:
    operator, base = item.operator, item.info.base
    field, value = item.field_value, item.value
    if operator == "modified":  # ConditionGroup: a strict in_array in the list of changes
        return isinstance(value, list) and any(php_identical(field, v) for v in value)
    if operator in ("empty", "!empty"):
        return is_empty_value(field) == (operator == "empty")
    if base == "user":  # BaseOperator::toBaseType
        field, value = users(field), users(value)
    elif base == "select" and isinstance(field, dict):
        field = list(field)
    if operator in ("in", "!in"):
        return _in(field, value) == (operator == "in")
    if operator in ("contain", "!contain"):
        return _contain(field, value, base) == (operator == "contain")
    if operator == "between":
        return _between(field, value, base)
    if operator == "!=":
        return _not_equal(field, value, base)
    wanted = _ORDER_TESTS.get(operator)
    if wanted is None:  # an operator Bitrix does not know compares strictly (BaseOperator)
        return all(php_identical(f, v) for f, v in _pairs(field, value))
    return all(compare_values(base, f, v) in wanted for f, v in _pairs(field, value))


# The results of compareValues each comparison operator accepts.
_ORDER_TESTS = {"=": (0,), ">": (1,), ">=": (0, 1), "<": (-1,), "<=": (-1, 0)}


def _as_array(value: Any) -> list[Any]:
    """BaseOperator::valueToArray: a list; an associative array's keys; [null] for none."""
    if isinstance(value, dict):
        items = list(value)
    else:
        items = value if isinstance(value, list) else [value]
    return items or [None]


def _zero_as_null(value: Any, field: Any) -> tuple[Any, Any]:
    """normalizeZeroComparing: '' against '0' or 0.0 (either way round) compares as null."""
    if value == "" and isinstance(value, str) and _is_zero(field):
        return None, None
    if _is_zero(value) and field == "" and isinstance(field, str):
        return None, None
    return value, field


def _is_zero(value: Any) -> bool:
    return value == "0" if isinstance(value, str) else isinstance(value, float) and value == 0.0


def _pairs(field: Any, value: Any) -> Iterable[tuple[Any, Any]]:
    """Field and value elements side by side; the shorter list repeats its last element."""
    fields, values = _as_array(field), _as_array(value)
    for index in range(max(len(fields), len(values))):
        f = fields[min(index, len(fields) - 1)]
        v = values[min(index, len(values) - 1)]
        v, f = _zero_as_null(v, f)
        yield f, v


def _not_equal(field: Any, value: Any, base: str) -> bool:
    return any(compare_values(base, f, v) != 0 for f, v in _pairs(field, value))


_searchable = has_string_representation


def _in(field: Any, value: Any) -> bool:
    """InOperator: every field element is in the value list, or inside the value's text."""
    result = False
    for item in flatten(field if isinstance(field, list | dict) else [field]):
        if isinstance(value, list | dict):
            result = in_array(item, value)
        elif _searchable(value) and _searchable(item) and scalar_string(item) != "":
            result = scalar_string(item) in scalar_string(value)
        # otherwise (an empty element) the previous result stands
        if not result:
            break
    return result


def _contain(field: Any, value: Any, base: str) -> bool:
    """ContainOperator: every value element is in the field (a list element equal to it, or
    a substring of a text element); users: no wanted user is missing."""
    wanted = value if isinstance(value, list | dict) else [value]
    fields = field if isinstance(field, list | dict) else [field]
    if base == "user":
        have = {scalar_string(f) for f in array_values(fields)}
        return all(scalar_string(w) in have for w in array_values(wanted))
    result = False
    for needle in flatten(wanted):
        for item in array_values(fields):
            if isinstance(item, list | dict):
                result = in_array(needle, item)
            elif _searchable(item) and _searchable(needle) and scalar_string(needle) != "":
                result = scalar_string(needle) in scalar_string(item)
            # an empty needle leaves the result as it was
            if result:
                break
        if not result:
            break
    return result


def _between(field: Any, value: Any, base: str) -> bool:
    """BetweenOperator: the field's first element between the first elements of the two
    bounds, both included; no zero-as-null rule here."""
    bounds = value if isinstance(value, list) else [value]
    low = current(bounds[0] if bounds else None)
    high = current(bounds[1] if len(bounds) > 1 else None)
    subject = current(field if isinstance(field, list | dict) else [field])
    return compare_values(base, subject, low) >= 0 and compare_values(base, subject, high) <= 0


# ── condition values: CBPActivity::parseValue($value, $type) ─────────────────────────────
def condition_value(evaluator: Evaluator, raw: Any, base: str) -> Any:
    """The condition's value as Bitrix parses it for a field of `base` type: references
    resolved and converted, formulas calculated, and text converted from a string."""
    if isinstance(raw, list):
        out: list[Any] = []
        for item in raw:
            value = condition_value(evaluator, item, base)
            if isinstance(value, list) and evaluator.lone_token(item):
                out.extend(value)  # a reference to a list merges into the list
            else:
                out.append(value)
        return out
    if isinstance(raw, dict):
        return {key: condition_value(evaluator, item, base) for key, item in raw.items()}
    if not isinstance(raw, str):
        return raw
    now = evaluator.sources.now()
    if evaluator.lone_token(raw):
        found = evaluator.typed(raw)
        if found is None:
            return None
        if not base or found.info.base == base:
            return found.value
        return string_to_type(found.value, base, now) if found.info.base in (
            "string", "text", "") else evaluator.apply_modifiers(found, [base]).value
    if evaluator.is_formula(raw):
        try:
            result = evaluator.calculate(raw)
        except FormulaError:
            pass
        else:
            return string_to_type(result, base, now)
    return string_to_type(evaluator.text(raw), base, now)


def users_string_to_array(text: str) -> list[str]:
    """CBPHelper::UsersStringToArray (bizproc/classes/general/helper.php) for "Name [12];
    {=Document:X}": user tokens and references, in order."""
    out: list[str] = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        number = re.search(r"\[(\d+)\]", part)
        if number is not None:
            out.append(f"user_{number.group(1)}")
        elif part.startswith("{=") or part.startswith("user_") or part.startswith("group_"):
            out.append(part)
    return out
