"""Bitrix field types at run time: converting values into a type, and printing them.

A `FieldInfo` carries what a value's source declares (type, multiple, select options); the
conversions follow the internal formats of reference §3.3: bool 'Y'/'N', user tokens,
select keys, dates as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.simulator import dates
from compiler.simulator.directory import Directory, user_id_of, user_tokens
from compiler.simulator.phpvalues import (
    float_to_string,
    is_numeric,
    to_float,
    to_int,
    to_str,
    truthy,
)

_TRUE_WORDS = {"y", "yes", "true", "1", "on"}
_FALSE_WORDS = {"n", "no", "false", "0", "off", ""}


@dataclass(frozen=True)
class FieldInfo:
    type: str = "string"
    multiple: bool = False
    options: Any = None

    @property
    def base(self) -> str:
        return base_type(self.type)


def base_type(type_name: str) -> str:
    """Document-specific types → the base type whose rules apply."""
    name = (type_name or "").lower()
    if name in ("int", "integer", "n", "n:sequence", "uf:integer"):
        return "int"
    if name in ("double", "float", "uf:double", "s:money", "uf:money"):
        return "double"
    if name in ("bool", "b", "uf:boolean"):
        return "bool"
    if name in ("user", "s:employee", "s:userid", "uf:employee"):
        return "user"
    if name in ("date", "uf:date", "s:date"):
        return "date"
    if name in ("datetime", "s:datetime", "uf:datetime"):
        return "datetime"
    if name in ("select", "internalselect", "deal_stage", "deal_category", "lead_status", "l",
                "uf:enumeration", "uf:crm_status"):
        return "select"
    if name in ("text", "t", "s:html"):
        return "text"
    if name == "time":
        return "time"
    if name == "file" or name.endswith("file"):
        return "file"
    return "string" if name else ""


def convert(value: Any, info: FieldInfo) -> Any:
    """A value in the internal format of `info` (a list when the field is multiple)."""
    if info.multiple:
        items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        if info.base == "user":
            return user_tokens(items)
        return [convert_one(v, info.base) for v in items]
    if isinstance(value, list):
        if info.base == "user":
            tokens = user_tokens(value)
            return tokens[0] if tokens else ""
        value = value[0] if value else ""
    return convert_one(value, info.base)


def convert_one(value: Any, base: str) -> Any:
    if base == "":
        return value
    if value is None:
        return ""
    if base == "int":
        return "" if value == "" else to_int(value)
    if base == "double":
        if value == "":
            return ""
        number = to_float(value)
        return number
    if base == "bool":
        return to_bool_yn(value)
    if base == "user":
        tokens = user_tokens(value)
        return tokens[0] if tokens else ""
    if base in ("date", "datetime"):
        moment = dates.parse(value)
        if moment is None:
            return to_str(value)
        return dates.format_date(moment) if base == "date" else dates.format_datetime(moment)
    if base in ("string", "text", "select", "time", "file"):
        return to_str(value)
    return value


def to_bool_yn(value: Any) -> str:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return "Y"
        if word in _FALSE_WORDS:
            return "N"
    return "Y" if truthy(value) else "N"


def printable(value: Any, info: FieldInfo, directory: Directory) -> str:
    """The `printable` format: names for users, labels for selects, Yes/No for bools."""
    items = value if isinstance(value, list) else [value]
    return ", ".join(_printable_one(v, info, directory) for v in items if v not in (None,))


def _printable_one(value: Any, info: FieldInfo, directory: Directory) -> str:
    base = info.base
    if base == "user":
        user_id = user_id_of(value)
        return directory.name(user_id) if user_id is not None else to_str(value)
    if base == "bool":
        return "Yes" if to_bool_yn(value) == "Y" else "No"
    if base == "select" and isinstance(info.options, dict):
        return to_str(info.options.get(to_str(value), value))
    if base == "double" and is_numeric(value):
        # Base::formatValuePrintable → (string) of the float: PHP's precision 14.
        return float_to_string(to_float(value))
    return to_str(value)


def compare_key(value: Any, base: str) -> Any:
    """A value in the form Bitrix's type-aware comparisons use (numbers, timestamps …)."""
    if base in ("int", "double"):
        return None if value in ("", None) else to_float(value)
    if base in ("date", "datetime"):
        moment = dates.parse(value)
        if moment is None:
            return to_str(value)
        if base == "date":
            moment = moment.replace(hour=0, minute=0, second=0)
        return float(dates.timestamp(moment))
    if base == "bool":
        return None if value in ("", None) else to_bool_yn(value)
    if base == "user":
        return user_tokens(value)
    return value
