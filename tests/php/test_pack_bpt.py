""".bpt packing and unpacking, hardened against hostile uploads; REST TEMPLATE_DATA."""

from __future__ import annotations

import base64
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from compiler.bitrix.bpt import (
    BPT_KEYS,
    BptError,
    decode_template_data,
    encode_template_data,
    gzcompress,
    pack_package,
    unpack_package,
)
from compiler.php.serialize import PhpValue, serialize

MiB = 1024 * 1024


def example_package() -> dict[str, PhpValue]:
    """A shortened version of the reference's complete example (§9)."""
    return {
        "VERSION": 2,
        "TEMPLATE": [
            {
                "Type": "SequentialWorkflowActivity",
                "Name": "Template",
                "Activated": "Y",
                "Properties": {"Title": "Big deal check", "Permission": []},
                "Children": [
                    {
                        "Type": "LogActivity",
                        "Name": "A10001_20002_30003_40008",
                        "Activated": "Y",
                        "Properties": {"Title": "Write log", "Text": "Сделка {=Document:ID}"},
                        "Children": [],
                    }
                ],
            }
        ],
        "PARAMETERS": {
            "MinAmount": {
                "Name": "Minimal amount",
                "Type": "double",
                "Required": "1",
                "Default": "100000",
            }
        },
        "VARIABLES": [],
        "CONSTANTS": [],
        "DOCUMENT_FIELDS": [],
    }


# ----------------------------------------------------------------------------------------------
# pack
# ----------------------------------------------------------------------------------------------


def test_bpt_keys_are_in_exporter_order() -> None:
    assert list(example_package()) == list(BPT_KEYS)


def test_pack_is_zlib_level_9_of_the_serialized_package() -> None:
    package = example_package()
    packed = pack_package(package)
    assert packed[:2] == b"\x78\xda"  # zlib header, best compression: base64 "eN..."
    assert zlib.decompress(packed) == serialize(package)
    assert encode_template_data(packed).startswith("eN")


def test_pack_then_unpack_round_trips() -> None:
    package = example_package()
    assert unpack_package(pack_package(package)) == package


def test_pack_refuses_what_bitrix_would_refuse() -> None:
    with pytest.raises(BptError, match="no TEMPLATE key"):
        pack_package({"VERSION": 2})
    with pytest.raises(BptError, match="must be a dict, not list"):
        pack_package([])  # type: ignore[arg-type]


def test_gzcompress_matches_zlib_stream_format() -> None:
    for payload in (b"", b"a", bytes(100_000), serialize(example_package()) * 500):
        assert zlib.decompress(gzcompress(payload)) == payload
    # Small inputs come out the same as zlib.compress; gzcompress exists for the large ones.
    assert gzcompress(b"hello" * 10) == zlib.compress(b"hello" * 10, 9)


# ----------------------------------------------------------------------------------------------
# unpack: the forms Bitrix accepts
# ----------------------------------------------------------------------------------------------


def test_unpack_accepts_uncompressed_serialized_data() -> None:
    package = example_package()
    assert unpack_package(serialize(package)) == package


def test_unpack_accepts_other_compression_levels() -> None:
    package = example_package()
    assert unpack_package(zlib.compress(serialize(package), 1)) == package


@pytest.mark.parametrize("version", [2, "2", 2.0, " 2", "2.0", True])
@pytest.mark.parametrize("constants", ["missing", None])
def test_version_2_without_constants_gets_an_empty_list(
    version: PhpValue, constants: str | None
) -> None:
    package = example_package()
    package["VERSION"] = version
    if constants == "missing":
        del package["CONSTANTS"]
    else:
        package["CONSTANTS"] = None
    assert unpack_package(pack_package(package))["CONSTANTS"] == []


@pytest.mark.parametrize("version", ["missing", 1, "2x", 3, False, None])
def test_other_versions_keep_constants_as_they_are(version: PhpValue) -> None:
    package = example_package()
    del package["CONSTANTS"]
    if version == "missing":
        del package["VERSION"]
    else:
        package["VERSION"] = version
    assert "CONSTANTS" not in unpack_package(pack_package(package))


def test_template_key_with_null_value_is_accepted() -> None:
    # Bitrix checks array_key_exists, not isset.
    assert unpack_package(serialize({"TEMPLATE": None})) == {"TEMPLATE": None}


# ----------------------------------------------------------------------------------------------
# unpack: errors
# ----------------------------------------------------------------------------------------------


def compressed(data: bytes) -> bytes:
    return zlib.compress(data, 9)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"^not a Bitrix template \(\.bpt\): the file is empty$"),
        (b"hello world", r"^not a Bitrix template \(\.bpt\): the data is neither serialized PHP "
         r"nor zlib-compressed$"),
        (b"\x89PNG\r\n\x1a\n", r"neither serialized PHP nor zlib-compressed"),
        (b"i:5;", r"^not a Bitrix template \(\.bpt\): the package is an integer, not an array "
         r"with a TEMPLATE key$"),
        (serialize([1, 2]), r"the package is a list, not an array with a TEMPLATE key"),
        (serialize([]), r"the package is an empty array"),
        (serialize({"VERSION": 2}), r"^not a Bitrix template \(\.bpt\): the template package "
         r"has no TEMPLATE key$"),
        (compressed(serialize({"VERSION": 2})), r"the template package has no TEMPLATE key"),
        (compressed(b"N;"), r"the package is null"),
        (b'a:1:{s:8:"TEMPLATE";O:8:"stdClass":0:{}}',
         r"^not a Bitrix template \(\.bpt\): serialized PHP objects are not allowed in a "
         r"template \(found 'O:'\) \(at byte 20\)$"),
        (compressed(b'a:1:{s:8:"TEMPLATE";a:1:{i:0;R:1;}}'),
         r"in the decompressed data, serialized PHP references are not allowed"),
        (compressed(b'a:1:{s:8:"TEMPLATE";N;}junk'),
         r"in the decompressed data, unexpected data after the end"),
        (compressed(serialize(example_package()))[:-10],
         r"^not a Bitrix template \(\.bpt\): the zlib data is truncated$"),
        (compressed(serialize(example_package()))[:2], r"the zlib data is truncated"),
        (compressed(serialize(example_package())) + b"extra",
         r"there are 5 unexpected bytes after the zlib data"),
        (b"\x78\xda" + b"\xff" * 50, r"the zlib data is corrupt"),
        (compressed(b"x" * 100)[:-4] + b"\x00\x00\x00\x00", r"the zlib data is corrupt"),
    ],
)  # fmt: skip
def test_unpack_refuses(data: bytes, message: str) -> None:
    with pytest.raises(BptError, match=message):
        unpack_package(data)


def test_unpack_wants_bytes() -> None:
    with pytest.raises(BptError, match=r"expected bytes, not str"):
        unpack_package("a:0:{}")  # type: ignore[arg-type]


def test_unpack_limits_the_size_of_the_file_itself() -> None:
    with pytest.raises(BptError, match=r"the file is larger than 1 KiB"):
        unpack_package(serialize({"TEMPLATE": "x" * 2000}), max_size=1024)


def test_unpack_limits_the_decompressed_size() -> None:
    packed = pack_package({"TEMPLATE": "x" * 5000})
    assert len(packed) < 100
    with pytest.raises(BptError, match=r"larger than 4 KiB once decompressed"):
        unpack_package(packed, max_size=4096)
    with pytest.raises(BptError, match=r"larger than 1000 bytes once decompressed"):
        unpack_package(packed, max_size=1000)
    assert unpack_package(packed, max_size=len(serialize({"TEMPLATE": "x" * 5000})))


def _zeros_compressed(total: int, chunk: int = 16 * MiB) -> Iterator[bytes]:
    compressor = zlib.compressobj(9)
    zeros = bytes(chunk)
    for _ in range(total // chunk):
        yield compressor.compress(zeros)
    yield compressor.flush()


@pytest.fixture(scope="module")
def zlib_bomb() -> bytes:
    """1 GiB of zeros, zlib-compressed to about 1 MiB, built without holding 1 GiB."""
    return b"".join(_zeros_compressed(1024 * MiB))


def test_zlib_bomb_is_stopped_at_the_size_limit(zlib_bomb: bytes) -> None:
    assert len(zlib_bomb) < 2 * MiB
    tracemalloc.start()
    try:
        with pytest.raises(BptError, match=r"the template is larger than 64 MiB once decompressed"):
            unpack_package(zlib_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 160 * MiB


def test_zlib_bomb_under_a_small_limit_is_cheap(zlib_bomb: bytes) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(BptError, match=r"larger than 2 MiB once decompressed"):
            unpack_package(zlib_bomb, max_size=2 * MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # inflation stopped near the limit instead of running to the end


# ----------------------------------------------------------------------------------------------
# REST TEMPLATE_DATA
# ----------------------------------------------------------------------------------------------


def test_template_data_round_trip() -> None:
    packed = pack_package(example_package())
    text = encode_template_data(packed)
    assert text == base64.b64encode(packed).decode()
    assert decode_template_data(text) == packed
    assert decode_template_data(["deal-check.bpt", text]) == packed
    assert decode_template_data(("deal-check.bpt", text)) == packed


def test_template_data_ignores_line_breaks() -> None:
    packed = pack_package(example_package())
    wrapped = base64.encodebytes(packed).decode()  # 76-column lines
    assert "\n" in wrapped
    assert decode_template_data(wrapped) == packed


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", r"^TEMPLATE_DATA is empty$"),
        ("  \n", r"TEMPLATE_DATA is empty"),
        (["a.bpt", ""], r"TEMPLATE_DATA is empty"),
        ("not base64!", r"^TEMPLATE_DATA is not valid base64 text$"),
        ("eNo", r"not valid base64"),
        (["a.bpt"], r'must be a \["name.bpt", "<base64>"\] pair of two strings, not a list of 1'),
        (["a.bpt", "eA==", "x"], r"not a list of 3 items"),
        (["a.bpt", b"eA=="], r"pair of two strings"),
        ({"fileData": ["a.bpt", "eA=="]}, r"pair or a base64 string, not dict"),
        (None, r"not NoneType"),
        (b"eA==", r"not bytes"),
    ],
)
def test_template_data_refuses(value: object, message: str) -> None:
    with pytest.raises(BptError, match=message):
        decode_template_data(value)


def test_encode_template_data_wants_bytes() -> None:
    with pytest.raises(BptError, match="made from bytes, not str"):
        encode_template_data("abc")  # type: ignore[arg-type]
