"""Round-trip and robustness properties of serialize/unserialize over arbitrary values."""

from __future__ import annotations

import re
import struct

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pack_strategies import assert_same, normalised, php_values

from compiler.php.serialize import (
    PhpSerializeError,
    PhpValue,
    format_float,
    serialize,
    unserialize,
)


# No per-example deadline: timing on a busy CI machine says nothing about correctness here.
@given(php_values)
@settings(deadline=None)
def test_unserialize_inverts_serialize(value: PhpValue) -> None:
    assert_same(unserialize(serialize(value)), normalised(value))


@given(php_values)
@settings(deadline=None)
def test_serialized_bytes_are_stable(value: PhpValue) -> None:
    data = serialize(value)
    assert serialize(unserialize(data)) == data


@given(st.integers(0, 2**64 - 1))
def test_every_double_round_trips_bit_for_bit(bits: int) -> None:
    value = struct.unpack("<d", bits.to_bytes(8, "little"))[0]
    back = unserialize(serialize(value))
    assert isinstance(back, float)
    if value == value:  # NaN payloads are not preserved, as in PHP
        assert struct.pack("<d", back) == struct.pack("<d", value)
    else:
        assert back != back


def _parse_or_refuse(data: bytes) -> None:
    try:
        value = unserialize(data, max_depth=8, max_items=500)
    except PhpSerializeError as exc:
        assert exc.offset is not None
        assert 0 <= exc.offset <= len(data)
        assert f"(at byte {exc.offset})" in str(exc)
    else:
        # Whatever is accepted is canonical: it serializes back to the same bytes, except for
        # floats written with serialize_precision = 17 (old PHP), read on purpose and written
        # back in PHP 8's shortest form.
        assert serialize(value) == data or _LEGACY_FLOAT.sub(_shortest, data) == \
            serialize(value)


_LEGACY_FLOAT = re.compile(rb"d:([-0-9.E+]+);")


def _shortest(match: re.Match[bytes]) -> bytes:
    return b"d:" + format_float(float(match.group(1))).encode() + b";"


@given(st.binary(max_size=200))
@example(b"a:1:{i:0;a:1:{i:0;")
@example(b'a:1:{s:1:"a";d:1')
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_bytes_parse_or_raise_cleanly(data: bytes) -> None:
    _parse_or_refuse(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """Valid serialized data with a few bytes replaced, inserted or deleted."""
    data = bytearray(serialize(draw(php_values)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(st.sampled_from(list(b'0123456789:;{}"-.EasidbNOrR')) | st.integers(0, 255))
        if action == "insert":
            data.insert(position, byte)
        elif position < len(data):
            if action == "replace":
                data[position] = byte
            else:
                del data[position]
    return bytes(data)


@given(mutated())
@settings(deadline=None)
def test_mutated_data_parses_or_raises_cleanly(data: bytes) -> None:
    _parse_or_refuse(data)


@given(php_values)
@settings(deadline=None)
def test_every_strict_prefix_is_refused(value: PhpValue) -> None:
    data = serialize(value)
    for end in range(len(data)):
        try:
            unserialize(data[:end])
        except PhpSerializeError as exc:
            assert exc.offset is not None
            assert exc.offset <= end
        else:
            raise AssertionError(f"the prefix {data[:end]!r} of {data!r} was accepted")
