"""`bpl lsp` over stdio: go to definition, find references, rename (and its refusals),
formatting, the outline, folding, a half-typed file, and an internal error that does not stop
the server."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import pytest_asyncio
import pytest_lsp
from lsp_support import (
    SERVER,
    change_document,
    diagnostics,
    doc_id,
    make_project,
    open_document,
    position,
    start,
)
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from compiler.format import format_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

TEXT = """\
import "common.bpl"

workflow navigated for crm.deal {
    param limit: double = 100 "Limit"
    var verdict: string
    field note: text = "UF_CRM_NOTE" "Note"

    if doc.OPPORTUNITY > param.limit {
        approve "Approve" by doc.ASSIGNED_BY_ID as vote1 { vote any } approved {
            var.verdict = "yes: {vote1.Comments}"
        }
    }
    for each item in doc.CONTACT_IDS {
        log "{item} {var.verdict}"
    }
    set doc.note = var.verdict
    tell("{param.limit}")
    log "{env.head}"
    erp_invoice(amount: param.limit)
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("navigation"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def uri(client: LanguageClient, project: Path) -> str:
    opened = open_document(client, project / "navigated.bpl", TEXT)
    assert await diagnostics(client, opened) == []
    return opened


def at(needle: str, inside: int = 0) -> lsp.Position:
    return position(TEXT, needle, inside)


def line_of(location: lsp.Location, project: Path) -> str:
    path = Path(location.uri.removeprefix("file://"))
    lines = path.read_text(encoding="utf-8").splitlines()
    r = location.range
    return lines[r.start.line][r.start.character:r.end.character]


async def definition(client: LanguageClient, uri: str, where: lsp.Position) -> list[lsp.Location]:
    found = await client.text_document_definition_async(lsp.DefinitionParams(doc_id(uri), where))
    assert isinstance(found, list)
    return [f for f in found if isinstance(f, lsp.Location)]


async def test_definition_of_a_parameter_a_label_a_field_and_a_loop_item(
        client: LanguageClient, uri: str, project: Path) -> None:
    (limit,) = await definition(client, uri, at("param.limit {", 7))
    assert limit.uri == uri and limit.range.start == at("limit: double")
    (label,) = await definition(client, uri, at("vote1.Comments", 1))
    assert label.range.start == at("vote1 {")
    (note,) = await definition(client, uri, at("doc.note", 5))
    assert note.range.start == at("note: text")
    (item,) = await definition(client, uri, at("{item}", 2))
    assert item.range.start == at("item in")


async def test_definition_of_a_macro_a_robot_an_import_and_an_env_symbol(
        client: LanguageClient, uri: str, project: Path) -> None:
    (macro,) = await definition(client, uri, at("tell(", 1))
    assert macro.uri == (project / "common.bpl").as_uri()
    assert line_of(macro, project) == "tell"
    (robot,) = await definition(client, uri, at("erp_invoice(", 2))
    assert robot.uri == (project / "common.bpl").as_uri()
    assert line_of(robot, project) == "erp_invoice"
    (imported,) = await definition(client, uri, at('"common.bpl"', 3))
    assert imported.uri == (project / "common.bpl").as_uri()
    env = await definition(client, uri, at("env.head", 5))
    assert [e.uri for e in env] == [(project / "bpl.toml").as_uri()] * 2
    assert {line_of(e, project) for e in env} == {"head"}


async def test_references_of_a_variable(client: LanguageClient, uri: str) -> None:
    found = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc_id(uri), position=at("var.verdict =", 5),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert found is not None
    assert sorted(r.range.start.line for r in found) == [4, 9, 13, 15]


async def test_references_of_a_robot_and_its_rename_refused(client: LanguageClient,
                                                            uri: str) -> None:
    found = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc_id(uri), position=at("erp_invoice(", 2),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert found is not None
    assert sorted(Path(r.uri).name for r in found) == ["common.bpl", "navigated.bpl"]
    with pytest.raises(JsonRpcException, match="a robot's CODE is its identity on the portal"):
        await client.text_document_rename_async(lsp.RenameParams(
            doc_id(uri), at("erp_invoice(", 2), "erp_bill"))


async def test_references_of_a_macro_across_the_project(client: LanguageClient, uri: str,
                                                        project: Path) -> None:
    found = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=doc_id(uri), position=at("tell(", 1),
        context=lsp.ReferenceContext(include_declaration=False)))
    assert found is not None
    assert sorted(Path(r.uri).name for r in found) == ["navigated.bpl", "other.bpl"]


async def test_rename_a_variable(client: LanguageClient, uri: str) -> None:
    edit = await client.text_document_rename_async(lsp.RenameParams(
        doc_id(uri), at("var.verdict =", 5), "decision"))
    assert edit is not None and edit.changes is not None
    edits = edit.changes[uri]
    assert len(edits) == 4 and {e.new_text for e in edits} == {"decision"}
    lines = TEXT.splitlines()
    for e in edits:
        assert lines[e.range.start.line][e.range.start.character:e.range.end.character] == \
            "verdict"


async def test_rename_a_macro_renames_its_calls_in_other_files(
        client: LanguageClient, uri: str, project: Path) -> None:
    edit = await client.text_document_rename_async(lsp.RenameParams(
        doc_id(uri), at("tell(", 1), "announce"))
    assert edit is not None and edit.changes is not None
    assert sorted(Path(u).name for u in edit.changes) == ["common.bpl", "navigated.bpl",
                                                         "other.bpl"]


@pytest.mark.parametrize(("needle", "inside", "new_name", "reason"), [
    ("env.head", 5, "boss", "env symbols are named in bpl.toml"),
    ("doc.OPPORTUNITY", 5, "amount", "its code is Bitrix's"),
    ("param.limit {", 7, "verdict", "'verdict' is already a parameter, variable or constant"),
    ("vote1.Comments", 1, "doc", "'doc' is a built-in name"),
    ("var.verdict =", 5, "2x", "'2x' is not a name"),
])
async def test_rename_is_refused_with_a_reason(client: LanguageClient, uri: str, needle: str,
                                               inside: int, new_name: str, reason: str) -> None:
    with pytest.raises(JsonRpcException, match=reason):
        await client.text_document_rename_async(lsp.RenameParams(
            doc_id(uri), at(needle, inside), new_name))


async def test_rename_of_a_name_read_in_a_macro_is_refused(client: LanguageClient,
                                                           project: Path) -> None:
    (project / "macros_read.bpl").write_text("macro show() { log \"{var.shown}\" }\n",
                                             encoding="utf-8")
    text = 'import "macros_read.bpl"\nworkflow reader for crm.deal {\n    var shown: string\n' \
           '    show()\n}\n'
    opened = open_document(client, project / "reader.bpl", text)
    assert await diagnostics(client, opened) == []
    with pytest.raises(JsonRpcException, match="also written in a macro's text"):
        await client.text_document_rename_async(lsp.RenameParams(
            doc_id(opened), position(text, "shown:", 1), "other"))


async def test_formatting_gives_bpl_fmts_text(client: LanguageClient, project: Path) -> None:
    messy = "workflow   messy for crm.deal{\nlog   \"x\"\n     wait 1d}\n"
    opened = open_document(client, project / "messy.bpl", messy)
    edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        doc_id(opened), lsp.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == format_text(messy)
    assert edits[0].range.start == lsp.Position(0, 0)
    assert edits[0].range.end.line >= 2


async def test_outline_and_folding(client: LanguageClient, uri: str) -> None:
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(doc_id(uri)))
    assert symbols is not None
    names = [s.name for s in symbols if isinstance(s, lsp.DocumentSymbol)]
    assert names == ["common.bpl", "navigated"]
    workflow = symbols[1]
    assert isinstance(workflow, lsp.DocumentSymbol) and workflow.children is not None
    assert [c.name for c in workflow.children] == ["limit", "verdict", "note", "vote1"]
    folds = await client.text_document_folding_range_async(lsp.FoldingRangeParams(doc_id(uri)))
    assert folds is not None
    assert (2, 18) in {(f.start_line, f.end_line) for f in folds}


async def test_a_half_typed_file_answers_every_request(client: LanguageClient,
                                                       project: Path) -> None:
    opened = open_document(client, project / "half.bpl", TEXT)
    await diagnostics(client, opened, lambda ds: not ds)
    broken = TEXT.replace("    set doc.note", '    notify doc.\n    set doc.note')
    change_document(client, opened, broken, 2)
    found = await diagnostics(client, opened, lambda ds: ds)
    assert found[0].code == "E001"
    # Hover, go-to and the outline still work around the line being typed.
    hovered = await client.text_document_hover_async(lsp.HoverParams(
        doc_id(opened), position(broken, "param.limit {", 7)))
    assert hovered is not None
    (limit,) = await definition(client, opened, position(broken, "param.limit {", 7))
    assert limit.range.start == position(broken, "limit: double")
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(doc_id(opened)))
    assert symbols
    with pytest.raises(JsonRpcException, match="syntax errors"):
        await client.text_document_rename_async(lsp.RenameParams(
            doc_id(opened), position(broken, "var.verdict =", 5), "decision"))
    garbage = "workflow {{{ \"\n for for for ))) doc."
    change_document(client, opened, garbage, 3)
    await diagnostics(client, opened, lambda ds: ds and ds[0].code in ("E001", "E002"))
    assert await client.text_document_hover_async(lsp.HoverParams(
        doc_id(opened), lsp.Position(1, 3))) is None
    completion = await client.text_document_completion_async(lsp.CompletionParams(
        doc_id(opened), lsp.Position(1, 20)))
    assert completion is not None


FAULTY = ClientServerConfig(server_command=SERVER.server_command,
                            server_env={**os.environ, "BPL_LSP_FAULTS": "hover"})


@pytest_lsp.fixture(config=FAULTY)
async def faulty(lsp_client: LanguageClient):
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_an_internal_error_is_reported_once_and_the_server_goes_on(
        faulty: LanguageClient, tmp_path: Path) -> None:
    project = make_project(tmp_path)
    opened = open_document(faulty, project / "faulty.bpl", TEXT)
    await diagnostics(faulty, opened)
    for _ in range(2):
        assert await faulty.text_document_hover_async(lsp.HoverParams(
            doc_id(opened), at("param.limit {", 7))) is None
    completion = await faulty.text_document_completion_async(lsp.CompletionParams(
        doc_id(opened), at("param.limit {", 6)))
    assert completion is not None
    await asyncio.sleep(0)
    shown = [m.message for m in faulty.messages if "internal error in hover" in m.message]
    assert len(shown) == 1
    logged = [m.message for m in faulty.log_messages if "internal error in hover" in m.message]
    assert len(logged) == 2 and "InjectedFault" in logged[0]
