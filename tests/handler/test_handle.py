"""Answering calls: the token check, typed inputs, the user's function (sync or async), its
outputs, progress lines, and what a failure turns into — with a stand-in portal."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from compiler.handler import (
    Param,
    RobotCall,
    RobotSpec,
    create_handler_app,
    handle,
    handle_async,
)

from .fakes import TOKEN, FakePortal, form

SPEC = RobotSpec(
    code="erp_invoice",
    name="Create invoice in ERP",
    inputs=(Param("amount", "double", required=True), Param("client", "string")),
    outputs=(Param("erp_id", "string"), Param("error", "string")),
)
QUIET = RobotSpec("erp_invoice", "Create invoice in ERP", SPEC.inputs,
                  (Param("erp_id", "string"),))


def invoice(call: RobotCall) -> dict[str, Any]:
    call.log(f"invoicing {call.inputs['amount']:g} for {call.inputs['client']}")
    call.log("   ")  # blank lines are not worth a call
    return {"erp_id": f"INV-{call.document_id[2]}"}


def test_a_call_is_answered_with_typed_outputs_after_its_progress_lines() -> None:
    portal = FakePortal()
    result = handle(form(), SPEC, invoice, portal, application_token=TOKEN)
    assert (result.status, result.http_status, result.ok) == ("answered", 200, True)
    assert portal.calls == [
        ("bizproc.activity.log", {"EVENT_TOKEN": form()["event_token"],
                                  "LOG_MESSAGE": "invoicing 1500.5 for ACME"}),
        ("bizproc.event.send", {"EVENT_TOKEN": form()["event_token"],
                                "RETURN_VALUES": {"erp_id": "INV-DEAL_7"}}),
    ]
    assert not portal.closed  # a client passed in belongs to the caller


def test_the_function_sees_the_call() -> None:
    seen: list[RobotCall] = []

    def look(call: RobotCall) -> None:
        seen.append(call)

    handle(form(), SPEC, look, FakePortal())
    (call,) = seen
    assert call.inputs == {"amount": 1500.5, "client": "ACME"}
    assert call.workflow_id == "66e0ab800fab2b.95425214" and call.user_id == 1
    assert call.document_type == ("crm", "CCrmDocumentDeal", "DEAL")


@pytest.mark.parametrize(("overrides", "status", "http", "error"), [
    ({"auth[application_token]": "forged"}, "rejected", 401,
     "the call does not carry this app's application_token"),
    ({"code": "other"}, "rejected", 404, "this handler does not serve other"),
    ({"code": ""}, "rejected", 400, "the request names no robot (no `code` field)"),
])
def test_calls_that_are_not_ours_are_rejected_without_a_word_to_the_portal(
    overrides: dict[str, str], status: str, http: int, error: str
) -> None:
    portal = FakePortal()
    result = handle(form(**overrides), SPEC, invoice, portal, application_token=TOKEN)
    assert (result.status, result.http_status, result.error) == (status, http, error)
    assert portal.calls == []


def test_an_exception_becomes_the_error_output_and_a_log_line() -> None:
    def broken(call: RobotCall) -> dict[str, Any]:
        call.log("about to fail")
        raise RuntimeError("ERP is down")

    portal = FakePortal()
    result = handle(form(), SPEC, broken, portal)
    assert (result.status, result.http_status) == ("failed", 200)
    assert result.error == "RuntimeError: ERP is down"
    assert portal.calls[-1] == ("bizproc.event.send", {
        "EVENT_TOKEN": form()["event_token"],
        "RETURN_VALUES": {"error": "RuntimeError: ERP is down"},
        "LOG_MESSAGE": "Create invoice in ERP failed: RuntimeError: ERP is down"})
    assert portal.methods() == ["bizproc.activity.log", "bizproc.event.send"]


def test_without_an_error_output_the_failure_is_in_the_log_only() -> None:
    portal = FakePortal()
    result = handle(form(), QUIET, lambda call: {"erp_id": 5.5j}, portal)
    assert result.status == "failed"
    assert result.error == "output erp_id must be a string, not complex 5.5j"
    assert portal.calls[-1][1]["RETURN_VALUES"] == {}


def test_inputs_that_cannot_be_read_fail_the_call_before_the_function_runs() -> None:
    ran: list[bool] = []
    portal = FakePortal()
    result = handle(form(**{"properties[amount]": "lots"}), SPEC,
                    lambda call: ran.append(True), portal)
    assert result.error == "input amount is not a valid double: 'lots'" and ran == []
    assert portal.methods() == ["bizproc.event.send"]


def test_without_a_subscription_nothing_is_sent() -> None:
    portal = FakePortal()
    result = handle(form(use_subscription="N"), SPEC, invoice, portal)
    assert result.ok and result.return_values == {"erp_id": "INV-DEAL_7"}
    assert portal.calls == []


def test_a_refused_answer_is_reported() -> None:
    result = handle(form(), SPEC, invoice, FakePortal(fail=True))
    assert (result.status, result.http_status) == ("unanswered", 502)
    assert result.error == ("the workflow was not answered: bizproc.event.send failed: "
                            "ACCESS_DENIED: Access denied!")


def test_a_factory_makes_the_client_from_the_payload_and_it_is_closed() -> None:
    portal = FakePortal()
    handle(form(), SPEC, invoice, portal.factory)
    assert portal.made_with == ("http://127.0.0.1:9/rest/", "access-token-abcdef")
    assert portal.closed


def test_async_functions_work_from_both_entry_points() -> None:
    async def invoice_later(call: RobotCall) -> dict[str, Any]:
        await asyncio.sleep(0)
        call.log("later")
        return {"erp_id": "A-1"}

    portal = FakePortal()
    assert handle(form(), SPEC, invoice_later, portal).return_values == {"erp_id": "A-1"}
    result = asyncio.run(handle_async(form(), SPEC, invoice_later, portal))
    assert result.ok and portal.methods() == ["bizproc.activity.log", "bizproc.event.send"] * 2
    plain = asyncio.run(handle_async(form(), SPEC, invoice, portal.factory,
                                     application_token=TOKEN))
    assert plain.return_values == {"erp_id": "INV-DEAL_7"} and portal.closed


def test_the_asgi_app_routes_by_code_and_checks_the_token() -> None:
    portal = FakePortal()
    app = create_handler_app({"erp_invoice": (SPEC, invoice)}, application_token=TOKEN,
                             portal_client_factory=portal.factory)

    async def exchange() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as http:
            return [
                await http.post("/robot", data=form()),
                await http.post("/robot", data=form(**{"auth[application_token]": "x"})),
                await http.post("/robot", data=form(code="nope")),
                await http.get("/"),
            ]

    answered, forged, unknown, index = asyncio.run(exchange())
    assert (answered.status_code, answered.json()) == (200, {"status": "answered"})
    assert forged.status_code == 401 and forged.json()["status"] == "rejected"
    assert unknown.status_code == 404
    assert index.json() == {"robots": ["erp_invoice"]}
    assert portal.methods() == ["bizproc.activity.log", "bizproc.event.send"]


def test_the_asgi_app_needs_an_application_token() -> None:
    with pytest.raises(ValueError, match="application_token is required"):
        create_handler_app({"erp_invoice": (SPEC, invoice)}, application_token="")


def test_the_asgi_app_refuses_bodies_php_would_not_read_whole() -> None:
    app = create_handler_app({"erp_invoice": (SPEC, invoice)}, application_token=TOKEN,
                             portal_client_factory=FakePortal().factory)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    bodies = ["code=erp_invoice&properties" + "[a]" * 1000 + "=1",  # was a RecursionError
              "code=erp_invoice&" + "&".join(["properties[tags][]=a"] * 16_000)]  # was 13 s

    async def exchange() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://h.test") as http:
            return [await http.post("/robot", content=body, headers=headers)
                    for body in bodies]

    deep, many = asyncio.run(exchange())
    assert (deep.status_code, deep.json()["status"]) == (400, "rejected")
    assert "nests deeper than 64 levels" in deep.json()["error"]
    assert many.status_code == 400 and "more than 10000 parameters" in many.json()["error"]
