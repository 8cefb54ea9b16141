"""Go to definition, find references and rename, over the index of a checked document.

Macros and robots are names of the whole project: their references are found in every source
of bpl.toml (parsed, with the editor's unsaved texts), so renaming a macro renames its calls in
files that are not open. A rename is refused, with the reason, where it would not be safe: names
Bitrix or bpl.toml own (env symbols, catalogued fields, robot CODEs, workflow names), a name read
in a macro's text (other workflows may expand it), a file that does not parse, a new name that
is taken or is not a name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.diagnostics import Diagnostics
from compiler.lsp.analysis import Analysis
from compiler.lsp.index import (
    DECL,
    ENV,
    FIELD,
    IMPORT,
    LABEL,
    LOOP,
    MACRO,
    ROBOT,
    STATE,
    WORKFLOW,
    Index,
    Occurrence,
    Symbol,
    calls,
)
from compiler.lsp.positions import Text, path_of_name
from compiler.resources import stdlib_dir
from compiler.semantics.builtins import BUILTIN_NAMES
from compiler.semantics.program import collect_files, load_program
from compiler.source import SourceFile, Span
from compiler.syntax import ast

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class RenameRefused(Exception):
    """Why a rename is not done; the message is for the user."""


@dataclass(frozen=True)
class Place:
    """A span in a file, with the text its positions are counted in."""

    path: Path
    span: Span
    text: Text


class Navigator:
    def __init__(self, analysis: Analysis, index: Index,
                 overlay: Mapping[Path, str]) -> None:
        self.analysis = analysis
        self.index = index
        self.overlay = overlay
        self._other_sources: dict[str, SourceFile] = {}  # project files read for calls

    def symbol_at(self, line: int, column: int) -> Occurrence | None:
        return self.index.at(self.analysis.name, line, column)

    # ── go to definition ─────────────────────────────────────────────────────────────────
    def definitions(self, occurrence: Occurrence) -> list[Place]:
        symbol = occurrence.symbol
        if symbol.kind == IMPORT:
            target = self._import_target(symbol.name)
            if target is None:
                return []
            return [Place(target, Span(str(target), 1, 1, 1, 1), Text.of(""))]
        if symbol.kind == ENV:
            return self._env_definitions(symbol.name)
        return self._places(self.index.definitions(symbol))

    def _import_target(self, written: str) -> Path | None:
        base = path_of_name(self.analysis.name).parent
        target = stdlib_dir() / written.removeprefix("stdlib/") \
            if written.startswith("stdlib/") else base / written
        return target.resolve() if target.is_file() else None

    def _env_definitions(self, name: str) -> list[Place]:
        """The lines of bpl.toml that give env.NAME a value."""
        config = self.analysis.project.config_path
        if config is None:
            return []
        try:
            content = config.read_text(encoding="utf-8")
        except OSError:
            return []
        text = Text.of(content, name=str(config))
        pattern = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*=", re.MULTILINE)
        places = []
        for match in pattern.finditer(content):
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            places.append(Place(config, text.span_at(start, start + len(name)), text))
        return places

    # ── references ───────────────────────────────────────────────────────────────────────
    def references(self, occurrence: Occurrence, include_declaration: bool) -> list[Place]:
        symbol = occurrence.symbol
        found = self._project_calls(symbol)[0] if symbol.kind in (MACRO, ROBOT) \
            else self.index.references(symbol)
        if not include_declaration:
            found = [o for o in found if not o.definition]
        return self._places(found)

    def _project_calls(self, symbol: Symbol) -> tuple[list[Occurrence], list[str]]:
        """Declarations and calls of a macro or robot in the document, its imports and every
        source of the project; and the files that do not parse (whose calls are unknown)."""
        found = {o for o in self.index.references(symbol)}
        project = self.analysis.project.project
        diagnostics = Diagnostics()
        files = collect_files(project.sources) if project.path is not None else []
        program = load_program(files, diagnostics, self.overlay) if files else None
        broken = sorted({d.span.file for d in diagnostics if d.code in ("E001", "E002", "E003")})
        if program is not None:
            self._other_sources.update(program.sources)
            for module in program.modules:
                for item in module.items:
                    if isinstance(item, ast.Workflow | ast.MacroDecl):
                        body = (item.body, item.states) if isinstance(item, ast.Workflow) \
                            else item.body
                        found.update(o for o in calls((body,), program.macros, program.robots)
                                     if o.symbol == symbol)
                    if isinstance(item, ast.MacroDecl) and symbol == Symbol(MACRO, item.name):
                        found.add(Occurrence(item.name_span, symbol, True))
                    if isinstance(item, ast.RobotDecl) and symbol == Symbol(ROBOT, item.code):
                        found.add(Occurrence(item.code_span, symbol, True))
        ordered = sorted(found, key=lambda o: (o.span.file, o.span.line, o.span.column))
        return ordered, broken

    def _places(self, occurrences: list[Occurrence]) -> list[Place]:
        places = []
        for occurrence in occurrences:
            text = self._text(occurrence.span.file)
            if text is not None:
                places.append(Place(path_of_name(occurrence.span.file), occurrence.span, text))
        return places

    def _text(self, file: str) -> Text | None:
        text = self.index.text(file)
        if text is None:
            source = self._other_sources.get(file)
            if source is not None:
                text = Text(source)
        return text

    # ── rename ───────────────────────────────────────────────────────────────────────────
    def rename(self, occurrence: Occurrence, new_name: str) -> list[Place]:
        """The places to write `new_name` at. Raises RenameRefused."""
        symbol = occurrence.symbol
        self._renamable(symbol)
        if not _NAME.fullmatch(new_name):
            raise RenameRefused(f"'{new_name}' is not a name: letters, digits and '_', "
                                "starting with a letter or '_'")
        if new_name == symbol.name:
            return []
        self._free(symbol, new_name)
        if symbol.kind == MACRO:
            occurrences, broken = self._project_calls(symbol)
            if broken:
                raise RenameRefused(f"{', '.join(broken)} does not parse: calls of "
                                    f"'{symbol.name}' there cannot be found; fix it first")
            definition = next((o for o in occurrences if o.definition), None)
            if definition is not None and \
                    path_of_name(definition.span.file).is_relative_to(stdlib_dir()):
                raise RenameRefused(f"macro '{symbol.name}' is part of bpl's standard library")
        else:
            occurrences = self.index.references(symbol)
            outside = [o for o in occurrences if o.span.file != self.analysis.name or
                       not self._in_scope(o)]
            if outside:
                where = outside[0].span
                raise RenameRefused(f"'{symbol.name}' is also written in a macro's text "
                                    f"({where}), which other workflows may expand; rename it "
                                    "there by hand")
        return self._places(occurrences)

    def _renamable(self, symbol: Symbol) -> None:
        if self.analysis.recovered or any(d.code in ("E001", "E002", "E003")
                                          for d in self.analysis.diagnostics):
            raise RenameRefused("the file has syntax errors: fix them first, so that every use "
                                "of the name is found")
        reasons = {
            ENV: "env symbols are named in bpl.toml and in every environment's values; rename "
                 "it there and in the sources",
            ROBOT: "a robot's CODE is its identity on the portal: a new CODE registers another "
                   "robot (change it by hand, with bpl plan)",
            WORKFLOW: "a workflow's name is its template's identity on the portal and the name "
                      "of its .bpt (change it by hand, with bpl plan)",
            IMPORT: "an import names a file: rename the file",
        }
        if symbol.kind in reasons:
            raise RenameRefused(reasons[symbol.kind])
        if symbol.kind == FIELD and not self.index.definitions(symbol):
            raise RenameRefused(f"doc.{symbol.name} is a field of the document type: its code "
                                "is Bitrix's; declare a field to give it a name of your own")

    def _free(self, symbol: Symbol, new_name: str) -> None:
        """Refuse a new name that is a built-in or already names something the old name would
        be confused with."""
        if new_name in BUILTIN_NAMES and symbol.kind in (LABEL, LOOP, DECL):
            raise RenameRefused(f"'{new_name}' is a built-in name")
        clashes = {DECL: (DECL,), LABEL: (LABEL, DECL), FIELD: (FIELD,), STATE: (STATE,),
                   MACRO: (MACRO, ROBOT), LOOP: (LOOP, LABEL)}
        for kind in clashes.get(symbol.kind, ()):
            scope = symbol.scope if kind not in (MACRO, ROBOT) else ""
            if kind == LOOP:
                taken = any(o.symbol.kind == LOOP and o.symbol.name == new_name
                            for o in self.index.occurrences)
            else:
                taken = bool(self.index.definitions(Symbol(kind, new_name, scope)))
            if kind == FIELD and not taken:
                checked = self.analysis.workflow(symbol.scope)
                taken = checked is not None and new_name in checked.document.fields
            if taken:
                raise RenameRefused(f"'{new_name}' is already a {_WHAT[kind]} here")

    def _in_scope(self, occurrence: Occurrence) -> bool:
        """Whether a workflow-scoped name's occurrence lies in its workflow's own text."""
        checked = self.analysis.workflow(occurrence.symbol.scope.split("@")[0])
        if checked is None:
            return False
        span, outer = occurrence.span, checked.workflow.span
        return (outer.line, outer.column) <= (span.line, span.column) and \
            (span.end_line, span.end_column) <= (outer.end_line, outer.end_column)


_WHAT = {DECL: "parameter, variable or constant", LABEL: "label", FIELD: "field",
         STATE: "state", MACRO: "macro", ROBOT: "robot", LOOP: "loop item"}
