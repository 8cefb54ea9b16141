"""Boolean expressions → the OR-of-ANDs form Bitrix condition lists can hold.

Negations are pushed into the operators (`not a > b` becomes `a <= b`), `and` distributes over
`or`, and literal-on-the-left comparisons are turned around. What is left must be a list of
groups of atoms `reference OP value`; anything else is reported as inexpressible (E500).
"""

from __future__ import annotations

from compiler.record import record
from compiler.source import Span
from compiler.syntax import ast

MAX_ATOMS = 64

# .bpl operator → Bitrix operator code (bitrix-format.md §5.4)
OPERATORS = {
    "==": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<=",
    "in": "in", "not in": "!in", "contains": "contain", "not contains": "!contain",
    "empty": "empty", "not empty": "!empty", "between": "between", "changed": "modified",
}
_NEGATED = {"==": "!=", "!=": "==", ">": "<=", "<=": ">", "<": ">=", ">=": "<",
            "in": "not in", "not in": "in", "contains": "not contains",
            "not contains": "contains", "empty": "not empty", "not empty": "empty"}
_SWAPPED = {"==": "==", "!=": "!=", ">": "<", "<": ">", ">=": "<=", "<=": ">="}


@record
class Atom:
    """`left OP value`: left is a reference; value is None (empty tests), one expression, or
    two (between)."""

    left: ast.Ref
    op: str  # .bpl spelling: ==, in, not contains, empty, between, changed …
    values: tuple[ast.Expr, ...]
    span: Span


Dnf = list[list[Atom]]  # OR of ANDs; [[]] is "always true"


class Inexpressible(Exception):
    def __init__(self, message: str, span: Span, help: str):
        super().__init__(message)
        self.message = message
        self.span = span
        self.help = help


def to_dnf(expr: ast.Expr) -> Dnf:
    dnf = _dnf(expr, negate=False)
    if sum(len(group) for group in dnf) > MAX_ATOMS:
        raise Inexpressible(
            f"the condition expands to more than {MAX_ATOMS} comparisons in Bitrix's "
            "OR-of-ANDs form", expr.span,
            "simplify it, or compute part of it into a variable first")
    return dnf


def _dnf(expr: ast.Expr, negate: bool) -> Dnf:
    if isinstance(expr, ast.BoolOp):
        is_or = (expr.op == "or") != negate  # De Morgan
        left, right = _dnf(expr.left, negate), _dnf(expr.right, negate)
        if is_or:
            return left + right
        if len(left) * len(right) > MAX_ATOMS:
            raise Inexpressible("the condition is too large for Bitrix's OR-of-ANDs form",
                                expr.span, "split it into nested if statements")
        return [a + b for a in left for b in right]
    if isinstance(expr, ast.Not):
        return _dnf(expr.operand, not negate)
    if isinstance(expr, ast.Bool):
        if expr.value != negate:
            return [[]]
        raise Inexpressible("a condition that is always false cannot be expressed", expr.span,
                            "remove the branch, or mark it 'disabled'")
    if isinstance(expr, ast.Compare):
        return _compare(expr, negate)
    if isinstance(expr, ast.Test):
        return _test(expr, negate)
    if isinstance(expr, ast.Ref):
        # A bare reference reads as "is true": Bitrix compares bool fields with 'Y'.
        op = "!=" if negate else "=="
        return [[Atom(expr, op, (ast.Bool(expr.span, True),), expr.span)]]
    raise Inexpressible(
        "Bitrix cannot express this as a condition", expr.span,
        "a condition compares a field, parameter, variable or activity result with a value; "
        "compute this expression into a variable first, then compare the variable")


def _left_ref(expr: ast.Expr) -> ast.Ref | None:
    return expr if isinstance(expr, ast.Ref) and expr.parts[0] != "env" else None


def _compare(expr: ast.Compare, negate: bool) -> Dnf:
    op = _NEGATED[expr.op] if negate else expr.op
    left, right = expr.left, expr.right
    if _left_ref(left) is None and _left_ref(right) is not None:
        left, right, op = right, left, _SWAPPED[op]
    ref = _left_ref(left)
    if ref is None:
        raise Inexpressible(
            "the left side of a Bitrix condition must be a field, parameter, variable, "
            "constant or activity result", left.span,
            "compute the value into a variable first (var.x = …), then compare var.x")
    return [[Atom(ref, op, (right,), expr.span)]]


def _test(expr: ast.Test, negate: bool) -> Dnf:
    ref = _left_ref(expr.operand)
    if ref is None:
        raise Inexpressible(
            f"'{expr.op}' needs a field, parameter, variable, constant or activity result on "
            "its left", expr.operand.span,
            "compute the value into a variable first, then test the variable")
    if expr.op == "between":
        low, high = expr.args
        if negate:
            return [[Atom(ref, "<", (low,), expr.span)], [Atom(ref, ">", (high,), expr.span)]]
        return [[Atom(ref, "between", (low, high), expr.span)]]
    if expr.op == "changed":
        if negate:
            raise Inexpressible("'not … changed' cannot be expressed: Bitrix only tests that a "
                                "field was modified", expr.span,
                                "put the work in the else branch of 'if doc.X changed'")
        return [[Atom(ref, "changed", (), expr.span)]]
    op = _NEGATED[expr.op] if negate else expr.op
    return [[Atom(ref, op, expr.args, expr.span)]]
