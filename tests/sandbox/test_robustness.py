"""Bad requests never crash the portal: whatever arrives, the answer is a Bitrix-shaped JSON
success or error below 500, and the portal keeps answering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.sandbox import Limits, ManualClock, Sandbox, SandboxConfig
from compiler.sandbox.config import MIB
from compiler.sandbox.methods import REGISTRY

from .helpers import DEAL, Client, template_data

METHODS = [*sorted(REGISTRY.methods), "batch", "no.such.method", ""]
PARAM_NAMES = [
    "ID",
    "TEMPLATE_ID",
    "DOCUMENT_ID",
    "DOCUMENT_TYPE",
    "NAME",
    "TEMPLATE_DATA",
    "AUTO_EXECUTE",
    "FIELDS",
    "SELECT",
    "FILTER",
    "ORDER",
    "start",
    "CODE",
    "HANDLER",
    "PROPERTIES",
    "RETURN_PROPERTIES",
    "TASK_ID",
    "TASK_IDS",
    "STATUS",
    "FROM_USER_ID",
    "TO_USER_ID",
    "EVENT_TOKEN",
    "RETURN_VALUES",
    "LOG_MESSAGE",
    "cmd",
    "halt",
    "PARAMETERS",
    "COMMENT",
    "USE_PLACEMENT",
    "PLACEMENT_HANDLER",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, 2**63 - 1, -(2**63) - 1, 10**30, -(10**30), 1e300, -1e300]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["0", "1", "-1", "DEAL", "crm", "Y", "N", "", "  ", ">=ID", "$result[a]"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=8)), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
params = st.dictionaries(st.sampled_from(PARAM_NAMES), values, max_size=6)


@pytest.fixture(scope="module")
def portal() -> Iterator[tuple[Sandbox, Client, str]]:
    sandbox = Sandbox(
        SandboxConfig(
            limits=Limits.off(), clock=ManualClock(), token_lifetime=10**9, max_body_bytes=MIB
        )
    )
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(["crm", "CCrmDocumentDeal", "DEAL_1"])
    client = Client(sandbox.asgi_app)
    tid = client.call(
        "bizproc.workflow.template.add",
        creds.access_token,
        DOCUMENT_TYPE=DEAL,
        NAME="seed",
        TEMPLATE_DATA=template_data(),
    ).json()["result"]
    wid = client.call(
        "bizproc.workflow.start",
        creds.access_token,
        TEMPLATE_ID=tid,
        DOCUMENT_ID=["crm", "CCrmDocumentDeal", "DEAL_1"],
    ).json()["result"]
    sandbox.seed_task(wid, [1])
    yield sandbox, client, creds.access_token
    client.close()
    sandbox.close()


def check(response: Any) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body, dict)
    if "error" in body:
        assert isinstance(body["error"], str) and isinstance(body["error_description"], str)
    elif "result" not in body:  # the OAuth server answers tokens, not results
        assert "access_token" in body
    return body


def still_alive(client: Client, token: str) -> None:
    assert client.call("profile", token).json()["result"]["ID"] == "1"


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(method=st.sampled_from(METHODS), body=params)
def test_random_json_parameters(
    portal: tuple[Sandbox, Client, str], method: str, body: dict[str, Any]
) -> None:
    _, client, token = portal
    check(client.call(method, token, **body))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(METHODS),
    pairs=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=8),
)
def test_random_form_fields(
    portal: tuple[Sandbox, Client, str], method: str, pairs: list[tuple[str, str]]
) -> None:
    _, client, token = portal
    form = [*pairs, ("auth", token)]
    check(client.post(f"/rest/{method}", data=dict(form)))
    check(client.get(f"/rest/{method}.json", params=form))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(METHODS),
    raw=st.binary(max_size=300),
    kind=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "text/plain",
            "",
        ]
    ),
)
def test_garbage_bodies(
    portal: tuple[Sandbox, Client, str], method: str, raw: bytes, kind: str
) -> None:
    _, client, token = portal
    headers = {"Content-Type": kind} if kind else {}
    check(client.post(f"/rest/{method}.json?auth={token}", content=raw, headers=headers))


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(commands=st.lists(st.text(max_size=60), max_size=6), halt=values)
def test_random_batches(
    portal: tuple[Sandbox, Client, str], commands: list[str], halt: Any
) -> None:
    _, client, token = portal
    body = check(client.call("batch", token, cmd=commands, halt=halt))
    assert set(body["result"]) == {
        "result",
        "result_error",
        "result_total",
        "result_next",
        "result_time",
    }


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    path=st.text(
        alphabet=st.characters(
            min_codepoint=0x21,
            max_codepoint=0x44F,
            blacklist_characters="?#%\\",
            blacklist_categories=("Cc", "Cs"),
        ),
        max_size=40,
    ),
    query=st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=4),
)
def test_random_paths_and_oauth_requests(
    portal: tuple[Sandbox, Client, str], path: str, query: dict[str, str]
) -> None:
    _, client, _ = portal
    safe = "/" + path.replace("?", "").replace("#", "").lstrip("/")
    response = client.get(safe, params=query)
    assert response.status_code < 500 and isinstance(response.json(), dict)
    check(client.get("/oauth/token/", params=query))


def test_hostile_structures(portal: tuple[Sandbox, Client, str]) -> None:
    _, client, token = portal
    deep: Any = "x"
    for _ in range(400):
        deep = {"a": deep}
    nested_list = "[" * 2000 + "]" * 2000
    cases = [
        json.dumps({"auth": token, "FILTER": deep}),
        json.dumps({"auth": token, "FIELDS": {"TEMPLATE_DATA": deep}}),
        '{"auth": "' + token + '", "SELECT": ' + nested_list + "}",
        "[1, 2, 3]",
        '"just a string"',
        "null",
        '{"auth": "' + token + '", "ID": 1e999}',
        "{" * 5000,
    ]
    for text in cases:
        for method in (
            "bizproc.workflow.template.list",
            "bizproc.robot.add",
            "bizproc.workflow.template.update",
            "batch",
        ):
            check(
                client.post(
                    f"/rest/{method}", content=text, headers={"Content-Type": "application/json"}
                )
            )
    deep_keys = "&".join([f"auth={token}", "FILTER" + "[a]" * 300 + "=1"])
    check(
        client.post(
            "/rest/bizproc.workflow.template.list",
            content=deep_keys,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    still_alive(client, token)


def test_oversized_bodies_get_a_clear_error(portal: tuple[Sandbox, Client, str]) -> None:
    _, client, token = portal
    big = b"x" * (MIB + 1)
    response = client.post(f"/rest/profile.json?auth={token}", content=big)
    assert response.status_code == 413
    assert response.json()["error"] == "INVALID_REQUEST"
    assert "larger than 1 MiB" in response.json()["error_description"]
    still_alive(client, token)


def test_corrupt_template_data_variants(portal: tuple[Sandbox, Client, str]) -> None:
    import base64
    import zlib

    _, client, token = portal
    # Activities PHP cannot read: Bitrix's loader dies with a TypeError, answered as a 500.
    for raw in (zlib.compress(b'a:1:{s:8:"TEMPLATE";a:1:{i:0;s:1:"x";}}'),
                zlib.compress(b'a:1:{s:8:"TEMPLATE";a:1:{i:0;a:1:{s:4:"Type";a:0:{}}}}')):
        data = ["t.bpt", base64.b64encode(raw).decode()]
        response = client.call("bizproc.workflow.template.add", token, DOCUMENT_TYPE=DEAL,
                               NAME="x", TEMPLATE_DATA=data)
        assert response.status_code == 500
        assert response.json()["error"] == "INTERNAL_SERVER_ERROR"
    samples = [
        zlib.compress(b'a:2:{s:8:"TEMPLATE";'),
        zlib.compress(b'a:1:{s:8:"TEMPLATE";a:1:{i:0;a:2:{s:4:"Type";s:8:"LogActiv'),
        b"\x78\xda" + b"\x00" * 50,
        zlib.compress(b"x" * 100_000),
    ]
    for raw in samples:
        data = ["t.bpt", base64.b64encode(raw).decode()]
        body = check(
            client.call(
                "bizproc.workflow.template.add",
                token,
                DOCUMENT_TYPE=DEAL,
                NAME="x",
                TEMPLATE_DATA=data,
            )
        )
        assert "error" in body
    still_alive(client, token)
