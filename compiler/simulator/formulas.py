"""Bitrix calculated expressions (`=…`, `{{=…}}`): tokens, priorities, evaluation.

Operator priorities, low to high, are Bitrix's (reference §4.2): comparison `= <> < > <= >=`
(3) < `&` (4) < `+ -` (5) < `* /` (6) < `^` (7) < postfix `%` (8) < unary `+ -` (9); every
binary operator is left-associative, so `2 ^ 3 ^ 2` is 64 as in Bitrix. Numbers are floats,
strings have no escapes, `,` and `;` separate arguments. Anything Bitrix's parser rejects
raises FormulaError, and the caller keeps the formula's text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from compiler.simulator.expressions import (
    TOKEN_PLAIN,
    Evaluator,
    FormulaError,
    register_calculator,
)
from compiler.simulator.functions import FUNCTIONS
from compiler.simulator.phpvalues import first, loose_compare, loose_equal, to_float, to_str

Node = tuple[Any, ...]

_LEXER = re.compile(
    r"\s*(?:"
    r"(?P<open>\()|(?P<close>\))|(?P<sep>[,;])"
    r"|(?P<op><=|>=|<>|[=<>&+\-*/^%])"
    r"|(?P<num>[\d.]+)"
    r"|'(?P<sq>[^']*)'|\"(?P<dq>[^\"]*)\""
    r"|(?P<func>\w+)\s*\("
    r"|(?P<var>" + TOKEN_PLAIN + r")"
    r")\s*",
    re.IGNORECASE,
)
_BINARY = {"=": 3, "<>": 3, "<": 3, ">": 3, "<=": 3, ">=": 3, "&": 4, "+": 5, "-": 5,
           "*": 6, "/": 6, "^": 7}
_CACHE: dict[str, Node] = {}
_CACHE_LIMIT = 4096


def tokenize(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.strip()
    if not text:
        raise FormulaError("Empty")
    while position < len(text):
        match = _LEXER.match(text, position)
        if match is None or match.end() == position:
            raise FormulaError(f'Syntax error "{text[position:]}"')
        kind = match.lastgroup
        assert kind is not None
        if kind in ("sq", "dq"):
            tokens.append(("str", match.group(kind)))
        elif kind == "num":
            tokens.append(("num", _number(match.group(kind))))
        elif kind == "func":
            name = match.group(kind).lower()
            if name not in FUNCTIONS:
                raise FormulaError(f'Unknown function "{name}"')
            tokens.append(("func", name))
        else:
            tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _number(text: str) -> float:
    match = re.match(r"\d*\.?\d*", text)
    digits = match.group(0) if match else ""
    try:
        return float(digits) if digits not in ("", ".") else 0.0
    except ValueError:
        return 0.0


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]):
        self.tokens = tokens
        self.index = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise FormulaError("Incorrect order of operands")
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expression(0)
        token = self.peek()
        if token is not None:
            if token[0] == "close":
                raise FormulaError('Unmatched closing bracket ")"')
            raise FormulaError("Incorrect order of operands")
        return node

    def expression(self, minimum: int) -> Node:
        left = self.operand()
        while True:
            token = self.peek()
            if token is None or token[0] != "op" or token[1] not in _BINARY:
                return left
            priority = _BINARY[token[1]]
            if priority < minimum:
                return left
            self.index += 1
            right = self.expression(priority + 1)
            left = ("bin", token[1], left, right)

    def operand(self) -> Node:
        kind, value = self.take()
        if kind == "op" and value in ("+", "-"):
            node: Node = ("neg" if value == "-" else "pos", self.operand())
        elif kind == "num" or kind == "str":
            node = ("const", value)
        elif kind == "var":
            node = ("var", value)
        elif kind == "func":
            node = ("call", value, self.arguments())
        elif kind == "open":
            items = self.arguments()
            node = items[0] if len(items) == 1 else ("list", items)
            if not items:
                raise FormulaError("Incorrect order of operands")
        elif kind == "close":
            raise FormulaError('Unmatched closing bracket ")"')
        else:
            raise FormulaError("Incorrect order of operands")
        while (token := self.peek()) is not None and token == ("op", "%"):
            self.index += 1
            node = ("pct", node)
        return node

    def arguments(self) -> list[Node]:
        """Comma-separated expressions up to the matching ')'; the '(' is consumed."""
        items: list[Node] = []
        token = self.peek()
        if token is not None and token[0] == "close":
            self.index += 1
            return items
        while True:
            items.append(self.expression(0))
            token = self.peek()
            if token is None:
                raise FormulaError('Unmatched opening bracket "("')
            self.index += 1
            if token[0] == "close":
                return items
            if token[0] != "sep":
                raise FormulaError("Incorrect order of operands")
            after = self.peek()
            if after is not None and after[0] == "close":  # a trailing comma is tolerated
                self.index += 1
                return items


def parse(text: str) -> Node:
    node = _CACHE.get(text)
    if node is None:
        node = _Parser(tokenize(text)).parse()
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE[text] = node
    return node


def calculate(evaluator: Evaluator, text: str) -> Any:
    """The formula's value; FormulaError where Bitrix's calculate() would return null."""
    result = _eval(parse(text), evaluator)
    if result is None:
        raise FormulaError("Empty result")
    return result


def _eval(node: Node, ev: Evaluator) -> Any:
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "var":
        found = ev.typed(node[1])
        return None if found is None else found.value
    if kind == "bin":
        return _binary(node[1], _eval(node[2], ev), _eval(node[3], ev))
    if kind == "call":
        args = [_eval(arg, ev) for arg in node[2]]
        result = FUNCTIONS[node[1]](ev.sources, args)
        if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
            raise FormulaError(f'Incorrect arguments of function "{node[1]}"')
        return result
    if kind == "neg":
        return -to_float(_eval(node[1], ev))
    if kind == "pos":
        return to_float(_eval(node[1], ev))
    if kind == "pct":
        return to_float(_eval(node[1], ev)) / 100
    if kind == "list":
        return [_eval(item, ev) for item in node[1]]
    raise FormulaError("Syntax error")


def _binary(op: str, a: Any, b: Any) -> Any:
    if op == "&":
        return to_str(a) + to_str(b)
    if op == "=":
        return loose_equal(a, b)
    if op == "<>":
        return not loose_equal(a, b)
    if op in ("<", ">", "<=", ">="):
        result = loose_compare(a, b)
        return {"<": result < 0, ">": result > 0, "<=": result <= 0, ">=": result >= 0}[op]
    x, y = to_float(first(a)), to_float(first(b))
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        if y == 0:
            raise FormulaError("Division by zero")
        return x / y
    try:
        power = x ** y
    except (OverflowError, ZeroDivisionError) as error:
        raise FormulaError("Incorrect order of operands") from error
    if isinstance(power, complex):
        return math.nan
    return float(power)


register_calculator(calculate)
