"""Expression types, users and conditions: what each expression of a bound workflow holds, and
whether it fits where it stands (E200 and the E1xx/E5xx rules of calls, modifiers, users and
conditions). Names are bound already (compiler/semantics/binder.py); this only reads bindings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from compiler.catalog import Catalog
from compiler.diagnostics import Diagnostics
from compiler.semantics import types as T
from compiler.semantics.builtins import ROLES, SPECIAL_CALLS
from compiler.semantics.conditions import Inexpressible, to_dnf
from compiler.semantics.fits import USER_TEXT, Misfit, comparable, fit, literal_of
from compiler.semantics.model import DocumentBinding
from compiler.semantics.numbers import check_number
from compiler.semantics.printed import printed_default, printed_items
from compiler.semantics.rawformulas import formula_problems, functions_of
from compiler.semantics.suggestions import did_you_mean
from compiler.source import Span
from compiler.syntax import ast

_COMPARISONS = ("==", "!=", ">", ">=", "<", "<=")
# Tests whose values Bitrix converts to the tested reference's type before comparing.
_VALUE_TESTS = (*_COMPARISONS, "in", "not in", "between")
# The designer names activities A<digits>_<digits>_<digits>_<digits>; a token or an
# [object, field] pair naming one reads that activity (bizproc/classes/general/activity.php).
_ACTIVITY_NAME = re.compile(r"A[0-9]+(?:_[0-9]+){3}")
_ACTIVITY_TOKEN = re.compile(r"\{=\s*(A[0-9]+(?:_[0-9]+){3})\s*:")
_MEMBER = re.compile(r"[A-Za-z0-9_.]+")
# A lossy conversion Bitrix makes (1.5 stored in an int is 1): a warning, not an error.
LOSSY = "W203"
# Values a calc function's argument can never be, by the kind the catalog gives it
# (stdlib/functions.toml `args`; bizproc/lib/Calc/Libs/DateLib.php): makeTimestamp reads no
# date out of a duration text, a bool or a user; callDateAdd returns null for a date object
# given as the interval; a date, a user or a duration cast with (int) is no hour or day count.
NEVER_AN_ARGUMENT = {
    "date": ("duration", "bool", "user"),
    "interval": ("date", "datetime", "bool", "user"),
    "int": ("date", "datetime", "bool", "user", "duration"),
}
_ARGUMENT_KINDS = {"date": "a date", "interval": "an interval such as 1d",
                   "int": "a whole number"}


class ExpressionChecker:
    def __init__(self, catalog: Catalog, document: DocumentBinding, diag: Diagnostics,
                 environment: str = "") -> None:
        self.catalog = catalog
        self.document = document
        self.diag = diag
        self.environment = environment  # the name env symbols took their values from

    @property
    def roles(self) -> tuple[str, ...]:
        """Names Bitrix reads as users in this document: role.author, its user groups."""
        return (*ROLES, *self.document.user_groups)

    def check_default(self, ref: ast.TypeRef, typ: T.Type, default: ast.Expr) -> None:
        self.expr(default)
        printed = printed_default(default) if typ.base == "user" else None
        if printed is not None:
            for name in printed_items(printed, self.roles):
                if name.kind == "name":
                    self.diag.warning(
                        "W205", f"'{name.text}' is found by a name search on the portal when "
                                "the start form is submitted",
                        _within(default.span, printed, name.start, len(name.text)),
                        help=f"write it as '{name.text} [ID]' with the user's id, or use "
                             "user(ID)")
            return
        if isinstance(default, ast.ListExpr) and not typ.multiple:
            self.diag.error("E201", f"a list is not a valid default for a single {typ}",
                            default.span, help=f"declare it as {typ}[] to hold several values")
            return
        if typ.base == "bool" and not isinstance(default, ast.Bool) and \
                literal_of(default) is not None and not isinstance(default, ast.Ref):
            # A default is stored as written, not converted: the start form shows it.
            self.diag.error("E201", "a bool default is true or false", default.span)
            return
        options = tuple(o.key for o in ref.options)
        items = default.items if isinstance(default, ast.ListExpr) else (default,)
        for item in items:
            # An env symbol's value is judged (and reported) as a user by env_user; the other
            # items of the list are judged as any default is.
            if typ.base == "user" and self.env_user(item):
                continue
            for bad, misfit in self.misfits(typ, item, options=options):
                if misfit.literal:
                    self.report("E201", misfit, bad.span, "default ")
                else:
                    self.diag.error("E201", f"default of type {misfit.value_type} does not "
                                            f"fit {typ}", bad.span)

    def misfits(self, target: T.Type, expr: ast.Expr, value_type: T.Type | None = None, *,
                options: tuple[str, ...] = ()) -> Iterator[tuple[ast.Expr, Misfit]]:
        """The values of `expr` (each item of a list) that do not fit a place of type
        `target`, by the rules of compiler/semantics/fits.py."""
        items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
        for item in items:
            item_type = value_type if item is expr and value_type is not None else \
                self.expr(item)
            misfit = fit(target.single(), item, item_type, roles=self.roles, options=options)
            if misfit is not None:
                yield item, misfit

    def report(self, code: str, misfit: Misfit, span: Any, context: str = "") -> None:
        """A misfit as `code` (E200, E201), or as W203 where Bitrix converts with a loss. An
        env symbol's value differs between environments, so its report names the one."""
        notes = (f"env symbols take their values from environment '{self.environment}'",) \
            if misfit.shown.startswith("env.") and self.environment else ()
        if misfit.severity == "warning":
            self.diag.warning(LOSSY, context + misfit.message, span, help=misfit.help,
                              notes=notes)
        else:
            self.diag.error(code, context + misfit.message, span, help=misfit.help,
                            notes=notes)

    # ── users ────────────────────────────────────────────────────────────────────────────
    def users(self, expr: ast.Expr, checked: T.Type | None = None, *,
              addresses: bool = False) -> None:
        items = expr.items if isinstance(expr, ast.ListExpr) else (expr,)
        for item in items:
            if self.env_user(item, addresses=addresses):
                continue
            if addresses and isinstance(item, ast.Text) and "@" in item.plain:
                continue
            typ = checked if checked is not None and item is expr else self.expr(item)
            misfit = fit(T.USER, item, typ, roles=self.roles)
            if misfit is None:
                continue
            got = f"{misfit.shown} ({typ})" if misfit.literal else str(typ)
            self.diag.error("E200", f"expected users, got {got}", item.span,
                            help="users are user(12), group(\"hr\"), role.author, a user "
                                 "field or parameter, or a list of those")

    def env_user(self, item: ast.Expr, *, addresses: bool = False) -> bool:
        """Check an env symbol given where users are expected; False if `item` is not one.

        Its value is inlined, so it must be what Bitrix reads as a user: user_N (or N, an
        integer id), a group_CODE, or a role; `mail` also takes an e-mail address.
        """
        if not (isinstance(item, ast.Ref) and item.parts[0] == "env"):
            return False
        resolved = item.binding
        value = resolved.literal if resolved is not None else None
        if value is None:
            return True  # no value: reported already, or symbolic in check mode
        text = str(value)
        roles = (*ROLES, *self.document.user_groups)
        if isinstance(value, bool) or not (USER_TEXT.fullmatch(text) or text in roles or
                                           (addresses and "@" in text)):
            self.diag.error("E601", f"env.{item.parts[1]} is {value!r} in environment "
                                    f"'{self.environment}', which is not a user",
                            item.span, help="give a user as user_N or N, a group as "
                                            "group_CODE, or a role (author, responsible_head)")
        return True

    # ── conditions ───────────────────────────────────────────────────────────────────────
    def condition(self, expr: ast.Expr) -> None:
        try:
            dnf = to_dnf(expr)
        except Inexpressible as error:
            self.expr(expr)
            self.diag.error("E500", error.message, error.span, help=error.help)
            return
        if any(not group for group in dnf):
            self.diag.warning("W502", "this condition is always true", expr.span,
                              help="a branch guarded by it always runs; a loop ends only through "
                                   "terminate or Bitrix's 1000-iteration limit")
        for group in dnf:
            for atom in group:
                resolved = atom.left.binding
                value_types = [self.expr(v) for v in atom.values]
                if resolved is None:
                    continue
                if resolved.kind in ("loop",):
                    self.diag.error("E500", "a loop item cannot be tested in a Bitrix condition",
                                    atom.left.span, help="copy it into a variable first")
                if atom.op == "changed" and resolved.kind != "doc":
                    self.diag.error("E501", "'changed' applies to document fields only",
                                    atom.span)
                left = resolved.value_type
                if atom.op in _COMPARISONS and value_types and \
                        not comparable(left, value_types[0], atom.op):
                    code = "E501" if atom.op not in ("==", "!=") else "E200"
                    self.diag.error(code, f"cannot compare {left} with "
                                          f"{value_types[0]} using '{atom.op}'", atom.span)
                elif atom.op in _VALUE_TESTS:
                    self._tested_values(atom.left, resolved, atom.values)

    def _tested_values(self, left: ast.Ref, resolved: T.Resolved,
                       values: tuple[ast.Expr, ...]) -> None:
        """The literals a condition compares a reference with: Bitrix converts each to the
        reference's type first, so "abc" against a number compares with 0."""
        target = resolved.value_type.single()
        for value in values:
            for item, misfit in self.misfits(target, value, options=resolved.options):
                if misfit.literal:
                    self.report("E200", misfit, item.span, f"{left.dotted} is {target}: ")

    # ── expressions ──────────────────────────────────────────────────────────────────────
    def expr(self, expr: ast.Expr) -> T.Type:
        method = getattr(self, "_e_" + type(expr).__name__)
        result: T.Type = method(expr)
        return result

    def _e_Text(self, expr: ast.Text) -> T.Type:
        for part in expr.parts:
            if isinstance(part, ast.Expr):
                self.expr(part)
            else:
                self._activity_tokens(part, expr.span)
        self._verbatim_formula(expr)
        return T.STRING

    def _e_RawBitrix(self, expr: ast.RawBitrix) -> T.Type:
        self._activity_tokens(expr.text, expr.span)
        self._verbatim_formula(expr)
        return T.ANY

    def _activity_tokens(self, text: str, span: Span) -> None:
        """E112 for Bitrix tokens naming an activity by a designer Name: bpl names every
        activity itself, so such a token reads nothing once compiled."""
        for name in dict.fromkeys(_ACTIVITY_TOKEN.findall(text)):
            self._dangling(name, span)

    def _dangling(self, name: str, span: Span) -> None:
        self.diag.error("E112", f"{name} names an activity by its Bitrix Name; the workflow's "
                                "activities are named when it compiles, so this reads nothing",
                        span, help="give the statement a label (as x) and read x.Result")

    def _verbatim_formula(self, expr: ast.Text | ast.RawBitrix) -> None:
        for problem in formula_problems(expr, functions_of(self.catalog)):
            self.diag.warning("W305", f"Bitrix reads this formula other than as written: "
                              f"{problem}", expr.span,
                              help="write it as a .bpl expression, or correct the Bitrix text")

    def _e_Number(self, expr: ast.Number) -> T.Type:
        check_number(expr, self.diag)
        return T.INT if isinstance(expr.value, int) else T.DOUBLE

    def _e_Bool(self, expr: ast.Bool) -> T.Type:
        return T.BOOL

    def _e_Duration(self, expr: ast.Duration) -> T.Type:
        return T.DURATION

    def _e_Ref(self, expr: ast.Ref) -> T.Type:
        return expr.binding.value_type if expr.binding is not None else T.ANY

    def _e_Call(self, expr: ast.Call) -> T.Type:
        name = expr.dotted
        if name in SPECIAL_CALLS:
            if len(expr.args) != 1:
                self.diag.error("E105", f"{name}(…) takes one argument", expr.span)
                return T.USER
            value = expr.args[0].value
            if name == "user":
                ok = isinstance(value, ast.Number) and isinstance(value.value, int) and \
                    value.value > 0
                if isinstance(value, ast.Ref) and value.parts[0] == "env":
                    ok = True
                if not ok:
                    self.diag.error("E004", "user(…) takes a user id: user(12)", value.span)
            elif not (isinstance(value, ast.Text) and value.is_plain and value.plain) and not (
                    isinstance(value, ast.Ref) and value.parts[0] == "env") and not (
                    # group(1): site user group 1, stored as the bare id "1"
                    # (CBPHelper::extractUsers, bizproc/classes/general/helper.php).
                    isinstance(value, ast.Number) and isinstance(value.value, int)
                    and value.value > 0):
                self.diag.error("E004", "group(…) takes a group code or a site user group id: "
                                        "group(\"hr\"), group(1)", value.span)
            return T.USER
        spec = self.catalog.function(name)
        types = []
        for arg in expr.args:
            if arg.name is not None:
                self.diag.error("E108", "calc functions take positional arguments", arg.span)
            types.append(self.expr(arg.value))
        if spec is None:
            hint = did_you_mean(name, self.catalog.functions)
            if name == "concat":
                hint = "there is no concat(); join strings with &"
            self.diag.error("E104", f"unknown function '{name}'", expr.name_span,
                            help=hint or "see stdlib/functions.toml for the Bitrix functions")
            return T.ANY
        count = len(expr.args)
        if count < spec.min_args or (spec.max_args >= 0 and count > spec.max_args):
            expected = str(spec.min_args) if spec.min_args == spec.max_args else (
                f"{spec.min_args} or more" if spec.max_args < 0 else
                f"{spec.min_args} to {spec.max_args}")
            self.diag.error("E105", f"{name}() takes {expected} argument(s), given {count}",
                            expr.span, help=spec.summary)
        for index, (arg, typ, kind) in enumerate(zip(expr.args, types, spec.args,
                                                     strict=False)):
            if typ.base in NEVER_AN_ARGUMENT.get(kind, ()):
                self.diag.error("E200", f"{name}() takes {_ARGUMENT_KINDS[kind]} as argument "
                                        f"{index + 1}, not a {typ.base}", arg.span,
                                help=spec.summary)
        return T.Type(spec.returns) if spec.returns not in ("list",) else T.LIST

    def _e_Unary(self, expr: ast.Unary) -> T.Type:
        typ = self.expr(expr.operand)
        self._numeric(expr.operand, typ)
        return typ if typ.base in ("int", "double") else T.DOUBLE

    def _e_Binary(self, expr: ast.Binary) -> T.Type:
        left, right = self.expr(expr.left), self.expr(expr.right)
        if expr.op == "&":
            return T.STRING
        if expr.op in ("+", "-") and left.base in ("date", "datetime"):
            return left  # Bitrix adds seconds to dates; dateadd() is clearer, but this works
        self._numeric(expr.left, left)
        self._numeric(expr.right, right)
        if expr.op in ("+", "-", "*") and left.base == right.base == "int":
            return T.INT
        return T.DOUBLE

    def _numeric(self, node: ast.Expr, typ: T.Type) -> None:
        if typ.base in ("string", "text") and isinstance(node, ast.Text):
            self.diag.error("E200", "arithmetic on a string", node.span,
                            help="join strings with & instead of +")
        elif typ.base in ("user", "bool", "duration", "list", "map"):
            self.diag.error("E200", f"arithmetic on a {typ}", node.span)

    def _e_Percent(self, expr: ast.Percent) -> T.Type:
        self._numeric(expr.operand, self.expr(expr.operand))
        return T.DOUBLE

    def _e_Modified(self, expr: ast.Modified) -> T.Type:
        typ = self.expr(expr.operand)
        if not isinstance(expr.operand, ast.Ref):
            self.diag.error("E107", "modifiers apply to references (doc.X | printable)",
                            expr.span)
        if len(expr.modifiers) > 2:
            self.diag.error("E107", "Bitrix takes at most two modifiers", expr.span)
        result = typ
        for modifier in expr.modifiers:
            spec = self.catalog.modifiers.get(modifier)
            if spec is None:
                self.diag.error("E107", f"unknown modifier '{modifier}'", expr.span,
                                help=did_you_mean(modifier, self.catalog.modifiers))
                continue
            result = T.Type(modifier, typ.multiple) if modifier in T.BASE_TYPES else T.STRING
        return result

    def _e_Compare(self, expr: ast.Compare) -> T.Type:
        left, right = self.expr(expr.left), self.expr(expr.right)
        if not comparable(left, right, expr.op):
            self.diag.error("E200", f"cannot compare {left} with {right}", expr.span)
            return T.BOOL
        for typed, value, value_type in ((left, expr.right, right), (right, expr.left, left)):
            if literal_of(value) is None or typed.base in ("any", "string", "text"):
                continue
            misfit = fit(typed, value, value_type, roles=self.roles)
            if misfit is not None and misfit.severity == "error":
                self.report("E200", misfit, value.span, f"compared with {typed}: ")
        return T.BOOL

    def _e_Test(self, expr: ast.Test) -> T.Type:
        self.expr(expr.operand)
        for arg in expr.args:
            self.expr(arg)
        return T.BOOL

    def _e_BoolOp(self, expr: ast.BoolOp) -> T.Type:
        self.expr(expr.left)
        self.expr(expr.right)
        return T.BOOL

    def _e_Not(self, expr: ast.Not) -> T.Type:
        self.expr(expr.operand)
        return T.BOOL

    def _e_ListExpr(self, expr: ast.ListExpr) -> T.Type:
        pair = [literal(item) for item in expr.items]
        if len(pair) == 2 and all(isinstance(p, str) for p in pair) and \
                _ACTIVITY_NAME.fullmatch(pair[0]) and _MEMBER.fullmatch(pair[1]):
            self._dangling(pair[0], expr.span)  # Bitrix reads [object, field] as a reference
        kinds = {self.expr(item).base for item in expr.items}
        if len(kinds) == 1:
            return T.Type(kinds.pop(), True)
        return T.LIST

    def _e_MapExpr(self, expr: ast.MapExpr) -> T.Type:
        for entry in expr.entries:
            self.expr(entry.value)
        return T.MAP


def literal(expr: ast.Expr) -> Any:
    if isinstance(expr, ast.Text) and expr.is_plain:
        return expr.plain
    if isinstance(expr, ast.Number | ast.Bool):
        return expr.value
    return None


def _within(span: Span, text: str, start: int, length: int) -> Span:
    """The span of text[start:start+length] inside a one-line string literal written without
    escapes (its quotes around `text`); else the literal's whole span."""
    if span.line != span.end_line or span.end_column - span.column != len(text) + 2:
        return span
    column = span.column + 1 + start
    return Span(span.file, span.line, column, span.line, column + length)
