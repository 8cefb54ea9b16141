"""Conditions: every operator of §5.4, the four condition kinds, and the joiner algorithm."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.simulator.conditions import evaluate, join
from compiler.simulator.run import Run, Runtime
from compiler.simulator.types import FieldInfo
from tests.simulator.trees import template, var


def make_run(document: dict[str, Any] | None = None, **types: Any) -> Run:
    return Run(Runtime(
        template(variables={"n": var("int", 5), "tags": var("string", ["a", "b"], True)},
                parameters={"limit": var("double", "100")}),
        document=document or {}, field_types=types, modified_fields=["TITLE"]))


INT = FieldInfo("int")
STRING = FieldInfo("string")
USERS = FieldInfo("user", True)
DATE = FieldInfo("date")


@pytest.mark.parametrize(("operator", "field", "value", "info", "expected"), [
    ("=", 5, "5", INT, True),
    ("=", 5, "6", INT, False),
    ("=", "", "0", INT, False),                   # "0" becomes the int 0, which '' is not
    ("=", "", "0", STRING, True),                 # '' and '0' count as equal-null
    ("=", ["a", "b"], ["a", "b"], FieldInfo("string", True), True),
    ("=", ["a", "b"], ["a"], FieldInfo("string", True), False),
    ("!=", 5, "6", INT, True),
    ("!=", "x", "x", STRING, False),
    (">", 10, "9", INT, True),
    (">", "10", "9", STRING, True),               # numeric strings compare as numbers (PHP)
    (">", "b", "a", STRING, True),
    (">=", 9, "9", INT, True),
    ("<", 1, "2", INT, True),
    ("<=", 3, "2", INT, False),
    ("<", "2025-01-02", "2025-01-10", DATE, True),
    ("in", "WEB", ["WEB", "CALL"], STRING, True),
    ("in", "MAIL", ["WEB", "CALL"], STRING, False),
    ("in", "EB", "WEB site", STRING, True),        # substring of a string value
    ("in", ["a", "b"], ["a", "b", "c"], FieldInfo("string", True), True),
    ("in", ["a", "z"], ["a", "b", "c"], FieldInfo("string", True), False),
    ("!in", "MAIL", ["WEB"], STRING, True),
    ("contain", "Hello world", "world", STRING, True),
    ("contain", ["a", "b"], "b", FieldInfo("string", True), True),
    ("contain", ["user_1", "user_2"], ["user_2"], USERS, True),
    ("contain", ["user_1"], ["user_1", "user_3"], USERS, False),
    ("!contain", "Hello", "bye", STRING, True),
    ("empty", "", None, STRING, True),
    ("empty", [], None, FieldInfo("string", True), True),
    ("empty", ["", None], None, FieldInfo("string", True), True),
    ("empty", "0", None, STRING, False),
    ("!empty", "x", None, STRING, True),
    ("between", 15, ["10", "20"], INT, True),
    ("between", 25, ["10", "20"], INT, False),
    ("between", 10, ["10", "20"], INT, True),
    ("between", "2025-05-05", ["2025-05-01", "2025-05-31"], DATE, True),
    ("strange", "a", "a", STRING, True),           # unknown: a strict comparison
    ("strange", 1, "1", STRING, False),
])
def test_operators(operator: str, field: Any, value: Any, info: FieldInfo,
                   expected: bool) -> None:
    assert holds(operator, field, value, info) is expected


def holds(operator: str, field: Any, value: Any, info: FieldInfo) -> bool:
    """A propertyvariablecondition on a variable `f` of `info`'s type holding `field`."""
    run = Run(Runtime(template(variables={"f": var(info.type, "", info.multiple)})))
    run.variables["f"] = field
    return evaluate("propertyvariablecondition", [["f", operator, value, 0]], run)


def test_modified_operator_reads_the_changed_fields() -> None:
    run = make_run({"TITLE": "x", "STAGE_ID": "NEW"})
    assert evaluate("fieldcondition", [["TITLE", "modified", "", 0]], run)
    assert not evaluate("fieldcondition", [["STAGE_ID", "modified", "", 0]], run)


@pytest.mark.parametrize(("items", "expected"), [
    ([(True, 0), (True, 0)], True),
    ([(True, 0), (False, 0)], False),
    ([(False, 0), (True, 1)], True),              # OR starts a new group
    ([(True, 0), (False, 0), (True, 1)], True),   # a AND b OR c = (a AND b) OR c
    ([(False, 0), (True, 1), (False, 0)], False),  # a OR b AND c = a OR (b AND c)
    ([(True, 1), (False, 1)], True),              # first item OR: the initial group stays true
    ([(False, 1)], True),                         # …so the condition is always true
    ([], True),
])
def test_joiners(items: list[tuple[bool, int]], expected: bool) -> None:
    assert join(items) is expected


def test_field_condition_reads_the_document_with_its_types() -> None:
    run = make_run({"OPPORTUNITY": "150000", "STAGE_ID": "NEW"}, OPPORTUNITY="string")
    assert evaluate("fieldcondition", [["OPPORTUNITY", ">", "{=Template:limit}", 0]], run)
    assert evaluate("fieldcondition", ["STAGE_ID", "=", "NEW", 0], run)  # one bare tuple
    assert not evaluate("fieldcondition", [["STAGE_ID", "=", "WON", 0]], run)
    # a field the document does not have is null: empty, and equal to ''
    assert evaluate("fieldcondition", [["MISSING", "empty", "", 0]], run)
    assert evaluate("fieldcondition", [["MISSING", "=", "", 0]], run)
    assert not evaluate("fieldcondition", [["MISSING", "=", "x", 0]], run)


def test_property_variable_condition_looks_up_parameters_then_variables() -> None:
    run = make_run()
    assert evaluate("propertyvariablecondition", [["limit", "=", "100", 0]], run)
    assert evaluate("propertyvariablecondition", [["n", ">", "4", 0]], run)
    assert evaluate("propertyvariablecondition", [["tags", "contain", "b", 0]], run)
    # neither a parameter nor a variable: evaluated as `empty`, which holds
    assert evaluate("propertyvariablecondition", [["nothing", "=", "x", 0]], run)


def test_mixed_condition_reads_any_source() -> None:
    run = make_run({"CURRENCY_ID": "USD"})
    spec = [{"object": "Variable", "field": "n", "operator": ">=", "value": "5", "joiner": 0},
            {"object": "Document", "field": "CURRENCY_ID", "operator": "=", "value": "EUR",
             "joiner": 0},
            {"object": "Template", "field": "limit", "operator": "=", "value": "100",
             "joiner": 1}]
    assert evaluate("mixedcondition", spec, run)  # (true AND false) OR true
    assert not evaluate("mixedcondition", spec[:2], run)


def test_true_condition() -> None:
    assert evaluate("truecondition", "1", make_run())
