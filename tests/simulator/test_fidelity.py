"""Each way the simulator used to differ from Bitrix, one test per class (issue 13).

The values are Bitrix's, as its own code computes them (see test_parity_formulas for how
they were obtained); the parity tables hold many more cases of each class.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from compiler.simulator import formulas
from compiler.simulator.conditions import evaluate
from compiler.simulator.run import Run, Runtime
from tests.simulator.trees import template, var

VARIABLES = {
    "list": ("string", ["a", "b", "c"], True), "holes": ("string", ["x", "", "y", "0"], True),
    "day": ("datetime", "2025-01-31 10:00:00", False), "nothing": ("string", None, False),
}


def run_with(variables: dict[str, tuple[str, Any, bool]]) -> Run:
    run = Run(Runtime(template(variables={name: var(type_, "", multiple)
                                         for name, (type_, _, multiple) in variables.items()}),
                      clock="2025-01-06 09:00:00"))
    for name, (_, value, _) in variables.items():
        run.variables[name] = value
    return run


def calc(text: str) -> Any:
    return formulas.evaluate(run_with(VARIABLES).evaluator, text)


def holds(type_: str, field: Any, operator: str, value: Any, multiple: bool = False) -> bool:
    run = run_with({"f": (type_, field, multiple)})
    return evaluate("propertyvariablecondition", [["f", operator, value, 0]], run)


# ── formulas ─────────────────────────────────────────────────────────────────────────────
def test_1_floats_print_with_php_precision_14() -> None:
    assert calc("=0.1 + 0.2 & ''") == "0.3"
    assert calc("=1 / 3 & ''") == "0.33333333333333"
    assert calc("=100000000000000000000 & ''") == "1.0E+20"
    assert calc("=0 * -1 & ''") == "-0"
    assert run_with({}).evaluator.value("x {{=1/3}} y") == "x 0.33333333333333 y"


@pytest.mark.parametrize("function", ["round", "ceil", "floor", "abs"])
def test_2_math_on_text_is_math_on_zero(function: str) -> None:
    assert calc(f"={function}('abc')") == 0.0
    assert calc(f"={function}('')") == 0.0
    assert calc(f"={function}('1,5')") == 1.0  # the leading number: (float)"1,5" is 1


def test_3_many_functions_take_a_lists_first_element() -> None:
    assert calc("=strlen({=Variable:list})") == 1
    assert calc("=urlencode({=Variable:list})") == "a"
    assert calc("=strtolower({=Variable:list})") == "a"
    assert calc("=explode(',', {=Variable:list})") == ["a"]
    assert calc("=implode(',', 'a', 'b')") == "a"  # only the second argument is joined


def test_4_implode_drops_empty_pieces_and_needs_a_scalar_glue() -> None:
    assert calc("=implode(',', {=Variable:holes})") == "x,y,0"
    assert calc("=implode({=Variable:list})") is None
    assert calc("=implode({=Variable:list}, ',')") is None


def test_5_zero_text_counts_as_empty() -> None:
    assert calc("=substr('0', 0, 1)") == ""
    assert calc("=strpos('0', '0')") is False
    assert calc("=strpos('a0', '0')") == 1


def test_6_ucwords_is_mbstring_title_case() -> None:
    assert calc("=ucwords('HELLO world')") == "Hello World"
    assert calc('=ucwords("o\'neil mc-donald x1y")') == "O'neil Mc-Donald X1Y"


def test_7_dateadd_knows_only_bitrix_units() -> None:
    assert calc("=dateadd({=Variable:day}, '1w')") == "2025-01-31 10:00:00"
    assert calc("=dateadd({=Variable:day}, '5 mins')") == "2025-01-31 10:00:00"
    assert calc("=dateadd({=Variable:day}, 'garbage')") == "2025-01-31 10:00:00"
    assert calc("=dateadd({=Variable:day}, 'x 2d y')") == "2025-02-02 10:00:00"
    assert calc("=dateadd({=Variable:day}, '1d 2d')") == "2025-02-02 10:00:00"
    assert calc("=dateadd({=Variable:day}, '')") == 1738317600  # the timestamp
    assert calc("=addworkdays({=Variable:day}, 0)") == 1738317600


def test_8_missing_arguments_are_null_not_defaults() -> None:
    assert calc("=datediff('2025-01-01', '2025-03-01')") is None
    assert calc("=date('', {=Variable:day})") is None
    assert calc("=if(0, 'yes')") is None
    assert calc("=min()") is False
    assert calc("=max()") is False


def test_9_workdateadd_goes_back_across_the_working_day() -> None:
    assert calc("=workdateadd('2025-01-07 10:00:00', '-2h')") == "2025-01-06 17:00:00"
    assert calc("=workdateadd('2025-01-10 17:30:00', '1h')") == "2025-01-13 09:30:00"


def test_10_strtotime_reads_relative_phrases() -> None:
    assert calc("=strtotime('tomorrow')") == "2025-01-07 00:00:00"
    assert calc("=strtotime('next monday')") == "2025-01-13 00:00:00"
    assert calc("=strtotime('1 week ago', {=Variable:day})") == "2025-01-24 10:00:00"
    assert calc("=strtotime('last day of next month', {=Variable:day})") == \
        "2025-02-28 10:00:00"


def test_11_parser_quirks() -> None:
    assert calc("=--5") == -5.0       # the second "-" is binary: (-null) - 5
    assert calc("=.5") is None        # not a number token: a variable name, null
    assert calc("=1 + .5") == 1.0
    assert calc("=if({=Variable:nothing}, 'yes', 'no')") == "yes"  # [null] is truthy
    assert calc("=and()") is False
    assert calc("=0 ^ -1") == math.inf
    assert calc("=10 ^ 400") == math.inf


def test_12_broken_syntax_is_evaluated_as_the_portal_does() -> None:
    assert calc("=1 +") == 1.0
    assert calc("=* 2") == 0.0
    assert calc("=1; 2") == [1.0, 2.0]
    assert calc("=1 2") is None
    run = run_with({})
    assert run.evaluator.value("=1 2") == "=1 2"  # a null formula keeps its text


# ── conditions ───────────────────────────────────────────────────────────────────────────
def test_c1_empty_and_zero_text_are_equal() -> None:
    assert holds("string", "", "=", "0")
    assert holds("string", "0", "=", "")
    assert not holds("string", "", "!=", "0")
    assert holds("string", "", "<=", "0") and holds("string", "", ">=", "0")


def test_c2_an_int_field_only_equates_zero_text_and_float_zero_with_empty() -> None:
    assert not holds("int", "", "=", "0")   # "0" becomes the int 0, which '' is not
    assert holds("double", "", "=", "0")    # "0" becomes the float 0.0


def test_c3_bools_compare_after_yn_conversion() -> None:
    assert holds("bool", "Y", "=", "yes")
    assert holds("bool", True, "=", "Y")
    assert holds("bool", "N", "=", "false")
    assert not holds("bool", "N", "=", "1")


def test_c4_a_null_field_orders_as_null() -> None:
    assert holds("int", None, ">=", "0")
    assert not holds("int", None, "<", "0")


def test_c5_lists_compare_pairwise() -> None:
    assert not holds("int", [1, 2], "<=", ["2", "1"], multiple=True)
    assert holds("int", [1, 2], "<=", ["1", "2"], multiple=True)


def test_c6_empty_needles_never_match() -> None:
    assert not holds("string", "abc", "in", "")
    assert not holds("string", "abc", "contain", "")


def test_c7_contain_searches_each_list_element() -> None:
    assert holds("string", ["ab", "c"], "contain", "b", multiple=True)
    assert not holds("string", ["ab", "c"], "contain", "x", multiple=True)


def test_c8_false_is_empty() -> None:
    assert holds("string", False, "empty", "")
    assert not holds("string", False, "!empty", "")


def test_modified_is_false_without_a_list_of_changed_fields() -> None:
    run = Run(Runtime(template(), document={"TITLE": "x"}))
    assert not evaluate("fieldcondition", [["TITLE", "modified", "", 0]], run)
    run = Run(Runtime(template(), document={"TITLE": "x"}, modified_fields=["TITLE"]))
    assert evaluate("fieldcondition", [["TITLE", "modified", "", 0]], run)
