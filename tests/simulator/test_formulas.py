"""Formulas: Bitrix's operator priorities, the calc functions, and failures keeping text."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.simulator.run import Run, Runtime
from tests.simulator.trees import template, var


def evaluator_run() -> Run:
    return Run(Runtime(template(variables={
        "n": var("int", 5), "price": var("double", "19.5"), "name": var("string", "Anna"),
        "list": var("string", ["a", "b", "c"], multiple=True), "flag": var("bool", "Y"),
        "day": var("datetime", "2025-01-31 10:00:00"), "empty": var("string", ""),
    }), clock="2025-03-07 12:00:00"))


def value(text: str) -> Any:
    return evaluator_run().evaluator.value(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("=1 + 2 * 3", 7.0),                 # * before +
    ("=(1 + 2) * 3", 9.0),
    ("=2 ^ 3 ^ 2", 64.0),                # ^ is left-associative, as in Bitrix
    ("=2 * 3 ^ 2", 18.0),                # ^ before *
    ("=-2 ^ 2", 4.0),                    # unary minus binds tighter than ^
    ("=50%", 0.5),                       # postfix percent
    ("=200 * 10%", 20.0),                # % before *
    ("=2 ^ 50% * 2", 2 ** 0.5 * 2),       # % before ^
    ("=1 + 2 & 3", "33"),                # + before &
    ("=1 & 2 = 12", True),               # & before comparison
    ("=3 > 2 = 1", True),                # comparisons are left-associative
    ("=10 / 4", 2.5),
    ("=7 - 2 - 1", 4.0),
    ("=--3", -3.0),                      # Bitrix: the second "-" is binary, (-null) - 3
    ("=1 <> 2", True),
    ("='a' < 'b'", True),
    ("='10' = 10", True),                # PHP loose comparison of a numeric string
    ("='abc' = 0", False),               # PHP 8: a non-numeric string is not 0
])
def test_operator_priorities(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("={=Variable:n} * 2", 10.0),
    ("={=Variable:price} + 0.5", 20.0),
    ("={=Variable:name} & '!'", "Anna!"),
    ("={=Variable:list}", ["a", "b", "c"]),
    ("={=Variable:list} & ''", "a, b, c"),      # arrays stringify joined with ", "
    ("={=Variable:list} + 1", 1.0),             # arithmetic takes an array's first element
    ("{{={=Variable:n} + 1}}", 6.0),            # a wholly {{=…}} value is a formula
])
def test_tokens_inside_formulas(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("=if({=Variable:n} > 3, 'big', 'small')", "big"),
    ("=and(true(), 1, 'x')", True),
    ("=and(true(), 0)", False),
    ("=or(false(), '')", False),
    ("=or(false(), 'x')", True),
    ("=not(0)", True),
    ("=true()", True),
    ("=false()", False),
    ("=substr('Bitrix24', 0, 6)", "Bitrix"),
    ("=substr('Bitrix24', 6)", "24"),
    ("=strlen('Привет')", 6),
    ("=strpos('abcabc', 'c')", 2),
    ("=strpos('abc', 'z')", False),
    ("=strtolower('ABC')", "abc"),
    ("=strtoupper('abc')", "ABC"),
    ("=trim('  x  ')", "x"),
    ("=round(2.5)", 3.0),                      # PHP rounds halves away from zero
    ("=round(-2.5)", -3.0),
    ("=round(3.14159, 2)", 3.14),
    ("=ceil(1.2)", 2.0),
    ("=floor(-1.2)", -2.0),
    ("=abs(-4)", 4.0),
    ("=intval('12.9abc')", 12),
    ("=floatval('3.5kg')", 3.5),
    ("=min(4, 2, 8)", 2.0),
    ("=max(4, {=Variable:n}, 1)", 5),
    ("=implode('-', {=Variable:list})", "a-b-c"),
    ("=explode(',', 'x,y')", ["x", "y"]),
    ("=merge({=Variable:list}, 'd')", ["a", "b", "c", "d"]),
    ("=numberformat(1234567.891, 2)", "1,234,567.89"),
    ("=numberformat(1234.5, 1, ',', ' ')", "1 234,5"),
    ("=dateadd('2025-01-31 10:00:00', '1d')", "2025-02-01 10:00:00"),
    ("=dateadd({=Variable:day}, '-4 days 5 hours')", "2025-01-27 05:00:00"),
    ("=dateadd('2025-01-01', '2h30i')", "2025-01-01 02:30:00"),
    ("=datediff('2025-01-01', '2025-03-01', '%a')", "59"),
    ("=datediff('2025-03-01', '2025-01-01', '%R%a')", "-59"),
    ("=date('d.m.Y', '2025-03-05')", "05.03.2025"),
    ("=date('Y-m-d')", "2025-03-07"),           # without a date: now (the virtual clock)
    ("=addworkdays('2025-03-07 10:00:00', 1)", "2025-03-10 10:00:00"),  # Friday + 1 → Monday
    ("=addworkdays('2025-03-07 10:00:00', 6)", "2025-03-17 10:00:00"),
    ("=settime('2025-03-07', 9, 30)", "2025-03-07 09:30:00"),
    ("=IF(1, 'upper', 'case')", "upper"),       # function names are case-insensitive
    ("=if(1; 'semicolons'; 'work')", "semicolons"),
])
def test_functions(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(("text", "kept"), [
    ("=1 / 0", "=1 / 0"),                                 # division by zero
    ("=unknown(1)", "=unknown(1)"),                       # unknown function
    ("=(1 + 2", "=(1 + 2"),                               # unmatched bracket
    ("=1 + 2)", "=1 + 2)"),
    ("=1 2", "=1 2"),                                     # incorrect order of operands
    ("=1 # 2", "=1 # 2"),                                 # syntax error
    ("=", "="),                                           # empty
    ("=if(0, 'yes')", "=if(0, 'yes')"),                   # no else: null
    ("={=Variable:n} / 0", "=5 / 0"),                     # tokens are still substituted
    ("=dateadd('not a date', '1d')", "=dateadd('not a date', '1d')"),  # null result
    ("=0", "=0"),                                         # "0" is an empty formula
])
def test_a_failing_formula_keeps_its_text(text: str, kept: str) -> None:
    assert value(text) == kept


def test_inline_formulas_and_tokens_in_text() -> None:
    assert value("Total: {{={=Variable:n} * 2}} for {=Variable:name}") == "Total: 10 for Anna"
    assert value("Broken {{=1/0}} stays") == "Broken {{=1/0}} stays"
    # A variable that is not declared reads as null, an activity that does not exist leaves
    # its token (getRealParameterValue, modules/bizproc/classes/general/activity.php).
    assert value("Unknown {=Variable:nope} is empty") == "Unknown  is empty"
    assert value("Case {=Variable:NAME} counts") == "Case  counts"
    assert value("Missing {=A1_2_3_4:Result} stays") == "Missing {=A1_2_3_4:Result} stays"
    assert value("Items: {=Variable:list}") == "Items: a, b, c"


def test_single_tokens_keep_their_type() -> None:
    assert value("{=Variable:n}") == 5
    assert value(" {=Variable:list} ") == ["a", "b", "c"]
    assert value("{=Variable:n > string}") == "5"
    assert value("{=Variable:flag > printable}") == "Yes"
    assert value("{=Variable:price > int}") == 19


def test_lists_of_values_are_merged_and_legacy_pairs_resolved() -> None:
    run = evaluator_run()
    assert run.evaluator.value(["{=Variable:list}", "d"]) == ["a", "b", "c", "d"]
    assert run.evaluator.value(["Variable", "n"]) == 5
    assert run.evaluator.value({"k": "{=Variable:n}"}) == {"k": 5}
