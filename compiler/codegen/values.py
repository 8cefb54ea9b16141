"""Expressions → Bitrix property values: tokens, interpolated text and formulas.

Three contexts:
- value: what a property holds. A lone reference becomes `{=Object:Field}`, literals stay
  literals, computations become formulas `=…`.
- text: inside an interpolated string. References become inline tokens, computations
  `{{=…}}`.
- formula: the body of a formula, with Bitrix's operators and calc functions.

References to activities are symbolic: a labelled statement's results by its label, a loop's
item by the loop's identity (the binder's, never an address). They are written as placeholders,
because an activity may be read before codegen reaches it (a loop's condition reads what its
body sets), and `Links` swaps in the activities' Names when the template is linked.
"""

from __future__ import annotations

import re
from typing import Any

from compiler.bitrix import Activity
from compiler.php.serialize import format_float
from compiler.semantics.types import Resolved
from compiler.syntax import ast

_MARK = "\ue000"
_PLACEHOLDER = re.compile(_MARK + r"(label|foreach):([^" + _MARK + r"]+)" + _MARK)
_FORMULA_UNITS = {"s": "s", "m": "i", "h": "h", "d": "d", "w": "d"}
_BINARY_PRECEDENCE = {"&": 4, "+": 5, "-": 5, "*": 6, "/": 6, "^": 7}
_COMPARE = {"==": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


def label_placeholder(label: str) -> str:
    return f"{_MARK}label:{label}{_MARK}"


def loop_placeholder(loop: str) -> str:
    return f"{_MARK}foreach:{loop}{_MARK}"


class Links:
    """The Names of the activities references point at, as codegen lowers them: labels (each
    labelled statement) and loops (each `for each`, by its identity).

    `link` swaps placeholders for Names. The whole template is linked once, at the end, when
    every Name is known. Name keys are linked earlier too: a statement's name is a hash of a key
    that may hold its references (an `if` whose condition reads a result), and such a key is
    linked with the Names known at that point. A loop is always known inside its own body; a
    label read before its statement is lowered (a `while` reading what its body sets) is not,
    and its key holds the label itself in the placeholder's stead. That is part of the key
    convention: spelling it otherwise would rename those activities."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.loops: dict[str, str] = {}

    def link_tree(self, root: Activity) -> Activity:
        """`root` with every property of every activity under it linked (in place)."""
        for activity in root.walk():
            activity.properties = self.link(activity.properties)
        return root

    def link(self, value: Any) -> Any:
        if isinstance(value, str):
            return _PLACEHOLDER.sub(self._name, value) if _MARK in value else value
        if isinstance(value, list):
            return [self.link(v) for v in value]
        if isinstance(value, dict):
            return {self.link(k): self.link(v) for k, v in value.items()}
        return value

    def _name(self, match: re.Match[str]) -> str:
        kind, key = match.group(1), match.group(2)
        names = self.labels if kind == "label" else self.loops
        return names.get(key, key)


def bool_yn(value: bool) -> str:
    return "Y" if value else "N"


def token_object(resolved: Resolved) -> str:
    """The object half of a reference's token: a placeholder for an activity."""
    if resolved.kind == "label" and resolved.label is not None:
        return label_placeholder(resolved.label)
    if resolved.kind == "loop" and resolved.loop is not None:
        return loop_placeholder(resolved.loop)
    return resolved.object


class ValueLowerer:
    """Lowers expressions of a bound tree: every reference holds its binding."""

    # ── references ───────────────────────────────────────────────────────────────────────
    def token(self, resolved: Resolved, modifiers: tuple[str, ...] = ()) -> str:
        suffix = f" > {', '.join(modifiers)}" if modifiers else ""
        return f"{{={token_object(resolved)}:{resolved.field}{suffix}}}"

    def _ref(self, expr: ast.Ref, modifiers: tuple[str, ...] = ()) -> Any:
        resolved = expr.binding
        if resolved is None:
            return "{=" + expr.dotted + "}"  # unreachable after a clean check
        if resolved.kind in ("env", "role"):
            return resolved.literal if resolved.literal is not None else f"env.{resolved.field}"
        return self.token(resolved, modifiers)

    # ── value context ────────────────────────────────────────────────────────────────────
    def value(self, expr: ast.Expr) -> Any:
        if isinstance(expr, ast.Text):
            if len(expr.parts) == 1 and isinstance(expr.parts[0], ast.Expr):
                return self.value(expr.parts[0])
            return self.text(expr)
        if isinstance(expr, ast.Ref):
            return self._ref(expr)
        if isinstance(expr, ast.Modified) and isinstance(expr.operand, ast.Ref):
            return self._ref(expr.operand, expr.modifiers)
        if isinstance(expr, ast.Number):
            return expr.value
        if isinstance(expr, ast.Bool):
            return bool_yn(expr.value)
        if isinstance(expr, ast.Duration):
            return f"{expr.amount * 7}d" if expr.unit == "w" else f"{expr.amount}{expr.unit}"
        if isinstance(expr, ast.RawBitrix):
            return expr.text
        if isinstance(expr, ast.ListExpr):
            return [self.value(item) for item in expr.items]
        if isinstance(expr, ast.MapExpr):
            return {entry.key: self.value(entry.value) for entry in expr.entries}
        if isinstance(expr, ast.Call) and expr.dotted in ("user", "group"):
            return self._principal(expr)
        return "=" + self.formula(expr)

    def users(self, expr: ast.Expr) -> list[Any]:
        """A user list property: always a list of tokens/expressions."""
        items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
        out: list[Any] = []
        for item in items:
            value = self.value(item)
            if _site_group(item):
                out.append(value)  # group(1): the bare id Bitrix reads as site user group 1
            elif isinstance(value, list):
                out.extend(value)
            elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                out.append(f"user_{value}")  # a bare id, as an env symbol may give it
            else:
                out.append(value)
        return out

    def _principal(self, call: ast.Call) -> str:
        arg = call.args[0].value if call.args else None
        raw = self.value(arg) if arg is not None else ""
        text = str(raw)
        if call.dotted == "user":
            return text if text.startswith("user_") else f"user_{text}"
        if _site_group(call):
            return text
        return text if text.startswith("group_") else f"group_{text}"

    # ── text context ─────────────────────────────────────────────────────────────────────
    def text(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Text):
            return "".join(p if isinstance(p, str) else self._inline(p) for p in expr.parts)
        return self._inline(expr)

    def _inline(self, expr: ast.Expr) -> str:
        if isinstance(expr, ast.Number) and isinstance(expr.value, float) and "." not in expr.text:
            # An integer beyond 64 bits (W005): the float PHP makes of it, as PHP writes it.
            return format_float(expr.value)
        if isinstance(expr, ast.Text | ast.Number | ast.RawBitrix):
            return str(self.value(expr))
        if isinstance(expr, ast.Ref | ast.Modified | ast.Duration | ast.Bool) or (
                isinstance(expr, ast.Call) and expr.dotted in ("user", "group")):
            value = self.value(expr)
            return str(value) if not isinstance(value, list) else ", ".join(map(str, value))
        return "{{=" + self.formula(expr) + "}}"

    # ── formula context ──────────────────────────────────────────────────────────────────
    def formula(self, expr: ast.Expr) -> str:
        method = getattr(self, "_f_" + type(expr).__name__)
        result: str = method(expr)
        return result

    def _f_Text(self, expr: ast.Text) -> str:
        pieces = [_quote(p) if isinstance(p, str) else self._operand(p, 4) for p in expr.parts]
        return " & ".join(pieces) if pieces else '""'

    def _f_RawBitrix(self, expr: ast.RawBitrix) -> str:
        return expr.text

    def _f_Number(self, expr: ast.Number) -> str:
        return expr.text

    def _f_Bool(self, expr: ast.Bool) -> str:
        return "true()" if expr.value else "false()"

    def _f_Duration(self, expr: ast.Duration) -> str:
        amount = expr.amount * 7 if expr.unit == "w" else expr.amount
        return _quote(f"{amount}{_FORMULA_UNITS[expr.unit]}")

    def _f_Ref(self, expr: ast.Ref) -> str:
        value = self._ref(expr)
        if isinstance(value, str) and value.startswith("{="):
            return value
        return _quote(value) if isinstance(value, str) else str(value)

    def _f_Modified(self, expr: ast.Modified) -> str:
        if isinstance(expr.operand, ast.Ref):
            return str(self._ref(expr.operand, expr.modifiers))
        return self.formula(expr.operand)

    def _f_Call(self, expr: ast.Call) -> str:
        if expr.dotted in ("user", "group"):
            return _quote(self._principal(expr))
        return f"{expr.dotted}({', '.join(self.formula(a.value) for a in expr.args)})"

    def _f_Unary(self, expr: ast.Unary) -> str:
        return f"{expr.op}{self._operand(expr.operand, 9)}"

    def _f_Percent(self, expr: ast.Percent) -> str:
        return f"{self._operand(expr.operand, 8)}%"

    def _f_Binary(self, expr: ast.Binary) -> str:
        precedence = _BINARY_PRECEDENCE[expr.op]
        # Bitrix's calc parser folds every operator left to right, `^` included, so a right
        # operand of the same precedence (`2 ^ (3 ^ 2)`, `a - (b - c)`) keeps its parentheses.
        return (f"{self._operand(expr.left, precedence)} {expr.op} "
                f"{self._operand(expr.right, precedence + 1)}")

    def _operand(self, expr: ast.Expr, precedence: int) -> str:
        text = self.formula(expr)
        own = _BINARY_PRECEDENCE.get(expr.op, 10) if isinstance(expr, ast.Binary) else (
            3 if isinstance(expr, ast.Compare) else 10)
        return f"({text})" if own < precedence else text

    def _f_Compare(self, expr: ast.Compare) -> str:
        return (f"{self._operand(expr.left, 4)} {_COMPARE[expr.op]} "
                f"{self._operand(expr.right, 4)}")

    def _f_BoolOp(self, expr: ast.BoolOp) -> str:
        return f"{expr.op}({self.formula(expr.left)}, {self.formula(expr.right)})"

    def _f_Not(self, expr: ast.Not) -> str:
        return f"not({self.formula(expr.operand)})"

    def _f_Test(self, expr: ast.Test) -> str:
        subject = self._operand(expr.operand, 4)
        if expr.op == "empty":
            return f"{subject} = \"\""
        if expr.op == "not empty":
            return f"{subject} <> \"\""
        if expr.op == "between":
            low, high = (self._operand(a, 4) for a in expr.args)
            return f"and({subject} >= {low}, {subject} <= {high})"
        if expr.op in ("contains", "not contains"):
            found = f"strpos({self.formula(expr.operand)}, {self.formula(expr.args[0])}) <> false()"
            return found if expr.op == "contains" else f"not({found})"
        if expr.op in ("in", "not in"):
            found = f"strpos({self.formula(expr.args[0])}, {self.formula(expr.operand)}) <> false()"
            return found if expr.op == "in" else f"not({found})"
        return "true()"

    def _f_ListExpr(self, expr: ast.ListExpr) -> str:
        return f"merge({', '.join(self.formula(i) for i in expr.items)})"

    def _f_MapExpr(self, expr: ast.MapExpr) -> str:
        return '""'


def _quote(text: str) -> str:
    """A Bitrix formula string literal. The calc parser has no escapes, so a string holding
    both quote kinds is split and joined with &."""
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return " & ".join(f'"{piece}"' if piece != '"' else "'\"'"
                      for piece in re.split(r'(")', text) if piece)


def _site_group(expr: ast.Expr) -> bool:
    """`group(N)`: site user group N, which Bitrix stores as the bare id "N" in a user list;
    CBPHelper::extractUsers (bizproc/classes/general/helper.php) hands any text that is not
    user_N, an expression or group_CODE to the document's GetUsersFromUserGroup, which reads
    a positive number as a site group id (iblock/classes/general/iblockdocument.php)."""
    return isinstance(expr, ast.Call) and expr.dotted == "group" and len(expr.args) == 1 and \
        isinstance(expr.args[0].value, ast.Number) and isinstance(expr.args[0].value.value, int)
