"""PHP `serialize()` / `unserialize()` for plain data, byte-identical to PHP 8.

Only the value kinds a Bitrix template can contain are supported: null, bool, int, float,
string and array. Objects, enums and references are refused on input because `.bpt` files
are uploaded by users and Bitrix itself refuses them (`CheckSerializedData`).

`unserialize` accepts exactly what PHP 8's `serialize` writes, so that
`serialize(unserialize(b)) == b` holds for every accepted `b`. The one deliberate exception
is floats written with `serialize_precision = 17` (PHP < 7.1 and old php.ini files): they are
read, but written back in PHP 8's shortest form.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TypeAlias, cast

__all__ = ["PhpSerializeError", "PhpValue", "php_integer_literal", "serialize", "unserialize"]

PhpValue: TypeAlias = (
    bool | int | float | str | bytes | list["PhpValue"] | dict[str | int, "PhpValue"] | None
)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def php_integer_literal(digits: str) -> int | float:
    """The number PHP reads from an integer literal of decimal `digits`: an int up to
    PHP_INT_MAX, the nearest float beyond it, INF beyond the float range. PHP 8:
    `serialize(9223372036854775807)` is `i:9223372036854775807;`, `serialize(9223372036854775808)`
    is `d:9.223372036854776E+18;`, a literal of 400 nines gives `d:INF;`.

    Beyond 19 digits no int() is made at all: Python refuses to convert more than 4,300.
    """
    significant = digits.lstrip("0") or "0"
    if len(significant) <= len(str(INT64_MAX)):
        number = int(significant)
        if number <= INT64_MAX:
            return number
    return float(significant)


class PhpSerializeError(ValueError):
    """Data that cannot be written as, or read from, PHP serialize format.

    `offset` is the byte offset into the input of `unserialize` (None for `serialize`).
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


# --------------------------------------------------------------------------------------------
# Floats
# --------------------------------------------------------------------------------------------

# PHP formats floats with zend_gcvt: "precision" significant digits, switching to exponent
# notation when the decimal exponent is below -4 or above the precision. With
# serialize_precision = -1 the digits are the shortest round-trip ones and the precision used
# for the layout decision is 17.
_GCVT_PRECISION = 17


def _layout(negative: bool, digits: str, decpt: int) -> str:
    """Lay out significant `digits` (value = 0.<digits> x 10**decpt) the way zend_gcvt does."""
    sign = "-" if negative else ""
    if decpt < -3 or decpt > _GCVT_PRECISION:
        exponent = decpt - 1
        mantissa = digits[0] + "." + (digits[1:] or "0")
        return f"{sign}{mantissa}E{'-' if exponent < 0 else '+'}{abs(exponent)}"
    if decpt <= 0:
        return f"{sign}0.{'0' * -decpt}{digits}"
    if len(digits) <= decpt:
        return sign + digits + "0" * (decpt - len(digits))
    return f"{sign}{digits[:decpt]}.{digits[decpt:]}"


def _split_digits(text: str) -> tuple[str, int]:
    """Turn Python's `repr`/`%e` text of a positive finite float into (digits, decpt)."""
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    decpt = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    decpt -= len(digits) - len(stripped)
    return stripped.rstrip("0"), decpt


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NAN"  # PHP never prints a sign on NaN
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == 0.0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    return None


def format_float(value: float) -> str:
    """The text PHP 8 writes after `d:` (serialize_precision = -1)."""
    special = _special(value)
    if special is not None:
        return special
    # Python's repr is the shortest string that round-trips, the same digits zend_dtoa's
    # mode 0 produces; only the layout differs, and that is redone here.
    digits, decpt = _split_digits(repr(abs(value)))
    return _layout(value < 0, digits, decpt)


def _format_float_legacy(value: float) -> str:
    """The text PHP writes with serialize_precision = 17 (PHP 5 / 7.0 defaults)."""
    special = _special(value)
    if special is not None:
        return special
    digits, decpt = _split_digits(f"{abs(value):.16e}")
    return _layout(value < 0, digits, decpt)


# --------------------------------------------------------------------------------------------
# serialize
# --------------------------------------------------------------------------------------------

# A string array key that PHP stores as an integer: optional minus, no leading zeros, no "-0".
_NUMERIC_KEY = re.compile(r"0|-?[1-9][0-9]*")
_MAX_KEY_DIGITS = 20  # len("-9223372036854775808"); longer strings can never be int keys


def php_array_key(key: str) -> int | None:
    """The integer PHP turns a string array key into, or None when it stays a string."""
    if len(key) > _MAX_KEY_DIGITS or not _NUMERIC_KEY.fullmatch(key):
        return None
    number = int(key)
    return number if INT64_MIN <= number <= INT64_MAX else None


def _where(path: list[str | int]) -> str:
    if not path:
        return "the value"
    return "the value at " + "".join(f"[{key!r}]" for key in path)


def _serialize_scalar(value: object, path: list[str | int]) -> bytes:
    if value is None:
        return b"N;"
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return b"b:1;" if value else b"b:0;"
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise PhpSerializeError(
                f"{_where(path)} is {value}, outside PHP's 64-bit integer range; "
                "pass it as a string or a float instead"
            )
        return b"i:%d;" % value
    if isinstance(value, float):
        return b"d:" + format_float(value).encode("ascii") + b";"
    if isinstance(value, str):
        raw = _encode_text(value, path)
        return b's:%d:"%b";' % (len(raw), raw)
    if isinstance(value, bytes | bytearray):
        return b"".join((b's:%d:"' % len(value), value, b'";'))
    raise PhpSerializeError(
        f"{_where(path)} is a {type(value).__name__}; only None, bool, int, float, str, bytes, "
        "list and dict can be written as PHP values"
    )


def _encode_text(text: str, path: list[str | int]) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PhpSerializeError(
            f"{_where(path)} contains a lone surrogate at character {exc.start} and cannot be "
            "encoded as UTF-8; pass bytes for binary data"
        ) from None


_Entry = tuple[bytes, str | int, object]


def _list_entries(items: list[object]) -> Iterator[_Entry]:
    for index, item in enumerate(items):
        yield b"i:%d;" % index, index, item


def _dict_entries(mapping: dict[object, object], path: list[str | int]) -> list[_Entry]:
    entries: list[_Entry] = []
    # Two Python keys can be one PHP key ("5" and 5); PHP would silently keep only the last.
    seen: dict[int | bytes, str | int] = {}
    for key, item in mapping.items():
        if isinstance(key, bool) or not isinstance(key, int | str):
            raise PhpSerializeError(
                f"{_where(path)} has a key {key!r} of type {type(key).__name__}; "
                "PHP array keys must be str or int"
            )
        php_key: int | bytes
        if isinstance(key, int):
            if not INT64_MIN <= key <= INT64_MAX:
                raise PhpSerializeError(
                    f"{_where(path)} has the key {key}, outside PHP's 64-bit integer range"
                )
            php_key = key
        else:
            number = php_array_key(key)
            if number is not None:
                php_key = number
            else:
                try:
                    php_key = key.encode("utf-8")
                except UnicodeEncodeError:
                    raise PhpSerializeError(
                        f"{_where(path)} has a key {key!r} with a lone surrogate, which cannot "
                        "be encoded as UTF-8"
                    ) from None
        if php_key in seen:
            raise PhpSerializeError(
                f"{_where(path)} has the keys {seen[php_key]!r} and {key!r}, which are the same "
                "PHP array key; keep only one of them"
            )
        seen[php_key] = key
        token = (
            b"i:%d;" % php_key
            if isinstance(php_key, int)
            else b's:%d:"%b";' % (len(php_key), php_key)
        )
        entries.append((token, key, item))
    return entries


def serialize(value: PhpValue) -> bytes:
    """Write `value` exactly as PHP 8's `serialize()` would.

    A list becomes an array keyed 0..n-1; a dict keeps its insertion order, and string keys
    that PHP treats as integers ("5", "-3", but not "05") are written as integer keys.
    """
    # Templates are shallow and well-formed: a recursive writer does them several times
    # faster. Anything unusual (deep nesting, a bad value, colliding keys) goes to the careful
    # iterative writer, which produces the same bytes or the precise error.
    out: list[bytes] = []
    try:
        _fast(value, out, 0)
    except _Unusual:
        return _serialize_careful(value)
    return b"".join(out)


class _Unusual(Exception):
    pass


_FAST_DEPTH = 200


def _fast(value: object, out: list[bytes], depth: int) -> None:
    # Exact type tests (a subclass goes to the careful writer); `cast` tells the type checker
    # what the test established, at no cost.
    kind = type(value)
    if kind is str:
        try:
            raw = cast(str, value).encode("utf-8")
        except UnicodeEncodeError:
            raise _Unusual from None
        out.append(b's:%d:"%b";' % (len(raw), raw))
    elif kind is dict:
        if depth > _FAST_DEPTH:
            raise _Unusual
        mapping = cast(dict[object, object], value)
        out.append(b"a:%d:{" % len(mapping))
        seen: set[int | bytes] = set()
        for key, item in mapping.items():
            php_key: int | bytes
            if type(key) is str:
                number = php_array_key(key)
                if number is None:
                    try:
                        text_key = key.encode("utf-8")
                    except UnicodeEncodeError:
                        raise _Unusual from None
                    php_key = text_key
                    out.append(b's:%d:"%b";' % (len(text_key), text_key))
                else:
                    php_key = number
                    out.append(b"i:%d;" % number)
            elif type(key) is int and INT64_MIN <= key <= INT64_MAX:
                php_key = key
                out.append(b"i:%d;" % php_key)
            else:
                raise _Unusual
            if php_key in seen:
                raise _Unusual
            seen.add(php_key)
            _fast(item, out, depth + 1)
        out.append(b"}")
    elif kind is list:
        if depth > _FAST_DEPTH:
            raise _Unusual
        items = cast(list[object], value)
        out.append(b"a:%d:{" % len(items))
        for index, item in enumerate(items):
            out.append(b"i:%d;" % index)
            _fast(item, out, depth + 1)
        out.append(b"}")
    elif kind is int:
        number = cast(int, value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise _Unusual
        out.append(b"i:%d;" % number)
    elif value is None:
        out.append(b"N;")
    elif kind is bool:
        out.append(b"b:1;" if value else b"b:0;")
    elif kind is float:
        out.append(b"d:" + format_float(cast(float, value)).encode("ascii") + b";")
    else:
        raise _Unusual


def _serialize_careful(value: PhpValue) -> bytes:
    out: list[bytes] = []
    # Iterative walk so that deep trees cannot exhaust Python's recursion limit.
    stack: list[tuple[Iterator[_Entry], int]] = []
    open_ids: set[int] = set()  # containers being written, to report cycles instead of looping
    path: list[str | int] = []  # keys leading to the current item, for error messages
    item: object = value
    while True:
        if isinstance(item, list | dict):
            ident = id(item)
            if ident in open_ids:
                raise PhpSerializeError(
                    f"{_where(path)} contains itself; PHP serialize cannot write a cycle"
                )
            entries: Iterator[_Entry] = (
                _list_entries(item) if isinstance(item, list) else iter(_dict_entries(item, path))
            )
            out.append(b"a:%d:{" % len(item))
            open_ids.add(ident)
            stack.append((entries, ident))
        else:
            out.append(_serialize_scalar(item, path))
        while stack:
            entry = next(stack[-1][0], None)
            if entry is None:
                out.append(b"}")
                open_ids.discard(stack.pop()[1])
                continue
            token, key, item = entry
            del path[len(stack) - 1 :]
            path.append(key)
            out.append(token)
            break
        else:
            return b"".join(out)


# --------------------------------------------------------------------------------------------
# unserialize
# --------------------------------------------------------------------------------------------

# Counts and lengths: no sign, no leading zeros, at most 19 digits (bounds the work of int()).
_COUNT = re.compile(rb"0|[1-9][0-9]{0,18}")
_INT = re.compile(rb"0|-?[1-9][0-9]{0,18}")
_LOOSE_INT = re.compile(rb"[+-]?[0-9]+")
# What PHP's own unserialize reads after "d:"; canonical-form checking happens afterwards.
_FLOAT = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NAN")
_NUMBER_PREFIX = re.compile(rb"[-+0-9.eEINAF]*")  # what a cut-off number may look like
_NUMBER_TOKEN_LIMIT = 32  # longer than any number PHP writes (24 bytes at most)
_MIN_ENTRY_BYTES = 6  # the smallest array entry, 'i:0;N;'

_OBJECT_TAGS = frozenset(b"OCEo")
_REFERENCE_TAGS = frozenset(b"rR")
_VALUE_TAGS = frozenset(b"bidsaS") | _OBJECT_TAGS | _REFERENCE_TAGS  # tags followed by ':'


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class _Array:
    """An array being read: its entries so far and how many are still expected."""

    __slots__ = ("entries", "is_list", "key", "offset", "remaining")

    def __init__(self, count: int, offset: int) -> None:
        self.entries: dict[str | int, PhpValue] = {}
        self.remaining = count
        self.offset = offset
        self.is_list = True  # keys so far are exactly 0, 1, 2, ...
        self.key: str | int = 0

    def set_key(self, key: str | int) -> None:
        self.key = key
        if not (isinstance(key, int) and key == len(self.entries)):
            self.is_list = False

    def finish(self) -> PhpValue:
        return list(self.entries.values()) if self.is_list else self.entries


class _Reader:
    def __init__(self, data: bytes, max_depth: int, max_items: int) -> None:
        self.data = data
        self.max_depth = max_depth
        self.max_items = max_items
        self.items = 0

    # -- errors ------------------------------------------------------------------------------

    def fail(self, message: str, offset: int) -> PhpSerializeError:
        return PhpSerializeError(f"{message} (at byte {offset})", offset)

    def truncated(self, offset: int) -> PhpSerializeError:
        return self.fail(
            "the serialized data ends in the middle of a value; the file looks truncated",
            offset,
        )

    def describe(self, offset: int) -> str:
        if offset >= len(self.data):
            return "the end of the data"
        byte = self.data[offset]
        return f"{chr(byte)!r}" if 0x21 <= byte <= 0x7E else f"the byte 0x{byte:02x}"

    # -- primitives --------------------------------------------------------------------------

    def expect(self, offset: int, literal: bytes, what: str) -> int:
        if self.data.startswith(literal, offset):
            return offset + len(literal)
        for index in range(len(literal)):
            if offset + index >= len(self.data):
                raise self.truncated(offset + index)
            if self.data[offset + index] != literal[index]:
                raise self.fail(
                    f"expected {literal[index:].decode()!r} {what}, "
                    f"found {self.describe(offset + index)}",
                    offset + index,
                )
        raise AssertionError("unreachable: startswith() said the literal does not match")

    def token(self, offset: int, what: str) -> tuple[bytes, int]:
        """The bytes up to the next ';' (a number), bounded so garbage is not scanned far."""
        end = self.data.find(b";", offset, offset + _NUMBER_TOKEN_LIMIT + 1)
        if end < 0:
            rest = self.data[offset : offset + _NUMBER_TOKEN_LIMIT + 1]
            if len(rest) <= _NUMBER_TOKEN_LIMIT and _NUMBER_PREFIX.fullmatch(rest):
                raise self.truncated(len(self.data))
            raise self.fail(f"expected {what} followed by ';'", offset)
        return self.data[offset:end], end + 1

    def count(self, offset: int, what: str) -> tuple[int, int]:
        """A non-negative length or element count followed by ':'."""
        match = _COUNT.match(self.data, offset)
        if match is None:
            if offset >= len(self.data):
                raise self.truncated(offset)
            raise self.fail(
                f"expected {what} as a plain decimal number, found {self.describe(offset)}",
                offset,
            )
        end = self.expect(match.end(), b":", f"after {what}")
        return int(match.group()), end

    def integer(self, offset: int) -> tuple[int, int]:
        text, end = self.token(offset, "an integer")
        if _INT.fullmatch(text):
            number = int(text)
            if INT64_MIN <= number <= INT64_MAX:
                return number, end
            raise self.fail(f"the integer {text.decode()} is outside PHP's 64-bit range", offset)
        if _LOOSE_INT.fullmatch(text):
            # Strip zeros before int() so that a long run of them stays cheap to convert.
            if len(text.lstrip(b"+-").lstrip(b"0")) > 19 or not INT64_MIN <= int(text) <= INT64_MAX:
                raise self.fail(
                    f"the integer {text.decode()} is outside PHP's 64-bit range", offset
                )
            raise self.fail(
                f"the integer {text.decode()!r} is not written the way PHP writes it "
                f"(expected {int(text)})",
                offset,
            )
        raise self.fail(f"expected an integer, found {text.decode('latin-1')!r}", offset)

    def floating(self, offset: int) -> tuple[float, int]:
        text, end = self.token(offset, "a float")
        if not _FLOAT.fullmatch(text):
            raise self.fail(f"expected a float, found {text.decode('latin-1')!r}", offset)
        literal = text.decode("ascii")
        value = float(literal)
        canonical = format_float(value)
        if literal != canonical and literal != _format_float_legacy(value):
            raise self.fail(
                f"the float {literal!r} is not written the way PHP writes it "
                f"(expected {canonical})",
                offset,
            )
        return value, end

    def string(self, offset: int) -> tuple[bytes, int]:
        """The rest of 's:<length>:"...";' after 's:'."""
        length, start = self.count(offset, "a string length")
        start = self.expect(start, b'"', "before the string")
        available = len(self.data) - start
        if length > available:
            raise self.fail(
                f"the string declares {_plural(length, 'byte')} but the data ends after "
                f"{_plural(available, 'more byte')}; the file looks truncated",
                offset,
            )
        end = start + length
        if not self.data.startswith(b'";', end):
            raise self.fail(
                f"the string starting at byte {start} is not {_plural(length, 'byte')} long: "
                "its length prefix does not match its content",
                end,
            )
        return self.data[start:end], end + 2

    def text_or_bytes(self, raw: bytes) -> str | bytes:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw

    def refuse(self, tag: int, offset: int) -> PhpSerializeError:
        if tag in _OBJECT_TAGS:
            return self.fail(
                f"serialized PHP objects are not allowed in a template (found '{chr(tag)}:')",
                offset,
            )
        if tag in _REFERENCE_TAGS:
            return self.fail(
                f"serialized PHP references are not allowed in a template (found '{chr(tag)}:')",
                offset,
            )
        if tag == ord("S"):
            return self.fail(
                "escaped strings ('S:') are not written by PHP's serialize() and are not supported",
                offset,
            )
        raise AssertionError(f"unreachable: {chr(tag)!r} is a supported tag")

    # -- values ------------------------------------------------------------------------------

    def value(self, offset: int, depth: int) -> tuple[PhpValue | _Array, int]:
        """One value starting at `offset`, or an opened (non-empty) array to be filled."""
        data = self.data
        if offset >= len(data):
            raise self.truncated(offset)
        tag = data[offset]
        if tag == ord("N"):
            return None, self.expect(offset + 1, b";", "after 'N'")
        if tag not in _VALUE_TAGS:
            raise self.fail(
                f"expected a PHP value (N;, b:, i:, d:, s: or a:), found {self.describe(offset)}",
                offset,
            )
        if offset + 1 >= len(data):
            raise self.truncated(offset + 1)
        if data[offset + 1] != ord(":"):
            raise self.fail(
                f"expected ':' after {chr(tag)!r}, found {self.describe(offset + 1)}", offset + 1
            )
        body = offset + 2
        if tag == ord("s"):
            raw, end = self.string(body)
            return self.text_or_bytes(raw), end
        if tag == ord("i"):
            return self.integer(body)
        if tag == ord("b"):
            if data.startswith((b"0;", b"1;"), body):
                return data[body] == ord("1"), body + 2
            if len(data) - body < 2:
                raise self.truncated(len(data))
            raise self.fail("a boolean must be written 'b:0;' or 'b:1;'", offset)
        if tag == ord("d"):
            return self.floating(body)
        if tag == ord("a"):
            return self.array(offset, body, depth)
        raise self.refuse(tag, offset)

    def array(self, offset: int, body: int, depth: int) -> tuple[PhpValue | _Array, int]:
        count, end = self.count(body, "an array size")
        end = self.expect(end, b"{", "to open the array")
        if depth >= self.max_depth:
            raise self.fail(f"arrays are nested more than {self.max_depth} levels deep", offset)
        # Both checks come before anything is allocated for the entries.
        if count > self.max_items - self.items:
            raise self.fail(
                f"the data holds more than {self.max_items} array elements in total", offset
            )
        available = len(self.data) - end
        if count * _MIN_ENTRY_BYTES > available:
            raise self.fail(
                f"the array declares {_plural(count, 'element')} but the data ends after "
                f"{_plural(available, 'more byte')}; the file looks truncated or the size is wrong",
                offset,
            )
        self.items += count
        if count == 0:
            return [], self.expect(end, b"}", "to close the empty array")
        return _Array(count, offset), end

    def key(self, offset: int, array: _Array) -> int:
        data = self.data
        if offset >= len(data):
            raise self.truncated(offset)
        if data.startswith(b"i:", offset):
            key: str | int
            key, end = self.integer(offset + 2)
        elif data.startswith(b"s:", offset):
            raw, end = self.string(offset + 2)
            try:
                key = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise self.fail("the array key is not valid UTF-8 text", offset) from None
            number = php_array_key(key)
            if number is not None:
                raise self.fail(
                    f"the string key {key!r} would be the integer key {number} in PHP; "
                    f"PHP writes it as 'i:{number};'",
                    offset,
                )
        else:
            if offset + 1 >= len(data) and data[offset] in b"is":
                raise self.truncated(offset + 1)
            if data[offset] == ord("}"):
                raise self.fail(
                    f"the array at byte {array.offset} ends after "
                    f"{_plural(len(array.entries), 'element')} but declares "
                    f"{len(array.entries) + array.remaining}",
                    offset,
                )
            raise self.fail(
                f"expected an array key (i: or s:), found {self.describe(offset)}", offset
            )
        if key in array.entries:
            raise self.fail(f"the array key {key!r} appears twice", offset)
        array.set_key(key)
        return end

    def read(self) -> PhpValue:
        if not self.data:
            raise self.fail("the data is empty; expected a serialized PHP value", 0)
        stack: list[_Array] = []
        offset = 0
        while True:
            result, offset = self.value(offset, len(stack))
            if isinstance(result, _Array):
                stack.append(result)
            else:
                # A complete value: store it, closing every array it completes.
                while stack:
                    top = stack[-1]
                    top.entries[top.key] = result
                    top.remaining -= 1
                    if top.remaining:
                        break
                    offset = self.expect(offset, b"}", "to close the array")
                    stack.pop()
                    result = top.finish()
                else:
                    if offset != len(self.data):
                        raise self.fail(
                            "unexpected data after the end of the serialized value "
                            f"({_plural(len(self.data) - offset, 'extra byte')})",
                            offset,
                        )
                    return result
            offset = self.key(offset, stack[-1])


def unserialize(data: bytes, *, max_depth: int = 64, max_items: int = 1_000_000) -> PhpValue:
    """Read one PHP-serialized value; the inverse of `serialize`.

    Arrays keyed exactly 0..n-1 in order come back as lists (an empty array as []), others as
    dicts with int and str keys. Strings come back as str when they are valid UTF-8, else as
    bytes. Meant for untrusted input: any problem raises PhpSerializeError with the byte
    offset; nesting deeper than `max_depth` arrays or more than `max_items` array elements in
    total are refused before memory is spent on them.
    """
    if isinstance(data, str):
        raise PhpSerializeError(
            "unserialize() needs bytes, not str; read the file in binary mode", 0
        )
    if not isinstance(data, bytes | bytearray | memoryview):
        raise PhpSerializeError(f"unserialize() needs bytes, not {type(data).__name__}", 0)
    return _Reader(bytes(data), max_depth, max_items).read()
