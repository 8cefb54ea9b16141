"""Bitrix24 business-process template packages (`.bpt` files) and their REST transport form.

A `.bpt` file is `gzcompress(serialize($package), 9)`; Bitrix also imports the uncompressed
serialized array. `pack` and `unpack` go between those bytes and a `Template`; `unpack_package`
mirrors Bitrix's `Bpt::unpack` (modules/bizproc/lib/workflow/template/packer/bpt.php), hardened
for files that users upload: bounded decompression, no PHP objects, clear error sentences.
`pack_package` and `unpack_package` work on the package array itself, for the few readers that
need it as stored (the sandbox keeps it as Bitrix does).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from compiler.bitrix.template import PackageDict, Template, TemplateShapeError
from compiler.php.serialize import PhpSerializeError, PhpValue, serialize, unserialize

__all__ = [
    "BPT_KEYS",
    "BptError",
    "decode_template_data",
    "encode_template_data",
    "gzcompress",
    "pack",
    "pack_package",
    "unpack",
    "unpack_package",
]

BPT_KEYS = ("VERSION", "TEMPLATE", "PARAMETERS", "VARIABLES", "CONSTANTS", "DOCUMENT_FIELDS")

_NOT_BPT = "not a Bitrix template (.bpt)"
# Templates nest two PHP arrays per activity level plus their properties; PHP's own default
# limit (unserialize_max_depth) is 4096. 256 leaves room for any real template.
_MAX_DEPTH = 256
_CHUNK = 256 * 1024  # decompressed bytes produced per step


class BptError(ValueError):
    """A `.bpt` package or TEMPLATE_DATA value that cannot be used; the message is for users."""


def gzcompress(data: bytes, level: int = 9) -> bytes:
    """PHP's `gzcompress($data, $level)`, byte for byte (with the same zlib version).

    PHP opens the deflate stream with memLevel 9 where Python's `zlib.compress` uses 8; the
    two agree on small inputs but not once a deflate block fills up (tens of KiB).
    """
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS, 9)
    return compressor.compress(data) + compressor.flush()


def pack(template: Template) -> bytes:
    """The `.bpt` bytes of a template, exactly as Bitrix's exporter writes them.

    Raises PhpSerializeError if a property holds something PHP cannot represent.
    """
    return pack_package(template.to_package())


def unpack(data: bytes, *, max_size: int = 64 * 1024 * 1024) -> Template:
    """Read a `.bpt` file (compressed or not) into a Template, like Bitrix's import.

    Raises BptError, with a sentence for the user, on anything Bitrix could not read: bytes
    that are no package, and a package whose activity tree or declarations are damaged (the
    TemplateShapeError that says where is the error's cause).
    """
    package = unpack_package(data, max_size=max_size)
    try:
        return Template.from_package(package)
    except TemplateShapeError as error:
        raise BptError(f"the template is damaged: {error.sentence}") from error


def pack_package(package: PackageDict) -> bytes:
    """The `.bpt` bytes of a package array, exactly as Bitrix's exporter writes them.

    Raises PhpSerializeError if the package holds something PHP cannot represent.
    """
    if not isinstance(package, dict):
        raise BptError(f"a template package must be a dict, not {type(package).__name__}")
    if "TEMPLATE" not in package:
        raise BptError("the template package has no TEMPLATE key; Bitrix would refuse it")
    return gzcompress(serialize(package), 9)


def _size_text(size: int) -> str:
    for unit, name in ((1024 * 1024, "MiB"), (1024, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


def _looks_zlib(data: bytes) -> bool:
    """RFC 1950 header: deflate method, window <= 32 KiB, header checksum, no preset dictionary."""
    if len(data) < 2:
        return False
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0 and not flg & 0x20


def _looks_serialized(data: bytes) -> bool:
    """Starts like a PHP-serialized value (including the kinds that are refused)."""
    return data.startswith(b"N;") or (data[1:2] == b":" and data[:1] in _SERIALIZED_TAGS)


_SERIALIZED_TAGS = frozenset(bytes([tag]) for tag in b"abdisCEORrSo")


def _inflate(data: bytes, max_size: int) -> bytes:
    """zlib-decompress at most `max_size` bytes, in bounded steps (decompression bombs)."""
    decompressor = zlib.decompressobj()
    out = bytearray()
    pending = data
    try:
        while not decompressor.eof:
            # Ask for at most one byte more than allowed: enough to know the limit is passed.
            room = min(_CHUNK, max_size + 1 - len(out))
            piece = decompressor.decompress(pending, room)
            out += piece
            if len(out) > max_size:
                raise BptError(
                    f"{_NOT_BPT}: the template is larger than {_size_text(max_size)} "
                    "once decompressed"
                )
            pending = decompressor.unconsumed_tail
            if not piece and not pending:
                raise BptError(f"{_NOT_BPT}: the zlib data is truncated")
    except zlib.error as exc:
        raise BptError(f"{_NOT_BPT}: the zlib data is corrupt ({exc})") from None
    if decompressor.unused_data:
        raise BptError(
            f"{_NOT_BPT}: there are {len(decompressor.unused_data)} unexpected bytes after "
            "the zlib data"
        )
    return bytes(out)


def _kind(value: PhpValue) -> str:
    if isinstance(value, list):
        return "a list" if value else "an empty array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    return "a string"


# A PHP 8 numeric string: leading and trailing whitespace allowed.
_PHP_NUMERIC = re.compile(
    r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*"
)


def _php_equals_two(value: PhpValue) -> bool:
    """PHP 8's `$value == 2`, which Bitrix uses to detect VERSION 2."""
    if isinstance(value, bool):
        return value  # PHP compares with a bool as booleans: 2 is truthy
    if isinstance(value, int | float):
        return value == 2
    if isinstance(value, str) and _PHP_NUMERIC.fullmatch(value):
        return float(value) == 2
    return False


def _package(value: PhpValue) -> PackageDict | None:
    return value if isinstance(value, dict) and "TEMPLATE" in value else None


def unpack_package(data: bytes, *, max_size: int = 64 * 1024 * 1024) -> PackageDict:
    """Read a `.bpt` file (compressed or not) into its package array, like Bitrix's import.

    The result has a TEMPLATE key; for VERSION 2 a missing or null CONSTANTS becomes [].
    Raises BptError with a sentence for the user on anything else.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise BptError(f"{_NOT_BPT}: expected bytes, not {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise BptError(f"{_NOT_BPT}: the file is empty")
    if len(data) > max_size:
        raise BptError(f"{_NOT_BPT}: the file is larger than {_size_text(max_size)}")

    # Like Bpt::unpack: plain serialized data first, then zlib.
    plain: PhpValue = None
    plain_error: PhpSerializeError | None = None
    try:
        plain = unserialize(data, max_depth=_MAX_DEPTH)
    except PhpSerializeError as exc:
        plain_error = exc
    package = _package(plain) if plain_error is None else None

    if package is None:
        if not _looks_zlib(data):
            if plain_error is None:
                raise BptError(_shape_error(plain))
            if _looks_serialized(data):
                raise BptError(f"{_NOT_BPT}: {plain_error}") from plain_error
            raise BptError(f"{_NOT_BPT}: the data is neither serialized PHP nor zlib-compressed")
        raw = _inflate(data, max_size)
        try:
            value = unserialize(raw, max_depth=_MAX_DEPTH)
        except PhpSerializeError as exc:
            raise BptError(f"{_NOT_BPT}: in the decompressed data, {exc}") from exc
        package = _package(value)
        if package is None:
            raise BptError(_shape_error(value))

    # Bitrix: `if (VERSION == 2) CONSTANTS = CONSTANTS ?? []`, so null counts as missing.
    version_two = "VERSION" in package and _php_equals_two(package["VERSION"])
    if version_two and package.get("CONSTANTS") is None:
        package["CONSTANTS"] = []
    return package


def _shape_error(value: PhpValue) -> str:
    if isinstance(value, dict):
        return f"{_NOT_BPT}: the template package has no TEMPLATE key"
    return f"{_NOT_BPT}: the package is {_kind(value)}, not an array with a TEMPLATE key"


def encode_template_data(bpt: bytes) -> str:
    """The base64 text Bitrix's REST API expects in TEMPLATE_DATA."""
    if not isinstance(bpt, bytes | bytearray | memoryview):
        raise BptError(f"TEMPLATE_DATA must be made from bytes, not {type(bpt).__name__}")
    return base64.b64encode(bpt).decode("ascii")


_WHITESPACE = re.compile(r"\s+")


def decode_template_data(value: object) -> bytes:
    """The `.bpt` bytes inside a REST TEMPLATE_DATA value.

    Accepts what Bitrix's `CRestUtil::saveFile` accepts for this method: a
    `["name.bpt", "<base64>"]` pair or a bare base64 string. Line breaks inside the base64 text
    are ignored; anything else that is not base64 is an error.
    """
    if isinstance(value, list | tuple):
        if len(value) != 2 or not all(isinstance(part, str) for part in value):
            raise BptError(
                'TEMPLATE_DATA must be a ["name.bpt", "<base64>"] pair of two strings, '
                f"not a list of {len(value)} items"
            )
        text = value[1]
    elif isinstance(value, str):
        text = value
    else:
        raise BptError(
            'TEMPLATE_DATA must be a ["name.bpt", "<base64>"] pair or a base64 string, '
            f"not {type(value).__name__}"
        )
    text = _WHITESPACE.sub("", text)
    if not text:
        raise BptError("TEMPLATE_DATA is empty")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BptError("TEMPLATE_DATA is not valid base64 text") from None
