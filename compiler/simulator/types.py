"""Bitrix field types at run time: converting values into a type, and printing them.

A `FieldInfo` carries what a value's source declares (type, multiple, select options); the
conversions follow the internal formats of reference §3.3: bool 'Y'/'N', user tokens,
select keys, dates as strings.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from compiler.php.values import (
    float_to_string,
    get_bool,
    is_numeric,
    loose_compare,
    php_trim,
    scalar_string,
    to_float,
    to_int,
    to_str,
    truthy,
)
from compiler.record import record
from compiler.simulator import dates
from compiler.simulator.directory import Directory, user_id_of, user_tokens
from compiler.simulator.strtotime import strtotime

_TRUE_WORDS = {"y", "yes", "true", "1", "on"}
_FALSE_WORDS = {"n", "no", "false", "0", "off", ""}


@record(slots=False)
class FieldInfo:
    type: str = "string"
    multiple: bool = False
    options: Any = None

    @functools.cached_property
    def base(self) -> str:
        return base_type(self.type)


def info_of_value(value: Any) -> FieldInfo:
    """The type of a value given with none declared (a scenario's TOML value for a field or a
    global variable: its only witness of the type Bitrix would keep)."""
    if isinstance(value, bool):
        return FieldInfo("bool")
    if isinstance(value, int):
        return FieldInfo("int")
    if isinstance(value, float):
        return FieldInfo("double")
    if isinstance(value, list):
        return FieldInfo("string", True)
    return FieldInfo("string")


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


def string_to_type(value: Any, base: str, now: datetime) -> Any:
    """A value converted from a string into `base`, as StringType::convertTo does it
    (bizproc/lib/basetype/stringtype.php); types it cannot convert to keep the value.
    Lists convert element by element. `now` is the time relative dates are read against."""
    if isinstance(value, list):
        return [string_to_type(item, base, now) for item in value]
    if base not in _FROM_STRING:
        return value
    text = scalar_string(value)
    if base == "bool":
        return "Y" if text.lower() in ("y", "yes", "true", "1") else "N"
    if base in ("double", "int"):
        number = number_text(text, base)
        return to_float(number) if base == "double" else to_int(number)
    if base == "user":
        trimmed = php_trim(text)
        usable = "user_" in trimmed or "group_" in trimmed or trimmed.isdigit()
        return trimmed if usable else value
    if base in ("date", "datetime"):
        return _date_from_string(text, base, now)
    return text


def number_text(text: str, base: str) -> str:
    """The text StringType::convertTo reads a number from: without spaces, and for a double
    with a decimal comma read as a point ("1 000,5" → "1000.5")."""
    text = text.replace(" ", "")
    return text.replace(",", ".") if base == "double" else text


_FROM_STRING = frozenset({"bool", "double", "int", "user", "date", "datetime", "string", "text"})


def _date_from_string(text: str, base: str, now: datetime) -> str:
    if not truthy(text) or dates.is_serialized(text):
        return text
    site_format = dates.SITE_FORMATS[1] if base == "date" else dates.SITE_FORMATS[0]
    if dates.check_date_time(text, site_format):
        stamp = to_int(dates.helper_timestamp(text))
    else:
        found = strtotime(text, dates.timestamp(now))
        stamp = 0 if found is None else found  # date($format, false) is 1970-01-01
    moment = dates.from_timestamp(stamp)
    return dates.format_date(moment) if base == "date" else dates.format_datetime(moment)


def compare_values(base: str, a: Any, b: Any) -> int:
    """The type's compareValues (bizproc/lib/basetype/*.php): 1, -1 or 0 with PHP's `>`
    and `<`; bools through CBPHelper::getBool, dates as timestamps (a date without its
    time of day)."""
    if base == "bool":
        a, b = get_bool(a), get_bool(b)
    elif base in ("date", "datetime"):
        a, b = dates.helper_timestamp(a), dates.helper_timestamp(b)
        if base == "date":
            a, b = dates.day_start(a), dates.day_start(b)
    if loose_compare(b, a) < 0:  # PHP's $a > $b
        return 1
    if loose_compare(a, b) < 0:
        return -1
    return 0
