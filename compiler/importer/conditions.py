"""Condition properties of IfElseBranch / While activities → .bpl conditions (§5).

`fieldcondition`, `propertyvariablecondition` and `mixedcondition` lists become `and`/`or`
chains of comparisons and tests (a joiner 1 starts a new `or` group), `truecondition` becomes
`true`. The result is kept only when codegen lowers it back to the same condition key and
value; other shapes (a single tuple without its list, 3-tuples, a mixed condition over
document fields only, unknown operators) are left to the generic form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.bitrix.canonical import (
    CONDITION_TYPES,
    condition_as_read,
    flag,
    number,
    pair_token,
)
from compiler.importer.render import same
from compiler.importer.scope import NOWHERE
from compiler.importer.values import Values, text_node
from compiler.semantics.types import Resolved
from compiler.syntax import ast

_COMPARE = {"=": "==", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}
_TESTS = {"in": "in", "!in": "not in", "contain": "contains", "!contain": "not contains"}
_NO_VALUE = {"empty": "empty", "!empty": "not empty", "modified": "changed"}


def condition_key(properties: Mapping[str, Any]) -> str | None:
    """The key holding the condition: like Bitrix, the first key naming a condition type."""
    for key in properties:
        if str(key).lower() in CONDITION_TYPES:
            return str(key)
    return None


class Conditions:
    def __init__(self, values: Values) -> None:
        self.values = values
        self.scope = values.scope

    def expression(self, key: str, raw: Any) -> ast.Expr | None:
        """A .bpl condition that codegen lowers to `{key: raw}`, or None."""
        checkpoint = self.scope.checkpoint()
        expr = self._build(key, raw)
        if expr is not None:
            lowered = self.values.render.condition(expr)
            if lowered is not None and lowered[0] == key and \
                    same(lowered[1], self._tokens(condition_as_read(key, raw))):
                return expr
        self.scope.rollback(checkpoint)
        return None

    def _tokens(self, read: Any) -> Any:
        """`read` with each legacy `[object, field]` pair as the token Bitrix reads it as
        (what codegen writes for the reference)."""
        token = pair_token(read, self.scope.activities)
        if token is not None:
            return token
        if isinstance(read, list):
            return [self._tokens(item) for item in read]
        if isinstance(read, Mapping):
            return {key: self._tokens(item) for key, item in read.items()}
        return read

    def _build(self, key: str, raw: Any) -> ast.Expr | None:
        if key == "truecondition":
            return ast.Bool(NOWHERE, True)
        if not isinstance(raw, list) or not raw:
            return None
        if key != "mixedcondition" and not isinstance(raw[0], list):
            raw = [raw]  # one tuple without its list (Bitrix wraps it)
        groups: list[list[ast.Expr]] = []
        for index, item in enumerate(raw):
            parsed = self._item(key, item)
            if parsed is None:
                return None
            atom, joiner = parsed
            if index == 0 or joiner != "1":
                if not groups:
                    groups.append([])
                groups[-1].append(atom)
            else:
                groups.append([atom])
        return _join("or", [_join("and", group) for group in groups])

    def _item(self, key: str, item: Any) -> tuple[ast.Expr, str] | None:
        if key == "mixedcondition":
            if not isinstance(item, Mapping):
                return None
            ref = self.scope.reference(str(item.get("object", "")), str(item.get("field", "")))
            operator, value, joiner = item.get("operator"), item.get("value"), item.get("joiner")
        else:
            if not isinstance(item, list) or len(item) not in (3, 4):
                return None
            name, operator, value, joiner = item if len(item) == 4 else [*item, 0]
            ref = self.scope.doc(str(name)) if key == "fieldcondition" else (
                self.scope.decl("param", str(name)) or self.scope.decl("var", str(name)))
        if ref is None or not isinstance(operator, str):
            return None
        atom = self._atom(ref, operator, value)
        if atom is None:
            return None
        return atom, "1" if flag(joiner) == "Y" else "0"

    def _atom(self, ref: ast.Ref, operator: str, raw: Any) -> ast.Expr | None:
        resolved = self.scope.resolved(ref)
        if operator in _NO_VALUE:
            return ast.Test(NOWHERE, _NO_VALUE[operator], ref, ())
        if operator == "between":
            if not isinstance(raw, list) or len(raw) != 2:
                return None
            low, high = (self._scalar(v, resolved, ordered=True) for v in raw)
            return ast.Test(NOWHERE, "between", ref, (low, high))
        ordered = operator in (">", ">=", "<", "<=")
        value: ast.Expr
        if isinstance(raw, list):
            # A legacy `[object, field]` pair is one reference (`x in var.list`).
            value = self.values.pair(raw) or \
                ast.ListExpr(NOWHERE, tuple(self._scalar(v, resolved) for v in raw))
        else:
            value = self._scalar(raw, resolved, ordered=ordered)
        if operator in _COMPARE:
            if operator == "=" and isinstance(value, ast.Bool) and value.value:
                return ref  # `var.ok` reads as `var.ok == true`
            return ast.Compare(NOWHERE, _COMPARE[operator], ref, value)
        if operator in _TESTS:
            return ast.Test(NOWHERE, _TESTS[operator], ref, (value,))
        return None

    def _scalar(self, raw: Any, resolved: Resolved | None, *, ordered: bool = False) -> ast.Expr:
        """A condition value; codegen stores numbers and booleans as text, so `100` and
        `true` give back "100" and "Y" (a number reads better where the value is ordered)."""
        base = resolved.type.base if resolved is not None else "any"
        if base == "bool" and (raw in ("Y", "N") or isinstance(raw, bool)):
            return ast.Bool(NOWHERE, raw in ("Y", True))
        numeric = ordered or base in ("int", "double", "any")
        if isinstance(raw, str) and numeric and number(raw) == raw:
            return ast.Number(NOWHERE, float(raw) if "." in raw else int(raw), raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return text_node(str(raw))
        return self.values.value(raw)


def _join(op: str, items: list[ast.Expr]) -> ast.Expr:
    result = items[0]
    for item in items[1:]:
        result = ast.BoolOp(NOWHERE, op, result, item)
    return result
