"""Benchmark of `bpl lsp`: `python -m compiler.lsp.bench [--lines N] [--repeat R]`.

Starts the server as an editor does (a separate process over stdio), opens a generated file of
at least N lines (default 2,000: whole workflows of compiler.bench's generator) and prints, as
the client sees them:
- diagnostics: from opening the file, and from an edit, to the diagnostics it publishes (the
  debounce set to 0, so the figure is the check itself; editors add the debounce, 300 ms);
- completion after `doc.` in the middle of the file, while the line being typed makes the file
  unparsable, and in a file that parses; hover on a reference.
Figures, not assertions: speed is measured here, never in timed tests.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from compiler.bench import generate


def big_file(folder: Path, min_lines: int) -> str:
    """Whole generated workflows, concatenated until the text has `min_lines` lines."""
    files, _ = generate(folder, min_lines)
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    for f in files:
        f.unlink()
    parts = text.split("// generated workflow")
    chosen = ""
    for part in parts[1:]:
        chosen += "// generated workflow" + part
        if chosen.count("\n") >= min_lines:
            break
    return chosen


class Bench:
    def __init__(self, client: LanguageClient, uri: str) -> None:
        self.client = client
        self.uri = uri
        self.published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()
        self.version = 1

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def collect(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.put_nowait(params)

    async def diagnostics(self) -> lsp.PublishDiagnosticsParams:
        while True:
            params = await asyncio.wait_for(self.published.get(), 120)
            if params.uri == self.uri and params.version == self.version:
                return params

    def change(self, text: str) -> None:
        self.version += 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(self.version, self.uri),
            [lsp.TextDocumentContentChangeWholeDocument(text)]))

    async def completion(self, where: lsp.Position) -> tuple[float, int]:
        start = time.perf_counter()
        found = await self.client.text_document_completion_async(lsp.CompletionParams(
            lsp.TextDocumentIdentifier(self.uri), where))
        elapsed = time.perf_counter() - start
        items = found.items if isinstance(found, lsp.CompletionList) else found or []
        return elapsed, len(items)


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:,.1f} ms, max {max(values) * 1000:,.1f} ms"


async def run(lines: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text = big_file(folder, lines)
        path = folder / "big.bpl"
        path.write_text(text, encoding="utf-8")
        uri = path.resolve().as_uri()
        client = LanguageClient("bpl-bench", "1")
        await client.start_io(sys.executable, "-m", "compiler.cli.main", "lsp")
        await client.initialize_async(lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), initialization_options={"debounce_ms": 0}))
        client.initialized(lsp.InitializedParams())
        bench = Bench(client, uri)

        start = time.perf_counter()
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri, "bpl", bench.version, text)))
        first = await bench.diagnostics()
        opened = time.perf_counter() - start
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (figures grow with it)")
        print(f"file: {text.count(chr(10)):,} lines, {text.count('workflow generated_'):,} "
              f"workflows; {len(first.diagnostics)} diagnostics")
        print(f"diagnostics on open (first check, catalog and grammar loaded): "
              f"{opened * 1000:,.0f} ms")

        edits = []
        for index in range(repeat):
            edited = text.replace('"Start ', f'"Start {index} ', 1)
            start = time.perf_counter()
            bench.change(edited)
            await bench.diagnostics()
            edits.append(time.perf_counter() - start)
        print(f"diagnostics after an edit: {_ms(edits)} (+ the editor's debounce)")

        middle = text.index("log \"Start", len(text) // 2)
        line = text.count("\n", 0, middle)
        typed_lines = text.split("\n")
        typed_lines.insert(line, "    log doc.")
        typing = "\n".join(typed_lines)
        bench.change(typing)
        where = lsp.Position(line, len("    log doc."))
        broken = []
        count = 0
        for _ in range(repeat):
            elapsed, count = await bench.completion(where)
            broken.append(elapsed)
        print(f"completion after 'doc.' (the file does not parse): {_ms(broken)}, "
              f"{count} items")
        await bench.diagnostics()  # the check of the unparsable text, recovered
        clean = text.replace('log "Start', 'log doc.TITLE & "Start', 1)
        bench.change(clean)
        await bench.diagnostics()
        position = clean.index("doc.TITLE & ") + len("doc.")
        where = lsp.Position(clean.count("\n", 0, position),
                             position - clean.rfind("\n", 0, position) - 1)
        parsed = []
        for _ in range(repeat):
            elapsed, count = await bench.completion(where)
            parsed.append(elapsed)
        print(f"completion after 'doc.' (the file parses): {_ms(parsed)}, {count} items")
        hovers = []
        for _ in range(repeat):
            start = time.perf_counter()
            await client.text_document_hover_async(lsp.HoverParams(
                lsp.TextDocumentIdentifier(uri), where))
            hovers.append(time.perf_counter() - start)
        print(f"hover on doc.TITLE: {_ms(hovers)}")
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(run(args.lines, args.repeat))


if __name__ == "__main__":
    main()
