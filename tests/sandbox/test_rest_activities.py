"""bizproc.robot.* and bizproc.activity.*: validation messages, codes and the shared namespace."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from compiler.sandbox import Credentials, Sandbox

from .helpers import Client, error, ok

VALIDATION = "ERROR_ACTIVITY_VALIDATION_FAILURE"
FAMILIES = ["bizproc.robot", "bizproc.activity"]


def robot(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "CODE": "send_sms",
        "HANDLER": "https://app.example.com/robot.php",
        "AUTH_USER_ID": 1,
        "USE_SUBSCRIPTION": "Y",
        "NAME": {"en": "Send SMS", "de": "SMS senden"},
        "PROPERTIES": {
            "phoneNumber": {"Name": "Phone", "Type": "string", "Required": "Y"},
            "kind": {"Name": "Kind", "Type": "select", "Options": {"sms": "SMS", "Viber": "V"}},
        },
        "RETURN_PROPERTIES": {"messageId": {"Name": {"en": "Message"}, "Type": "string"}},
        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
        "FILTER": {"INCLUDE": [["crm", "CCrmDocumentDeal"]]},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not ...}


@pytest.mark.parametrize("family", FAMILIES)
def test_add_list_update_delete(client: Client, token: str, family: str) -> None:
    assert ok(client.call(f"{family}.add", token, **robot())) is True
    assert ok(client.call(f"{family}.list", token)) == ["send_sms"]
    assert (
        ok(
            client.call(
                f"{family}.update",
                token,
                CODE="send_sms",
                FIELDS={"NAME": "Renamed", "USE_SUBSCRIPTION": "N"},
            )
        )
        is True
    )
    assert ok(client.call(f"{family}.delete", token, CODE="send_sms")) is True
    assert ok(client.call(f"{family}.list", token)) == []


def test_robots_and_activities_are_listed_apart_but_share_codes(client: Client, token: str) -> None:
    ok(client.call("bizproc.robot.add", token, **robot()))
    ok(client.call("bizproc.activity.add", token, **robot(CODE="other")))
    assert ok(client.call("bizproc.robot.list", token)) == ["send_sms"]
    assert ok(client.call("bizproc.activity.list", token)) == ["other"]
    assert error(client.call("bizproc.activity.add", token, **robot())) == (
        400,
        "ERROR_ACTIVITY_ALREADY_INSTALLED",
        "Activity or Robot already installed!",
    )
    assert error(client.call("bizproc.robot.add", token, **robot(CODE="other"))) == (
        400,
        "ERROR_ACTIVITY_ALREADY_INSTALLED",
        "Activity or Robot already installed!",  # the server's one wording for both
    )
    # update/delete look only at their own kind
    assert error(client.call("bizproc.activity.delete", token, CODE="send_sms"))[1] == (
        "ERROR_ACTIVITY_NOT_FOUND"
    )


def test_codes_are_per_app(client: Client, token: str, sandbox: Sandbox) -> None:
    other = sandbox.create_app("other")
    ok(client.call("bizproc.robot.add", token, **robot()))
    assert ok(client.call("bizproc.robot.add", other.access_token, **robot())) is True
    assert ok(client.call("bizproc.robot.list", other.access_token)) == ["send_sms"]


def test_internal_code_and_stored_shape(
    client: Client, token: str, sandbox: Sandbox, creds: Credentials
) -> None:
    ok(client.call("bizproc.robot.add", token, **robot()))
    expected = hashlib.md5(f"{creds.client_id}@send_sms".encode()).hexdigest()
    (entry,) = sandbox.info()["rest_activities"]
    assert entry == {
        "code": "send_sms",
        "kind": "robot",
        "app_id": creds.app_id,
        "type": f"rest_{expected}",
    }
    with sandbox.portal.store.transaction() as conn:
        row = conn.execute("SELECT * FROM rest_activities").fetchone()
    # Property attribute keys are upper-cased; property codes and option values keep their case.
    assert '"phoneNumber":{"NAME":"Phone","TYPE":"string","REQUIRED":"Y"}' in row["properties"]
    assert '"OPTIONS":{"sms":"SMS","Viber":"V"}' in row["properties"]
    assert row["name"] == '{"EN":"Send SMS","DE":"SMS senden"}'


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(
    ("overrides", "code", "text"),
    [
        ({"CODE": ...}, VALIDATION, "Empty activity code!"),
        ({"CODE": ""}, VALIDATION, "Empty activity code!"),
        ({"CODE": "bad code!"}, VALIDATION, "Wrong activity code!"),
        ({"CODE": ["x"]}, VALIDATION, "Wrong activity code!"),
        ({"HANDLER": ...}, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
        ({"HANDLER": "not a url"}, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
        ({"HANDLER": "https://localhost/x"}, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL"),
        # PHP's parse_url fails on such ports, so checkCallback refuses them (php-cli 8.2).
        ({"HANDLER": "https://app.example.com:99999/"}, "ERROR_WRONG_HANDLER_URL",
         "Wrong handler URL"),
        ({"HANDLER": "https://app.example.com:x/"}, "ERROR_WRONG_HANDLER_URL",
         "Wrong handler URL"),
        (
            {"HANDLER": "ftp://app.example.com/x"},
            "ERROR_UNSUPPORTED_PROTOCOL",
            "Unsupported handler protocol",
        ),
        ({"NAME": ""}, VALIDATION, "Empty activity NAME!"),
        ({"NAME": ...}, VALIDATION, "Empty activity NAME!"),
        ({"PROPERTIES": "text"}, VALIDATION, "Wrong properties array!"),
        ({"PROPERTIES": {"1st": {"Name": "x"}}}, VALIDATION, "Wrong property key (1st)!"),
        ({"PROPERTIES": {"ok": {"Type": "string"}}}, VALIDATION, "Empty property NAME (ok)!"),
        ({"RETURN_PROPERTIES": {"r": "x"}}, VALIDATION, "Empty property NAME (r)!"),
        ({"DOCUMENT_TYPE": ["crm", "Nope", "X"]}, VALIDATION, "Wrong activity DOCUMENT_TYPE!"),
        ({"FILTER": "b24"}, VALIDATION, "Wrong activity FILTER!"),
    ],
)
def test_add_validation(
    client: Client, token: str, family: str, overrides: dict[str, Any], code: str, text: str
) -> None:
    assert error(client.call(f"{family}.add", token, **robot(**overrides))) == (400, code, text)


@pytest.mark.parametrize("family", FAMILIES)
def test_add_with_no_data(client: Client, token: str, family: str) -> None:
    assert error(client.call(f"{family}.add", token)) == (400, VALIDATION, "Empty data!")


def test_oversized_properties_fail_to_save(client: Client, token: str) -> None:
    huge = {f"p{n}": {"Name": "x" * 1000, "Type": "string"} for n in range(80)}
    assert error(client.call("bizproc.robot.add", token, **robot(PROPERTIES=huge))) == (
        400,
        "ERROR_ACTIVITY_ADD_FAILURE",
        "Activity save error!",
    )


def test_placement_handlers_must_be_unique(client: Client, token: str) -> None:
    placement = {"USE_PLACEMENT": "Y", "PLACEMENT_HANDLER": "https://app.example.com/dialog"}
    ok(client.call("bizproc.robot.add", token, **robot(**placement)))
    response = client.call("bizproc.robot.add", token, **robot(CODE="second", **placement))
    assert error(response) == (
        400,
        "ERROR_CORE",
        "Unable to set placement handler: You should use unique placement handler for each CODE!",
    )
    bad = {"USE_PLACEMENT": "Y", "PLACEMENT_HANDLER": "nowhere"}
    assert error(client.call("bizproc.robot.add", token, **robot(CODE="third", **bad)))[1] == (
        "ERROR_WRONG_HANDLER_URL"
    )


@pytest.mark.parametrize("family", FAMILIES)
def test_update_errors(client: Client, token: str, family: str) -> None:
    assert error(client.call(f"{family}.update", token, CODE="none", FIELDS={"NAME": "x"})) == (
        400,
        "ERROR_ACTIVITY_NOT_FOUND",
        "Activity or Robot not found!",
    )
    ok(client.call(f"{family}.add", token, **robot()))
    for fields in (None, {}, {"CODE": "x", "BOGUS": 1}):
        assert error(client.call(f"{family}.update", token, CODE="send_sms", FIELDS=fields)) == (
            400,
            VALIDATION,
            "No fields to update",
        )
    bad = client.call(f"{family}.update", token, CODE="send_sms", FIELDS={"HANDLER": "ftp://a.b"})
    assert error(bad)[1] == "ERROR_UNSUPPORTED_PROTOCOL"
    assert (
        error(client.call(f"{family}.update", token, CODE="send_sms", FIELDS={"NAME": ""}))[2]
        == "Empty activity NAME!"
    )
    assert error(client.call(f"{family}.update", token, CODE="", FIELDS={"NAME": "x"}))[2] == (
        "Empty activity code!"
    )


def test_update_clears_document_type_and_filter(
    client: Client, token: str, sandbox: Sandbox
) -> None:
    ok(client.call("bizproc.robot.add", token, **robot()))
    ok(
        client.call(
            "bizproc.robot.update",
            token,
            CODE="send_sms",
            FIELDS={"DOCUMENT_TYPE": [], "FILTER": ""},
        )
    )
    with sandbox.portal.store.transaction() as conn:
        row = conn.execute("SELECT document_type, filter FROM rest_activities").fetchone()
    assert (row["document_type"], row["filter"]) == ("[]", "[]")


@pytest.mark.parametrize("family", FAMILIES)
def test_delete_errors(client: Client, token: str, family: str) -> None:
    assert error(client.call(f"{family}.delete", token, CODE="none")) == (
        400,
        "ERROR_ACTIVITY_NOT_FOUND",
        "Activity or Robot not found!",
    )
    assert error(client.call(f"{family}.delete", token)) == (
        400,
        VALIDATION,
        "Empty activity code!",
    )
    assert error(client.call(f"{family}.delete", token, CODE="a b")) == (
        400,
        VALIDATION,
        "Wrong activity code!",
    )


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("action", ["add", "update", "list", "delete"])
def test_app_context_and_admin_are_required(
    client: Client, sandbox: Sandbox, creds: Credentials, family: str, action: str
) -> None:
    hook = client.hook(creds.webhook_path, f"{family}.{action}", **robot())
    assert error(hook) == (403, "ACCESS_DENIED", "Access denied! Application context required")
    bob = sandbox.tokens_for(creds.client_id, sandbox.create_user("Bob")).access_token
    assert error(client.call(f"{family}.{action}", bob, **robot())) == (
        403,
        "ACCESS_DENIED",
        "Access denied!",
    )
