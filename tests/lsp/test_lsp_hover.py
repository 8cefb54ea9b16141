"""`bpl lsp` over stdio: hover on references, statements, calls, options and generic
activities says what the catalog and the checker know."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsp_support import diagnostics, doc_id, make_project, open_document, position
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """\
import "common.bpl"

workflow hovered for crm.deal {
    param limit: double = 100000 required "Amount limit" "Deals above it need approval"
    const head: user = env.head "Head of sales"
    field note: text = "UF_CRM_NOTE" "Approval note"
    var paid_on: date = "2024-05-01" asked "Paid on"

    approve "Approve {doc.TITLE}" by const.head as vote1 {
        vote any
        timeout 2d
    } approved {
        log "Approved by {vote1.LastApprover | printable} for {doc.CONTACT.NAME}"
    }
    set doc.note = dateadd(system.now, 2d)
    tell("done {param.limit}")
    erp_invoice(amount: doc.OPPORTUNITY) as inv
    activity WaitWorkDayActivity "Wait" { TargetUser: doc.ASSIGNED_BY_ID }
    log "{var.paid_on}"
}
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def uri(client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    project = make_project(tmp_path_factory.mktemp("hover"))
    opened = open_document(client, project / "hovered.bpl", TEXT)
    assert await diagnostics(client, opened) == []
    return opened


async def hover(client: LanguageClient, uri: str, needle: str, inside: int = 0) -> str:
    found = await client.text_document_hover_async(lsp.HoverParams(
        doc_id(uri), position(TEXT, needle, inside)))
    assert found is not None, f"no hover on {needle!r}"
    assert isinstance(found.contents, lsp.MarkupContent)
    return found.contents.value


async def test_a_document_field(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "doc.TITLE", 5)
    assert "(field of crm.deal) **TITLE**: string" in shown
    assert "code: `TITLE`" in shown


async def test_a_field_of_a_referenced_document_is_read_only(client: LanguageClient,
                                                             uri: str) -> None:
    shown = await hover(client, uri, "doc.CONTACT.NAME", 13)
    assert "**CONTACT.NAME**" in shown
    assert "read-only" in shown


async def test_a_declared_field(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "doc.note", 5)
    assert "**note**: text" in shown and "label: Approval note" in shown
    assert "code: `UF_CRM_NOTE`" in shown


async def test_a_parameter_shows_type_label_and_default(client: LanguageClient,
                                                        uri: str) -> None:
    shown = await hover(client, uri, "param.limit}", 7)
    assert "(param) **limit**: double" in shown
    assert "label: Amount limit" in shown
    assert "default: `100000`" in shown
    assert "required" in shown
    assert "`{=Template:limit}`" in shown


async def test_a_variable_a_request_form_created(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "var.paid_on}", 5)
    assert "(var) **paid_on**: date" in shown
    assert "asked (created by a request form" in shown


async def test_a_label_and_its_result(client: LanguageClient, uri: str) -> None:
    label = await hover(client, uri, "vote1.LastApprover", 2)
    assert "(label) **vote1** — ApproveActivity" in label
    result = await hover(client, uri, "vote1.LastApprover", 8)
    assert "(result of vote1, ApproveActivity) **LastApprover**" in result


async def test_a_statement_names_the_activity_it_becomes(client: LanguageClient,
                                                         uri: str) -> None:
    shown = await hover(client, uri, "approve \"Approve", 2)
    assert "**approve**" in shown and "Becomes **ApproveActivity**" in shown


async def test_an_env_symbol_shows_its_value_in_each_environment(client: LanguageClient,
                                                                 uri: str) -> None:
    shown = await hover(client, uri, "env.head", 5)
    assert "(env) **head**" in shown
    assert "- sandbox: `'user_12'`" in shown and "- prod: `'user_7'`" in shown


async def test_a_calc_function_shows_its_signature(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "dateadd(", 3)
    assert "**dateadd** → " in shown


async def test_a_modifier(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "printable}", 3)
    assert "**modifier** `| printable`" in shown


async def test_an_option_of_a_statement(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "vote any", 1)
    assert "(option) **vote**" in shown and "choices: `any`, `all`" in shown


async def test_a_robot_call_shows_its_inputs(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "erp_invoice(", 2)
    assert "(robot) **erp_invoice** — Create invoice in ERP" in shown
    assert "- `amount`: double (required) — Amount" in shown


async def test_a_macro_call(client: LanguageClient, uri: str) -> None:
    shown = await hover(client, uri, "tell(", 1)
    assert "(macro) **tell**(text)" in shown


async def test_a_generic_activity_and_its_property(client: LanguageClient, uri: str) -> None:
    activity = await hover(client, uri, "WaitWorkDayActivity", 3)
    assert "(activity) **WaitWorkDayActivity**" in activity
    prop = await hover(client, uri, "TargetUser:", 2)
    assert "(property of WaitWorkDayActivity) **TargetUser**" in prop


async def test_nothing_to_say_is_an_empty_answer(client: LanguageClient, uri: str) -> None:
    found = await client.text_document_hover_async(lsp.HoverParams(
        doc_id(uri), lsp.Position(1, 0)))
    assert found is None


async def test_hover_on_an_error_names_its_code(client: LanguageClient,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    project = make_project(tmp_path_factory.mktemp("hover_error"))
    text = TEXT.replace("doc.OPPORTUNITY", "doc.OPORTUNITY")
    opened = open_document(client, project / "wrong.bpl", text)
    await diagnostics(client, opened, lambda ds: ds)
    found = await client.text_document_hover_async(lsp.HoverParams(
        doc_id(opened), position(text, "doc.OPORTUNITY", 5)))
    assert found is not None and isinstance(found.contents, lsp.MarkupContent)
    assert "**E100** unknown-reference" in found.contents.value
    assert "`bpl explain E100`" in found.contents.value
