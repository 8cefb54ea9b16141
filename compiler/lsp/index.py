"""Where each name of a checked document is declared and used, read from the bound tree.

A `Symbol` is what a name denotes: a declaration, document field, label or state of a workflow,
a loop's item, or a macro, robot, workflow or env symbol of the project. An `Occurrence` is the
span of the name itself (`limit` in `param.limit`), so that go-to lands on it and rename
replaces it alone. References are the checker's bindings, never a second resolution.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from compiler.lsp.analysis import Analysis
from compiler.lsp.positions import Text
from compiler.semantics.model import CheckedWorkflow
from compiler.source import Span
from compiler.syntax import ast

# Symbol kinds
DECL, FIELD, LABEL, LOOP, STATE = "decl", "field", "label", "loop", "state"
WORKFLOW, MACRO, ROBOT, ENV, IMPORT = "workflow", "macro", "robot", "env", "import"


@dataclass(frozen=True, slots=True)
class Symbol:
    kind: str
    name: str
    scope: str = ""  # the workflow of a declaration, field, label, state or loop


@dataclass(frozen=True, slots=True)
class Occurrence:
    span: Span
    symbol: Symbol
    definition: bool = False


_LOOP_HEAD = re.compile(r"for\s+each\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?")


class Index:
    """Every occurrence of a name in the checked files of one analysis."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self._texts: dict[str, Text] = {}
        found: set[Occurrence] = set()
        for checked in analysis.checked:
            found.update(_WorkflowWalk(self, checked).occurrences())
        found.update(self._project_names())
        self.occurrences = sorted(found, key=lambda o: (o.span.file, o.span.line,
                                                        o.span.column, not o.definition))

    # ── lookups ──────────────────────────────────────────────────────────────────────────
    def at(self, file: str, line: int, column: int) -> Occurrence | None:
        """The occurrence under a 1-based position (the end of a name counts: the cursor
        right after it)."""
        best = None
        for occurrence in self.occurrences:
            span = occurrence.span
            if span.file == file and span.line == line and \
                    span.column <= column <= span.end_column and \
                    (best is None or occurrence.definition):
                best = occurrence
        return best

    def definitions(self, symbol: Symbol) -> list[Occurrence]:
        return [o for o in self.occurrences if o.symbol == symbol and o.definition]

    def references(self, symbol: Symbol) -> list[Occurrence]:
        return [o for o in self.occurrences if o.symbol == symbol]

    def text(self, file: str) -> Text | None:
        """The text of a checked file, as positions are counted in it."""
        if file not in self._texts:
            source = self.analysis.program.sources.get(file)
            if source is None:
                return None
            self._texts[file] = Text(source)
        return self._texts[file]

    def part_span(self, ref: ast.Ref, first: int, last: int | None = None) -> Span | None:
        """The span of parts [first, last] of a reference as written (`limit` of `param.limit`),
        or None when its text is not the reference's (a macro argument's substitute)."""
        text = self.text(ref.span.file)
        if text is None or ref.span.line != ref.span.end_line:
            return None
        start = text.offset_of(ref.span.line, ref.span.column)
        end = text.offset_of(ref.span.end_line, ref.span.end_column)
        if text.text[start:end] != ref.dotted:
            return None
        last = len(ref.parts) - 1 if last is None else last
        begin = start + sum(len(p) + 1 for p in ref.parts[:first])
        finish = begin + len(".".join(ref.parts[first:last + 1]))
        return text.span_at(begin, finish)

    # ── project-wide names ───────────────────────────────────────────────────────────────
    def _project_names(self) -> Iterator[Occurrence]:
        program = self.analysis.program
        for name, macro in program.macros.items():
            yield Occurrence(macro.name_span, Symbol(MACRO, name), True)
        for code, robot in program.robots.items():
            yield Occurrence(robot.code_span, Symbol(ROBOT, code), True)
        for module in program.modules:
            for item in module.items:
                if isinstance(item, ast.Workflow):
                    yield Occurrence(item.name_span, Symbol(WORKFLOW, item.name), True)
                elif isinstance(item, ast.MacroDecl):
                    yield from calls(item.body, program.macros, program.robots)
                elif isinstance(item, ast.Import):
                    yield Occurrence(item.span, Symbol(IMPORT, item.path))


def calls(body: Iterable[Any], macros: Iterable[str],
          robots: Iterable[str]) -> Iterator[Occurrence]:
    """The calls of macros and robots in statements as written (macros calling macros)."""
    macro_names, robot_codes = set(macros), set(robots)
    for node in _nodes(tuple(body)):
        if isinstance(node, ast.CallStmt):
            name = node.call.dotted
            if name in macro_names:
                yield Occurrence(node.call.name_span, Symbol(MACRO, name))
            elif name in robot_codes:
                yield Occurrence(node.call.name_span, Symbol(ROBOT, name))


def _nodes(root: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
        elif dataclasses.is_dataclass(node) and not isinstance(node, type):
            yield node
            stack.extend(getattr(node, f.name) for f in dataclasses.fields(node) if f.compare)


class _WorkflowWalk:
    """The occurrences of one checked workflow: its declarations, fields, labels, states, loop
    items, and every bound reference and call in its bound tree."""

    def __init__(self, index: Index, checked: CheckedWorkflow) -> None:
        self.index = index
        self.checked = checked
        self.scope = checked.workflow.name
        self.found: list[Occurrence] = []

    def occurrences(self) -> list[Occurrence]:
        wf, scope = self.checked.workflow, self.scope
        for decl in wf.decls:
            self.found.append(Occurrence(decl.name_span, Symbol(DECL, decl.name, scope), True))
        for declared in wf.fields:
            self.found.append(Occurrence(declared.name_span,
                                         Symbol(FIELD, declared.name, scope), True))
        for label, info in self.checked.labels.items():
            self.found.append(Occurrence(info.span, Symbol(LABEL, label, scope), True))
        for state in wf.states:
            self.found.append(Occurrence(state.name_span, Symbol(STATE, state.name, scope), True))
        self._visit(wf, ())
        return self.found

    def _visit(self, node: Any, loops: tuple[tuple[str, ast.ForEachStmt], ...]) -> None:
        if isinstance(node, tuple | list):
            for item in node:
                self._visit(item, loops)
            return
        if not dataclasses.is_dataclass(node) or isinstance(node, type | Span):
            return
        if isinstance(node, ast.Ref):
            self._ref(node, loops)
            return
        if isinstance(node, ast.ForEachStmt):
            self._visit(node.source, loops)
            loops = (*loops, *self._loop_items(node))
            self._visit((node.opts, node.body), loops)
            return
        if isinstance(node, ast.GotoStmt):
            self.found.append(Occurrence(node.state_span, Symbol(STATE, node.state, self.scope)))
        elif isinstance(node, ast.Expansion):
            self.found.append(Occurrence(node.call.call.name_span,
                                         Symbol(MACRO, node.call.call.dotted)))
            self._visit(node.body, loops)
            return
        elif isinstance(node, ast.CallStmt) and \
                node.call.dotted in self.index.analysis.program.robots:
            self.found.append(Occurrence(node.call.name_span, Symbol(ROBOT, node.call.dotted)))
        for f in dataclasses.fields(node):
            if f.compare and f.name != "span":
                self._visit(getattr(node, f.name), loops)

    def _loop_items(self, loop: ast.ForEachStmt) -> list[tuple[str, ast.ForEachStmt]]:
        """Declare a loop's item names where its head writes them."""
        names = [n for n in (loop.value_name, loop.key_name) if n]
        text = self.index.text(loop.span.file)
        if text is not None:
            start = text.offset_of(loop.span.line, loop.span.column)
            head = _LOOP_HEAD.match(text.text, start)
            if head is not None:
                for group in (1, 2):
                    if head.group(group):
                        symbol = self._loop_symbol(head.group(group), loop)
                        self.found.append(Occurrence(
                            text.span_at(head.start(group), head.end(group)), symbol, True))
        return [(name, loop) for name in names]

    def _loop_symbol(self, name: str, loop: ast.ForEachStmt) -> Symbol:
        return Symbol(LOOP, name, f"{self.scope}@{loop.span}")

    def _ref(self, ref: ast.Ref, loops: tuple[tuple[str, ast.ForEachStmt], ...]) -> None:
        binding = ref.binding
        if binding is None:
            # Field codes and document ids are read before binding: env symbols all the same.
            if ref.parts[0] == "env" and len(ref.parts) == 2:
                span = self.index.part_span(ref, 1, 1)
                if span is not None:
                    self.found.append(Occurrence(span, Symbol(ENV, ref.parts[1])))
            return
        symbol, first, last = None, 0, 0
        if binding.kind in ("param", "var", "const") and len(ref.parts) == 2 and \
                ref.parts[1] in self.checked.decls:
            symbol, first, last = Symbol(DECL, ref.parts[1], self.scope), 1, 1
        elif binding.kind == "doc":
            symbol = Symbol(FIELD, ".".join(ref.parts[1:]), self.scope)
            first, last = 1, len(ref.parts) - 1
        elif binding.kind == "label" and binding.label is not None:
            symbol = Symbol(LABEL, binding.label, self.scope)
        elif binding.kind == "env":
            symbol, first, last = Symbol(ENV, binding.field), 1, 1
        elif binding.kind == "loop":
            loop = next((lp for name, lp in reversed(loops) if name == ref.parts[0]), None)
            if loop is not None:
                symbol = self._loop_symbol(ref.parts[0], loop)
        if symbol is None:
            return
        span = self.index.part_span(ref, first, last)
        if span is not None:
            self.found.append(Occurrence(span, symbol))
