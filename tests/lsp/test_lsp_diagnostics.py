"""`bpl lsp` over stdio: diagnostics appear on open, follow unsaved changes and clear; they carry
the code, the help, related locations, a link to the code's explanation and a quick fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_support import (
    change_document,
    diagnostics,
    doc_id,
    make_project,
    open_document,
)
from lsprotocol import types as lsp
from pytest_lsp import LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("diagnostics"))


GOOD = """\
workflow greet for crm.deal {
    param limit: double = 100 "Limit"
    log "Deal {doc.TITLE} above {param.limit}"
}
"""


async def test_an_error_appears_with_its_code_help_and_link_and_clears(
        client: LanguageClient, project: Path) -> None:
    text = GOOD.replace("doc.TITLE", "doc.TITEL")
    uri = open_document(client, project / "appear.bpl", text)
    found = await diagnostics(client, uri, lambda ds: ds)
    assert [d.code for d in found] == ["E100"]
    error = found[0]
    assert error.severity == lsp.DiagnosticSeverity.Error
    assert error.source == "bpl"
    assert "crm.deal has no field 'TITEL'" in error.message
    assert "help: did you mean 'TITLE'?" in error.message
    assert error.code_description is not None
    assert error.code_description.href == "bpl-explain:E100"
    # The range is the reference as written: `doc.TITEL` on line 3.
    assert error.range.start == lsp.Position(2, 15)
    assert error.range.end == lsp.Position(2, 24)

    change_document(client, uri, GOOD, 2)
    assert await diagnostics(client, uri, lambda ds: not ds) == []


async def test_related_locations_point_at_the_first_declaration(
        client: LanguageClient, project: Path) -> None:
    text = GOOD.replace('    log', '    var limit: string\n    log')
    uri = open_document(client, project / "related.bpl", text)
    found = await diagnostics(client, uri, lambda ds: ds)
    duplicate = next(d for d in found if d.code == "E101")
    assert duplicate.range.start.line == 2
    assert duplicate.related_information is not None
    first = duplicate.related_information[0]
    assert first.message == "first declared here"
    assert first.location.uri == uri
    assert first.location.range.start == lsp.Position(1, 10)


async def test_env_symbols_are_resolved_in_every_environment_of_bpl_toml(
        client: LanguageClient, project: Path) -> None:
    text = GOOD.replace('"Limit"', '"Limit"\n    const boss: user = env.hed "Boss"')
    uri = open_document(client, project / "env.bpl", text)
    found = await diagnostics(client, uri, lambda ds: ds)
    unresolved = sorted(d.message.splitlines()[0] for d in found if d.code == "E600")
    assert unresolved == ["env.hed has no value in environment 'prod'",
                          "env.hed has no value in environment 'sandbox'"]


async def test_an_unsaved_change_is_checked_and_a_syntax_error_is_reported(
        client: LanguageClient, project: Path) -> None:
    uri = open_document(client, project / "typing.bpl", GOOD)
    assert await diagnostics(client, uri) == []
    half_typed = GOOD.replace('    log "', '    approve "Check" by \n    log "')
    change_document(client, uri, half_typed, 2)
    found = await diagnostics(client, uri, lambda ds: ds)
    assert [d.code for d in found] == ["E001"]
    assert found[0].range.start.line == 3


async def test_an_error_in_an_imported_file_is_summed_up_at_the_top(
        client: LanguageClient, project: Path) -> None:
    (project / "broken_macros.bpl").write_text("macro oops() { log doc.TITEL }\n",
                                               encoding="utf-8")
    text = 'import "broken_macros.bpl"\n\n' + GOOD.replace("    log", "    oops()\n    log")
    uri = open_document(client, project / "imports.bpl", text)
    found = await diagnostics(client, uri, lambda ds: ds)
    summary = next(d for d in found if "files this one imports" in d.message)
    assert summary.range.start == lsp.Position(0, 0)
    assert "broken_macros.bpl" in summary.message


async def test_a_quick_fix_replaces_the_misspelt_name(client: LanguageClient,
                                                      project: Path) -> None:
    text = GOOD.replace("param.limit}", "param.limt}")
    uri = open_document(client, project / "fix.bpl", text)
    found = await diagnostics(client, uri, lambda ds: ds)
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        doc_id(uri), found[0].range, lsp.CodeActionContext(diagnostics=found)))
    assert actions is not None and len(actions) == 1
    action = actions[0]
    assert isinstance(action, lsp.CodeAction)
    assert action.title == "Replace with 'limit'"
    assert action.kind == lsp.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    (edit,) = action.edit.changes[uri]
    assert edit.new_text == "limit"
    line = text.splitlines()[edit.range.start.line]
    assert line[edit.range.start.character:edit.range.end.character] == "limt"


async def test_closing_a_document_clears_its_diagnostics(client: LanguageClient,
                                                         project: Path) -> None:
    uri = open_document(client, project / "closing.bpl", GOOD.replace("doc.TITLE", "doc.X"))
    await diagnostics(client, uri, lambda ds: ds)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(doc_id(uri)))
    assert await diagnostics(client, uri, lambda ds: not ds) == []


async def test_a_file_that_imports_an_open_file_follows_its_unsaved_text(
        client: LanguageClient, project: Path) -> None:
    library = open_document(client, project / "library.bpl",
                            "macro greet_all() { log \"hello\" }\n")
    await diagnostics(client, library)
    text = 'import "library.bpl"\n\nworkflow caller for crm.deal {\n    greet_all()\n}\n'
    uri = open_document(client, project / "caller.bpl", text)
    assert await diagnostics(client, uri) == []
    change_document(client, library, "macro greet_all() { log doc.TITEL }\n", 2)
    found = await diagnostics(client, uri, lambda ds: ds)
    assert "files this one imports" in found[0].message and "TITEL" in found[0].message


async def test_a_bpl_toml_that_cannot_be_used_is_said_once_at_the_top(
        client: LanguageClient, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("bad_config")
    (folder / "bpl.toml").write_text("[project]\nsourcez = 1\n", encoding="utf-8")
    uri = open_document(client, folder / "flow.bpl", GOOD)
    (warning,) = await diagnostics(client, uri, lambda ds: ds)
    assert warning.severity == lsp.DiagnosticSeverity.Warning
    assert "invalid configuration" in warning.message and "sourcez" in warning.message
    assert warning.range.start == lsp.Position(0, 0)
