"""Value types of .bpl and how they map to Bitrix field types.

A type is a Bitrix type name plus a `multiple` flag. `ANY` stands for values whose type
cannot be known offline (raw Bitrix tokens, untyped activity results, env symbols before an
environment is chosen); it is compatible with everything so that one unknown does not cause
a cascade of errors.
"""

from __future__ import annotations

from typing import Any

from compiler.record import record

BASE_TYPES = ("string", "text", "int", "double", "bool", "date", "datetime", "time", "user",
              "file", "select", "internalselect")

@record
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


@record
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
    # A document field the item keeps as another type than the bizproc document declares
    # (a deal's OPPORTUNITY: declared string, kept as a number); values are checked against it.
    stores: Type | None = None
    # The keys of a select whose options are known (a declaration's, a catalog field's).
    options: tuple[str, ...] = ()

    @property
    def value_type(self) -> Type:
        """The type a value read or written here is checked against."""
        return self.stores or self.type


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
