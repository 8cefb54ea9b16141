"""Request parsing: PHP `parse_str` keys, body kinds, merging, case of top-level names."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from compiler.php.values import is_numeric, php_empty, to_int
from compiler.sandbox.errors import RestError
from compiler.sandbox.params import param_text, parse_php_pairs, to_json_value
from compiler.sandbox.request import parse_params, read_body

from .helpers import Client, error, ok


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
    assert parse_php_pairs([("a[b", "1")]) == {"a_b": "1"}  # PHP: an unclosed [ is no bracket


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
        (b"[" * 5000, "nests deeper than 64 levels"),
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
    # Request data goes through PHP's own (int): the values php-cli 8.2 gives.
    assert [to_int(v) for v in ("12abc", " 7", "abc", 3.9, True, None, [1], [], "1e3")] == [
        12,
        7,
        0,
        3,
        1,
        0,
        1,
        0,
        1000,
    ]
    # A JSON number beyond 64 bits is a float to PHP, and (int) of it is 0 or wraps.
    assert [to_int(v) for v in (2**70, -(2**70), "99999999999999999999", 1e300, float("nan"))] == [
        0,
        0,
        2**63 - 1,
        0,
        0,
    ]
    assert [param_text(v) for v in (None, False, True, 5, 1.0, 1.5, "x", [1])] == [
        "",
        "",
        "1",
        "5",
        "1",
        "1.5",
        "x",
        "",
    ]
    assert [php_empty(v) for v in (None, "", "0", 0, 0.0, [], {}, "a", 1, [0])] == [
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
    assert [is_numeric(v) for v in ("1", " 2.5 ", "1e3", "1_0", "abc", "", True, 3)] == [
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


# ── PHP's input limits: a 400 in Bitrix's error shape, never a stall or a 500 ─────────────────

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_more_pairs_than_a_portal_reads_are_a_400(client: Client, token: str) -> None:
    # 16,000 `FILTER[]` pairs took about 13 s to read (the server answering nothing else), and
    # a portal keeps the first 10,000 only.
    body = "&".join(["FILTER[]=x"] * 16_000) + f"&auth={token}"
    status, code, text = error(client.post("/rest/bizproc.workflow.template.list",
                                           content=body, headers=FORM))
    assert (status, code) == (400, "INVALID_REQUEST")
    assert text == "More than 10000 parameters: PHP (max_input_vars) would drop the rest"
    query = "&".join(["SELECT[]=ID"] * 10_001).encode()
    with pytest.raises(RestError, match="More than 10000 parameters"):
        parse_params(query, b"", "")  # the query string is limited on its own, as in PHP


def test_as_many_pairs_as_a_portal_reads_are_read() -> None:
    body = "&".join(f"FILTER[]={i}" for i in range(10_000)).encode()
    params = parse_params(b"", body, "application/x-www-form-urlencoded")
    assert params["FILTER"] == [str(i) for i in range(10_000)]


def test_form_names_nested_too_deep_are_a_400(client: Client, token: str) -> None:
    for levels in (65, 1_000, 100_000):
        body = f"auth={token}&FILTER" + "[a]" * levels + "=1"
        status, code, text = error(client.post("/rest/bizproc.workflow.template.list",
                                               content=body, headers=FORM))
        assert (status, code) == (400, "INVALID_REQUEST")
        assert text == ("Parameter FILTER nests deeper than 64 levels: PHP "
                        "(max_input_nesting_level) would drop it")
    ok(client.post("/rest/bizproc.workflow.template.list", headers=FORM,
                   content=f"auth={token}&FILTER" + "[a]" * 64 + "=1"))


def _nested(levels: int) -> Any:
    value: Any = "x"
    for level in range(levels):
        value = {"a": value} if level % 2 else [value]
    return value


def test_json_parameters_nested_too_deep_are_a_400(client: Client, token: str) -> None:
    ok(client.call("bizproc.workflow.template.list", token, FILTER=_nested(64)))
    for levels in (65, 400):
        status, code, text = error(client.call("bizproc.robot.add", token, NAME=_nested(levels)))
        assert (status, code) == (400, "INVALID_REQUEST")
        assert text.startswith("Parameter NAME nests deeper than 64 levels: the sandbox reads no "
                               "deeper from any request body")
    body = '{"auth": "' + token + '", "FILTER": ' + "[" * 100_000 + "]" * 100_000 + "}"
    status, _, text = error(client.post("/rest/profile.json", content=body,
                                        headers={"Content-Type": "application/json"}))
    assert status == 400 and text.startswith("Request body nests deeper than 64 levels")


def _multipart(fields: list[tuple[str, str]]) -> bytes:
    return b"".join(f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                    .encode() for name, value in fields) + b"--b--\r\n"


def test_multipart_bodies_are_read_in_linear_time_and_limited() -> None:
    kind = "multipart/form-data; boundary=b"
    fields = [("SELECT[]", "ID"), ('na\\"me', "q"), ("DATA", "line\r\n--not-b\r\nmore")]
    assert parse_params(b"", _multipart(fields), kind) == {
        "SELECT": ["ID"], 'NA"ME': "q", "DATA": "line\r\n--not-b\r\nmore"}
    many = _multipart([("F[]", "x")] * 10_001)
    with pytest.raises(RestError, match="More than 10000 parameters"):
        parse_params(b"", many, kind)
    assert len(parse_params(b"", _multipart([("F[]", "x")] * 10_000), kind)["F"]) == 10_000
    deep = _multipart([("F" + "[a]" * 65, "x")])
    with pytest.raises(RestError, match="nests deeper than 64 levels"):
        parse_params(b"", deep, kind)
    for broken in ("multipart/form-data", "multipart/form-data; boundary=zz"):
        with pytest.raises(RestError, match="Malformed multipart body"):
            parse_params(b"", many, broken)


def test_a_batch_command_php_would_not_read_whole_fails_alone(client: Client,
                                                               token: str) -> None:
    deep = "profile?X" + "[a]" * 65 + "=1"
    result = ok(client.call("batch", token, cmd={"bad": deep, "good": "profile"}))
    assert result["result"]["good"]["ID"] == "1"
    assert "nests deeper than 64 levels" in result["result_error"]["bad"]["error_description"]
