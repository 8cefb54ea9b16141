"""Bitrix calculated expressions (`=…`, `{{=…}}`), evaluated the way Bitrix's parser does.

Bitrix\\Bizproc\\Calc\\Parser::calculate (bizproc/lib/Calc/Parser.php) runs the formula's
reverse Polish notation (compiler.simulator.calcsyntax) on a value stack. An operator
without its operand takes null: `1 +` is 1, `* 2` is 0. `+ - * /` take a list's first
element, the unary signs, `%` and `^` cast the list itself (a non-empty list is 1). A
function's float result that is NAN or INF makes the formula null; an operator's does not
(`0 ^ -1` is INF). More than one value left on the stack makes it null as well.

Anything the parser rejects, and a null result, is None (FormulaError for callers that
keep the formula's text instead, as Bitrix's parseValue does).
"""

from __future__ import annotations

import math
from typing import Any

from compiler.php.values import (
    PhpObject,
    current,
    is_array,
    loose_compare,
    loose_equal,
    to_float,
    to_str,
)
from compiler.simulator import (
    calcsyntax,
    datefunctions,  # noqa: F401  (registers the date functions)
)
from compiler.simulator.calcsyntax import Step
from compiler.simulator.dates import date_object
from compiler.simulator.expressions import (
    Evaluator,
    FormulaError,
    register_calculator,
)
from compiler.simulator.functions import FUNCTIONS, Args

_ARGUMENTS = {name: spec.takes_arguments for name, spec in FUNCTIONS.items()}
_CACHE: dict[str, list[Step]] = {}
_CACHE_LIMIT = 4096


def notation(text: str) -> list[Step]:
    """The formula's reverse Polish notation (cached); FormulaError where Bitrix reports one."""
    cached = _CACHE.get(text)
    if cached is None:
        cached = calcsyntax.notation(text, _ARGUMENTS)
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = cached
    return cached


# ── evaluation ───────────────────────────────────────────────────────────────────────────
def calculate(evaluator: Evaluator, text: str) -> Any:
    """Parser::calculate: the formula's value; FormulaError where Bitrix's is null."""
    result = evaluate(evaluator, text)
    if result is None:
        raise FormulaError("Empty result")
    return result


def evaluate(evaluator: Evaluator, text: str) -> Any:
    """The value of `text` (with or without its leading `=`), None where Bitrix's is null.

    Date objects met on the way (date variables, date functions) come back as their text.
    """
    try:
        steps = notation(text)
    except FormulaError:
        return None
    stack: list[Any] = []
    for kind, value in steps:
        if kind == "const":
            stack.append(value)
        elif kind == "var":
            stack.append(_variable(evaluator, value))
        else:
            try:
                stack.append(_operate(value, stack, evaluator))
            except FormulaError:
                return None
    if len(stack) > 1:
        return None  # Incorrect order of operands
    return _plain(stack.pop()) if stack else None


def _pop(stack: list[Any]) -> Any:
    return stack.pop() if stack else None


def _variable(evaluator: Evaluator, token: str) -> Any:
    # The tokenizer's variable tokens are exactly the lone-token pattern Parser.php checks.
    found = evaluator.typed(token)
    if found is None:
        return None
    # BaseType\Date::internalizeValue: a date or datetime value is an object in formulas.
    if found.info.base in ("date", "datetime"):
        return date_object(found.value, found.info.base)
    return found.value


def _operate(operator: str, stack: list[Any], evaluator: Evaluator) -> Any:
    if operator == "@":
        return [_pop(stack)]
    if operator in ("+m", "-m", "%"):
        number = to_float(_pop(stack))  # no first-element rule for the unary operators
        return {"+m": number, "-m": -number, "%": number / 100}[operator]
    if operator in FUNCTIONS:
        return _call(operator, stack, evaluator)
    right, left = _pop(stack), _pop(stack)
    if operator == ";":
        if not (isinstance(left, list) and left and left[0] is not None):
            left = [left]
        return [*left, right]
    if operator == "&":
        return to_str(left) + to_str(right)
    if operator in ("=", "<>"):
        return loose_equal(left, right) == (operator == "=")
    if operator in ("<", ">", "<=", ">="):
        order = loose_compare(left, right)
        return {"<": order < 0, ">": order > 0, "<=": order <= 0, ">=": order >= 0}[operator]
    if operator == "^":
        return _power(to_float(left), to_float(right))
    x, y = to_float(current(left)), to_float(current(right))
    if operator == "+":
        return x + y
    if operator == "-":
        return x - y
    if operator == "*":
        return x * y
    if y == 0:
        raise FormulaError("Division by zero")
    return x / y


def _power(base: float, exponent: float) -> float:
    """PHP's float `**`: INF on overflow and for 0 ** negative, NAN for a complex result."""
    try:
        result = base ** exponent
    except ZeroDivisionError:
        return math.copysign(math.inf, base) if exponent % 2 == 1 else math.inf
    except OverflowError:
        return math.inf if base > 0 or exponent % 2 == 0 else -math.inf
    return math.nan if isinstance(result, complex) else float(result)


def _call(name: str, stack: list[Any], evaluator: Evaluator) -> Any:
    spec = FUNCTIONS[name]
    values: list[Any] = []
    if spec.takes_arguments:
        given = _pop(stack)
        values = list(given.values()) if isinstance(given, dict) else \
            given if isinstance(given, list) else [given]
    result = spec.run(evaluator.sources, Args(values))
    if isinstance(result, float) and not math.isfinite(result):
        raise FormulaError(f'Incorrect arguments of function "{name}"')
    return result


def _plain(value: Any) -> Any:
    """A result as the simulator stores values: date objects as their text."""
    if isinstance(value, PhpObject):
        return value.text
    if is_array(value):
        if isinstance(value, dict):
            return {key: _plain(item) for key, item in value.items()}
        return [_plain(item) for item in value]
    return value


register_calculator(calculate)
