"""Value types of .bpl and how they map to Bitrix field types.

A type is a Bitrix type name plus a `multiple` flag. `ANY` stands for values whose type
cannot be known offline (raw Bitrix tokens, untyped activity results, env symbols before an
environment is chosen); it is compatible with everything so that one unknown does not cause
a cascade of errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BASE_TYPES = ("string", "text", "int", "double", "bool", "date", "datetime", "time", "user",
              "file", "select", "internalselect")

_NUMERIC = {"int", "double"}
_TEXTUAL = {"string", "text", "select", "internalselect"}
_TEMPORAL = {"date", "datetime", "time"}


@dataclass(frozen=True, slots=True)
class Type:
    name: str  # a base type, a document-specific one ("UF:crm", "E:ECrm", "deal_stage"), or "any"
    multiple: bool = False

    def __str__(self) -> str:
        return self.name + ("[]" if self.multiple else "")

    @property
    def base(self) -> str:
        """The base type used for compatibility: document-specific types fall back to string."""
        if self.name in BASE_TYPES or self.name in ("any", "list", "map", "duration"):
            return self.name
        if self.name.startswith(("S:employee", "UF:employee")):
            return "user"
        if self.name in ("UF:date",):
            return "date"
        if self.name in ("UF:money", "UF:integer"):
            return "double"
        return "string"

    def single(self) -> Type:
        return Type(self.name)


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a reference denotes (a Ref's `binding` in the bound tree). `object`/`field` are the
    two halves of a Bitrix token `{=object:field}`; an activity's results are read through
    `label` (a labelled statement) or `loop` (a `for each`'s identity), which codegen turns into
    the activity's Name when it links the template. `literal` is set for values inlined at
    compile time (env symbols, roles)."""

    kind: str  # doc param var const label loop global workflow system user env role
    object: str
    field: str
    type: Type
    literal: Any = None
    label: str | None = None
    loop: str | None = None


ANY = Type("any")
STRING = Type("string")
TEXT = Type("text")
INT = Type("int")
DOUBLE = Type("double")
BOOL = Type("bool")
DATE = Type("date")
DATETIME = Type("datetime")
USER = Type("user")
USERS = Type("user", True)
DURATION = Type("duration")
LIST = Type("list")
MAP = Type("map")


def assignable(target: Type, value: Type) -> bool:
    """Can a value of type `value` be stored where `target` is expected?"""
    t, v = target.base, value.base
    if "any" in (t, v):
        return True
    if t == v:
        return True
    if t in _TEXTUAL:
        return True  # Bitrix converts any value to text
    if t in _NUMERIC and v in _NUMERIC | {"bool"}:
        return True
    if t in _NUMERIC and v in _TEXTUAL:
        return True  # numeric strings are common ("100"); Bitrix parses them
    if t in _TEMPORAL and (v in _TEMPORAL or v in _TEXTUAL):
        return True
    if t == "bool" and v in _TEXTUAL | _NUMERIC:
        return True  # 'Y'/'N' strings and 0/1 are Bitrix's own bool spellings
    if t == "user" and v in _TEXTUAL:
        return True  # "user_12", "group_hr", "author"
    if t == "file" and v in _NUMERIC | _TEXTUAL:
        return True
    return bool(v == "list" and target.multiple)


def comparable(left: Type, right: Type, op: str) -> bool:
    """Is `left OP right` meaningful? Ordering needs numbers, dates or text on both sides."""
    lb, rb = left.base, right.base
    if "any" in (lb, rb):
        return True
    if op in ("==", "!="):
        return assignable(left, right) or assignable(right, left)
    if op in (">", ">=", "<", "<="):
        orderable = _NUMERIC | _TEMPORAL | _TEXTUAL
        if lb not in orderable:
            return False
        if lb in _NUMERIC:
            return rb in _NUMERIC | _TEXTUAL
        if lb in _TEMPORAL:
            return rb in _TEMPORAL | _TEXTUAL
        return True
    return True
