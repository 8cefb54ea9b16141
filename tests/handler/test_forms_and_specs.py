"""Reading Bitrix's form bodies and the robot declarations of `.bpl` files."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.handler import Param, RobotSpec, SpecError, load_robots, registration
from compiler.handler.forms import FormError, nest, parse_form
from compiler.handler.invocation import PayloadError, parse

from .fakes import form

EXAMPLE = Path(__file__).resolve().parents[2] / "samples" / "robot_app" / "robots.bpl"


def test_php_style_keys_become_maps_and_lists() -> None:
    body = ("code=x&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal"
            "&document_id%5B2%5D=DEAL_1&properties%5Btags%5D%5B%5D=a&properties%5Btags%5D%5B%5D=b"
            "&properties%5Bmap%5D%5Bk%5D=v&empty=")
    assert parse_form(body.encode()) == {
        "code": "x",
        "document_id": ["crm", "CCrmDocumentDeal", "DEAL_1"],
        "properties": {"tags": ["a", "b"], "map": {"k": "v"}},
        "empty": "",
    }


def test_forms_come_flat_as_pairs_or_nested() -> None:
    flat = {"properties[a]": "1", "code": "x"}
    assert nest(flat) == {"properties": {"a": "1"}, "code": "x"}
    assert nest([("tags[]", "a"), ("tags[]", "b")]) == {"tags": ["a", "b"]}
    assert nest({"properties": {"a": "1"}}) == {"properties": {"a": "1"}}
    assert nest({"]broken": "1", "ok": "2"}) == {"]broken": "1", "ok": "2"}


def test_forms_php_would_not_read_whole_are_refused() -> None:
    tags = "&".join(["properties[tags][]=a"] * 10_000)
    assert len(parse_form(tags.encode())["properties"]["tags"]) == 10_000
    with pytest.raises(FormError, match="more than 10000 parameters"):
        parse_form(tags + "&code=x")
    with pytest.raises(FormError, match="parameter properties nests deeper than 64 levels"):
        parse_form("properties" + "[a]" * 1000 + "=1")
    with pytest.raises(PayloadError, match="nests deeper than 64 levels"):
        parse({"code": "x", "properties" + "[a]" * 65: "1"})


def test_an_invocation_is_read_from_the_payload() -> None:
    call = parse(form())
    assert call.code == "erp_invoice" and call.document_id == ("crm", "CCrmDocumentDeal",
                                                               "DEAL_7")
    assert call.properties == {"amount": "1500.50", "client": "ACME"}
    assert call.use_subscription and call.user_id == 1 and call.ts == 1726000000
    assert call.client_endpoint == "http://127.0.0.1:9/rest/"
    assert "access-token" not in repr(call)  # tokens stay out of logs and tracebacks
    assert not parse(form(use_subscription="N")).use_subscription
    assert parse({"code": "x", "auth[domain]": "b24.example.com"}).client_endpoint == \
        "https://b24.example.com/rest/"
    with pytest.raises(PayloadError, match="no `code`"):
        parse({"workflow_id": "1"})


def test_robots_are_loaded_from_bpl_declarations() -> None:
    robots = load_robots(EXAMPLE)
    spec = robots["erp_invoice"]
    assert spec == RobotSpec(
        code="erp_invoice",
        name="Create invoice in ERP",
        inputs=(Param("amount", "double", required=True, label="Amount"),
                Param("client", "string", label="Client")),
        outputs=(Param("erp_id", "string", label="ERP id"), Param("error", "string",
                                                                   label="Error")),
        handler="http://127.0.0.1:8765/robot",
    )
    params = registration(spec, "http://127.0.0.1:1/robot")
    assert params["HANDLER"] == "http://127.0.0.1:1/robot"
    assert params["USE_SUBSCRIPTION"] == "Y"
    assert params["PROPERTIES"]["amount"] == {"Name": "Amount", "Type": "double",
                                              "Required": "Y", "Multiple": "N"}
    assert list(params["RETURN_PROPERTIES"]) == ["erp_id", "error"]


def test_declaration_details_reach_the_spec(tmp_path: Path) -> None:
    source = tmp_path / "r.bpl"
    source.write_text('''
action notify_erp "Notify" {
    wait_for_result false
    input level: select { "low": "Low", "high": "High" } "Level" "How loud"
    input people: user[] "People"
    output sent: bool "Sent"
}
''', encoding="utf-8")
    spec = load_robots(source)["notify_erp"]
    assert (spec.kind, spec.waits, spec.handler) == ("action", False, None)
    assert spec.inputs[0] == Param("level", "select", options={"low": "Low", "high": "High"},
                                   label="Level", description="How loud")
    assert spec.inputs[1].multiple and spec.inputs[1].type == "user"
    with pytest.raises(SpecError, match="has no handler URL"):
        registration(spec)
    assert registration(spec, "https://h.example.com/")["PROPERTIES"]["level"]["Options"] == {
        "low": "Low", "high": "High"}


def test_unreadable_declarations_name_the_file(tmp_path: Path) -> None:
    source = tmp_path / "bad.bpl"
    source.write_text("robot {", encoding="utf-8")
    with pytest.raises(SpecError, match=r"bad\.bpl:1: "):
        load_robots(source)
