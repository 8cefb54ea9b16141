"""Byte-for-byte agreement with the real PHP binary: serialize, unserialize and gzcompress.

Each test runs one PHP process for many values. Skipped when php-cli is not installed.
"""

from __future__ import annotations

import math
import random
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pack_strategies import assert_same, keys, normalised, php_key, php_values
from php import Php, frame, unframe

from compiler.bitrix.bpt import gzcompress, pack_package, unpack_package
from compiler.php.serialize import PhpValue, serialize, unserialize

pytestmark = pytest.mark.php

# (PHP expression, the Python value that must serialize to the same bytes)
CORPUS: list[tuple[str, PhpValue]] = [
    ("null", None),
    ("true", True),
    ("false", False),
    ("0", 0),
    ("-42", -42),
    ("PHP_INT_MAX", 2**63 - 1),
    ("PHP_INT_MIN", -(2**63)),
    ("0.1", 0.1),
    ("1.0", 1.0),
    ("-1.5", -1.5),
    ("1e25", 1e25),
    ("1e-7", 1e-7),
    ("0.0", 0.0),
    ("-0.0", -0.0),
    ("123456789012345678.0", 123456789012345678.0),
    ("5e-324", 5e-324),
    ("0.0001", 0.0001),
    ("0.00001", 0.00001),
    ("1e15", 1e15),
    ("1e16", 1e16),
    ("1e17", 1e17),
    ("0.1 + 0.2", 0.1 + 0.2),
    ("1/3", 1 / 3),
    ("PHP_FLOAT_MAX", 1.7976931348623157e308),
    ("PHP_FLOAT_MIN", 2.2250738585072014e-308),
    ("PHP_FLOAT_EPSILON", 2.220446049250313e-16),
    ("2.0 ** 53 + 1", 2.0**53 + 1),
    ("INF", math.inf),
    ("-INF", -math.inf),
    ("NAN", math.nan),
    ("''", ""),
    ("'plain'", "plain"),
    ("'Сделка {=Document:ID}'", "Сделка {=Document:ID}"),
    ('"\\u{1F600} emoji"', "😀 emoji"),
    ('"tab\\tnul\\0quote\\"semicolon;brace}"', 'tab\tnul\x00quote"semicolon;brace}'),
    ('"\\xff\\xfe binary"', b"\xff\xfe binary"),
    ("[]", []),
    ("[1, 'a', null]", [1, "a", None]),
    ("[1 => 'a', 0 => 'b']", {1: "a", 0: "b"}),
    ("['5' => 'five', '05' => 'oh-five', '-3' => 'minus', '-0' => 'minus zero']",
     {"5": "five", "05": "oh-five", "-3": "minus", "-0": "minus zero"}),
    ("['9223372036854775807' => 1, '9223372036854775808' => 2, '1.5' => 3, ' 1' => 4]",
     {"9223372036854775807": 1, "9223372036854775808": 2, "1.5": 3, " 1": 4}),
    ("['0' => 'a', '1' => 'b']", {"0": "a", "1": "b"}),
    ("['TEMPLATE' => [['Type' => 'LogActivity', 'Children' => []]], 'CONSTANTS' => []]",
     {"TEMPLATE": [{"Type": "LogActivity", "Children": []}], "CONSTANTS": []}),
    ("[[[[]]], ['x' => [0.5, -0.0, 1e100]]]", [[[[]]], {"x": [0.5, -0.0, 1e100]}]),
]  # fmt: skip


def test_fixed_corpus_matches_php(php: Php) -> None:
    produced = php.serialize_literals([expression for expression, _ in CORPUS])
    assert len(produced) == len(CORPUS)
    for (expression, value), php_bytes in zip(CORPUS, produced, strict=True):
        assert serialize(value) == php_bytes, expression
        assert_same(unserialize(php_bytes), normalised(value), expression)
        assert serialize(unserialize(php_bytes)) == php_bytes, expression


@given(st.lists(php_values, min_size=5, max_size=40))
@settings(
    max_examples=30,
    deadline=None,
    # Batches are large on purpose: one PHP process checks many values.
    suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow],
)
def test_php_reads_and_rewrites_our_bytes_identically(php: Php, values: list[PhpValue]) -> None:
    blobs = [serialize(value) for value in values]
    assert php.reserialize(blobs) == blobs


def test_random_doubles_match_php(php: Php) -> None:
    rng = random.Random(20240601)
    doubles = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
               for _ in range(5000)]  # fmt: skip
    doubles += [float(f"{mantissa}e{exponent}") for exponent in range(-325, 309)
                for mantissa in (1, 5, 9.999999999999998)]  # fmt: skip
    code = r"""
$in = stream_get_contents(STDIN);
foreach ([-1, 17] as $precision) {
    ini_set('serialize_precision', (string) $precision);
    for ($i = 0; $i < strlen($in); $i += 8) {
        echo serialize(unpack('e', substr($in, $i, 8))[1]), "\n";
    }
}
"""
    lines = php.run(code, b"".join(struct.pack("<d", d) for d in doubles)).split(b"\n")
    shortest, legacy = lines[: len(doubles)], lines[len(doubles) : 2 * len(doubles)]
    for value, ours, old in zip(doubles, shortest, legacy, strict=True):
        assert serialize(value) == ours, repr(value)
        for text in (ours, old):  # PHP 8 output and serialize_precision=17 output both read back
            back = unserialize(text)
            assert isinstance(back, float)
            if math.isnan(value):
                assert math.isnan(back)
            else:
                assert struct.pack("<d", back) == struct.pack("<d", value), text


@given(st.lists(keys, min_size=1, max_size=40))
@settings(max_examples=10, deadline=None)
def test_string_key_rule_matches_php(php: Php, key_list: list[str | int]) -> None:
    # Keys go to PHP as array *values*, which are never converted, then PHP uses them as keys.
    code = r"""
$keys = unserialize(stream_get_contents(STDIN));
$array = [];
foreach ($keys as $i => $key) { $array[$key] = $i; }
echo serialize($array);
"""
    # Our dict uses the original spellings; keys that are one PHP key ("5", 5) merge like PHP:
    # first position, last value.
    ours: dict[str | int, PhpValue] = {}
    spelling: dict[str | int, str | int] = {}
    for index, key in enumerate(key_list):
        ours[spelling.setdefault(php_key(key), key)] = index
    expected = serialize(ours)
    assert php.run(code, serialize(list(key_list))) == expected


def test_values_made_by_php_round_trip(php: Php) -> None:
    # PHP builds random nested values (binary strings, odd keys, random doubles) itself.
    code = r"""
mt_srand(7);
function put(string $s): void { echo strlen($s), "\n", $s; }
function rand_bytes(int $n): string {
    $s = '';
    for ($i = 0; $i < $n; $i++) { $s .= chr(mt_rand(0, 255)); }
    return $s;
}
function rand_scalar() {
    switch (mt_rand(0, 7)) {
        case 0: return null;
        case 1: return (bool) mt_rand(0, 1);
        case 2: return mt_rand(PHP_INT_MIN, PHP_INT_MAX);
        case 3: return unpack('e', rand_bytes(8))[1];
        case 4: return rand_bytes(mt_rand(0, 12));
        case 5: return mt_rand(-1000, 1000) / 8;
        case 6: return str_repeat('ж', mt_rand(0, 5));
        default: return (string) mt_rand(-20, 20);
    }
}
function rand_key() {
    switch (mt_rand(0, 3)) {
        case 0: return mt_rand(-5, 5);
        case 1: return (string) mt_rand(-5, 5);
        case 2: return '0' . mt_rand(0, 9);
        default: return bin2hex(rand_bytes(2));
    }
}
function rand_value(int $depth) {
    if ($depth > 3 || mt_rand(0, 2) == 0) { return rand_scalar(); }
    $n = mt_rand(0, 5);
    $array = [];
    if (mt_rand(0, 1)) { for ($i = 0; $i < $n; $i++) { $array[] = rand_value($depth + 1); } }
    else { for ($i = 0; $i < $n; $i++) { $array[rand_key()] = rand_value($depth + 1); } }
    return $array;
}
for ($i = 0; $i < 2000; $i++) { put(serialize(rand_value(0))); }
"""
    blobs = unframe(php.run(code))
    assert len(blobs) == 2000
    for blob in blobs:
        assert serialize(unserialize(blob)) == blob


def test_php_gzuncompress_reads_pack_template(php: Php) -> None:
    package: dict[str, PhpValue] = {
        "VERSION": 2,
        "TEMPLATE": [{"Type": "SequentialWorkflowActivity", "Name": "Template",
                      "Properties": {"Title": "Проверка", "Ratio": 0.1}, "Children": []}],
        "PARAMETERS": [], "VARIABLES": [], "CONSTANTS": [], "DOCUMENT_FIELDS": [],
    }  # fmt: skip
    packed = pack_package(package)
    assert php.gzuncompress(packed) == serialize(package)
    # And what Bitrix's unpacker does with it: gzuncompress, then unserialize.
    assert php.run(_UNPACK_LIKE_BITRIX, packed) == serialize(package)


_UNPACK_LIKE_BITRIX = r"""
$data = stream_get_contents(STDIN);
$value = @unserialize($data, ['allowed_classes' => false]);
if (!is_array($value) || !array_key_exists('TEMPLATE', $value)) {
    $value = unserialize(gzuncompress($data), ['allowed_classes' => false]);
}
echo serialize($value);
"""


def test_bitrix_style_unpack_agrees_on_plain_and_compressed(php: Php) -> None:
    package: dict[str, PhpValue] = {"VERSION": 2, "TEMPLATE": [], "CONSTANTS": [1.5, "x"]}
    for data in (serialize(package), pack_package(package), zlib.compress(serialize(package))):
        assert php.run(_UNPACK_LIKE_BITRIX, data) == serialize(unpack_package(data))


def test_gzcompress_matches_php_byte_for_byte(php: Php) -> None:
    if php.zlib_version() != zlib.ZLIB_RUNTIME_VERSION:
        pytest.skip(
            f"PHP uses zlib {php.zlib_version()} and Python {zlib.ZLIB_RUNTIME_VERSION}; "
            "compressed bytes are only identical with the same zlib"
        )
    rng = random.Random(5)
    words = ["".join(rng.choice("abcdefgh{}=:") for _ in range(rng.randint(1, 9)))
             for _ in range(400)]  # fmt: skip
    text = " ".join(rng.choice(words) for _ in range(200_000)).encode()
    payloads = [
        b"",
        b"a",
        b"hello " * 100,
        serialize({"TEMPLATE": [{"Type": "LogActivity", "Text": "x" * 300}] * 50}),
        rng.randbytes(70_000),
        text,  # ~1 MB: large enough for deflate blocks to differ by memLevel
        bytes(5_000_000),
    ]
    assert php.gzcompress(payloads) == [gzcompress(payload) for payload in payloads]
    assert [pack_package({"TEMPLATE": text.decode()})] == php.gzcompress(
        [serialize({"TEMPLATE": text.decode()})]
    )
    # zlib.compress(level 9) is the same stream for small payloads only (memLevel 8 vs 9).
    assert zlib.compress(payloads[2], 9) == gzcompress(payloads[2])
    assert zlib.compress(text, 9) != gzcompress(text)


def test_frame_helpers_round_trip() -> None:
    blobs = [b"", b"a\nb", bytes(range(256))]
    assert unframe(frame(blobs)) == blobs
