"""The `batch` method: shape, substitution, halt, limits on length and nesting."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from compiler.sandbox import Credentials, Limits, ManualClock, Sandbox, SandboxConfig

from .helpers import DEAL, Client, node, ok, template_data

LIST = "bizproc.workflow.template.list"


def batch(client: Client, token: str, cmd: Any, **more: Any) -> dict[str, Any]:
    result = ok(client.call("batch", token, cmd=cmd, **more))
    assert set(result) == {"result", "result_error", "result_total", "result_next", "result_time"}
    return dict(result)


def add_command(name: str) -> str:
    data = template_data()
    return (
        "bizproc.workflow.template.add?DOCUMENT_TYPE[0]=crm&DOCUMENT_TYPE[1]=CCrmDocumentDeal"
        f"&DOCUMENT_TYPE[2]=DEAL&NAME={name}&AUTO_EXECUTE=0"
        f"&TEMPLATE_DATA[0]=t.bpt&TEMPLATE_DATA[1]={quote(data[1], safe='')}"
    )


def test_results_errors_totals_and_times(client: Client, token: str) -> None:
    out = batch(
        client,
        token,
        {
            "add": add_command("one"),
            "list": f"{LIST}?select[]=ID",
            "bad": "bizproc.workflow.template.delete?ID=999",
        },
    )
    assert isinstance(out["result"]["add"], int)
    assert out["result"]["list"] == [{"ID": str(out["result"]["add"])}]
    assert out["result_total"] == {"list": 1}
    assert out["result_next"] == []  # an empty part is [], not {}
    assert out["result_error"] == {
        "bad": {
            "error": "ERROR_TEMPLATE_NOT_FOUND",
            "error_description": "Workflow template not found.",
        }
    }
    assert set(out["result_time"]["list"]) == {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
    }


def test_a_list_of_commands_gives_list_results(client: Client, token: str) -> None:
    out = batch(client, token, ["profile", "scope"])
    assert out["result"][0]["ID"] == "1" and out["result"][1] == ["bizproc", "user"]
    assert out["result_error"] == []


def test_substitution_of_earlier_results(client: Client, token: str) -> None:
    cmd = {
        "add": add_command("first"),
        "get": f"{LIST}?filter[ID]=$result[add]&select[]=ID&select[]=NAME",
        "rename": "bizproc.workflow.template.update?ID=$result[get][0][ID]"
        "&FIELDS[NAME]=renamed-$result[get][0][NAME]",
        "whole": "bizproc.workflow.template.list?select=$result[scopes]",
        "scopes": "scope",
    }
    out = batch(client, token, cmd)
    tid = out["result"]["add"]
    assert out["result"]["get"] == [{"ID": str(tid), "NAME": "first"}]
    assert out["result"]["rename"] == tid
    names = ok(client.call(LIST, token, SELECT=["NAME"]))
    assert names == [{"NAME": "renamed-first"}]


def test_halt_stops_at_the_first_error(client: Client, token: str) -> None:
    cmd = {"a": "profile", "b": "no.such.method", "c": "scope"}
    out = batch(client, token, cmd, halt=1)
    assert list(out["result"]) == ["a"] and list(out["result_error"]) == ["b"]
    out = batch(client, token, cmd, halt="false")
    assert list(out["result"]) == ["a", "c"]


def test_nested_batch_and_more_than_fifty_commands(client: Client, token: str) -> None:
    cmd = {f"k{n}": "scope" for n in range(52)}
    cmd["k1"] = "batch?cmd[x]=scope"
    out = batch(client, token, cmd)
    assert out["result_error"]["k1"] == {
        "error": "ERROR_BATCH_METHOD_NOT_ALLOWED",
        "error_description": "Method not allowed by batch",
    }
    assert out["result_error"]["k50"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"
    assert out["result_error"]["k51"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED"
    assert len(out["result"]) == 49


def test_commands_run_as_the_batch_caller(
    client: Client, sandbox: Sandbox, creds: Credentials
) -> None:
    bob = sandbox.create_webhook(sandbox.create_user("Bob"))
    out = ok(client.hook(bob, "batch", cmd={"p": f"profile?auth={creds.access_token}"}))
    assert out["result"]["p"]["ADMIN"] is False
    denied = ok(
        client.hook(
            creds.webhook_path, "batch", cmd={"add": "bizproc.workflow.template.add?NAME=x"}
        )
    )
    assert denied["result_error"]["add"]["error_description"] == (
        "Access denied! Application context required"
    )


def test_empty_or_odd_batches(client: Client, token: str) -> None:
    assert batch(client, token, None)["result"] == []
    out = batch(client, token, {"x": 5, "y": ""})
    assert out["result_error"]["x"]["error"] == "ERROR_METHOD_NOT_FOUND"


def test_a_batch_counts_once_for_the_rate_limit() -> None:
    clock = ManualClock()
    sb = Sandbox(SandboxConfig(limits=Limits.standard(), clock=clock))
    client = Client(sb.asgi_app)
    try:
        token = sb.ensure_default_app().access_token
        for _ in range(50):
            cmd = {f"c{n}": "scope" for n in range(50)}
            assert client.call("batch", token, cmd=cmd).status_code == 200
        assert client.call("scope", token).status_code == 503
    finally:
        client.close()
        sb.close()


def test_inner_commands_are_charged_to_their_own_method() -> None:
    clock = ManualClock()
    limits = Limits(burst=None, operating_limit=100.0, cost_per_call=30.0)
    sb = Sandbox(SandboxConfig(limits=limits, clock=clock))
    client = Client(sb.asgi_app)
    try:
        token = sb.ensure_default_app().access_token
        out = ok(client.call("batch", token, cmd=[LIST] * 5))
        assert len(out["result"]) == 4  # 4 × 30 s passes 100 s: the 5th is blocked
        assert out["result_error"]["4"]["error"] == "OPERATION_TIME_LIMIT"
        assert client.call("scope", token).status_code == 200  # other methods still work
        response = client.call("batch", token, cmd=["scope"])
        assert response.json()["time"]["operating"] == 0.0  # the batch itself is not counted
    finally:
        client.close()
        sb.close()


def test_template_add_inside_batch_matches_outside(client: Client, token: str) -> None:
    out = batch(client, token, {"a": add_command("inside")})
    direct = ok(
        client.call(
            "bizproc.workflow.template.add",
            token,
            DOCUMENT_TYPE=DEAL,
            NAME="outside",
            TEMPLATE_DATA=template_data(),
        )
    )
    assert direct == out["result"]["a"] + 1


def test_user_admin_answers_for_the_caller(
    client: Client, sandbox: Sandbox, creds: Credentials
) -> None:
    assert ok(client.call("user.admin", creds.access_token)) is True
    bob = sandbox.create_webhook(sandbox.create_user("Bob"))
    assert ok(client.hook(bob, "user.admin")) is False
    boss = sandbox.create_webhook(sandbox.create_user("Boss", admin=True))
    assert ok(client.hook(boss, "user.admin")) is True
    # Any scope will do: the method is in Bitrix's global scope.
    narrow = sandbox.create_webhook(sandbox.create_user("Carl"), scopes=["crm"])
    assert ok(client.hook(narrow, "user.admin")) is False


def test_a_php_error_in_a_batch_command_ends_the_whole_batch(client: Client, token: str) -> None:
    # CalendarActivity counts CalendarUser: count("user_1") is a TypeError nothing catches.
    calendar = node("CalendarActivity", "A1", {
        "Title": "Event", "CalendarUser": "user_1", "CalendarName": ["x"],
        "CalendarFrom": "2025-01-01", "CalendarTo": "2025-01-02"})
    data = template_data([calendar])
    query = ("bizproc.workflow.template.add?NAME=x&DOCUMENT_TYPE[]=crm"
             "&DOCUMENT_TYPE[]=CCrmDocumentDeal&DOCUMENT_TYPE[]=DEAL"
             f"&TEMPLATE_DATA[0]=t.bpt&TEMPLATE_DATA[1]={quote(data[1], safe='')}")
    response = client.call("batch", token, cmd={"a": "scope", "b": query, "c": "scope"})
    assert response.status_code == 500
    assert response.json()["error"] == "INTERNAL_SERVER_ERROR"
