"""PHP serialize/unserialize: each value kind, PHP's key rule, and every kind of bad input.

The expected bytes below were produced by PHP 8.2's own serialize(); test_pack_php_fidelity.py
re-checks them against the installed php binary.
"""

from __future__ import annotations

import math
import tracemalloc

import pytest

from compiler.php.serialize import PhpSerializeError, PhpValue, serialize, unserialize

# ----------------------------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------------------------

SCALARS: list[tuple[PhpValue, bytes]] = [
    (None, b"N;"),
    (True, b"b:1;"),
    (False, b"b:0;"),
    (0, b"i:0;"),
    (-1, b"i:-1;"),
    (2**63 - 1, b"i:9223372036854775807;"),
    (-(2**63), b"i:-9223372036854775808;"),
    ("", b's:0:"";'),
    ("abc", b's:3:"abc";'),
    ("é", b's:2:"\xc3\xa9";'),  # the length is in UTF-8 bytes
    ("😀", b's:4:"\xf0\x9f\x98\x80";'),
    ('quote " and ; and }', b's:19:"quote " and ; and }";'),
    ("line\nbreak\x00nul", b's:14:"line\nbreak\x00nul";'),
]

FLOATS: list[tuple[float, bytes]] = [
    (0.1, b"d:0.1;"),
    (1.0, b"d:1;"),  # no ".0": PHP drops an all-zero fraction
    (-1.5, b"d:-1.5;"),
    (0.0, b"d:0;"),
    (-0.0, b"d:-0;"),
    (1e25, b"d:1.0E+25;"),
    (1e-7, b"d:1.0E-7;"),
    (2.5e-5, b"d:2.5E-5;"),
    (0.0001, b"d:0.0001;"),  # exponent form starts below 1e-4 ...
    (0.00001, b"d:1.0E-5;"),
    (1e15, b"d:1000000000000000;"),
    (1e16, b"d:10000000000000000;"),  # ... and above 17 digits before the point
    (1e17, b"d:1.0E+17;"),
    (123456789012345678.0, b"d:1.2345678901234568E+17;"),
    (9007199254740993.0, b"d:9007199254740992;"),
    (123.456, b"d:123.456;"),
    (5e-324, b"d:5.0E-324;"),
    (2.2250738585072014e-308, b"d:2.2250738585072014E-308;"),
    (1.7976931348623157e308, b"d:1.7976931348623157E+308;"),
    (1.5e300, b"d:1.5E+300;"),
    (math.inf, b"d:INF;"),
    (-math.inf, b"d:-INF;"),
]


@pytest.mark.parametrize(("value", "expected"), SCALARS + FLOATS)
def test_scalar_round_trip(value: PhpValue, expected: bytes) -> None:
    assert serialize(value) == expected
    back = unserialize(expected)
    assert type(back) is type(value)
    assert back == value
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)  # type: ignore[arg-type]


def test_nan() -> None:
    assert serialize(math.nan) == b"d:NAN;"
    assert serialize(-math.nan) == b"d:NAN;"  # PHP never writes a sign on NaN
    back = unserialize(b"d:NAN;")
    assert isinstance(back, float)
    assert math.isnan(back)


def test_bytes_serialize_as_is_and_come_back_as_bytes_unless_utf8() -> None:
    assert serialize(b"\xff\x00") == b's:2:"\xff\x00";'
    assert unserialize(b's:2:"\xff\x00";') == b"\xff\x00"
    assert serialize(bytearray(b"ab")) == b's:2:"ab";'
    assert unserialize(serialize(b"ok")) == "ok"  # valid UTF-8 reads back as str


def test_legacy_17_digit_floats_are_read_and_written_back_short() -> None:
    # PHP < 7.1 (serialize_precision = 17) wrote these; old exports may contain them.
    assert unserialize(b"d:0.10000000000000001;") == 0.1
    assert unserialize(b"d:9.9999999999999995E-8;") == 1e-7
    assert unserialize(b"d:4.9406564584124654E-324;") == 5e-324
    assert serialize(unserialize(b"d:0.10000000000000001;")) == b"d:0.1;"


def test_list_is_keyed_zero_to_n() -> None:
    assert serialize([]) == b"a:0:{}"
    assert serialize(["a", 1, None]) == b'a:3:{i:0;s:1:"a";i:1;i:1;i:2;N;}'
    assert unserialize(b'a:3:{i:0;s:1:"a";i:1;i:1;i:2;N;}') == ["a", 1, None]


def test_dict_keeps_insertion_order() -> None:
    data = b'a:3:{s:1:"b";i:1;s:1:"a";i:2;i:7;a:0:{}}'
    assert serialize({"b": 1, "a": 2, 7: {}}) == data
    back = unserialize(data)
    assert back == {"b": 1, "a": 2, 7: []}
    assert isinstance(back, dict)
    assert list(back) == ["b", "a", 7]


def test_array_shape_on_unserialize() -> None:
    assert unserialize(b"a:0:{}") == []
    assert unserialize(b"a:2:{i:0;N;i:1;N;}") == [None, None]
    # Integer keys that are not exactly 0..n-1 in order stay a dict with int keys.
    assert unserialize(b"a:2:{i:1;N;i:0;N;}") == {1: None, 0: None}
    assert unserialize(b"a:1:{i:1;N;}") == {1: None}
    assert unserialize(b'a:2:{i:0;N;s:1:"x";N;}') == {0: None, "x": None}
    # A dict keyed 0..n-1 is a list to PHP, so it reads back as one.
    assert unserialize(serialize({0: "a", 1: "b"})) == ["a", "b"]
    assert unserialize(serialize({"0": "a", "1": "b"})) == ["a", "b"]


def test_nested_structure_round_trips() -> None:
    value: PhpValue = {
        "VERSION": 2,
        "TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Children": [], "Properties": {}}],
        "PARAMETERS": {"MinAmount": {"Name": "Минимальная сумма", "Default": "100000"}},
        "CONSTANTS": [],
    }
    back = unserialize(serialize(value))
    # An empty dict is an empty PHP array, which reads back as [].
    value["TEMPLATE"][0]["Properties"] = []  # type: ignore[call-overload,index]
    assert back == value


# ----------------------------------------------------------------------------------------------
# PHP's integer-key rule
# ----------------------------------------------------------------------------------------------


def test_integer_like_string_keys_are_written_as_integers() -> None:
    # Byte for byte what PHP 8.2 printed for this array literal.
    value = {
        "5": 1, "-3": 2, "05": 3, "5.0": 4, "-0": 5, "0": 6,
        "9223372036854775807": 7, "9223372036854775808": 8,
        "-9223372036854775808": 9, "-9223372036854775809": 10,
        " 5": 11, "5 ": 12, "+5": 13, "": 14, "-": 15,
    }  # fmt: skip
    expected = (
        b'a:15:{i:5;i:1;i:-3;i:2;s:2:"05";i:3;s:3:"5.0";i:4;s:2:"-0";i:5;i:0;i:6;'
        b'i:9223372036854775807;i:7;s:19:"9223372036854775808";i:8;'
        b'i:-9223372036854775808;i:9;s:20:"-9223372036854775809";i:10;'
        b's:2:" 5";i:11;s:2:"5 ";i:12;s:2:"+5";i:13;s:0:"";i:14;s:1:"-";i:15;}'
    )
    assert serialize(value) == expected
    back = unserialize(expected)
    assert isinstance(back, dict)
    assert list(back)[:2] == [5, -3]
    assert "05" in back
    assert serialize(back) == expected


def test_non_ascii_digits_are_not_integer_keys() -> None:
    assert serialize({"٥": 1}) == b'a:1:{s:2:"\xd9\xa5";i:1;}'


def test_keys_that_are_the_same_php_key_are_refused() -> None:
    with pytest.raises(PhpSerializeError, match=r"keys '5' and 5, which are the same PHP"):
        serialize({"5": 1, 5: 2})


# ----------------------------------------------------------------------------------------------
# serialize errors
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2**63, r"the value is 9223372036854775808, outside PHP's 64-bit integer range"),
        ({"a": [1, -(2**63) - 1]}, r"the value at \['a'\]\[1\] is -9223372036854775809"),
        ({1: (1, 2)}, r"the value at \[1\] is a tuple; only None, bool, int"),
        ([{1, 2}], r"the value at \[0\] is a set"),
        ({2.5: 1}, r"has a key 2.5 of type float; PHP array keys must be str or int"),
        ({True: 1}, r"key True of type bool"),
        ({2**64: 1}, r"has the key 18446744073709551616, outside PHP's 64-bit"),
        ("\udc80", r"lone surrogate"),
        ({"\udc80": 1}, r"key '\\udc80' with a lone surrogate"),
        (object(), r"is a object"),
    ],
)
def test_serialize_refuses(value: object, message: str) -> None:
    with pytest.raises(PhpSerializeError, match=message) as info:
        serialize(value)  # type: ignore[arg-type]
    assert info.value.offset is None


def test_serialize_refuses_cycles() -> None:
    loop: list[PhpValue] = [1]
    loop.append(loop)
    with pytest.raises(PhpSerializeError, match=r"the value at \[1\] contains itself"):
        serialize(loop)


def test_shared_subtree_is_not_a_cycle() -> None:
    shared: list[PhpValue] = [1]
    assert serialize([shared, shared]) == b"a:2:{i:0;a:1:{i:0;i:1;}i:1;a:1:{i:0;i:1;}}"


def test_serialize_deep_nesting_without_recursion() -> None:
    value: PhpValue = None
    for _ in range(100_000):
        value = [value]
    assert serialize(value) == b"a:1:{i:0;" * 100_000 + b"N;" + b"}" * 100_000


# ----------------------------------------------------------------------------------------------
# unserialize errors
# ----------------------------------------------------------------------------------------------

BAD_INPUT: list[tuple[bytes, str, int]] = [
    # hostile content
    (b'O:8:"stdClass":0:{}', r"PHP objects are not allowed in a template \(found 'O:'\)", 0),
    (b'a:1:{i:0;O:8:"stdClass":0:{}}', r"objects are not allowed in a template", 9),
    (b'C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}', r"objects are not allowed", 0),
    (b'E:7:"Foo:Bar";', r"objects are not allowed", 0),
    (b"a:2:{i:0;i:1;i:1;r:2;}", r"references are not allowed in a template \(found 'r:'\)", 17),
    (b"a:2:{i:0;i:1;i:1;R:2;}", r"references are not allowed", 17),
    (b'S:1:"\\61";', r"escaped strings \('S:'\)", 0),
    # truncation
    (b"", r"the data is empty", 0),
    (b'a:1:{s:3:"abc";', r"ends in the middle of a value; the file looks truncated", 15),
    (b"a:1:{i:0;", r"the array declares 1 element but the data ends after 4 more bytes", 0),
    (b"a:1:{i:0;N;", r"ends in the middle of a value", 11),
    (b"i:12", r"ends in the middle of a value", 4),
    (b"d:0.", r"ends in the middle of a value", 4),
    (b"N", r"ends in the middle of a value", 1),
    (b"b:1", r"ends in the middle of a value", 3),
    (b's:5:"ab', r"declares 5 bytes but the data ends after 2 more bytes", 2),
    (b"a:3:{i:0;N;}", r"declares 3 elements but the data ends after 7 more bytes", 0),
    # lengths and counts that do not match the content
    (b's:2:"abc";', r"starting at byte 5 is not 2 bytes long: its length prefix does not match", 7),
    (b's:4:"ab";', r"the string starting at byte 5 is not 4 bytes long", 9),
    (b"a:1:{i:0;N;i:1;N;}", r"expected '}' to close the array, found 'i'", 11),
    (b"a:2:{i:0;N;}N;N;N;", r"the array at byte 0 ends after 1 element but declares 2", 11),
    # trailing garbage
    (b"i:1;i:2;", r"unexpected data after the end of the serialized value \(4 extra bytes\)", 4),
    (b"N; ", r"\(1 extra byte\)", 2),
    # non-canonical numbers
    (b"i:05;", r"the integer '05' is not written the way PHP writes it \(expected 5\)", 2),
    (b"i:+5;", r"the integer '\+5' is not written", 2),
    (b"i:-0;", r"the integer '-0' is not written", 2),
    (b"i:9223372036854775808;", r"outside PHP's 64-bit range", 2),
    (b"i:" + b"9" * 30 + b";", r"outside PHP's 64-bit range", 2),
    (b"i:" + b"0" * 30 + b"1;", r"is not written the way PHP writes it \(expected 1\)", 2),
    (b"i:" + b"0" * 40 + b"1;", r"expected an integer followed by ';'", 2),
    (b"i:1.5;", r"expected an integer, found '1.5'", 2),
    (b"i:;", r"expected an integer, found ''", 2),
    (b"d:1.0;", r"the float '1.0' is not written the way PHP writes it \(expected 1\)", 2),
    (b"d:.5;", r"expected 0.5", 2),
    (b"d:1e25;", r"expected 1.0E\+25", 2),
    (b"d:0.30000000000000004441;", r"expected 0.30000000000000004", 2),
    (b"d:-NAN;", r"expected a float, found '-NAN'", 2),
    (b"d:1_0;", r"expected a float", 2),
    (b"d:inf;", r"expected a float", 2),
    (b"d:1e999;", r"expected INF", 2),
    (b's:05:"hello";', r"expected ':' after a string length, found '5'", 3),
    (b"a:01:{i:0;N;}", r"expected ':' after an array size, found '1'", 3),
    (b"a:-1:{}", r"expected an array size as a plain decimal number, found '-'", 2),
    (b"b:2;", r"a boolean must be written 'b:0;' or 'b:1;'", 0),
    # keys PHP never writes
    (b'a:1:{s:1:"5";N;}', r"the string key '5' would be the integer key 5 in PHP", 5),
    (b'a:1:{s:1:"\xff";N;}', r"the array key is not valid UTF-8", 5),
    (b"a:1:{N;N;N;}", r"expected an array key \(i: or s:\), found 'N'", 5),
    (b"a:1:{d:1;N;}", r"expected an array key", 5),
    (b"a:2:{i:1;N;i:1;N;}", r"the array key 1 appears twice", 11),
    # not PHP at all
    (b"x\x9c\x03\x00", r"expected a PHP value \(N;, b:, i:, d:, s: or a:\), found 'x'", 0),
    (b"\x00", r"found the byte 0x00", 0),
    (b"O", r"ends in the middle of a value", 1),
    (b"Oops", r"expected ':' after 'O', found 'o'", 1),
    (b"i;", r"expected ':' after 'i', found ';'", 1),
]


@pytest.mark.parametrize(("data", "message", "offset"), BAD_INPUT)
def test_unserialize_refuses(data: bytes, message: str, offset: int) -> None:
    with pytest.raises(PhpSerializeError, match=message) as info:
        unserialize(data)
    assert info.value.offset == offset
    assert f"(at byte {offset})" in str(info.value)


def test_unserialize_wants_bytes() -> None:
    with pytest.raises(PhpSerializeError, match="needs bytes, not str"):
        unserialize("N;")  # type: ignore[arg-type]
    with pytest.raises(PhpSerializeError, match="needs bytes, not int"):
        unserialize(5)  # type: ignore[arg-type]
    assert unserialize(memoryview(b"i:1;")) == 1
    assert unserialize(bytearray(b"i:1;")) == 1


# ----------------------------------------------------------------------------------------------
# Limits on hostile input
# ----------------------------------------------------------------------------------------------


def nested(depth: int) -> bytes:
    return b"a:1:{i:0;" * depth + b"N;" + b"}" * depth


def test_nesting_10000_deep_is_refused_without_recursion() -> None:
    with pytest.raises(PhpSerializeError, match="nested more than 64 levels deep") as info:
        unserialize(nested(10_000))
    assert info.value.offset == 64 * len(b"a:1:{i:0;")


def test_nesting_limit_is_exact() -> None:
    assert unserialize(nested(3), max_depth=3) == [[[None]]]
    with pytest.raises(PhpSerializeError, match="more than 2 levels"):
        unserialize(nested(3), max_depth=2)


def test_deep_nesting_within_the_limit_parses_iteratively() -> None:
    data = nested(10_000)
    value = unserialize(data, max_depth=10_000)
    depth = 0
    while isinstance(value, list):
        (value,) = value
        depth += 1
    assert depth == 10_000
    assert serialize(unserialize(data, max_depth=10_000)) == data


def test_absurd_counts_are_refused_before_allocation() -> None:
    tracemalloc.start()
    with pytest.raises(PhpSerializeError, match="more than 1000000 array elements"):
        unserialize(b"a:999999999999999999:{i:0;N;}")
    with pytest.raises(PhpSerializeError, match="more than 10 array elements"):
        unserialize(b"a:11:{" + b"".join(b"i:%d;N;" % i for i in range(11)) + b"}", max_items=10)
    with pytest.raises(PhpSerializeError, match="1000 elements but the data ends after 7 more"):
        unserialize(b"a:1000:{i:0;N;}")
    with pytest.raises(PhpSerializeError, match=r"9999999999 bytes but the data ends after 0 more"):
        unserialize(b's:9999999999:"')
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1024 * 1024  # nothing was allocated for the announced sizes


def test_item_budget_counts_all_arrays() -> None:
    data = serialize([[1, 2], [3, 4]])  # 2 + 2 + 2 elements
    assert unserialize(data, max_items=6) == [[1, 2], [3, 4]]
    with pytest.raises(PhpSerializeError, match="more than 5 array elements"):
        unserialize(data, max_items=5)


def test_many_small_arrays_are_read() -> None:
    # Speed is measured by `python -m compiler.bench`, not asserted here.
    data = serialize([[i, str(i), float(i)] for i in range(50_000)])
    assert unserialize(data) == [[i, str(i), float(i)] for i in range(50_000)]
