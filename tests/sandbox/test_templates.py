"""bizproc.workflow.template.add / update / delete / list: shapes and every documented error."""

from __future__ import annotations

import base64
import zlib
from typing import Any

import pytest

from compiler.php.serialize import serialize
from compiler.sandbox import Credentials, Sandbox

from .helpers import DEAL, LEAD, Client, error, log_action, node, ok, package, template_data

ADD = "bizproc.workflow.template.add"
UPDATE = "bizproc.workflow.template.update"
DELETE = "bizproc.workflow.template.delete"
LIST = "bizproc.workflow.template.list"
VALIDATION = "ERROR_TEMPLATE_VALIDATION_FAILURE"


def add(client: Client, token: str, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "DOCUMENT_TYPE": DEAL,
        "NAME": "Deal check",
        "TEMPLATE_DATA": template_data(),
        "AUTO_EXECUTE": "0",
    }
    params.update(overrides)
    return client.call(ADD, token, **params)


def rows(client: Client, token: str, **params: Any) -> list[dict[str, Any]]:
    result = ok(client.call(LIST, token, **params))
    assert isinstance(result, list)
    return result


# -- add ----------------------------------------------------------------------------------------


def test_add_returns_the_new_integer_id(client: Client, token: str) -> None:
    first = ok(add(client, token))
    second = ok(add(client, token, NAME="Other"))
    assert isinstance(first, int) and second == first + 1


def test_add_stores_ownership_and_the_decoded_package(
    client: Client, token: str, creds: Credentials
) -> None:
    params = {"P1": {"Name": "Amount", "Type": "double", "Default": "10"}}
    tid = ok(add(client, token, TEMPLATE_DATA=template_data(PARAMETERS=params), DESCRIPTION="d"))
    select = [
        "ID",
        "NAME",
        "DESCRIPTION",
        "TEMPLATE",
        "PARAMETERS",
        "VARIABLES",
        "CONSTANTS",
        "MODIFIED",
        "IS_MODIFIED",
        "USER_ID",
        "SYSTEM_CODE",
        "AUTO_EXECUTE",
        "MODULE_ID",
        "ENTITY",
        "DOCUMENT_TYPE",
    ]
    (row,) = rows(client, token, SELECT=select)
    assert row["ID"] == str(tid)
    assert row["SYSTEM_CODE"] == f"rest_app_{creds.app_id}"
    assert row["USER_ID"] == "1" and row["AUTO_EXECUTE"] == "0" and row["IS_MODIFIED"] == "N"
    assert row["DESCRIPTION"] == "d"
    assert row["TEMPLATE"] == package()["TEMPLATE"]
    assert row["PARAMETERS"] == params
    assert row["VARIABLES"] == [] and row["CONSTANTS"] == []  # an empty PHP array is []
    assert row["MODIFIED"].endswith("+00:00")
    assert row["DOCUMENT_TYPE"] == DEAL
    assert (row["MODULE_ID"], row["ENTITY"]) == ("crm", "CCrmDocumentDeal")
    assert list(row) == select  # in SELECT order


def test_add_accepts_bare_base64_and_uncompressed_serialized_data(
    client: Client, token: str
) -> None:
    bare = template_data()[1]
    plain = base64.b64encode(serialize(package())).decode()
    assert isinstance(ok(add(client, token, TEMPLATE_DATA=bare)), int)
    assert isinstance(ok(add(client, token, TEMPLATE_DATA=["x.bpt", plain])), int)


def test_add_form_encoded_with_php_style_keys(client: Client, token: str) -> None:
    name, data = template_data()
    form = {
        "auth": token,
        "DOCUMENT_TYPE[0]": "crm",
        "DOCUMENT_TYPE[1]": "CCrmDocumentLead",
        "DOCUMENT_TYPE[2]": "LEAD",
        "name": "From a form",
        "AUTO_EXECUTE": "3",
        "TEMPLATE_DATA[0]": name,
        "TEMPLATE_DATA[1]": data,
    }
    tid = ok(client.post(f"/rest/{ADD}", data=form))
    (row,) = rows(client, token, SELECT=["ID", "NAME", "AUTO_EXECUTE", "DOCUMENT_TYPE"])
    assert row == {
        "ID": str(tid),
        "NAME": "From a form",
        "AUTO_EXECUTE": "3",
        "DOCUMENT_TYPE": LEAD,
    }


def test_add_through_a_webhook_needs_application_context(
    client: Client, creds: Credentials
) -> None:
    response = client.hook(
        creds.webhook_path, ADD, DOCUMENT_TYPE=DEAL, NAME="x", TEMPLATE_DATA=template_data()
    )
    assert error(response) == (403, "ACCESS_DENIED", "Access denied! Application context required")


def test_add_by_a_non_admin_is_denied(client: Client, sandbox: Sandbox, creds: Credentials) -> None:
    user = sandbox.create_user("Bob")
    their = sandbox.tokens_for(creds.client_id, user)
    assert error(add(client, their.access_token)) == (403, "ACCESS_DENIED", "Access denied!")


@pytest.mark.parametrize(
    "document_type",
    [
        None,
        "DEAL",
        ["crm", "CCrmDocumentDeal"],
        ["crm", "CCrmDocumentSpa", "SPA"],
        ["crm", "CCrmDocumentDeal", "LEAD"],
        ["crm", "CCrmDocumentDeal", ""],
        {"a": 1},
    ],
)
def test_add_refuses_a_bad_document_type(client: Client, token: str, document_type: Any) -> None:
    response = add(client, token, DOCUMENT_TYPE=document_type)
    assert error(response) == (400, VALIDATION, "Incorrect field DOCUMENT_TYPE!")


@pytest.mark.parametrize("name", [None, "", "   ", ["x"]])
def test_add_refuses_an_empty_name(client: Client, token: str, name: Any) -> None:
    assert error(add(client, token, NAME=name)) == (400, VALIDATION, "Empty template name!")


@pytest.mark.parametrize("flag", ["4", "8", "-1", "03", "1.0", " 1", "yes", True, 1.0, ["1"]])
def test_add_refuses_a_bad_auto_execute(client: Client, token: str, flag: Any) -> None:
    response = add(client, token, AUTO_EXECUTE=flag)
    assert error(response) == (400, VALIDATION, "Incorrect field AUTO_EXECUTE!")


def test_auto_execute_as_json_integer_follows_the_strict_server_check(
    client: Client, token: str
) -> None:
    # The server compares `$flag === (string)(int)$flag`: a JSON integer is not a string.
    assert error(add(client, token, AUTO_EXECUTE=3))[2] == "Incorrect field AUTO_EXECUTE!"
    assert isinstance(ok(add(client, token, AUTO_EXECUTE="3")), int)
    assert isinstance(ok(add(client, token, AUTO_EXECUTE=None)), int)  # absent: default 0


def test_auto_execute_integers_pass_when_strictness_is_off(tmp_path: Any) -> None:
    from compiler.sandbox import Limits, SandboxConfig

    sb = Sandbox(SandboxConfig(data=None, limits=Limits.off(), strict_auto_execute=False))
    client = Client(sb.asgi_app)
    try:
        token = sb.ensure_default_app().access_token
        assert isinstance(ok(add(client, token, AUTO_EXECUTE=2)), int)
        assert error(add(client, token, AUTO_EXECUTE=5))[1] == VALIDATION
    finally:
        client.close()
        sb.close()


@pytest.mark.parametrize(
    "data",
    [None, "", "!!!not base64!!!", ["only-a-name.bpt"], ["a", "b", "c"], 42, {"x": ["a"]}],
)
def test_add_refuses_undecodable_template_data(client: Client, token: str, data: Any) -> None:
    response = add(client, token, TEMPLATE_DATA=data)
    assert error(response) == (400, VALIDATION, "Incorrect field TEMPLATE_DATA!")


@pytest.mark.parametrize(
    "payload",
    [
        b"hello world",
        zlib.compress(b"not php at all"),
        zlib.compress(serialize({"VERSION": 2})),  # no TEMPLATE key
        zlib.compress(serialize({"TEMPLATE": []})),  # nothing to import
        b'O:8:"stdClass":0:{}',
    ],
)
def test_add_reports_a_corrupt_package_without_a_code(
    client: Client, token: str, payload: bytes
) -> None:
    response = add(client, token, TEMPLATE_DATA=["t.bpt", base64.b64encode(payload).decode()])
    assert error(response) == (400, "", "Incorrect workflow template")


def test_a_template_that_is_no_array_of_activities_fails_like_php(
    client: Client, token: str
) -> None:
    # The ORM casts TEMPLATE "x" to ["x"]; reading "x"['Type'] is a TypeError nobody catches.
    payload = zlib.compress(serialize({"TEMPLATE": "x"}))
    response = add(client, token, TEMPLATE_DATA=["t.bpt", base64.b64encode(payload).decode()])
    assert error(response) == (500, "INTERNAL_SERVER_ERROR", "Internal server error")


def test_add_stops_at_the_first_activity_with_errors(client: Client, token: str) -> None:
    children = [
        node("LogActivity", "A1", {"Title": "Fine", "Text": "x"}),
        node("NoSuchActivity", "A2"),
        node("LogActivity", "A3", {"Title": "Empty log"}),
    ]
    response = add(client, token, TEMPLATE_DATA=template_data(children))
    assert error(response) == (400, "", "Activity was not found (NoSuchActivity). ")


def test_add_validates_deactivated_activities_too(client: Client, token: str) -> None:
    off = node("LogActivity", "A3", {"Title": "Off"}, activated="N")
    response = add(client, token, TEMPLATE_DATA=template_data([off]))
    assert error(response) == (400, "", "The message text is empty.. ")


def test_a_php_type_error_in_validate_properties_answers_500(
    client: Client, token: str
) -> None:
    # CalendarActivity counts CalendarUser: count("user_1") throws under PHP 8.
    calendar = node("CalendarActivity", "A1", {
        "Title": "Event", "CalendarUser": "user_1", "CalendarName": ["x"],
        "CalendarFrom": "2025-01-01", "CalendarTo": "2025-01-02"})
    response = add(client, token, TEMPLATE_DATA=template_data([calendar]))
    assert error(response) == (500, "INTERNAL_SERVER_ERROR", "Internal server error")


def test_add_runs_the_container_child_rules_with_the_action_prefix(
    client: Client, token: str
) -> None:
    wrong = node("IfElseActivity", "A1", {"Title": "Branching"}, [log_action("A2")])
    response = add(client, token, TEMPLATE_DATA=template_data([wrong]))
    assert error(response) == (
        400,
        "",
        "Action 'Branching': An 'IfElseActivity' activity can contain only "
        "'IfElseBranchActivity' activities.",
    )


def test_child_rules_skip_deactivated_subtrees(client: Client, token: str) -> None:
    wrong = node("IfElseActivity", "A1", {"Title": "Off"}, [log_action("A2")], activated="N")
    assert isinstance(ok(add(client, token, TEMPLATE_DATA=template_data([wrong]))), int)


def test_add_creates_document_fields_of_the_package(
    client: Client, token: str, sandbox: Sandbox
) -> None:
    fields = {
        "MY_FIELD": {"Name": "Mine", "Type": "string"},
        "UF_CRM_KEEP": {"Name": "Kept", "Type": "int"},
        "TITLE_PRINTABLE": {"Name": "skipped"},
        "CONTACT.NAME": {"Name": "skipped"},
    }
    tid = ok(add(client, token, TEMPLATE_DATA=template_data(DOCUMENT_FIELDS=fields)))
    created = {f["code"]: f for f in sandbox.document_fields()}
    assert set(created) == {"UF_CRM_MY_FIELD", "UF_CRM_KEEP"}
    assert created["UF_CRM_KEEP"]["definition"] == {"Name": "Kept", "Type": "int"}
    assert created["UF_CRM_KEEP"]["template_id"] == tid
    assert created["UF_CRM_KEEP"]["document_type"] == DEAL
    # CRM cannot update a field: a second import leaves the first definition alone.
    again = {"UF_CRM_KEEP": {"Name": "Changed", "Type": "int"}}
    ok(add(client, token, TEMPLATE_DATA=template_data(DOCUMENT_FIELDS=again)))
    kept = next(f for f in sandbox.document_fields() if f["code"] == "UF_CRM_KEEP")
    assert kept["definition"]["Name"] == "Kept"
    assert sandbox.info()["document_fields"][0]["code"] == "UF_CRM_KEEP"


def test_lists_document_fields_are_updated(client: Client, token: str, sandbox: Sandbox) -> None:
    lists = ["lists", "BizprocDocument", "iblock_22"]
    for name in ("First", "Second"):
        fields = {"PROPERTY_X": {"Name": name, "Type": "string"}}
        ok(
            add(
                client,
                token,
                DOCUMENT_TYPE=lists,
                TEMPLATE_DATA=template_data(DOCUMENT_FIELDS=fields),
            )
        )
    (field,) = sandbox.document_fields()
    assert field["code"] == "PROPERTY_X" and field["definition"]["Name"] == "Second"


def test_rest_activity_types_resolve_against_registered_robots(
    client: Client, token: str, creds: Credentials
) -> None:
    import hashlib

    robot = {
        "CODE": "sms",
        "HANDLER": "https://app.example.com/h",
        "NAME": "SMS",
        "PROPERTIES": {"phone": {"Name": "Phone", "Type": "string", "Required": "Y"}},
    }
    kind = "rest_" + hashlib.md5(f"{creds.client_id}@sms".encode()).hexdigest()
    missing = node(kind, "A1", {"Title": "Send"})
    # CBPRuntime::includeActivityFile makes a class for any rest_ type; one nobody registered
    # has no properties to check (it fails when it runs).
    assert isinstance(ok(add(client, token, TEMPLATE_DATA=template_data([missing]))), int)
    ok(client.call("bizproc.robot.add", token, **robot))
    assert error(add(client, token, TEMPLATE_DATA=template_data([missing])))[2] == (
        "This field is required: Phone. "
    )
    filled = node(kind, "A1", {"Title": "Send", "phone": "+1"})
    assert isinstance(ok(add(client, token, TEMPLATE_DATA=template_data([filled]))), int)


# -- update -------------------------------------------------------------------------------------


def test_update_changes_only_the_updatable_fields(client: Client, token: str) -> None:
    tid = ok(add(client, token))
    fields = {
        "NAME": "New",
        "DESCRIPTION": "D",
        "AUTO_EXECUTE": "2",
        "DOCUMENT_TYPE": LEAD,
        "SYSTEM_CODE": "rest_app_99",
    }
    assert ok(client.call(UPDATE, token, ID=tid, FIELDS=fields)) == tid
    (row,) = rows(
        client,
        token,
        SELECT=[
            "NAME",
            "DESCRIPTION",
            "AUTO_EXECUTE",
            "DOCUMENT_TYPE",
            "SYSTEM_CODE",
            "IS_MODIFIED",
        ],
    )
    assert row["NAME"] == "New" and row["DESCRIPTION"] == "D" and row["AUTO_EXECUTE"] == "2"
    assert row["DOCUMENT_TYPE"] == DEAL  # fixed at add
    # IS_MODIFIED follows a new TEMPLATE only (CBPWorkflowTemplateLoader::update)
    assert row["SYSTEM_CODE"] == "rest_app_1" and row["IS_MODIFIED"] == "N"


def test_update_without_an_updatable_field_succeeds_and_touches_only_modified(
    client: Client, token: str, clock: Any, sandbox: Sandbox
) -> None:
    # restservice.php updateWorkflowTemplate refuses only FIELDS that are missing, empty or
    # not an array; other keys are ignored and the template is saved as it is.
    tid = ok(add(client, token))
    select = ["NAME", "DESCRIPTION", "AUTO_EXECUTE", "IS_MODIFIED", "USER_ID", "MODIFIED"]
    (before,) = rows(client, token, SELECT=select)
    clock.advance(60)
    admin = sandbox.create_user("Second admin", admin=True)
    second = sandbox.tokens_for(sandbox.ensure_default_app().client_id, admin).access_token
    assert ok(client.call(UPDATE, second, ID=tid, FIELDS={"BOGUS": 1, "name": "x"})) == tid
    (after,) = rows(client, token, SELECT=select)
    assert after["MODIFIED"] > before["MODIFIED"]
    assert {k: v for k, v in after.items() if k != "MODIFIED"} == \
        {k: v for k, v in before.items() if k != "MODIFIED"}
    new = template_data([log_action("B1", "changed")])
    ok(client.call(UPDATE, second, ID=tid, FIELDS={"TEMPLATE_DATA": new}))
    (imported,) = rows(client, token, SELECT=select)
    assert (imported["IS_MODIFIED"], imported["USER_ID"]) == ("Y", str(admin))


def test_update_reimports_template_data_under_the_same_id(client: Client, token: str) -> None:
    tid = ok(add(client, token))
    new = template_data([log_action("B1", "changed")])
    assert ok(client.call(UPDATE, token, ID=str(tid), FIELDS={"TEMPLATE_DATA": new})) == tid
    (row,) = rows(client, token, SELECT=["TEMPLATE"])
    assert row["TEMPLATE"][0]["Children"][0]["Properties"]["Text"] == "changed"


def test_update_moves_modified_forward(client: Client, token: str, clock: Any) -> None:
    tid = ok(add(client, token))
    before = rows(client, token, SELECT=["MODIFIED"])[0]["MODIFIED"]
    clock.advance(120)
    ok(client.call(UPDATE, token, ID=tid, FIELDS={"NAME": "Later"}))
    assert rows(client, token, SELECT=["MODIFIED"])[0]["MODIFIED"] > before


@pytest.mark.parametrize("fields", [None, [], {}, "NAME"])
def test_update_without_fields(client: Client, token: str, fields: Any) -> None:
    tid = ok(add(client, token))
    response = client.call(UPDATE, token, ID=tid, FIELDS=fields)
    assert error(response) == (400, VALIDATION, "No fields to update.")


def test_update_of_a_missing_template(client: Client, token: str) -> None:
    response = client.call(UPDATE, token, ID=4242, FIELDS={"NAME": "x"})
    assert error(response) == (400, "ERROR_TEMPLATE_NOT_FOUND", "Workflow template not found.")


def test_update_of_another_apps_or_a_designer_template(
    client: Client, token: str, sandbox: Sandbox
) -> None:
    other = sandbox.create_app("other")
    theirs = ok(add(client, other.access_token))
    designer = sandbox.seed_template(DEAL, "Made in the designer")
    for tid in (theirs, designer):
        response = client.call(UPDATE, token, ID=tid, FIELDS={"NAME": "x"})
        assert error(response) == (
            400,
            "ERROR_TEMPLATE_NOT_OWNER",
            "You can update ONLY templates created by current application",
        )


def test_update_validates_name_and_auto_execute(client: Client, token: str) -> None:
    tid = ok(add(client, token))
    assert error(client.call(UPDATE, token, ID=tid, FIELDS={"NAME": " "})) == (
        400,
        VALIDATION,
        "Empty template name!",
    )
    assert error(client.call(UPDATE, token, ID=tid, FIELDS={"AUTO_EXECUTE": "7"})) == (
        400,
        VALIDATION,
        "Incorrect field AUTO_EXECUTE!",
    )
    assert error(client.call(UPDATE, token, ID=tid, FIELDS={"TEMPLATE_DATA": ""})) == (
        400,
        VALIDATION,
        "Incorrect field TEMPLATE_DATA!",
    )


def test_update_import_errors_carry_the_exception_codes(client: Client, token: str) -> None:
    tid = ok(add(client, token))
    corrupt = ["t.bpt", base64.b64encode(b"garbage").decode()]
    bad_props = template_data([node("LogActivity", "A1", {"Title": "t"})])
    bad_child = template_data([node("IfElseActivity", "A1", {"Title": "If"}, [log_action()])])
    cases = [
        (corrupt, "ERROR_ARGUMENT", "Incorrect workflow template"),
        (bad_props, "ERROR_CORE", "The message text is empty.. "),
        (
            bad_child,
            "10010",
            "Action 'If': An 'IfElseActivity' activity can contain only "
            "'IfElseBranchActivity' activities.",
        ),
    ]
    for data, code, text in cases:
        assert error(client.call(UPDATE, token, ID=tid, FIELDS={"TEMPLATE_DATA": data})) == (
            400,
            code,
            text,
        )
    assert rows(client, token, SELECT=["TEMPLATE"])[0]["TEMPLATE"] == package()["TEMPLATE"]


def test_update_needs_app_context_and_admin(
    client: Client, token: str, sandbox: Sandbox, creds: Credentials
) -> None:
    tid = ok(add(client, token))
    hook = client.hook(creds.webhook_path, UPDATE, ID=tid, FIELDS={"NAME": "x"})
    assert error(hook)[1:] == ("ACCESS_DENIED", "Access denied! Application context required")
    user = sandbox.create_user("Bob")
    bob = sandbox.tokens_for(creds.client_id, user).access_token
    assert error(client.call(UPDATE, bob, ID=tid, FIELDS={"NAME": "x"})) == (
        403,
        "ACCESS_DENIED",
        "Access denied!",
    )


# -- delete -------------------------------------------------------------------------------------


def test_delete_answers_null_and_removes_the_template(client: Client, token: str) -> None:
    tid = ok(add(client, token))
    response = client.call(DELETE, token, ID=tid)
    assert response.status_code == 200 and response.json()["result"] is None
    assert rows(client, token) == []


def test_delete_errors(client: Client, token: str, sandbox: Sandbox, creds: Credentials) -> None:
    assert error(client.call(DELETE, token, ID=77)) == (
        400,
        "ERROR_TEMPLATE_NOT_FOUND",
        "Workflow template not found.",
    )
    designer = sandbox.seed_template(DEAL, "Designer")
    assert error(client.call(DELETE, token, ID=designer)) == (
        400,
        "",
        "You can delete ONLY templates created by current application",
    )
    tid = ok(add(client, token))
    hook = client.hook(creds.webhook_path, DELETE, ID=tid)
    assert error(hook)[1] == "ACCESS_DENIED"


def test_delete_is_refused_while_instances_run(
    client: Client, token: str, sandbox: Sandbox
) -> None:
    sandbox.seed_document(["crm", "CCrmDocumentDeal", "DEAL_1"])
    tid = ok(add(client, token))
    wid = ok(
        client.call(
            "bizproc.workflow.start",
            token,
            TEMPLATE_ID=tid,
            DOCUMENT_ID=["crm", "CCrmDocumentDeal", "DEAL_1"],
        )
    )
    assert error(client.call(DELETE, token, ID=tid)) == (
        400,
        "",
        "Cannot delete the business process template because one or more active business "
        "process(es) exist using this template.",
    )
    ok(client.call("bizproc.workflow.terminate", token, ID=wid))
    assert ok(client.call(DELETE, token, ID=tid)) is None


# -- list ---------------------------------------------------------------------------------------


def test_list_defaults_to_ids_in_ascending_order(client: Client, token: str) -> None:
    ids = [ok(add(client, token, NAME=f"t{n}")) for n in range(3)]
    response = client.call(LIST, token)
    body = response.json()
    assert body["result"] == [{"ID": str(i)} for i in ids]
    assert body["total"] == 3 and "next" not in body
    assert set(body["time"]) == {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating_reset_at",
        "operating",
    }


def test_list_pages_by_fifty(client: Client, token: str, sandbox: Sandbox) -> None:
    for n in range(120):
        sandbox.seed_template(DEAL, f"t{n}", system_code="rest_app_1")
    first = client.call(LIST, token).json()
    assert len(first["result"]) == 50 and first["total"] == 120 and first["next"] == 50
    last = client.call(LIST, token, start=100).json()
    assert len(last["result"]) == 20 and last["total"] == 120 and "next" not in last
    quick = client.call(LIST, token, start=-1).json()
    assert len(quick["result"]) == 50 and "total" not in quick and "next" not in quick


def test_list_filter_prefixes(client: Client, token: str) -> None:
    ids = [ok(add(client, token, NAME=f"t{n}", AUTO_EXECUTE=str(n))) for n in range(4)]

    def names(flt: dict[str, Any]) -> list[str]:
        return [r["NAME"] for r in rows(client, token, SELECT=["NAME"], FILTER=flt)]

    assert names({"AUTO_EXECUTE": 2}) == ["t2"]
    assert names({"!AUTO_EXECUTE": 2}) == ["t0", "t1", "t3"]
    assert names({">ID": ids[1]}) == ["t2", "t3"]
    assert names({">=ID": ids[1], "<ID": ids[3]}) == ["t1", "t2"]
    assert names({"<=AUTO_EXECUTE": "1"}) == ["t0", "t1"]
    assert names({"NAME": ["t0", "t3"]}) == ["t0", "t3"]
    assert names({"!NAME": ["t0", "t3"]}) == ["t1", "t2"]
    assert names({"SYSTEM_CODE": "rest_app_1", "MODULE_ID": "crm"}) == ["t0", "t1", "t2", "t3"]
    # '=' and '!=' are not among the server's prefixes: such keys are dropped, not applied.
    assert names({"=NAME": "t1"}) == ["t0", "t1", "t2", "t3"]
    assert names({"!=NAME": "t1"}) == ["t0", "t1", "t2", "t3"]
    # Filter keys are not upper-cased by the server; unknown fields are ignored.
    assert names({"name": "t1"}) == ["t0", "t1", "t2", "t3"]
    assert names({"BOGUS": 1}) == ["t0", "t1", "t2", "t3"]


def test_list_filters_modified_as_a_rest_datetime(client: Client, token: str, clock: Any) -> None:
    ok(add(client, token, NAME="old"))
    clock.advance(600)
    ok(add(client, token, NAME="new"))
    middle = rows(client, token, SELECT=["MODIFIED"])[0]["MODIFIED"]
    later = [r["NAME"] for r in rows(client, token, SELECT=["NAME"], FILTER={">MODIFIED": middle})]
    assert later == ["new"]


def test_list_order_and_select_are_case_insensitive(client: Client, token: str) -> None:
    for n in range(3):
        ok(add(client, token, NAME=f"t{n}"))
    result = rows(client, token, select=["name", "Id", "bogus"], order={"id": "desc"})
    assert [r["NAME"] for r in result] == ["t2", "t1", "t0"]
    assert list(result[0]) == ["NAME", "ID"]


def test_list_never_shows_automation_templates(
    client: Client, token: str, sandbox: Sandbox
) -> None:
    ok(add(client, token, NAME="designer-like"))
    sandbox.seed_template(DEAL, "robots of a stage", auto_execute=8)
    sandbox.seed_template(DEAL, "script", auto_execute=32)
    assert [r["NAME"] for r in rows(client, token, SELECT=["NAME"])] == ["designer-like"]
    assert rows(client, token, FILTER={"AUTO_EXECUTE": 8}) == []


def test_list_refuses_non_scalar_select_entries(client: Client, token: str) -> None:
    response = client.call(LIST, token, SELECT=["ID", ["NAME"]])
    assert error(response) == (
        400,
        "ERROR_SELECT_VALIDATION_FAILURE",
        "Invalid data in SELECT parameter",
    )


def test_list_works_through_a_webhook_but_not_for_non_admins(
    client: Client, token: str, sandbox: Sandbox, creds: Credentials
) -> None:
    ok(add(client, token))
    assert len(ok(client.hook(creds.webhook_path, LIST))) == 1
    user = sandbox.create_user("Bob")
    hook = sandbox.create_webhook(user)
    assert error(client.hook(hook, LIST)) == (403, "ACCESS_DENIED", "Access denied!")


def test_templates_survive_a_restart(tmp_path: Any) -> None:
    from compiler.sandbox import Limits, SandboxConfig

    config = SandboxConfig(data=tmp_path / "s.sqlite3", limits=Limits.off())
    first = Sandbox(config)
    client = Client(first.asgi_app)
    token = first.ensure_default_app().access_token
    tid = ok(add(client, token))
    client.close()
    first.close()
    second = Sandbox(config)
    client = Client(second.asgi_app)
    try:
        again = second.ensure_default_app()
        assert again.access_token == token
        assert rows(client, token) == [{"ID": str(tid)}]
    finally:
        client.close()
        second.close()


def test_collections_that_are_not_arrays_are_cast_like_bitrix_orm(
    client: Client, token: str
) -> None:
    data = template_data(VARIABLES="x", PARAMETERS=None, CONSTANTS=0)
    tid = ok(add(client, token, TEMPLATE_DATA=data))
    (row,) = ok(client.call(LIST, token, SELECT=["PARAMETERS", "VARIABLES", "CONSTANTS"],
                            FILTER={"ID": tid}))
    assert (row["PARAMETERS"], row["VARIABLES"], row["CONSTANTS"]) == ([], ["x"], [0])
