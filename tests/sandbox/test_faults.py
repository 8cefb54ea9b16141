"""Injected faults: errors, dropped connections, answers lost after a commit, expiring tokens."""

from __future__ import annotations

import httpx
import pytest

from compiler.sandbox import ConnectionDropped, Faults, Limits, ManualClock, Sandbox, SandboxConfig

from .helpers import DEAL, Client, error, ok, template_data

LIST = "bizproc.workflow.template.list"


def rig(faults: Faults) -> tuple[Sandbox, Client, str]:
    sandbox = Sandbox(SandboxConfig(limits=Limits.off(), faults=faults, clock=ManualClock()))
    token = sandbox.ensure_default_app().access_token
    return sandbox, Client(sandbox.asgi_app), token


def test_parse_a_fault_spec() -> None:
    faults = Faults.parse(
        "error=0.2, drop=10%, latency=50ms, seed=1, codes=500|503, after_commit=0.05, expire=20"
    )
    assert faults == Faults(
        error_rate=0.2,
        drop_rate=0.1,
        latency=0.05,
        seed=1,
        codes=(500, 503),
        after_commit_rate=0.05,
        expire_tokens_every=20,
    )
    assert Faults.parse("latency=1.5").latency == 1.5
    assert Faults.parse("after_commit_mode=error").after_commit_mode == "error"
    assert not Faults.parse("").active and Faults.parse("drop=0.5").active


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("error", "name=value"),
        ("bogus=1", "unknown fault setting"),
        ("error=lots", "unreadable value"),
        ("error=2", "between 0 and 1"),
        ("latency=fast", "unreadable value"),
        ("codes=418", "fault codes"),
        ("after_commit_mode=later", "after_commit_mode"),
        ("expire=-1", "must not be negative"),
    ],
)
def test_bad_fault_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Faults.parse(spec)


def test_errors_answer_500_or_503_in_bitrix_shape() -> None:
    sandbox, client, token = rig(Faults(error_rate=1.0, codes=(500, 503), seed=4))
    try:
        seen = {error(client.call(LIST, token))[:2] for _ in range(30)}
        assert seen == {(500, "INTERNAL_SERVER_ERROR"), (503, "QUERY_LIMIT_EXCEEDED")}
    finally:
        client.close()
        sandbox.close()


def test_a_dropped_connection_is_a_transport_error_in_process() -> None:
    sandbox, client, token = rig(Faults(drop_rate=1.0))
    try:
        with pytest.raises(httpx.TransportError):
            client.call(LIST, token)
        with pytest.raises(ConnectionResetError):
            client.call(LIST, token)
    finally:
        client.close()
        sandbox.close()


def test_seeded_faults_are_reproducible() -> None:
    def pattern() -> list[str]:
        sandbox, client, token = rig(Faults(error_rate=0.3, drop_rate=0.2, seed=42))
        out = []
        try:
            for _ in range(40):
                try:
                    out.append(str(client.call(LIST, token).status_code))
                except ConnectionDropped:
                    out.append("drop")
        finally:
            client.close()
            sandbox.close()
        return out

    first = pattern()
    assert first == pattern()
    assert {"200", "drop"} <= set(first) and ({"500", "503"} & set(first))


def test_a_lost_answer_after_commit_leaves_the_write_in_place() -> None:
    sandbox, client, token = rig(Faults(after_commit_rate=1.0))
    try:
        params = {"DOCUMENT_TYPE": DEAL, "NAME": "once", "TEMPLATE_DATA": template_data()}
        for _ in range(2):  # a naive retry of the create
            with pytest.raises(ConnectionDropped):
                client.call("bizproc.workflow.template.add", token, **params)
        rows = ok(client.call(LIST, token, SELECT=["NAME"]))  # reads are not affected
        assert rows == [{"NAME": "once"}, {"NAME": "once"}]  # the duplicate a retry makes
    finally:
        client.close()
        sandbox.close()


def test_after_commit_can_answer_an_error_instead() -> None:
    sandbox, client, token = rig(Faults(after_commit_rate=1.0, after_commit_mode="error"))
    try:
        response = client.call(
            "bizproc.robot.add", token, CODE="r", NAME="R", HANDLER="https://a.example.com/"
        )
        assert error(response)[:2] == (500, "INTERNAL_SERVER_ERROR")
        assert ok(client.call("bizproc.robot.list", token)) == ["r"]
    finally:
        client.close()
        sandbox.close()


def test_failed_writes_are_not_hit_after_commit() -> None:
    sandbox, client, token = rig(Faults(after_commit_rate=1.0))
    try:
        response = client.call("bizproc.workflow.template.delete", token, ID=1)
        assert error(response)[1] == "ERROR_TEMPLATE_NOT_FOUND"
    finally:
        client.close()
        sandbox.close()


def test_tokens_expire_every_nth_call() -> None:
    sandbox, client, token = rig(Faults(expire_tokens_every=3))
    try:
        assert client.call("scope", token).status_code == 200
        assert client.call("scope", token).status_code == 200
        assert error(client.call("scope", token))[:2] == (401, "expired_token")
        assert error(client.call("scope", token))[1] == "expired_token"  # it stays expired
        hook = sandbox.ensure_default_app().webhook_path
        assert all(client.hook(hook, "scope").status_code == 200 for _ in range(6))
    finally:
        client.close()
        sandbox.close()


def test_latency_is_added() -> None:
    import time

    sandbox, client, token = rig(Faults(latency=0.05))
    try:
        began = time.perf_counter()
        client.call("scope", token)
        assert time.perf_counter() - began >= 0.05
    finally:
        client.close()
        sandbox.close()
