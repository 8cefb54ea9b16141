"""Expressions back into source, with only the parentheses the grammar needs.

`flat` writes an expression on one line. `layout` may instead break a map or a list that does
not fit the line width into one entry per line (a `Block`), which statement printers place.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.format.strings import Unprintable, plain_literal, text_literal
from compiler.syntax import ast
from compiler.syntax.grammar import keywords, name_pattern, soft_keywords

WIDTH = 100

# Binding strength of each level of the grammar, loose to tight (grammar/bpl.lark).
OR, AND, NOT, COMPARE, CONCAT, SUM, PRODUCT, POWER, UNARY, POSTFIX, PRIMARY = range(1, 12)
_BINARY = {"&": CONCAT, "+": SUM, "-": SUM, "*": PRODUCT, "/": PRODUCT, "^": POWER}


@dataclass
class Entry:
    """One line of a broken map or list: `prefix` + body + `suffix`."""

    prefix: str
    body: Layout
    suffix: str
    node: ast.Node


@dataclass
class Block:
    open: str
    entries: list[Entry]
    close: str
    node: ast.Node | None = None  # the map or list, for where its `}` / `]` is


Layout = str | Block


def level(expr: ast.Expr) -> int:
    match expr:
        case ast.BoolOp(op="or"):
            return OR
        case ast.BoolOp():
            return AND
        case ast.Not():
            return NOT
        case ast.Compare() | ast.Test():
            return COMPARE
        case ast.Binary():
            return _BINARY[expr.op]
        case ast.Unary():
            return UNARY
        case ast.Percent() | ast.Modified():
            return POSTFIX
        case ast.Number() if expr.text.startswith("-"):
            return UNARY
    return PRIMARY


def map_key(key: str) -> str:
    return key if _bare_key(key) else plain_literal(key)


def _bare_key(key: str) -> bool:
    """Can a map or setting key be written without quotes? A name that is no keyword, or one of
    the keywords the grammar's `key` rule admits there."""
    return bool(name_pattern().fullmatch(key)) and (key not in keywords()
                                                   or key in soft_keywords())


class ExpressionPrinter:
    def __init__(self, width: int = WIDTH) -> None:
        self.width = width

    # ── one line ─────────────────────────────────────────────────────────────────────────
    def flat(self, expr: ast.Expr, minimum: int = 0, *, indent: int = 0, depth: int = 0) -> str:
        text = self._flat(expr, indent, depth)
        return f"({text})" if level(expr) < minimum else text

    def _sub(self, expr: ast.Expr, minimum: int, indent: int, depth: int) -> str:
        return self.flat(expr, minimum, indent=indent, depth=depth)

    def _flat(self, expr: ast.Expr, indent: int, depth: int) -> str:
        sub = self._sub
        match expr:
            case ast.Text():
                return text_literal(expr, lambda e, d: self.flat(e, indent=indent, depth=d),
                                    indent=indent, depth=depth)
            case ast.RawBitrix():
                raise Unprintable("a Bitrix token outside a string")
            case ast.Number():
                return expr.text
            case ast.Bool():
                return "true" if expr.value else "false"
            case ast.Duration():
                return f"{expr.amount}{expr.unit}"
            case ast.Ref():
                return expr.dotted
            case ast.Call():
                return f"{expr.dotted}({self._args(expr.args, indent, depth)})"
            case ast.Unary():
                return expr.op + sub(expr.operand, UNARY, indent, depth)
            case ast.Percent():
                return sub(expr.operand, PRIMARY, indent, depth) + "%"
            case ast.Modified():
                return sub(expr.operand, PRIMARY, indent, depth) + "".join(
                    f" | {m}" for m in expr.modifiers)
            case ast.Binary():
                own = _BINARY[expr.op]
                left = sub(expr.left, UNARY if expr.op == "^" else own, indent, depth)
                right = sub(expr.right, own if expr.op == "^" else own + 1, indent, depth)
                return f"{left} {expr.op} {right}"
            case ast.Compare():
                return (f"{sub(expr.left, CONCAT, indent, depth)} {expr.op} "
                        f"{sub(expr.right, CONCAT, indent, depth)}")
            case ast.Test():
                return self._test(expr, indent, depth)
            case ast.BoolOp():
                own = OR if expr.op == "or" else AND
                return (f"{sub(expr.left, own, indent, depth)} {expr.op} "
                        f"{sub(expr.right, own + 1, indent, depth)}")
            case ast.Not():
                # `not a == b` parses as `not (a == b)`; the parentheses say so to a reader.
                inner = PRIMARY if level(expr.operand) < UNARY and \
                    not isinstance(expr.operand, ast.Not) else NOT
                return "not " + sub(expr.operand, inner, indent, depth)
            case ast.ListExpr():
                return "[" + ", ".join(sub(i, 0, indent, depth) for i in expr.items) + "]"
            case ast.MapExpr():
                if not expr.entries:
                    return "{}"
                return "{" + ", ".join(self._entry(e, indent, depth)
                                       for e in expr.entries) + "}"
        raise Unprintable(f"no source form for {type(expr).__name__}")

    def _args(self, args: tuple[ast.Arg, ...], indent: int, depth: int) -> str:
        return ", ".join((f"{a.name}: " if a.name else "") + self._sub(a.value, 0, indent, depth)
                         for a in args)

    def _entry(self, entry: ast.MapEntry, indent: int, depth: int) -> str:
        key = map_key(entry.key)
        if depth and key.startswith('"'):
            # Inside an interpolation the key's quotes are escaped like a string's.
            key = text_literal(ast.Text(entry.span, (entry.key,) if entry.key else ()),
                               lambda e, d: "", indent=indent, depth=depth)
        return f"{key}: {self._sub(entry.value, 0, indent, depth)}"

    def _test(self, expr: ast.Test, indent: int, depth: int) -> str:
        subject = self._sub(expr.operand, CONCAT, indent, depth)
        args = [self._sub(a, CONCAT, indent, depth) for a in expr.args]
        match expr.op:
            case "empty":
                return f"{subject} is empty"
            case "not empty":
                return f"{subject} is not empty"
            case "between":
                return f"{subject} between {args[0]} and {args[1]}"
            case "changed":
                return f"{subject} changed"
        return f"{subject} {expr.op} {args[0]}"

    # ── possibly several lines ───────────────────────────────────────────────────────────
    def layout(self, expr: ast.Expr, *, indent: int, used: int, force: bool = False) -> Layout:
        """`expr` on one line when it fits after `used` characters at `indent`, else a map or
        list broken one entry per line (`force` breaks a non-empty map or list always)."""
        text = self.flat(expr, indent=indent)
        fits = len(_first_line(text)) + used + 4 * indent <= self.width
        if (fits and not force) or not isinstance(expr, ast.MapExpr | ast.ListExpr):
            return text
        if isinstance(expr, ast.MapExpr):
            if not expr.entries:
                return text
            entries = [Entry(map_key(e.key) + ": ",
                             self.layout(e.value, indent=indent + 1, used=len(e.key) + 2), "",
                             e) for e in expr.entries]
            return Block("{", entries, "}", expr)
        if not expr.items:
            return text
        return Block("[", [Entry("", self.layout(i, indent=indent + 1, used=0), ",", i)
                           for i in expr.items], "]", expr)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]
