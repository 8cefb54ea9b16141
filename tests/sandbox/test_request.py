"""Request parsing: PHP `parse_str` keys, body kinds, merging, case of top-level names."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from compiler.sandbox.errors import RestError
from compiler.sandbox.phpvalues import (
    finish_array,
    is_empty,
    numeric,
    parse_php_pairs,
    to_int,
    to_json_value,
    to_str,
)
from compiler.sandbox.request import parse_params, read_body


def test_php_style_keys() -> None:
    pairs = [
        ("FILTER[ACTIVE]", "Y"),
        ("SELECT[]", "ID"),
        ("SELECT[]", "NAME"),
        ("DOCUMENT_ID[0]", "crm"),
        ("DOCUMENT_ID[1]", "CCrmDocumentDeal"),
        ("DOCUMENT_ID[2]", "DEAL_1"),
        ("FIELDS[PROPS][a][]", "1"),
        ("FIELDS[PROPS][a][]", "2"),
        ("sparse[5]", "x"),
        ("sparse[]", "y"),
        ("[nohead]", "dropped"),
        ("plain", "p"),
    ]
    assert parse_php_pairs(pairs) == {
        "FILTER": {"ACTIVE": "Y"},
        "SELECT": ["ID", "NAME"],
        "DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_1"],
        "FIELDS": {"PROPS": {"a": ["1", "2"]}},
        "sparse": {"5": "x", "6": "y"},
        "plain": "p",
    }


def test_later_keys_overwrite_like_php() -> None:
    assert parse_php_pairs([("a", "1"), ("a[b]", "2")]) == {"a": {"b": "2"}}
    assert parse_php_pairs([("a[b]", "2"), ("a", "1")]) == {"a": "1"}
    assert parse_php_pairs([("a[b", "1")]) == {"a[b": "1"}


def test_json_form_multipart_and_query() -> None:
    assert parse_params(b"auth=t&select[]=ID", b'{"filter":{"a":1}}', "application/json") == {
        "AUTH": "t",
        "SELECT": ["ID"],
        "FILTER": {"a": 1},
    }
    form = b"FILTER%5BACTIVE%5D=Y&SELECT[]=ID&name=%D0%9F"
    assert parse_params(b"", form, "application/x-www-form-urlencoded") == {
        "FILTER": {"ACTIVE": "Y"},
        "SELECT": ["ID"],
        "NAME": "П",
    }
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="SELECT[]"\r\n\r\nID\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.bpt"\r\n\r\nabc\r\n'
        b"--b--\r\n"
    )
    assert parse_params(b"", multipart, "multipart/form-data; boundary=b") == {
        "SELECT": ["ID"],
        "FILE": "abc",
    }
    # No content type: JSON when it looks like JSON, otherwise form pairs.
    assert parse_params(b"", b'{"a": 1}', "") == {"A": 1}
    assert parse_params(b"", b"a=1", "") == {"A": "1"}
    assert parse_params(b"a=1", b"  ", "application/json") == {"A": "1"}
    assert parse_params(b"", b"null", "application/json") == {}


def test_the_body_wins_over_the_query() -> None:
    assert parse_params(b"ID=1", b'{"ID": 2}', "application/json") == {"ID": 2}


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"{nope", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b"\xff\xfe", "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"a": 1e999}', "not valid JSON"),
        (b"[" * 5000, "not valid JSON"),
    ],
)
def test_bad_json(body: bytes, text: str) -> None:
    with pytest.raises(RestError) as info:
        parse_params(b"", body, "application/json")
    assert info.value.code == "INVALID_REQUEST" and text in info.value.description


def test_body_limit() -> None:
    async def receive_chunks() -> Any:
        chunks = [b"x" * 600, b"x" * 600]

        async def receive() -> dict[str, Any]:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        return await read_body(receive, None, 1000)

    with pytest.raises(RestError) as info:
        asyncio.run(receive_chunks())
    assert info.value.status == 413
    with pytest.raises(RestError):
        asyncio.run(read_body(None, 5000, 1000))  # type: ignore[arg-type]


def test_php_casts() -> None:
    assert [to_int(v) for v in ("12abc", " 7", "abc", 3.9, True, None, [1], [], "1e3")] == [
        12,
        7,
        0,
        3,
        1,
        0,
        1,
        0,
        1,
    ]
    assert [to_int(v) for v in (2**70, -(2**70), "99999999999999999999", 1e300, float("nan"))] == [
        2**63 - 1,
        -(2**63),
        2**63 - 1,
        2**63 - 1,
        0,
    ]
    assert [to_str(v) for v in (None, False, True, 5, 1.0, 1.5, "x", [1])] == [
        "",
        "",
        "1",
        "5",
        "1",
        "1.5",
        "x",
        "",
    ]
    assert [is_empty(v) for v in (None, "", "0", 0, 0.0, [], {}, "a", 1, [0])] == [
        True,
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert [numeric(v) for v in ("1", " 2.5 ", "1e3", "1_0", "abc", "", True, 3)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        True,
    ]


def test_json_of_php_arrays() -> None:
    assert to_json_value({}) == []
    assert to_json_value({0: "a", 1: "b"}) == ["a", "b"]
    assert to_json_value({"0": "a", "1": "b"}) == ["a", "b"]
    assert to_json_value({1: "a"}) == {"1": "a"}
    assert to_json_value({"k": {}}) == {"k": []}
    assert to_json_value(b"\xd0\x9f\xff") == "П\ufffd"
    assert to_json_value([float("nan"), float("-inf"), 1.5]) == [None, None, 1.5]
    assert finish_array({0: "a", 1: {0: "b"}}) == ["a", ["b"]]
