"""PHP values of a template → .bpl expressions that compile back to the same values.

Each conversion tries the readable form first (a reference for a field token, an expression
for a formula, an interpolated string for a text with tokens) and keeps it only when codegen
renders it back to the original; otherwise the text stays literal. A text can always be
written literally, so `value` and `text` never fail; `users` may (a user list must be a list).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from compiler.bitrix.canonical import pair_token, token_text
from compiler.catalog import FunctionSpec
from compiler.importer.calc import parse_formula
from compiler.importer.render import Renderer, same
from compiler.importer.scope import NOWHERE, Scope
from compiler.importer.tokens import (
    FIELD_TOKEN,
    FieldToken,
    InlineFormula,
    field_token,
    segments,
    whole_token,
)
from compiler.syntax import ast
from compiler.syntax.grammar import terminal_pattern

_USER = re.compile(r"user_([1-9][0-9]*)")
_GROUP = re.compile(r"group_(\S+)")
_SITE_GROUP = re.compile(r"[1-9][0-9]*")
# The designer names activities A<digits>_<digits>_<digits>_<digits>.
_ACTIVITY_NAME = re.compile(r"A[0-9]+(?:_[0-9]+){3}")
_MEMBER = re.compile(r"[A-Za-z0-9_.]+")


def text_node(*parts: str | ast.Expr) -> ast.Text:
    merged: list[str | ast.Expr] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] += part
                continue
        merged.append(part)
    return ast.Text(NOWHERE, tuple(merged))


@cache
def _number_literal() -> re.Pattern[str]:
    """A number as .bpl writes it: the grammar's NUMBER, negated by a unary minus."""
    return re.compile(f"-?(?:{terminal_pattern('NUMBER')})")


def number(value: int | float) -> ast.Expr | None:
    text = repr(value)
    if not _number_literal().fullmatch(text):
        return None
    return ast.Number(NOWHERE, value, text)


class Values:
    def __init__(self, scope: Scope, functions: Mapping[str, FunctionSpec]) -> None:
        self.scope = scope
        self.render = Renderer(scope)
        self.functions = functions
        # Plain: no expressions of the workflow's own names, only of activities (an
        # activity's Name changes on compile, so a reference to it must stay a reference).
        # For nodes whose expressions did not pass the checker.
        self.plain = False
        self.notes: list[str] = []  # for the report: texts not kept exactly
        # `[object, field]` pairs naming an activity the template does not have.
        self.dangling: list[str] = []

    # ── value context ────────────────────────────────────────────────────────────────────
    def value(self, raw: Any) -> ast.Expr:
        """An expression whose value is `raw` (canonically: a bool may come back 'Y'/'N',
        a null as '')."""
        if isinstance(raw, str):
            return self.string(raw)
        if isinstance(raw, bool):
            return ast.Bool(NOWHERE, raw)
        symbol = self.symbol(raw)
        if symbol is not None:
            return symbol
        if isinstance(raw, int | float):
            found = number(raw) if not isinstance(raw, float) or math.isfinite(raw) else None
            return found or text_node(repr(raw))
        if raw is None:
            return text_node()
        if isinstance(raw, list):
            ref = self.pair(raw)
            if ref is not None:
                return ref
            return ast.ListExpr(NOWHERE, tuple(self.value(item) for item in raw))
        if isinstance(raw, dict):
            return ast.MapExpr(NOWHERE, tuple(
                ast.MapEntry(NOWHERE, str(key), NOWHERE, self.value(item))
                for key, item in raw.items()))
        return text_node(str(raw))

    def symbol(self, raw: Any) -> ast.Ref | None:
        """env.NAME (with `--env`) for a value that is one symbol's value exactly."""
        if self.plain:
            return None
        return self.scope.env_ref(raw)

    def string(self, raw: str) -> ast.Expr:
        symbol = self.symbol(raw)
        if symbol is not None:
            return symbol
        token = whole_token(raw)
        if token is not None:
            ref = self._token(token)
            if ref is not None and self.render.value(ref) == raw:
                return ref
        if raw.startswith("=") and not self.plain:
            expr = self.formula(raw[1:])
            if expr is not None and self.render.value(expr) == raw:
                return expr
        text = self.text(raw)
        if self.render.value(text) == raw:
            return text
        return self.verbatim(raw)

    def pair(self, raw: list[Any]) -> ast.Expr | None:
        """The reference a legacy `[object, field]` pair makes (`['Template', 'Voters']` →
        param.Voters, `['A1_2_3_4', 'LastApprover']` → a1.LastApprover), if it reads back as
        the same token; a pair naming an activity the template lacks is recorded in
        `dangling`."""
        token = pair_token(raw, self.scope.activities)
        if token is None:
            if _dangling(raw):
                self.dangling.append(f"{raw[0]}.{raw[1]}")
            return None
        found = whole_token(token)
        ref = self._token(found) if found is not None else None
        if ref is None or self.render.value(ref) != token:
            return None
        return ref

    def verbatim(self, raw: str) -> ast.Text:
        """`raw` as written, except that tokens reading an activity stay references: the
        activity's Name changes on compile, and the reference follows it."""
        parts: list[str | ast.Expr] = []
        last = 0
        for match in FIELD_TOKEN.finditer(raw):
            token = field_token(match)
            if not self.scope.is_activity(token.object):
                continue
            ref = self._token(token)
            if ref is None or self.render.text(ref) != token.text:
                continue
            parts += [raw[last:match.start()], ref]
            last = match.end()
        parts.append(raw[last:])
        text = text_node(*parts)
        if len(text.parts) == 1 and isinstance(text.parts[0], ast.Expr):
            return text_node(raw)  # one token alone: `string` tried it already
        return text

    def _token(self, token: FieldToken) -> ast.Expr | None:
        return self.scope.token(token, activities_only=self.plain)

    def formula(self, body: str) -> ast.Expr | None:
        if self.plain:
            return None
        expr = parse_formula(body, self._token, self.functions)
        return expr if expr is not None and _printable_inside_text(expr) else None

    # ── text context ─────────────────────────────────────────────────────────────────────
    def text(self, raw: str) -> ast.Text:
        """A string literal whose text is exactly `raw`."""
        symbol = self.symbol(raw)
        if symbol is not None and self.render.text(symbol) == raw:
            return text_node(symbol)
        parts: list[str | ast.Expr] = []
        for segment in segments(raw):
            if isinstance(segment, str):
                parts.append(segment)
            elif isinstance(segment, FieldToken):
                parts.append(self._token_part(segment))
            else:
                parts += self._formula_part(segment)
        return text_node(*parts)

    def _token_part(self, token: FieldToken) -> str | ast.Expr:
        ref = self._token(token)
        if ref is not None and token_text(self.render.text(ref)) == token_text(token.text):
            return ref
        if self.scope.is_activity(token.object):
            # The activity's Name changes on compile: a verbatim token would read nothing.
            if ref is not None:
                self.notes.append(f"{token.text} is written {self.render.text(ref)!r} "
                                  "(spacing and modifiers as codegen writes them)")
                return ref
            self.notes.append(f"{token.text} reads a result the activity type does not list; "
                              "kept verbatim, so it will not follow the activity's new Name")
        return ast.RawBitrix(NOWHERE, token.text)

    def _formula_part(self, formula: InlineFormula) -> list[str | ast.Expr]:
        expr = self.formula(formula.body)
        if expr is not None and self.render.text(expr) == formula.text:
            return [expr]
        kept = self.verbatim(formula.text)
        if any(isinstance(p, ast.Expr) for p in kept.parts):
            return list(kept.parts)
        if _raw_safe(formula.text):
            return [ast.RawBitrix(NOWHERE, formula.text)]
        return [formula.text]

    def any_text(self, raw: Any) -> ast.Text | None:
        """A text for a property the statement writes as text: strings, and numbers the
        canonical form does not tell apart from their digits."""
        if isinstance(raw, str):
            return self.text(raw)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return text_node(str(raw))
        if raw is None:
            return text_node()
        return None

    # ── users ────────────────────────────────────────────────────────────────────────────
    def users(self, raw: Any) -> ast.Expr | None:
        """`USERS` of a statement (`user(12)`, `[role.author, doc.ASSIGNED_BY_ID]`)."""
        if not isinstance(raw, list):
            return None
        ref = self.pair(raw)
        if ref is not None:
            return ref if same(self.render.users(ref), [pair_token(raw, self.scope.activities)]) \
                else None
        items = [self._user(item) for item in raw]
        expr: ast.Expr = items[0] if len(items) == 1 else ast.ListExpr(NOWHERE, tuple(items))
        # Pairs among the users are their tokens, as Bitrix (and plan) read them.
        expected = [pair_token(item, self.scope.activities) or item for item in raw]
        return expr if same(self.render.users(expr), expected) else None

    def _user(self, raw: Any) -> ast.Expr:
        symbol = self.symbol(raw)
        if symbol is not None:
            return symbol
        if isinstance(raw, str):
            user = _USER.fullmatch(raw)
            if user is not None:
                return ast.Call(NOWHERE, ("user",), (ast.Arg(NOWHERE, None, ast.Number(
                    NOWHERE, int(user.group(1)), user.group(1))),), NOWHERE)
            group = _GROUP.fullmatch(raw)
            if group is not None and '"' not in raw:
                return ast.Call(NOWHERE, ("group",),
                                (ast.Arg(NOWHERE, None, text_node(group.group(1))),), NOWHERE)
            role = self.scope.role(raw)
            if role is not None:
                return role
        if (isinstance(raw, str) and _SITE_GROUP.fullmatch(raw)) or (
                isinstance(raw, int) and not isinstance(raw, bool) and raw > 0):
            # A bare id (the designer writes 1 or "1"): site user group N, see codegen's
            # group(N); Bitrix reads both spellings alike (plan's canonical form too).
            return ast.Call(NOWHERE, ("group",), (ast.Arg(NOWHERE, None, ast.Number(
                NOWHERE, int(raw), str(raw))),), NOWHERE)
        if isinstance(raw, int) and not isinstance(raw, bool):
            return text_node(str(raw))
        return self.value(raw)


def _dangling(raw: list[Any]) -> bool:
    """A pair shaped like a reference to an activity by its designer Name (`A123_4_5_6`)."""
    return len(raw) == 2 and all(isinstance(p, str) for p in raw) and \
        _ACTIVITY_NAME.fullmatch(raw[0]) is not None and _MEMBER.fullmatch(raw[1]) is not None


def _raw_safe(text: str) -> bool:
    """Can `text` stand as a verbatim Bitrix token in a .bpl string (its braces matched by
    the parser, nothing in it read as an escape or a string)?"""
    if FIELD_TOKEN.fullmatch(text):
        return True
    if any(ch in text for ch in "\"'\\\n"):
        return False
    depth = 0
    for index, ch in enumerate(text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth == 0 and index != len(text) - 1:
            return False
    return depth == 0


def _printable_inside_text(expr: ast.Expr) -> bool:
    """Strings inside an interpolation are written with escaped quotes; one holding a quote
    cannot be written there."""
    if isinstance(expr, ast.Text):
        return all(isinstance(p, str) and '"' not in p for p in expr.parts)
    children: list[ast.Expr] = []
    match expr:
        case ast.Call():
            children = [a.value for a in expr.args]
        case ast.Binary() | ast.Compare():
            children = [expr.left, expr.right]
        case ast.Unary() | ast.Percent() | ast.Not() | ast.Modified():
            children = [expr.operand]
    return all(_printable_inside_text(c) for c in children)
