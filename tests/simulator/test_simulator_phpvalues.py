"""PHP's value rules as small pure functions (compiler.php.values), each against
what PHP 8.2 gives."""

from __future__ import annotations

import math
from typing import Any

import pytest

from compiler.php.values import (
    float_to_string,
    get_bool,
    is_empty_value,
    is_numeric,
    loose_compare,
    loose_equal,
    make_array_flat,
    number_format,
    php_identical,
    php_max,
    php_min,
    php_round,
    title_case,
    to_float,
    to_int,
    to_str,
    urlencode,
)


@pytest.mark.parametrize(("number", "text"), [
    (0.1 + 0.2, "0.3"), (1 / 3, "0.33333333333333"), (1e20, "1.0E+20"), (1e14, "1.0E+14"),
    (99999999999999.9, "1.0E+14"), (123456789012345678.0, "1.2345678901235E+17"),
    (0.00001, "1.0E-5"), (0.0001, "0.0001"), (-0.0, "-0"), (3.0, "3"), (1.5, "1.5"),
    (math.inf, "INF"), (-math.inf, "-INF"), (math.nan, "NAN"),
])
def test_floats_print_with_precision_14(number: float, text: str) -> None:
    assert float_to_string(number) == text


@pytest.mark.parametrize(("value", "number"), [
    (1e20, 7766279631452241920), (-1e20, -7766279631452241920), (math.nan, 0), (math.inf, 0),
    ("9999999999999999999", 2**63 - 1), ("1e3", 1000), (" 42", 42), ("42 ", 42),
    ("1e400", 0), ("12.9abc", 12), ("abc", 0), (True, 1), (None, 0), ([1], 1), ([], 0),
])
def test_int_casts(value: Any, number: int) -> None:
    assert to_int(value) == number


@pytest.mark.parametrize(("value", "number"), [
    (" 5", 5.0), ("5 ", 5.0), ("\n5", 5.0), ("1e", 1.0), (".5", 0.5), ("5.", 5.0),
    ("-.5e-3x", -0.0005), ("0x1A", 0.0), ("1,5", 1.0), ("", 0.0), ([0], 1.0),
])
def test_float_casts(value: Any, number: float) -> None:
    assert to_float(value) == number


@pytest.mark.parametrize(("value", "numeric"), [
    (" 5", True), ("5 ", True), ("5. ", True), (".", False), (" ", False), ("1e3", True),
    ("0x1A", False), (True, False), (5, True),
])
def test_numeric_strings(value: Any, numeric: bool) -> None:
    assert is_numeric(value) is numeric


@pytest.mark.parametrize(("a", "b", "equal"), [
    ("abc", 0, False), ("1", "01", True), ("10", "1e1", True), (100, "1e2", True),
    (None, False, True), ([], False, True), (" 1", 1, True), ("1 ", 1, True),
    ("abc", "ABC", False), (None, "", True), (None, 0, True), ([1, 2], [1, 2], True),
    ([1, 2], [2, 1], False), ("1.0", "1", True),
])
def test_loose_equality(a: Any, b: Any, equal: bool) -> None:
    assert loose_equal(a, b) is equal


@pytest.mark.parametrize(("a", "b", "order"), [
    ("abc", "ABC", 1), ("9", "10", -1), ("9a", "10a", 1), ("abc", 5, 1), (5, "abc", -1),
    (None, -1, -1), ([1, 2], [2, 1], -1), ([1], [1, 2], -1), ([1], 5, 1), (False, True, -1),
])
def test_spaceship(a: Any, b: Any, order: int) -> None:
    assert loose_compare(a, b) == order


def test_min_and_max_follow_php_order() -> None:
    assert php_min(["abc", 5]) == 5 and php_min([5, "abc"]) == 5
    assert php_max(["abc", 5]) == "abc"
    assert php_min(["10", "9a"]) == "10"
    assert php_min([1, "1"]) == 1 and php_min(["1", 1]) == "1"  # the first of equals


@pytest.mark.parametrize(("number", "places", "result"), [
    (2.5, 0, 3.0), (-2.5, 0, -3.0), (1.955, 2, 1.96), (5.055, 2, 5.06), (0.285, 2, 0.29),
    (1.45, 1, 1.5), (1234.5, -2, 1200.0), (123456.785, 2, 123456.79),
])
def test_round_halves_away_from_zero(number: float, places: int, result: float) -> None:
    assert php_round(number, places) == result


def test_round_keeps_the_sign_of_zero() -> None:
    assert math.copysign(1, php_round(-0.4)) == -1


@pytest.mark.parametrize(("args", "text"), [
    ((1234567.891, 2, ".", ","), "1,234,567.89"), ((1234.5, 1, ",", " "), "1 234,5"),
    ((-0.4, 0, ".", ","), "0"), ((0.125, 2, ".", ","), "0.13"), ((1234.5, -1, ".", ","), "1,235"),
    ((1e15, 0, ".", ","), "1,000,000,000,000,000"),
])
def test_number_format(args: tuple[float, int, str, str], text: str) -> None:
    assert number_format(*args) == text


@pytest.mark.parametrize(("text", "title"), [
    ("HELLO wORLD-foo bar_baz", "Hello World-Foo Bar_Baz"), ("o'neil", "O'neil"),
    ("a.b c:d e·f", "A.b C:d E·f"), ("x1y", "X1Y"), ("привет МИР", "Привет Мир"),
    ("ǆemal", "ǅemal"), ("^c `d", "^C `D"), ("a^b", "A^b"), ("a!b", "A!B"),
])
def test_title_case_is_mbstring_title_case(text: str, title: str) -> None:
    assert title_case(text) == title


def test_urlencode_is_phps() -> None:
    assert urlencode("~-._* +/é") == "%7E-._%2A+%2B%2F%C3%A9"


def test_stringify_and_flat_arrays() -> None:
    assert to_str(["a", ["b", 1.5], None, True]) == "a, b, 1.5, , 1"
    assert make_array_flat(["x", "", " ", ["y", None], 0]) == ["x", "y", 0]


def test_helper_rules() -> None:
    assert is_empty_value(False) and is_empty_value(["", None, False])
    assert not is_empty_value("0") and not is_empty_value([0])
    assert not get_bool("N") and not get_bool("false") and not get_bool("0")
    assert get_bool("Y") and get_bool("false ") and get_bool(2)
    assert php_identical([1, "a"], [1, "a"]) and not php_identical(1, 1.0)
    assert not php_identical("1", 1)
