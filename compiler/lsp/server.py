"""The language server: pygls over stdio, each request answered by the library modules of this
package from the document's last analysis.

Analyses run one at a time in a worker thread, a moment after the last change (`debounce`), so
the server keeps answering while a large file is checked. A request that needs the bound tree of
the text as it is now (hover, go-to, rename) waits for the analysis under way; completion answers
at once from the last one and the text. Every handler is guarded: an internal error is logged,
shown to the user once per feature, and answered with an empty result; the server goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import traceback
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from compiler import __version__
from compiler.catalog import load_catalog
from compiler.format import FormatError, SyntaxProblem, format_text
from compiler.lsp.analysis import Analysis, analyse
from compiler.lsp.completion import Completer
from compiler.lsp.hover import Hover
from compiler.lsp.index import Index, Occurrence
from compiler.lsp.navigation import Navigator, Place, RenameRefused
from compiler.lsp.outline import document_symbols, folding_ranges
from compiler.lsp.positions import Text
from compiler.lsp.project import DocumentProject, config_stamp, project_of
from compiler.lsp.reports import quick_fixes, to_lsp
from compiler.source import display_path

log = logging.getLogger("bpl.lsp")

DEBOUNCE_SECONDS = 0.3
# How long a request waits for the analysis of the current text before it answers without.
WAIT_SECONDS = 10.0
# Test aid: BPL_LSP_FAULTS=hover,completion makes those handlers fail on purpose, to show that
# an internal error is reported once and the server goes on (tests/lsp).
FAULTS_VARIABLE = "BPL_LSP_FAULTS"

R = TypeVar("R")


class InjectedFault(RuntimeError):
    pass


class BplLanguageServer:
    """The state of the server: open documents' analyses, pending checks, reported errors."""

    def __init__(self) -> None:
        self.server = LanguageServer("bpl", __version__)
        self.analyses: dict[str, Analysis] = {}
        self.indexes: dict[str, tuple[Analysis, Index]] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.projects: dict[tuple[Path | None, float], DocumentProject] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bpl-check")
        self.debounce = DEBOUNCE_SECONDS
        self.reported: set[str] = set()
        self.faults = set(filter(None, os.environ.get(FAULTS_VARIABLE, "").split(",")))
        self._register()

    # ── wiring ───────────────────────────────────────────────────────────────────────────
    def _register(self) -> None:
        def feature(name: str, options: Any = None) -> Callable[[Callable[..., Any]], None]:
            def register(method: Callable[..., Any]) -> None:
                # pygls marks the function it registers; a bound method takes no marks.
                async def coroutine(params: Any) -> Any:
                    return await method(params)

                def function(params: Any) -> Any:
                    return method(params)

                handler = coroutine if asyncio.iscoroutinefunction(method) else function
                handler.__name__ = method.__name__
                self.server.feature(name, options)(handler)
            return register

        feature(lsp.INITIALIZE)(self.initialize)
        feature(lsp.TEXT_DOCUMENT_DID_OPEN)(self.did_open)
        feature(lsp.TEXT_DOCUMENT_DID_CHANGE)(self.did_change)
        feature(lsp.TEXT_DOCUMENT_DID_SAVE)(self.did_save)
        feature(lsp.TEXT_DOCUMENT_DID_CLOSE)(self.did_close)
        feature(lsp.TEXT_DOCUMENT_HOVER)(self.hover)
        feature(lsp.TEXT_DOCUMENT_COMPLETION,
                lsp.CompletionOptions(trigger_characters=[".", "|"]))(self.completion)
        feature(lsp.TEXT_DOCUMENT_DEFINITION)(self.definition)
        feature(lsp.TEXT_DOCUMENT_REFERENCES)(self.references)
        feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)(self.prepare_rename)
        feature(lsp.TEXT_DOCUMENT_RENAME)(self.rename)
        feature(lsp.TEXT_DOCUMENT_FORMATTING)(self.formatting)
        feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(self.document_symbol)
        feature(lsp.TEXT_DOCUMENT_FOLDING_RANGE)(self.folding_range)
        feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix]))(self.code_action)

    def guard(self, feature: str, default: Any, function: Callable[..., R]) -> R | Any:
        """Run a handler's body; an internal error is logged and answered with `default`."""
        try:
            if feature in self.faults:
                raise InjectedFault(f"fault injected into {feature} ({FAULTS_VARIABLE})")
            return function()
        except Exception as error:  # every request answers; the server stays up
            self.report(feature, error)
            return default

    async def guard_async(self, feature: str, default: Any,
                          function: Callable[[], Awaitable[R]]) -> R | Any:
        try:
            if feature in self.faults:
                raise InjectedFault(f"fault injected into {feature} ({FAULTS_VARIABLE})")
            return await function()
        except (asyncio.CancelledError, JsonRpcException):
            raise  # a cancelled request, or a refusal the client shows (rename)
        except Exception as error:
            self.report(feature, error)
            return default

    def report(self, feature: str, error: BaseException) -> None:
        detail = "".join(traceback.format_exception(error))
        log.error("bpl lsp: %s failed: %s", feature, detail)
        self.server.window_log_message(lsp.LogMessageParams(
            lsp.MessageType.Error, f"bpl lsp: internal error in {feature}:\n{detail}"))
        if feature not in self.reported:
            self.reported.add(feature)
            self.server.window_show_message(lsp.ShowMessageParams(
                lsp.MessageType.Error, f"bpl lsp: internal error in {feature} ({error}); "
                                       "the server goes on, details are in its log"))

    # ── documents and analyses ───────────────────────────────────────────────────────────
    def initialize(self, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce_ms"), int | float):
            self.debounce = max(0.0, float(options["debounce_ms"]) / 1000)

    def document(self, uri: str) -> TextDocument:
        return self.server.workspace.get_text_document(uri)

    def text(self, document: TextDocument) -> Text:
        return Text.of(document.source, self.server.workspace.position_encoding or "utf-16",
                       name=display_path(self.path(document.uri)))

    def path(self, uri: str) -> Path:
        fs_path = to_fs_path(uri)
        return Path(fs_path) if fs_path else Path.cwd() / "untitled.bpl"

    def overlay(self) -> dict[Path, str]:
        return {self.path(uri).resolve(): doc.source
                for uri, doc in self.server.workspace.text_documents.items()}

    def project(self, path: Path) -> DocumentProject:
        stamp = config_stamp(path)
        if stamp not in self.projects:
            self.projects[stamp] = project_of(path)
        return self.projects[stamp]

    def schedule(self, uri: str, delay: float) -> asyncio.Task[None]:
        task = self.pending.get(uri)
        if task is not None and not task.done():
            task.cancel()
        task = asyncio.ensure_future(self._analyse(uri, delay))
        self.pending[uri] = task
        return task

    async def _analyse(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        document = self.document(uri)
        text, version = document.source, document.version
        path = self.path(uri)
        project = self.project(path)
        overlay = self.overlay()
        loop = asyncio.get_running_loop()

        earlier = self.analyses.get(uri)

        def run() -> tuple[Analysis, Index]:
            if "analysis" in self.faults:
                raise InjectedFault(f"fault injected into analysis ({FAULTS_VARIABLE})")
            analysis = analyse(path, text, version, project, overlay)
            if analysis.module is None and earlier is not None and earlier.module is not None:
                analysis.adopt(earlier)  # completion still knows the names
            return analysis, Index(analysis)  # made here: the event loop keeps answering

        try:
            analysis, index = await loop.run_in_executor(self.executor, run)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.report("analysis", error)
            return
        if uri not in self.server.workspace.text_documents:
            return  # closed meanwhile
        self.analyses[uri] = analysis
        self.indexes[uri] = (analysis, index)
        if self.document(uri).source == text:
            self.publish(uri, analysis)

    def publish(self, uri: str, analysis: Analysis) -> None:
        def convert() -> list[lsp.Diagnostic]:
            text = self.text(self.document(uri))
            sources = analysis.program.sources

            def text_of(file: str) -> Text | None:
                return Text(sources[file]) if file in sources else None

            mine = [d for d in analysis.diagnostics if d.span.file == analysis.name]
            shown = [to_lsp(d, text, text_of) for d in mine]
            problem = analysis.project.problem
            if problem is not None:
                shown.append(lsp.Diagnostic(
                    lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                    f"{problem}\nbpl.toml cannot be used: env symbols are checked for their "
                    "use only", lsp.DiagnosticSeverity.Warning, source="bpl"))
            elsewhere = [d for d in analysis.diagnostics
                         if d.span.file != analysis.name and d.severity == "error"]
            if elsewhere:
                first = elsewhere[0]
                shown.append(lsp.Diagnostic(
                    lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                    f"{len(elsewhere)} error(s) in files this one imports; first: "
                    f"{first.span}: {first.message}", lsp.DiagnosticSeverity.Error,
                    code=first.code, source="bpl"))
            return shown

        diagnostics = self.guard("diagnostics", [], convert)
        self.server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri, diagnostics, version=analysis.version))

    def index(self, uri: str) -> Index | None:
        analysis = self.analyses.get(uri)
        if analysis is None:
            return None
        cached = self.indexes.get(uri)
        if cached is None or cached[0] is not analysis:
            cached = (analysis, Index(analysis))
            self.indexes[uri] = cached
        return cached[1]

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the document's text as it is now (waiting for it if need be)."""
        document = self.document(uri)
        analysis = self.analyses.get(uri)
        if analysis is not None and analysis.text == document.source:
            return analysis if analysis.positions_valid else None
        task = self.pending.get(uri)
        if task is None or task.done():
            task = self.schedule(uri, 0)
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            # Cancelled: a newer change replaced it; answer without.
            await asyncio.wait_for(asyncio.shield(task), WAIT_SECONDS)
        analysis = self.analyses.get(uri)
        if analysis is not None and analysis.text == self.document(uri).source and \
                analysis.positions_valid:
            return analysis
        return None

    async def did_open(self, params: lsp.DidOpenTextDocumentParams) -> None:
        self.schedule(params.text_document.uri, 0)

    async def did_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        self.schedule(uri, self.debounce)
        # Open files that import this one read its unsaved text: check them again too.
        changed = display_path(self.path(uri).resolve())
        for other, analysis in list(self.analyses.items()):
            if other != uri and changed in analysis.program.sources:
                self.schedule(other, self.debounce)

    async def did_save(self, params: lsp.DidSaveTextDocumentParams) -> None:
        # Another file's change can change what this one means (imports, macros).
        for uri in list(self.server.workspace.text_documents):
            self.schedule(uri, 0 if uri == params.text_document.uri else self.debounce)

    async def did_close(self, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.analyses.pop(uri, None)
        self.indexes.pop(uri, None)
        self.server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    # ── requests ─────────────────────────────────────────────────────────────────────────
    async def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        async def answer() -> lsp.Hover | None:
            uri = params.text_document.uri
            analysis = await self.current(uri)
            index = self.index(uri) if analysis is not None else None
            if analysis is None or index is None:
                return None
            text = self.text(self.document(uri))
            line, column = _position(text, params.position)
            markdown = Hover(analysis, index, text).at(line, column)
            if markdown is None:
                return None
            return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, markdown))

        return await self.guard_async("hover", None, answer)

    def completion(self, params: lsp.CompletionParams) -> lsp.CompletionList:
        def answer() -> lsp.CompletionList:
            uri = params.text_document.uri
            document = self.document(uri)
            text = self.text(document)
            analysis = self.analyses.get(uri)
            catalog = analysis.catalog if analysis is not None else load_catalog()
            items = Completer(document.source, text.offset(params.position), analysis,
                              catalog).items()
            return lsp.CompletionList(is_incomplete=False, items=items)

        return self.guard("completion", lsp.CompletionList(is_incomplete=False, items=[]),
                          answer)

    async def _navigator(self, uri: str) -> Navigator | None:
        analysis = await self.current(uri)
        index = self.index(uri) if analysis is not None else None
        if analysis is None or index is None:
            return None
        return Navigator(analysis, index, self.overlay())

    async def _symbol_at(self, uri: str, position: lsp.Position
                         ) -> tuple[Navigator | None, Occurrence | None, Text]:
        """The file's navigator (None while it is being checked), the name at `position` and
        the file's text."""
        navigator = await self._navigator(uri)
        text = self.text(self.document(uri))
        if navigator is None:
            return None, None, text
        return navigator, navigator.symbol_at(*_position(text, position)), text

    async def definition(self, params: lsp.DefinitionParams) -> list[lsp.Location]:
        async def answer() -> list[lsp.Location]:
            navigator, occurrence, _ = await self._symbol_at(params.text_document.uri,
                                                             params.position)
            if navigator is None or occurrence is None:
                return []
            return _locations(navigator.definitions(occurrence))

        return await self.guard_async("definition", [], answer)

    async def references(self, params: lsp.ReferenceParams) -> list[lsp.Location]:
        async def answer() -> list[lsp.Location]:
            navigator, occurrence, _ = await self._symbol_at(params.text_document.uri,
                                                             params.position)
            if navigator is None or occurrence is None:
                return []
            return _locations(navigator.references(occurrence,
                                                   params.context.include_declaration))

        return await self.guard_async("references", [], answer)

    async def prepare_rename(self, params: lsp.PrepareRenameParams) -> lsp.Range | None:
        async def answer() -> lsp.Range | None:
            navigator, occurrence, text = await self._symbol_at(params.text_document.uri,
                                                                params.position)
            if navigator is None or occurrence is None:
                return None
            try:
                navigator.rename(occurrence, occurrence.symbol.name)
            except RenameRefused as refused:
                raise _refusal(refused) from None
            return text.range(occurrence.span)

        return await self.guard_async("prepareRename", None, answer)

    async def rename(self, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        async def answer() -> lsp.WorkspaceEdit | None:
            navigator, occurrence, _ = await self._symbol_at(params.text_document.uri,
                                                             params.position)
            if navigator is None:
                raise _refusal(RenameRefused("the file is still being checked; try again"))
            if occurrence is None:
                raise _refusal(RenameRefused("no name that can be renamed here"))
            try:
                places = navigator.rename(occurrence, params.new_name)
            except RenameRefused as refused:
                raise _refusal(refused) from None
            changes: dict[str, list[lsp.TextEdit]] = {}
            for place in places:
                changes.setdefault(place.path.as_uri(), []).append(
                    lsp.TextEdit(place.text.range(place.span), params.new_name))
            return lsp.WorkspaceEdit(changes=changes)

        return await self.guard_async("rename", None, answer)

    def formatting(self, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        def answer() -> list[lsp.TextEdit]:
            document = self.document(params.text_document.uri)
            try:
                formatted = format_text(document.source, display_path(
                    self.path(params.text_document.uri)))
            except (SyntaxProblem, FormatError) as problem:
                reason = "it has syntax errors" if isinstance(problem, SyntaxProblem) \
                    else str(problem)
                self.server.window_show_message(lsp.ShowMessageParams(
                    lsp.MessageType.Warning, f"bpl fmt: not formatted: {reason}"))
                return []
            if formatted == document.source:
                return []
            text = self.text(document)
            lines = document.source.split("\n")
            end = text.position(len(lines), len(lines[-1]) + 1)  # the end of the last line
            return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), end), formatted)]

        return self.guard("formatting", [], answer)

    def document_symbol(self, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        def answer() -> list[lsp.DocumentSymbol]:
            uri = params.text_document.uri
            analysis = self.analyses.get(uri)
            document = self.document(uri)
            if analysis is None or analysis.module is None or \
                    analysis.text != document.source or not analysis.positions_valid:
                return []
            return document_symbols(analysis.module, self.text(document))

        return self.guard("documentSymbol", [], answer)

    def folding_range(self, params: lsp.FoldingRangeParams) -> list[lsp.FoldingRange]:
        return self.guard("foldingRange", [], lambda: folding_ranges(
            self.text(self.document(params.text_document.uri))))

    def code_action(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return self.guard("codeAction", [], lambda: quick_fixes(
            params.text_document.uri, list(params.context.diagnostics)))

    def start(self) -> None:
        self.server.start_io()


def _position(text: Text, position: lsp.Position) -> tuple[int, int]:
    """1-based line and character column of an LSP position."""
    line, column = text.source.position(text.offset(position))
    return line, column


def _locations(places: list[Place]) -> list[lsp.Location]:
    return [lsp.Location(place.path.as_uri(), place.text.range(place.span)) for place in places]


# LSP's RequestFailed: the request was valid but could not be carried out.
REQUEST_FAILED = -32803


def _refusal(refused: RenameRefused) -> JsonRpcException:
    return JsonRpcException(str(refused), code=REQUEST_FAILED)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    BplLanguageServer().start()

