"""Inputs in the declared Python types; outputs checked and put into Bitrix's forms, which
the portal then internalizes to the same values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.handler import Param, ValueProblem
from compiler.handler.values import input_value, inputs, output_value, outputs
from compiler.sandbox.runs.returns import convert


@pytest.mark.parametrize(("param", "raw", "expected"), [
    (Param("n", "int"), "42", 42),
    (Param("x", "double"), "1500.50", 1500.5),
    (Param("b", "bool"), "Y", True),
    (Param("b", "bool"), "N", False),
    (Param("d", "date"), "2025-03-04", date(2025, 3, 4)),
    (Param("d", "date"), "04.03.2025", date(2025, 3, 4)),
    (Param("t", "datetime"), "2025-03-04 10:30:00", datetime(2025, 3, 4, 10, 30)),
    (Param("t", "datetime"), "2025-03-04T10:30:00+03:00", datetime(2025, 3, 4, 10, 30)),
    (Param("u", "user"), "user_12", 12),
    (Param("s", "string"), "text", "text"),
    (Param("s", "select", options={"a": "A"}), "a", "a"),
    (Param("us", "user", multiple=True), ["user_1", "user_2"], [1, 2]),
    (Param("ns", "int", multiple=True), {"0": "1", "1": "2"}, [1, 2]),
    (Param("ns", "int", multiple=True), "7", [7]),
    (Param("n", "int"), "", None),
    (Param("s", "string"), None, ""),
    (Param("n", "int"), ["5"], 5),
])
def test_inputs_take_their_declared_types(param: Param, raw: Any, expected: Any) -> None:
    assert input_value(param, raw) == expected


@pytest.mark.parametrize(("param", "raw", "message"), [
    (Param("n", "int"), "12abc", "input n is not a valid int: '12abc'"),
    (Param("b", "bool"), "maybe", "input b is not a valid bool: 'maybe'"),
    (Param("d", "date"), "someday", "input d is not a valid date: 'someday'"),
    (Param("u", "user"), "group_5", "input u is not a valid user: 'group_5'"),
    (Param("x", "double", required=True), "", "input x is required but arrived empty"),
    (Param("ns", "int", multiple=True, required=True), [], "input ns is required but arrived"),
])
def test_unreadable_inputs_name_the_property(param: Param, raw: Any, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        input_value(param, raw)


def test_all_inputs_at_once() -> None:
    params = (Param("amount", "double"), Param("client", "string"))
    assert inputs(params, {"amount": "10", "extra": "x"}) == {"amount": 10.0, "client": ""}


@pytest.mark.parametrize(("param", "value", "expected"), [
    (Param("n", "int"), 42, 42),
    (Param("n", "int"), 42.0, 42),
    (Param("x", "double"), 3, 3.0),
    (Param("b", "bool"), True, "Y"),
    (Param("d", "date"), date(2025, 3, 4), "2025-03-04"),
    (Param("d", "date"), datetime(2025, 3, 4, 9, 0), "2025-03-04"),
    (Param("t", "datetime"), datetime(2025, 3, 4, 9, 0), "2025-03-04 09:00:00"),
    (Param("u", "user"), 12, "user_12"),
    (Param("u", "user"), "user_12", "user_12"),
    (Param("s", "string"), "INV-1", "INV-1"),
    (Param("s", "string"), 7, "7"),
    (Param("s", "select", options={"a": "A"}), "a", "a"),
    (Param("ns", "int", multiple=True), (1, 2), [1, 2]),
])
def test_outputs_are_put_into_bitrix_form(param: Param, value: Any, expected: Any) -> None:
    assert output_value(param, value) == expected


@pytest.mark.parametrize(("param", "value", "message"), [
    (Param("n", "int"), "42", "output n must be a int, not str '42'"),
    (Param("n", "int"), 4.5, "output n must be a int, not float 4.5"),
    (Param("n", "int"), True, "output n must be a int, not bool True"),
    (Param("x", "double"), float("nan"), "output x must be a double"),
    (Param("b", "bool"), "Y", "output b must be a bool, not str 'Y'"),
    (Param("d", "date"), "2025-03-04", "output d must be a date, not str"),
    (Param("u", "user"), "Bob", "output u must be a user, not str 'Bob'"),
    (Param("s", "string"), ["a"], "output s must be a string, not list"),
    (Param("s", "select", options={"a": "A"}), "b", "output s must be one of a, not 'b'"),
    (Param("ns", "int", multiple=True), 1, "output ns is multiple: return a list"),
])
def test_outputs_of_the_wrong_type_are_refused(param: Param, value: Any, message: str) -> None:
    with pytest.raises(ValueProblem, match=message):
        output_value(param, value)


def test_the_returned_mapping_is_checked_as_a_whole() -> None:
    params = (Param("erp_id", "string"), Param("count", "int"))
    assert outputs(params, None) == {}
    assert outputs(params, {"erp_id": "X", "count": None}) == {"erp_id": "X"}
    with pytest.raises(ValueProblem, match=r"unknown output total \(declared: erp_id, count\)"):
        outputs(params, {"total": 1})
    with pytest.raises(ValueProblem, match="must return a dict of outputs"):
        outputs(params, ["X"])


SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(min_value=-(2**53), max_value=2**53),
    "double": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "bool": st.booleans(),
    # Four-digit years: what portals store (strftime and isoformat differ below 1000).
    "date": st.dates(min_value=date(1000, 1, 1)),
    "datetime": st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 1, 1)).map(
        lambda d: d.replace(microsecond=0)),
    "user": st.integers(min_value=1, max_value=10**6),
    "string": st.text(max_size=20),
}


@given(st.sampled_from(sorted(SCALARS)).flatmap(
    lambda kind: st.tuples(st.just(kind), SCALARS[kind])))
def test_the_portal_internalizes_what_the_kit_sends_unchanged(case: tuple[str, Any]) -> None:
    kind, value = case
    sent = output_value(Param("v", kind), value)
    # What bizproc.event.send of the sandbox makes of it equals what the kit sent.
    assert convert(sent, {"TYPE": kind}) == sent
