"""A project on disk and a real client for `bpl lsp`: the server runs as editors start it, a
separate process over stdio (pytest-lsp), and the tests read what it sends."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "compiler.cli.main", "lsp"])
# How long a test waits for the server's diagnostics before it fails (never a speed assert: a
# working server answers in well under a second on the files here).
PATIENCE = 60.0

BPL_TOML = """\
[project]
sources = ["."]

[environments.sandbox]
portal = "sandbox"

[environments.sandbox.values]
head = "user_12"
claims_spa = 1036

[environments.prod]
portal = "https://example.bitrix24.com"
client_id = "local.prod.1"

[environments.prod.values]
head = "user_7"
claims_spa = 1036
"""

COMMON = """\
// Shared macros and a robot.
macro tell(text) {
    notify doc.ASSIGNED_BY_ID "{text}"
}

robot erp_invoice "Create invoice in ERP" {
    handler "https://erp.example.com/bitrix/robot"
    input amount: double required "Amount"
    input note: string = "none" "Note"
    output erp_id: string "ERP id"
}
"""

OTHER = """\
import "common.bpl"

workflow other_flow for crm.lead {
    tell("lead {doc.TITLE}")
}
"""


def make_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "bpl.toml").write_text(BPL_TOML, encoding="utf-8")
    (root / "common.bpl").write_text(COMMON, encoding="utf-8")
    (root / "other.bpl").write_text(OTHER, encoding="utf-8")
    return root


async def start(client: LanguageClient, **options: object) -> None:
    await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        initialization_options={"debounce_ms": 50, **options}))


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    """Write the file (so that other files may import it) and open it in the editor."""
    path.write_text(text, encoding="utf-8")
    uri = path.resolve().as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        lsp.TextDocumentItem(uri, "bpl", version, text)))
    return uri


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    """Replace the whole text, unsaved (the editor's buffer only)."""
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        lsp.VersionedTextDocumentIdentifier(version, uri),
        [lsp.TextDocumentContentChangeWholeDocument(text)]))


async def diagnostics(client: LanguageClient, uri: str,
                      wanted: object = None) -> list[lsp.Diagnostic]:
    """The diagnostics the server publishes for `uri`, once `wanted(list)` holds for them
    (by default: once any are published)."""

    def ready() -> bool:
        if uri not in client.diagnostics:
            return False
        return wanted is None or bool(wanted(list(client.diagnostics[uri])))  # type: ignore[operator]

    async def wait() -> None:
        while not ready():
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    await asyncio.wait_for(wait(), PATIENCE)
    return list(client.diagnostics[uri])


def position(text: str, needle: str, inside: int = 0) -> lsp.Position:
    """The position `inside` characters into the first `needle` of `text` (ASCII texts)."""
    offset = text.index(needle) + inside
    line = text.count("\n", 0, offset)
    return lsp.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def after(text: str, needle: str) -> lsp.Position:
    """The position right after the first `needle` (where the cursor is once it is typed)."""
    return position(text, needle, len(needle))


def doc_id(uri: str) -> lsp.TextDocumentIdentifier:
    return lsp.TextDocumentIdentifier(uri)
