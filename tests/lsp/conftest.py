"""The client each LSP test module talks to: one `bpl lsp` server process per module."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_lsp
from lsp_support import SERVER, start
from pytest_lsp import LanguageClient


@pytest_lsp.fixture(config=SERVER, scope="module")
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await start(lsp_client)
    yield
    await lsp_client.shutdown_session()
