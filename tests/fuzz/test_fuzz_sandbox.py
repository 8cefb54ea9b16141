"""Hostile requests to the sandbox portal, in-process (httpx over ASGI): form, query, JSON and
multipart bodies with deep names, huge repeat counts and random shapes, and bad credentials.
Whatever arrives, the answer is Bitrix-shaped and below 500, a request beyond PHP's input
limits is a 400 that names the limit, and the portal keeps answering.

tests/sandbox/test_robustness.py throws random values at every method; this file throws the
request *encodings* PHP reads with limits. `make fuzz` runs it BPL_FUZZ_SCALE times longer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fuzzing import budget
from hypothesis import given
from hypothesis import strategies as st

from compiler.sandbox import Limits, ManualClock, Sandbox, SandboxConfig
from compiler.sandbox.config import MIB
from tests.sandbox.helpers import DEAL, Client, template_data

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BODY_LIMIT = 4 * MIB
METHODS = ["bizproc.workflow.template.list", "bizproc.robot.add", "bizproc.workflow.start",
           "bizproc.task.list", "profile", "batch"]
PARAMS = ["FILTER", "SELECT", "ORDER", "FIELDS", "PROPERTIES", "DOCUMENT_ID", "TEMPLATE_ID",
          "cmd", "NAME", "auth"]


@pytest.fixture(scope="module")
def portal() -> Iterator[tuple[Client, str]]:
    sandbox = Sandbox(SandboxConfig(limits=Limits.off(), clock=ManualClock(),
                                    token_lifetime=10**9, max_body_bytes=BODY_LIMIT))
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(["crm", "CCrmDocumentDeal", "DEAL_1"])
    client = Client(sandbox.asgi_app)
    client.call("bizproc.workflow.template.add", creds.access_token, DOCUMENT_TYPE=DEAL,
                NAME="seed", TEMPLATE_DATA=template_data())
    yield client, creds.access_token
    client.close()
    sandbox.close()


def answered(response: Any) -> dict[str, Any]:
    """A Bitrix-shaped answer below 500."""
    assert response.status_code < 500, response.text[:300]
    body = response.json()
    assert isinstance(body, dict)
    if "error" in body:
        assert isinstance(body["error"], str) and isinstance(body["error_description"], str)
    return body


def still_alive(client: Client, token: str) -> None:
    assert client.call("profile", token).json()["result"]["ID"] == "1"


# ── form-encoded names: brackets, repeats, garbage ───────────────────────────────────────────

_INDEX = st.one_of(st.just(""), st.sampled_from(["0", "1", "-1", "a", "ID", " ", "x y", "[",
                                                 "9223372036854775807"]),
                   st.text(max_size=4))
_NAMES = st.builds(lambda head, indexes, tail: head + "".join(f"[{i}]" for i in indexes) + tail,
                   st.sampled_from([*PARAMS, "", " ", ".", "a.b"]),
                   st.lists(_INDEX, max_size=80), st.sampled_from(["", "[", "]", "[x", "x"]))


@budget(60)
@given(method=st.sampled_from(METHODS), names=st.lists(_NAMES, max_size=6),
       value=st.text(max_size=10), repeat=st.sampled_from([1, 1, 2, 500, 10_001, 30_000]))
def test_form_names_deep_or_repeated(portal: tuple[Client, str], method: str, names: list[str],
                                     value: str, repeat: int) -> None:
    client, token = portal
    pairs = [f"{name}={value}" for name in names]
    if pairs:
        pairs[0:1] = [pairs[0]] * repeat
    body = "&".join([f"auth={token}", *pairs])
    reply = answered(client.post(f"/rest/{method}", content=body, headers=FORM))
    deepest = max((name.count("]") for name in names), default=0)
    if len(body.encode()) > BODY_LIMIT:
        assert reply["error_description"] == "Request body is larger than 4 MiB"
    elif len(pairs) + 1 > 10_000:
        assert reply["error_description"].startswith("More than 10000 parameters")
    elif deepest > 64 and reply.get("error") == "INVALID_REQUEST":
        assert "nests deeper than 64 levels" in reply["error_description"]
    still_alive(client, token)


@budget(30)
@given(depth=st.integers(0, 3_000), where=st.sampled_from(["query", "form", "multipart"]),
       name=st.sampled_from(PARAMS[:-1]))
def test_one_name_nested_at_any_depth(portal: tuple[Client, str], depth: int, where: str,
                                      name: str) -> None:
    client, token = portal
    key = name + "[a]" * depth
    if where == "query":
        response = client.get(f"/rest/bizproc.workflow.template.list?auth={token}&{key}=1")
    elif where == "form":
        response = client.post("/rest/bizproc.workflow.template.list",
                               content=f"auth={token}&{key}=1", headers=FORM)
    else:
        body = (f'--b\r\nContent-Disposition: form-data; name="auth"\r\n\r\n{token}\r\n'
                f'--b\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n1\r\n--b--\r\n')
        response = client.post("/rest/bizproc.workflow.template.list", content=body.encode(),
                               headers={"Content-Type": "multipart/form-data; boundary=b"})
    reply = answered(response)
    if depth > 64:
        assert response.status_code == 400
        assert reply["error_description"] == (f"Parameter {name} nests deeper than 64 levels: "
                                              "PHP (max_input_nesting_level) would drop it")
    still_alive(client, token)


# ── JSON: nesting, width, types ──────────────────────────────────────────────────────────────

def _nested(depth: int, leaf: Any, as_list: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


@budget(40)
@given(method=st.sampled_from(METHODS), name=st.sampled_from(PARAMS[:-1]),
       depth=st.integers(0, 900), as_list=st.booleans(), width=st.integers(0, 20_000),
       leaf=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.floats(allow_nan=False,
                                                                               allow_infinity=False)))
def test_json_bodies_deep_or_wide(portal: tuple[Client, str], method: str, name: str, depth: int,
                                  as_list: bool, width: int, leaf: Any) -> None:
    client, token = portal
    # Written by hand: json.dumps itself recurses and would stop at ~1000 levels.
    opening, closing = ("[", "]") if as_list else ('{"a":', "}")
    text = opening * depth + json.dumps(leaf) + closing * depth
    wide = ",".join(["1"] * width)
    body = f'{{"auth": "{token}", "{name}": {text}, "WIDE": [{wide}]}}'
    response = client.post(f"/rest/{method}", content=body,
                           headers={"Content-Type": "application/json"})
    reply = answered(response)
    if depth > 64:
        assert response.status_code == 400 and "nests deeper than 64 levels" in \
            reply["error_description"]
    still_alive(client, token)


@budget(40)
@given(raw=st.binary(max_size=400), kind=st.sampled_from([
    "application/json", "application/x-www-form-urlencoded", "", "text/plain",
    "multipart/form-data; boundary=b", "multipart/form-data", "multipart/form-data; boundary=",
    'multipart/form-data; boundary="x y"']), prefix=st.sampled_from([b"", b"--b\r\n", b"{", b"[",
                                                                      b"a[" * 100]))
def test_garbage_in_every_encoding(portal: tuple[Client, str], raw: bytes, kind: str,
                                   prefix: bytes) -> None:
    client, token = portal
    headers = {"Content-Type": kind} if kind else {}
    answered(client.post(f"/rest/profile.json?auth={token}", content=prefix + raw,
                         headers=headers))
    still_alive(client, token)


@budget(15)
@given(parts=st.integers(0, 12_000), name=st.sampled_from(["F[]", "F[a][]", "auth", "x"]))
def test_many_multipart_parts(portal: tuple[Client, str], parts: int, name: str) -> None:
    client, token = portal
    body = (f'--b\r\nContent-Disposition: form-data; name="auth"\r\n\r\n{token}\r\n'
            + f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\nv\r\n' * parts
            + "--b--\r\n")
    response = client.post("/rest/profile", content=body.encode(),
                           headers={"Content-Type": "multipart/form-data; boundary=b"})
    reply = answered(response)
    if parts + 1 > 10_000:
        assert response.status_code == 400 and reply["error_description"].startswith(
            "More than 10000 parameters")
    still_alive(client, token)


# ── batch commands carry their own query strings ─────────────────────────────────────────────

@budget(10)
@given(commands=st.lists(st.tuples(st.sampled_from(["profile", "bizproc.task.list", "batch", ""]),
                                   _NAMES, st.sampled_from([1, 3, 10_001])), max_size=5))
def test_batch_commands_with_hostile_queries(portal: tuple[Client, str],
                                             commands: list[tuple[str, str, int]]) -> None:
    client, token = portal
    cmd = {f"c{index}": method + "?" + "&".join([f"{name}=1"] * repeat)
           for index, (method, name, repeat) in enumerate(commands)}
    reply = answered(client.call("batch", token, cmd=cmd))
    if "result" in reply:
        errors = reply["result"]["result_error"]
        for key, (method, _, repeat) in zip(cmd, commands, strict=True):
            if repeat > 10_000 and method != "batch":
                assert "More than 10000 parameters" in errors[key]["error_description"]
    still_alive(client, token)


# ── credentials ──────────────────────────────────────────────────────────────────────────────

_SECRETS = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "null", "0", "x" * 5_000,
                                                            "%00", "../../etc/passwd"]))


@budget(40)
@given(token=_SECRETS, where=st.sampled_from(["query", "form", "json", "bearer", "webhook"]),
       user=st.sampled_from(["1", "0", "-1", "99999999999999999999", "x"]))
def test_bad_credentials_are_a_4xx(portal: tuple[Client, str], token: str, where: str,
                                   user: str) -> None:
    client, good = portal
    if where == "query":
        response = client.get("/rest/profile.json", params={"auth": token})
    elif where == "form":
        response = client.post("/rest/profile.json", data={"auth": token})
    elif where == "json":
        response = client.post("/rest/profile.json", json={"auth": token})
    elif where == "bearer":
        raw = token.encode("utf-8").replace(b"\n", b" ").replace(b"\r", b" ")
        response = client.post("/rest/profile.json",
                               headers={"Authorization": b"Bearer " + raw})
    else:
        secret = "".join(c for c in token if c.isalnum()) or "x"
        response = client.post(f"/rest/{user}/{secret}/profile.json", json={})
    reply = answered(response)
    assert 400 <= response.status_code < 500 and "error" in reply
    still_alive(client, good)
