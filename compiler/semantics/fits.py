"""Whether a value fits where it goes: the rule table of docs/language.md §6, in one place.

A value is judged in one of two ways.

- A **literal** (a plain string, a number, `true`/`false`, a duration, an env symbol's
  inlined value) is judged by what Bitrix makes of it in a typed place. The
  conversions are the simulator's, which follow Bitrix's code (compiler/simulator/types.py:
  StringType::convertTo and the type classes of bizproc/lib/basetype/), so there is one copy
  of them: "100" is read as the number 100 and fits a number; "abc" is read as 0 and does not;
  "yes" is Bitrix's `Y`, "2024-05-01" a date, "user_12" a user.
- Any **other value** (a reference, a formula) is judged by its type, leniently where Bitrix
  converts at run time: a text may hold a number, a date or "user_12", so a text value fits
  every type, and numbers fit texts. What never converts is an error: a number, a bool or a
  date where users go, a user or a date where numbers go, a bool (stored `Y`/`N`, read as 0)
  where numbers go.

`fit` returns None when the value fits, else a `Misfit` (an error, or a warning where Bitrix
converts with a loss: 1.5 stored in an int is 1).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any, Literal

from compiler.php.values import get_bool, is_numeric, scalar_string
from compiler.record import record
from compiler.semantics import types as T
from compiler.simulator.dates import format_date, format_datetime, from_timestamp
from compiler.simulator.types import number_text, string_to_type
from compiler.syntax import ast

# What Bitrix reads as a user when it is written as text (an env value, a string literal):
# user_N, N (a user id), group_CODE. Roles (author, …) are checked by name, per document.
USER_TEXT = re.compile(r"user_\d+|group_\w+|[1-9]\d*")
# The moment relative dates are read against; its value only matters for relative texts
# ("tomorrow"), which fit a date whatever the moment.
_NOW = datetime(2025, 1, 1)
# What Bitrix makes of a date text it cannot read: the start of 1970.
_EPOCH = {"date": format_date(from_timestamp(0)), "datetime": format_datetime(from_timestamp(0))}

Severity = Literal["error", "warning"]


@record
class Misfit:
    """Why a value does not fit: `shown` is the literal as written ("" for a value known by
    its type only, `value_type`)."""

    severity: Severity
    message: str
    help: str | None = None
    shown: str = ""
    value_type: T.Type = T.ANY

    @property
    def literal(self) -> bool:
        return bool(self.shown)


@record
class LiteralValue:
    """A literal's value as the template holds it (numbers as numbers, true as 'Y', 3d as
    "3d"), and how the source wrote it (for messages). `user(12)` is not one: it is judged
    as a value of type user, like a user field."""

    value: Any
    shown: str
    kind: str  # text | int | double | bool | duration | user
    from_env: bool = False  # an env symbol's value: a user id N is a user there (§10)


def literal_of(expr: ast.Expr) -> LiteralValue | None:
    """The literal `expr` is, or None when its value is known only at run time. A text that
    starts with '=' is a formula for Bitrix, not a literal."""
    if isinstance(expr, ast.Text) and expr.is_plain and not expr.plain.startswith("="):
        return LiteralValue(expr.plain, f'"{expr.plain}"', "text")
    if isinstance(expr, ast.Bool):
        return LiteralValue("Y" if expr.value else "N", "true" if expr.value else "false", "bool")
    if isinstance(expr, ast.Number):
        return _number(expr.value, expr.text)
    if isinstance(expr, ast.Unary) and isinstance(expr.operand, ast.Number):
        value = -expr.operand.value if expr.op == "-" else expr.operand.value
        return _number(value, f"{expr.op}{expr.operand.text}")
    if isinstance(expr, ast.Duration):
        text = f"{expr.amount}{expr.unit}"
        return LiteralValue(text, text, "duration")
    if isinstance(expr, ast.Ref) and expr.parts[0] == "env" and expr.binding is not None \
            and expr.binding.literal is not None:
        return env_literal(expr.binding.literal, f"env.{expr.parts[-1]}")
    return None


def env_literal(value: Any, name: str) -> LiteralValue:
    """An env symbol's value, inlined as a literal of its TOML type."""
    shown = f"{name} ({value!r})"
    if isinstance(value, bool):
        return LiteralValue("Y" if value else "N", shown, "bool", True)
    if isinstance(value, int | float):
        return LiteralValue(value, shown, "int" if isinstance(value, int) else "double", True)
    text = str(value)
    kind = "user" if re.fullmatch(r"(user|group)_\w+", text) else "text"
    return LiteralValue(text, shown, kind, True)


def _number(value: int | float, text: str) -> LiteralValue:
    return LiteralValue(value, text, "int" if isinstance(value, int) else "double")


# ── the rules ─────────────────────────────────────────────────────────────────────────────
_NUMBERS = ("int", "double")
_DATES = ("date", "datetime")
_TEXTS = ("string", "text", "select", "internalselect")
_NAMES = {"int": "a whole number", "double": "a number", "bool": "true or false",
          "date": "a date", "datetime": "a date", "time": "a time", "user": "a user",
          "file": "a file", "duration": "a duration"}


def fit(target: T.Type, expr: ast.Expr | None, value_type: T.Type, *,
        roles: tuple[str, ...] = (), options: tuple[str, ...] = ()) -> Misfit | None:
    """Whether `expr` (one value, of type `value_type`) fits a place of type `target`; the
    caller judges the items of a list one by one. `roles` are the names Bitrix reads as users
    besides user_N and group_CODE (author, …); `options` the keys of a select whose options
    are known."""
    base = target.base
    if base == "any" or value_type.base == "any":
        return None
    literal = literal_of(expr) if expr is not None else None
    if literal is not None:
        return literal_fit(base, literal, roles=roles, options=options)
    if base == "user" and isinstance(expr, ast.Text):
        lead = _leading_text(expr)
        if lead and not _may_begin_user(lead, roles):
            return Misfit("error", f'a text beginning "{lead}" is not a user',
                          "users are user(12), group(\"hr\"), role.author, a user field or "
                          "parameter, or a list of those", shown=f'"{lead}…"',
                          value_type=value_type)
    return type_fit(target, value_type)


def _leading_text(text: ast.Text) -> str:
    """The literal words a text with interpolations begins with ('' when it begins with a
    value, or is a formula)."""
    first = text.parts[0] if text.parts else ""
    return first if isinstance(first, str) and not first.startswith("=") else ""


def _may_begin_user(lead: str, roles: tuple[str, ...]) -> bool:
    """Whether a text beginning with `lead` may still be a user: CBPHelper::extractUsers
    (bizproc/classes/general/helper.php) takes user_N and group_CODE by their prefix and
    reads any other text as a role of the document, so a value is a user only when it begins
    as one of those (or as a user id)."""
    forms = ("user_", "group_", *roles)
    return lead.isdigit() or any(form.startswith(lead) or lead.startswith(form)
                                 for form in forms)


def literal_fit(base: str, literal: LiteralValue, *, roles: tuple[str, ...] = (),
                options: tuple[str, ...] = ()) -> Misfit | None:
    """A literal in a place of base type `base`, as Bitrix converts it there."""
    misfit = _literal_fit(base, literal, roles, options)
    return dataclasses.replace(misfit, shown=literal.shown) if misfit is not None else None


def _literal_fit(base: str, literal: LiteralValue, roles: tuple[str, ...],
                 options: tuple[str, ...]) -> Misfit | None:
    value, shown, kind = literal.value, literal.shown, literal.kind
    if kind == "text" and value == "":
        return None  # no value, whatever the type
    if base in ("select", "internalselect") and options:
        if scalar_string(value) in options:
            return None
        return Misfit("error", f"{shown} is not an option of the select",
                      f"options are {', '.join(options)}")
    if base in _TEXTS or base in ("time", "any", "list", "map"):
        return None  # Bitrix keeps any value as text
    if base == "file":
        return None if kind in ("text", "int") else _not(shown, base, kind)
    if kind == "duration":
        return None if base == "duration" else _not(shown, base, kind)
    if base == "duration":
        return _not(shown, base, kind)
    if kind == "user":
        return None if base == "user" else _not(shown, base, kind)
    if base in _NUMBERS:
        return _number_fit(base, literal)
    if base == "bool":
        if kind in ("int", "double"):
            return None if value in (0, 1) else _not(shown, base, kind,
                                                     "Bitrix reads 0 as false and 1 as true")
        if kind == "text" and (string_to_type(value, "bool", _NOW) == "Y") != get_bool(value):
            return _not(shown, base, kind, "Bitrix reads Y, yes, true, 1 as true and N, "
                                           "false, 0 or an empty text as false")
        return None
    if base in _DATES:
        if kind != "text":
            return _not(shown, base, kind)
        if value and string_to_type(value, base, _NOW) == _EPOCH[base] and "1970" not in value:
            return Misfit("error", f"{shown} is not a date (Bitrix reads it as "
                                   f"{_EPOCH[base]})", "write 2024-05-01, 01.05.2024 or a "
                                                      "relative date such as \"+3 days\"")
        return None
    if base == "user":
        if kind == "text" and (USER_TEXT.fullmatch(value.strip()) or value in roles):
            return None
        if kind == "int" and literal.from_env and USER_TEXT.fullmatch(str(value)):
            return None
        return _not(shown, base, kind, "users are user(12), group(\"hr\"), role.author, a "
                                       "user field or parameter, or a list of those")
    return None


def _number_fit(base: str, literal: LiteralValue) -> Misfit | None:
    value, shown, kind = literal.value, literal.shown, literal.kind
    if kind == "bool":
        return Misfit("error", f"{shown} is not a number (Bitrix stores '{value}', read "
                               "as 0)", "write 1 or 0")
    if kind == "text" and not is_numeric(number_text(value, base)):
        converted = string_to_type(value, base, _NOW)
        return Misfit("error", f"{shown} is not a number (Bitrix reads it as "
                               f"{scalar_string(converted)})",
                      "write the number itself, e.g. 10000")
    if base == "int":
        converted = string_to_type(scalar_string(value), base, _NOW)
        if kind != "int" and float(number_text(scalar_string(value), "double")) != converted:
            return Misfit("warning", f"{shown} is not a whole number: Bitrix stores "
                                     f"{converted} in an int", "declare it as double to keep "
                                                               "the fraction")
    return None


def _not(shown: str, base: str, kind: str, help: str | None = None) -> Misfit:
    what = {"text": "a text", "int": "a number", "double": "a number", "bool": "a bool",
            "duration": "a duration", "user": "a user"}[kind]
    return Misfit("error", f"{shown} is {what}, not {_NAMES.get(base, base)}", help)


def type_fit(target: T.Type, value: T.Type) -> Misfit | None:
    """A value known only by its type: an error where Bitrix cannot convert it."""
    if assignable(target, value):
        return None
    return Misfit("error", f"{value} does not fit {target}",
                  "convert on purpose with a modifier, e.g. value | string", value_type=value)


def assignable(target: T.Type, value: T.Type) -> bool:
    """Can a value of type `value` (not a literal) be stored where `target` is expected?"""
    t, v = target.base, value.base
    if "any" in (t, v) or t == v:
        return True
    if t in _TEXTS or t == "time":
        return True  # Bitrix keeps any value as text
    if v in _TEXTS:
        return t != "duration"  # a text may hold a number, a date, 'Y' or user_12
    if t in _NUMBERS:
        return v in _NUMBERS
    if t in _DATES:
        return v in _DATES
    if t == "bool":
        return v in _NUMBERS  # 0 and 1
    if t == "file":
        return v == "int"  # a file id
    return bool(v == "list" and target.multiple)


def comparable(left: T.Type, right: T.Type, op: str) -> bool:
    """Is `left OP right` meaningful? Ordering needs numbers, dates or text on both sides."""
    lb, rb = left.base, right.base
    if "any" in (lb, rb):
        return True
    if op in ("==", "!="):
        return assignable(left, right) or assignable(right, left)
    if op in (">", ">=", "<", "<="):
        if lb not in (*_NUMBERS, *_DATES, *_TEXTS, "time"):
            return False
        if lb in _NUMBERS:
            return rb in (*_NUMBERS, *_TEXTS)
        if lb in _DATES:
            return rb in (*_DATES, *_TEXTS)
        return True
    return True
