"""`bpl lsp` over stdio: completion in context, also in a file that does not parse (the line
being typed)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from lsp_support import (
    after,
    change_document,
    diagnostics,
    doc_id,
    make_project,
    open_document,
)
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

from compiler.catalog import load_catalog
from compiler.catalog.statements import settings
from compiler.lsp.completion import HEADERS

pytestmark = pytest.mark.asyncio(loop_scope="module")

BASE = """\
import "common.bpl"

workflow typed for crm.deal {
    param limit: double = 100 "Limit"
    var verdict: string = "none"
    const head: user = env.head
    field note: text = "UF_CRM_NOTE" "Note"

    approve "Approve" by const.head as vote1 {
        vote any
    }
    for each item in doc.CONTACT_IDS {
        log "{item}"
    }
    log "end"
    log "{param.limit} {var.verdict} {const.head} {doc.note}"
}
"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def uri(client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> str:
    project = make_project(tmp_path_factory.mktemp("completion"))
    opened = open_document(client, project / "typed.bpl", BASE)
    assert await diagnostics(client, opened) == []
    return opened


VERSION = [1]


async def complete(client: LanguageClient, uri: str, typed: str,
                   where: str = '    log "end"') -> set[str]:
    """Type `typed` on a new line before `where` (unsaved, as an editor does) and ask for
    completion at its end."""
    text = BASE.replace(where, typed + "\n" + where, 1)
    VERSION[0] += 1
    change_document(client, uri, text, VERSION[0])
    found = await client.text_document_completion_async(lsp.CompletionParams(
        doc_id(uri), after(text, typed)))
    assert found is not None
    items = found.items if isinstance(found, lsp.CompletionList) else found
    return {item.label for item in items}


async def test_document_fields_with_declared_ones_and_references(client: LanguageClient,
                                                                 uri: str) -> None:
    labels = await complete(client, uri, "    log doc.")
    assert {"TITLE", "OPPORTUNITY", "ASSIGNED_BY_ID", "note", "CONTACT"} <= labels
    assert "NAME" not in labels


async def test_fields_of_a_referenced_document(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "    log doc.CONTACT.")
    contact = load_catalog().document("crm.contact")
    assert contact is not None
    assert labels == set(contact.fields)


async def test_declarations_by_scope(client: LanguageClient, uri: str) -> None:
    assert await complete(client, uri, "    log param.") == {"limit", "TargetUser"}
    assert await complete(client, uri, "    var.") == {"verdict"}
    assert await complete(client, uri, "    log const.") == {"head"}


async def test_a_declaration_typed_since_the_last_check(client: LanguageClient,
                                                        uri: str) -> None:
    labels = await complete(client, uri, "    var fresh: int\n    log var.")
    assert labels == {"verdict", "fresh"}


async def test_env_symbols_of_the_project(client: LanguageClient, uri: str) -> None:
    assert await complete(client, uri, "    log env.") == {"head", "claims_spa"}


async def test_results_of_a_label(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "    log vote1.")
    approve = load_catalog().activity("ApproveActivity")
    assert approve is not None
    assert labels == set(approve.returns)


async def test_modifiers_after_a_bar(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, '    log "{doc.TITLE | ')
    assert labels == set(load_catalog().modifiers)


async def test_inside_an_interpolation(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, '    log "Amount {doc.OPP')
    assert "OPPORTUNITY" in labels


async def test_nothing_in_a_comment_or_in_plain_text(client: LanguageClient, uri: str) -> None:
    assert await complete(client, uri, "    // see doc.") == set()
    assert await complete(client, uri, '    log "see doc.') == set()


async def test_activity_types_and_their_properties(client: LanguageClient, uri: str) -> None:
    types = await complete(client, uri, "    activity ")
    assert set(load_catalog().activities) == types
    properties = await complete(client, uri, '    activity WaitWorkDayActivity "Wait" {\n'
                                             '        ')
    spec = load_catalog().activity("WaitWorkDayActivity")
    assert spec is not None and properties == set(spec.properties)


async def test_options_of_the_statement_block(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, '    review "Read" by const.head {\n        ')
    assert labels == set(settings("review"))
    choices = await complete(client, uri, '    task "Do it" {\n        priority ')
    assert choices == {"low", "normal", "high"}


async def test_statements_macros_and_robots_at_the_start_of_a_statement(
        client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "    ")
    assert {"approve", "log", "set", "for each", "if", "activity", "tell",
            "erp_invoice"} <= labels
    assert not labels & {"TITLE", "limit"}


async def test_headers_at_the_top_of_a_workflow(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "    ", where="    param limit")
    assert set(HEADERS) <= labels


async def test_inputs_of_a_robot_call(client: LanguageClient, uri: str) -> None:
    assert await complete(client, uri, "    erp_invoice(") == {"amount", "note"}


async def test_calc_functions_and_reference_heads_in_an_expression(client: LanguageClient,
                                                                   uri: str) -> None:
    labels = await complete(client, uri, "    var.verdict = da")
    assert {"dateadd", "datediff", "doc", "param", "vote1", "item"} <= labels


async def test_loop_items_key_and_value(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "        log item.", where='        log "{item}"')
    assert labels == {"key", "value"}


async def test_document_types_after_for(client: LanguageClient, uri: str) -> None:
    labels = await complete(client, uri, "workflow second for ", where="workflow typed")
    assert {"crm.deal", "crm.dynamic", "lists.element"} <= labels


async def test_completion_in_a_file_that_does_not_parse(client: LanguageClient,
                                                        uri: str) -> None:
    # The half-typed statement makes the file unparsable; the fields still come.
    labels = await complete(client, uri, "    approve \"Check\" by doc.ASSIGNED_BY_ID {\n"
                                         "        description doc.")
    assert {"TITLE", "note"} <= labels
    found = await diagnostics(client, uri, lambda ds: any(d.code in ("E001", "E003")
                                                          for d in ds))
    assert found

