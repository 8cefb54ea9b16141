"""Bitrix calc formulas (`=dateadd({=System:Now}, "1d")`) parsed into .bpl expressions.

The grammar is Bitrix's (reference §4.2): comparisons `= <> < > <= >=`, then `&`, `+ -`,
`* /`, `^`, postfix `%`, unary `+ -`, function calls with `,` or `;` between arguments,
numbers, strings in single or double quotes without escapes, and field tokens. Operators of
one level group left to right (Bitrix folds them so). Anything else: no expression, and the
caller keeps the formula as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from compiler.catalog import FunctionSpec
from compiler.importer.tokens import FIELD_TOKEN, FieldToken, field_token
from compiler.php.serialize import php_integer_literal
from compiler.source import Span
from compiler.syntax import ast

TokenReader = Callable[[FieldToken], ast.Expr | None]

_NOWHERE = Span.unknown("<import>")
_LEXEME = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?(?![\d.]))|(?P<string>\"[^\"]*\"|'[^']*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?=\()|(?P<op><=|>=|<>|[=<>&+\-*/^%(),;]))")
_COMPARE = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_LEVELS = [("&",), ("+", "-"), ("*", "/"), ("^",)]
# Calc functions whose .bpl spelling is not a call: `not` is a keyword of the language.
_SPECIAL = {"true", "false", "not"}


class _Fail(Exception):
    pass


@dataclass
class _Lexeme:
    kind: str
    text: str
    token: FieldToken | None = None


def parse_formula(text: str, read_token: TokenReader,
                  functions: Mapping[str, FunctionSpec]) -> ast.Expr | None:
    """The .bpl expression of a formula body, or None when it has none."""
    try:
        lexemes = _lex(text)
        parser = _Parser(lexemes, read_token, functions)
        expr = parser.comparison()
        if parser.index != len(lexemes):
            return None
        return expr
    except _Fail:
        return None


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text.startswith("{=", i):
            match = FIELD_TOKEN.match(text, i)
            if match is None:
                raise _Fail
            out.append(_Lexeme("token", match.group(), field_token(match)))
            i = match.end()
            continue
        lexeme = _LEXEME.match(text, i)
        if lexeme is None or lexeme.lastgroup is None:
            raise _Fail
        out.append(_Lexeme(lexeme.lastgroup, lexeme.group(lexeme.lastgroup)))
        i = lexeme.end()
    return out


class _Parser:
    def __init__(self, lexemes: list[_Lexeme], read_token: TokenReader,
                 functions: Mapping[str, FunctionSpec]) -> None:
        self.lexemes = lexemes
        self.index = 0
        self.read_token = read_token
        self.functions = functions

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.index] if self.index < len(self.lexemes) else None

    def take(self, kind: str, text: str | None = None) -> _Lexeme:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind != kind or (text is not None and lexeme.text != text):
            raise _Fail
        self.index += 1
        return lexeme

    def at_op(self, *ops: str) -> str | None:
        lexeme = self.peek()
        if lexeme is not None and lexeme.kind == "op" and lexeme.text in ops:
            return lexeme.text
        return None

    # ── levels ───────────────────────────────────────────────────────────────────────────
    def comparison(self) -> ast.Expr:
        left = self.binary(0)
        op = self.at_op(*_COMPARE)
        if op is None:
            return left
        self.index += 1
        right = self.binary(0)
        if self.at_op(*_COMPARE):
            raise _Fail  # .bpl comparisons do not chain
        return ast.Compare(_NOWHERE, _COMPARE[op], left, right)

    def binary(self, level: int) -> ast.Expr:
        if level == len(_LEVELS):
            return self.postfix()
        left = self.binary(level + 1)
        while (op := self.at_op(*_LEVELS[level])) is not None:
            self.index += 1
            right = self.binary(level + 1)
            left = ast.Binary(_NOWHERE, op, left, right)
        return left

    def postfix(self) -> ast.Expr:
        operand = self.unary()
        while self.at_op("%"):
            self.index += 1
            operand = ast.Percent(_NOWHERE, operand)
        return operand

    def unary(self) -> ast.Expr:
        op = self.at_op("-", "+")
        if op is None:
            return self.primary()
        self.index += 1
        operand = self.unary()
        if op == "-" and isinstance(operand, ast.Number) and not operand.text.startswith("-"):
            return ast.Number(_NOWHERE, -operand.value, "-" + operand.text)
        return ast.Unary(_NOWHERE, op, operand)

    def primary(self) -> ast.Expr:
        lexeme = self.peek()
        if lexeme is None:
            raise _Fail
        self.index += 1
        if lexeme.kind == "number":
            text = lexeme.text
            # Calc reads an integer beyond PHP_INT_MAX as a float (and Python refuses int() of
            # more than 4,300 digits), as the parser of .bpl does.
            value = float(text) if "." in text else php_integer_literal(text)
            return ast.Number(_NOWHERE, value, text)
        if lexeme.kind == "string":
            body = lexeme.text[1:-1]
            return ast.Text(_NOWHERE, (body,) if body else ())
        if lexeme.kind == "token":
            assert lexeme.token is not None
            expr = self.read_token(lexeme.token)
            if expr is None:
                raise _Fail
            return expr
        if lexeme.kind == "name":
            return self.call(lexeme.text)
        if lexeme.kind == "op" and lexeme.text == "(":
            inner = self.comparison()
            self.take("op", ")")
            return inner
        raise _Fail

    def call(self, name: str) -> ast.Expr:
        self.take("op", "(")
        args: list[ast.Expr] = []
        if not self.at_op(")"):
            args.append(self.comparison())
            while self.at_op(",", ";"):
                self.index += 1
                args.append(self.comparison())
        self.take("op", ")")
        lowered = name.lower()
        if lowered in _SPECIAL and name == lowered:
            if lowered in ("true", "false") and not args:
                return ast.Bool(_NOWHERE, lowered == "true")
            if lowered == "not" and len(args) == 1:
                return ast.Not(_NOWHERE, args[0])
            raise _Fail
        spec = self.functions.get(name)
        if spec is None or not spec.accepts(len(args)):
            raise _Fail  # the checker would refuse it: keep the formula as text
        return ast.Call(_NOWHERE, (name,), tuple(ast.Arg(_NOWHERE, None, a) for a in args),
                        _NOWHERE)
