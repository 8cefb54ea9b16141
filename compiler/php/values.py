"""PHP's value rules, as Bitrix applies them to workflow values and request data.

Workflow values are JSON-friendly Python values: str, int, float, bool, None, lists and
string-keyed dicts (PHP arrays), plus `PhpObject` for the few objects Bitrix hands to formulas
(its date values). Bitrix evaluates them with PHP 8 semantics — numeric strings compare as
numbers, `(float)"12abc"` is 12, `"0"` is falsy, a float prints with `precision` 14 — so the
simulator, the checker, the catalog's import rules and the sandbox use these rules, each as a
small pure function, instead of Python's. The reference is PHP 8.2 (Zend/zend_operators.c,
ext/standard/math.c, ext/mbstring) as Bitrix runs it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from compiler.record import record

# PHP's whitespace for numeric strings and trim(): " \t\n\r\v\f" (numeric) and " \t\n\r\0\x0B".
_SPACE = " \t\n\r\v\f"
TRIM_CHARACTERS = " \t\n\r\0\x0b"
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMERIC = re.compile(rf"^[{_SPACE}]*{_NUMBER}[{_SPACE}]*$")
_LEADING_NUMBER = re.compile(rf"^[{_SPACE}]*({_NUMBER})")
_INTEGER = re.compile(r"^[+-]?\d+$")
_INT_MAX = 2**63 - 1
_INT_MIN = -(2**63)


@record(slots=False)
class PhpObject:
    """An object with __toString, as Bitrix's date values (Bizproc\\BaseType\\Value\\Date,
    bizproc/lib/basetype/value/date.php).

    PHP treats it as no scalar: `(float)` and `(int)` give 1, strings compare with its text,
    two objects of one class compare property by property (`fields`); objects of different
    classes are uncomparable.
    """

    text: str
    fields: tuple[Any, ...] = ()
    cls: str = ""

    def __str__(self) -> str:
        return self.text


# ── types ────────────────────────────────────────────────────────────────────────────────
def is_scalar(value: Any) -> bool:
    """PHP is_scalar: int, float, string and bool (not null, arrays or objects)."""
    return isinstance(value, str | int | float)  # bool is an int


def is_array(value: Any) -> bool:
    return isinstance(value, list | dict)


def is_numeric(value: Any) -> bool:
    """PHP 8 is_numeric: numbers and strings that are wholly a number (surrounding spaces ok)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMERIC.match(value))


def array_values(value: Any) -> list[Any]:
    """The elements of a PHP array in order (a dict's values), or [value] for a non-array."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return [value]


# ── casts ────────────────────────────────────────────────────────────────────────────────
def to_float(value: Any) -> float:
    """PHP (float): a string's leading number (0 without one), arrays 0/1, objects 1."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, list | dict):
        return 1.0 if value else 0.0
    if isinstance(value, PhpObject):
        return 1.0
    match = _LEADING_NUMBER.match(str(value))
    return float(match.group(1)) if match else 0.0


def to_int(value: Any) -> int:
    """PHP (int): floats wrap modulo 2**64, numeric strings saturate, NAN and INF are 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        # A Python int beyond 64 bits can only come from outside PHP (JSON): PHP decodes such a
        # number as a float, and (int) of that float is what PHP gives.
        return value if _INT_MIN <= value <= _INT_MAX else _float_to_int(float(value))
    if isinstance(value, float):
        return _float_to_int(value)
    if isinstance(value, str):
        match = _LEADING_NUMBER.match(value)
        if match is None:
            return 0
        text = match.group(1)
        if _INTEGER.match(text):
            return max(_INT_MIN, min(_INT_MAX, int(text)))
        number = float(text)
        if not math.isfinite(number):
            return 0
        return max(_INT_MIN, min(_INT_MAX, int(number)))
    return int(to_float(value))


def _float_to_int(number: float) -> int:
    # Zend/zend_operators.h zend_dval_to_lval: out of range wraps modulo 2**64.
    if not math.isfinite(number):
        return 0
    if _INT_MIN <= number < 2.0**63:
        return int(number)
    wrapped = math.fmod(number, 2.0**64)
    if wrapped < 0:
        wrapped += 2.0**64
    if wrapped >= 2.0**63:
        wrapped -= 2.0**64
    return int(wrapped)


def float_to_string(number: float) -> str:
    """PHP (string) of a float with `precision` 14: 0.1+0.2 → "0.3", 1e20 → "1.0E+20"."""
    if math.isnan(number):
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    text = f"{number:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0') or '0'}"


def format_float(number: float) -> str:
    """PHP 8 float → string with serialize_precision -1 (var_export, JSON): shortest repr."""
    if math.isnan(number):
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{exponent.lstrip('+-')}"
    return text


def scalar_string(value: Any) -> str:
    """PHP (string) of one value: true "1", false and null "", floats with precision 14."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return float_to_string(value)
    if isinstance(value, list | dict):
        return "Array"
    return str(value)


def to_str(value: Any) -> str:
    """CBPHelper::stringify (bizproc/classes/general/helper.php): arrays flattened, joined
    with a comma and a space."""
    if isinstance(value, list | dict):
        return ", ".join(scalar_string(item) for item in flatten(value))
    return scalar_string(value)


def truthy(value: Any) -> bool:
    """PHP (bool): "", "0", 0, 0.0, null and [] are false; "0.0", " " and objects are true."""
    if isinstance(value, str):
        return value not in ("", "0")
    if isinstance(value, PhpObject):
        return True
    return bool(value)


def php_empty(value: Any) -> bool:
    """PHP empty(): the falsy values ("", "0", 0, 0.0, null, false, [])."""
    return not truthy(value)


def get_bool(value: Any) -> bool:
    """CBPHelper::getBool (bizproc/classes/general/helper.php): empty values, "false" and "N"/"n"
    are false."""
    if php_empty(value) or (value == "false" and isinstance(value, str)):
        return False
    if is_scalar(value) and scalar_string(value).upper() == "N":
        return False
    return truthy(value)


def is_empty_value(value: Any) -> bool:
    """CBPHelper::isEmptyValue (bizproc/classes/general/helper.php): null, '', false, or an array
    without any other element (compared with ===: 0, "0" and nested arrays count as values)."""
    if _null_blank_or_false(value):
        return True
    if isinstance(value, list | dict):
        return all(_null_blank_or_false(item) for item in array_values(value))
    return False


def _null_blank_or_false(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str) and value == "")


# ── functions that throw on the wrong type (PHP 8) ──────────────────────────────────────
class PhpTypeError(Exception):
    """PHP 8's TypeError, with PHP's own message: an uncaught Error, not an Exception."""


def php_type(value: Any) -> str:
    """The type name PHP's error messages use."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list | dict):
        return "array"
    if isinstance(value, PhpObject):
        return value.cls or "object"
    return "string"


def php_count(value: Any) -> int:
    """count(): arrays only; anything else is a TypeError under PHP 8."""
    if isinstance(value, list | dict):
        return len(value)
    raise PhpTypeError(
        f"count(): Argument #1 ($value) must be of type Countable|array, {php_type(value)} given")


def php_strlen(value: Any) -> int:
    """strlen() in PHP's coercive mode: scalars and null as their string, arrays a TypeError."""
    if isinstance(value, list | dict):
        raise PhpTypeError("strlen(): Argument #1 ($string) must be of type string, array given")
    return len(scalar_string(value).encode("utf-8"))


def php_trim_value(value: Any) -> str:
    """trim() of any value: scalars and null as their string, arrays a TypeError."""
    if isinstance(value, list | dict):
        raise PhpTypeError("trim(): Argument #1 ($string) must be of type string, array given")
    return php_trim(scalar_string(value))


def array_cast(value: Any) -> Any:
    """PHP (array): null is [], an array stays itself, any other value is [value]."""
    if value is None:
        return []
    return value if isinstance(value, list | dict) else [value]


# ── arrays ───────────────────────────────────────────────────────────────────────────────
def flatten(values: Any) -> list[Any]:
    """CBPHelper::flatten (bizproc/classes/general/helper.php): every leaf of nested arrays, in
    order."""
    if not isinstance(values, list | dict):
        return [values]
    out: list[Any] = []
    for value in array_values(values):
        out.extend(flatten(value) if isinstance(value, list | dict) else [value])
    return out


def make_array_flat(value: Any) -> list[Any]:
    """CBPHelper::makeArrayFlat (bizproc/classes/general/helper.php): nested arrays flattened, blank
    strings (after trim) dropped."""
    if not isinstance(value, list | dict):
        return [value]
    out: list[Any] = []
    for item in array_values(value):
        if isinstance(item, list | dict):
            out.extend(make_array_flat(item))
        elif php_trim(scalar_string(item)) != "":
            out.append(item)
    return out


def first(value: Any) -> Any:
    """array_shift() of a copy: an array's first element (null when empty), else the value."""
    if isinstance(value, list | dict):
        items = array_values(value)
        return items[0] if items else None
    return value


def current(value: Any) -> Any:
    """PHP current() after reset(): like `first`, but an empty array gives false."""
    if isinstance(value, list | dict):
        items = array_values(value)
        return items[0] if items else False
    return value


# ── comparison ───────────────────────────────────────────────────────────────────────────
def loose_compare(a: Any, b: Any) -> int:
    """PHP 8 `<=>` (Zend/zend_operators.c zend_compare): -1, 0 or 1."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        if a is None and b is None:
            return 0
        if a is None and isinstance(b, str):
            return _cmp("", b)
        if b is None and isinstance(a, str):
            return _cmp(a, "")
        return _cmp(truthy(a), truthy(b))
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        if not (isinstance(a, list | dict) and isinstance(b, list | dict)):
            return 1 if isinstance(a, list | dict) else -1  # an array is greater than scalars
        return _compare_arrays(a, b)
    if isinstance(a, PhpObject) or isinstance(b, PhpObject):
        return _compare_objects(a, b)
    if isinstance(a, str) and isinstance(b, str):
        if is_numeric(a) and is_numeric(b):
            return _cmp(to_float(a), to_float(b)) if not _both_int(a, b) else \
                _cmp(int(a.strip(_SPACE)), int(b.strip(_SPACE)))
        return _cmp(a, b)
    if isinstance(a, str):
        return -loose_compare(b, a)
    if isinstance(b, str):  # a number against a string
        if is_numeric(b):
            return _cmp(a, to_float(b) if isinstance(a, float) or not _INTEGER.match(
                b.strip(_SPACE)) else int(b.strip(_SPACE)))
        return _cmp(scalar_string(a), b)
    return _cmp(a, b)


def _both_int(a: str, b: str) -> bool:
    return bool(_INTEGER.match(a.strip(_SPACE)) and _INTEGER.match(b.strip(_SPACE)))


def _compare_arrays(a: Any, b: Any) -> int:
    left, right = _keyed(a), _keyed(b)
    if len(left) != len(right):
        return _cmp(len(left), len(right))
    for key, value in left.items():
        if key not in right:
            return 1  # uncomparable: PHP answers 1
        result = loose_compare(value, right[key])
        if result:
            return result
    return 0


def _keyed(value: Any) -> dict[Any, Any]:
    return dict(enumerate(value)) if isinstance(value, list) else dict(value)


def _compare_objects(a: Any, b: Any) -> int:
    if isinstance(a, PhpObject) and isinstance(b, PhpObject):
        if a.cls != b.cls:
            return 1  # uncomparable: PHP answers 1 either way round
        for x, y in zip(a.fields, b.fields, strict=False):
            result = loose_compare(x, y)
            if result:
                return result
        return 0
    if isinstance(a, PhpObject):
        return _compare_object_with(a, b)
    return -_compare_object_with(b, a)


def _compare_object_with(obj: PhpObject, other: Any) -> int:
    if isinstance(other, str):
        return _cmp(obj.text, other)
    return _cmp(1, other)  # the object cast to a number is 1


def php_identical(a: Any, b: Any) -> bool:
    """PHP `===`: the same type and value (arrays: the same keys, in order, identical)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list | dict):
        left, right = _keyed(a), _keyed(b)
        return list(left) == list(right) and all(php_identical(left[k], right[k]) for k in left)
    return bool(a == b)


def loose_equal(a: Any, b: Any) -> bool:
    """PHP 8 `==`."""
    if isinstance(a, list | dict) and isinstance(b, list | dict):
        left, right = _keyed(a), _keyed(b)
        return left.keys() == right.keys() and all(loose_equal(left[k], right[k]) for k in left)
    return loose_compare(a, b) == 0


def in_array(needle: Any, haystack: Any) -> bool:
    """PHP in_array() with loose comparison."""
    return any(loose_equal(needle, item) for item in array_values(haystack))


def _cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def php_min(values: list[Any]) -> Any:
    """PHP min() of an array: the first value no later value is smaller than."""
    best = values[0]
    for value in values[1:]:
        if loose_compare(value, best) < 0:
            best = value
    return best


def php_max(values: list[Any]) -> Any:
    best = values[0]
    for value in values[1:]:
        if loose_compare(value, best) > 0:
            best = value
    return best


# ── numbers ──────────────────────────────────────────────────────────────────────────────
def php_round(number: float, precision: int = 0) -> float:
    """PHP 8.2 round(): halves away from zero, after pre-rounding to 15 significant digits."""
    if not math.isfinite(number) or number == 0.0:
        return number
    rounded = Decimal(f"{number:.15g}").quantize(Decimal(1).scaleb(-precision),
                                                  rounding=ROUND_HALF_UP)
    result = float(rounded)
    return math.copysign(result, number) if result == 0.0 else result


def php_ceil(number: float) -> float:
    """PHP ceil(): a float, keeping the sign of zero (ceil(-0.5) is -0)."""
    if not math.isfinite(number):
        return number
    return math.copysign(float(math.ceil(number)), number)


def php_floor(number: float) -> float:
    if not math.isfinite(number):
        return number
    return math.copysign(float(math.floor(number)), number)


def number_format(number: float, decimals: int, point: str, separator: str) -> str:
    """PHP 8.2 number_format(): negative decimals count as 0, "-0" prints as "0"."""
    decimals = max(0, decimals)
    rounded = php_round(number, decimals)
    if not math.isfinite(rounded):
        return float_to_string(rounded)
    whole, _, fraction = f"{abs(rounded):.{decimals}f}".partition(".")
    groups = [whole[max(0, end - 3):end] for end in range(len(whole), 0, -3)][::-1]
    text = separator.join(groups) + (point + fraction if decimals else "")
    negative = rounded < 0 and any(ch not in "0.," for ch in whole + fraction)
    return ("-" if negative else "") + text


# ── strings ──────────────────────────────────────────────────────────────────────────────
def php_trim(text: str) -> str:
    return text.strip(TRIM_CHARACTERS)


def mb_substr(text: str, start: int, length: int | None = None) -> str:
    """mb_substr(): negative start counts from the end, negative length stops before it."""
    size = len(text)
    if start < 0:
        start = max(0, size + start)
    start = min(start, size)
    if length is None:
        return text[start:]
    end = start + length if length >= 0 else size + length
    return text[start:max(start, end)]


# mbstring's title case (PHP 8.2 ext/mbstring/php_unicode.c, MB_CASE_TITLE): a letter is
# title-cased when no cased letter precedes it; "case-ignorable" characters (marks, format
# characters, modifiers and the word-inner punctuation ' . : ·) leave that state unchanged.
_IGNORABLE_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Lm", "Sk"})
_IGNORABLE = frozenset("'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027"
                       "\ufe13\ufe52\ufe55\uff07\uff0e\uff1a")
_CASED_CATEGORIES = frozenset({"Lu", "Ll", "Lt"})


def title_case(text: str) -> str:
    """mb_convert_case($text, MB_CASE_TITLE): "HELLO wORLD-foo" → "Hello World-Foo"."""
    out: list[str] = []
    in_word = False
    for char in text:
        out.append(char.lower() if in_word else char.title())
        category = unicodedata.category(char)
        if category not in _IGNORABLE_CATEGORIES and char not in _IGNORABLE:
            in_word = category in _CASED_CATEGORIES or char in "\u00aa\u00ba"
    return "".join(out)


def has_string_representation(value: Any) -> bool:
    """CBPHelper::hasStringRepresentation (bizproc/classes/general/helper.php): a scalar, or an
    object with __toString."""
    return is_scalar(value) or isinstance(value, PhpObject)


def html_special_chars(text: str) -> str:
    """htmlspecialcharsbx(): & < > and the double quote (not the single one)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


_URL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def urlencode(text: str) -> str:
    """PHP urlencode(): everything but letters, digits and -_. is %XX; a space is +."""
    out: list[str] = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in _URL_SAFE:
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)
