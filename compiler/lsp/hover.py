"""Hover: what the thing under the cursor is, in Markdown, from the bound tree and the catalog.

References say what they read (document fields: label, type, code, read-only; declarations:
type, label, default; activity results; env symbols: the value in each environment), statements
the activity they become, calls the function's signature or the robot's inputs, options and
generic properties what they fill.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from compiler.catalog import Catalog
from compiler.catalog.statements import HANDLERS, STATEMENTS, Option, settings, statement
from compiler.diagnostics import RULES
from compiler.lsp.analysis import Analysis
from compiler.lsp.index import Index
from compiler.lsp.positions import Text
from compiler.lsp.scan import word_at
from compiler.semantics.builtins import SPECIAL_CALLS
from compiler.semantics.model import CheckedWorkflow, FieldInfo
from compiler.semantics.types import Type
from compiler.source import Span
from compiler.syntax import ast


def contains(span: Span, line: int, column: int) -> bool:
    """Whether a 1-based position is in the span (its end included: the cursor after a word)."""
    if (line, column) < (span.line, span.column):
        return False
    return (line, column) <= (span.end_line, span.end_column)


def nodes_at(root: Any, file: str, line: int, column: int) -> list[Any]:
    """The syntax nodes under a position, outermost first. Macro expansions are searched
    whole: their statements lie in the macro's text and hold the call's arguments."""
    path: list[Any] = []

    def visit(node: Any, anywhere: bool) -> None:
        if isinstance(node, tuple | list):
            for item in node:
                visit(item, anywhere)
            return
        if not isinstance(node, ast.Node):
            if isinstance(node, ast.StmtOpts):
                visit((node.title, node.comment), anywhere)
            return
        inside = node.span.file == file and contains(node.span, line, column)
        if not inside and not anywhere and not isinstance(node, ast.Workflow):
            return
        if inside:
            path.append(node)
        expansion = anywhere or isinstance(node, ast.Expansion)
        for f in dataclasses.fields(node):
            if f.compare and f.name != "span":
                visit(getattr(node, f.name), expansion)

    visit(root, False)
    return path


class Hover:
    def __init__(self, analysis: Analysis, index: Index, text: Text) -> None:
        self.analysis = analysis
        self.index = index
        self.text = text
        self.catalog: Catalog = analysis.catalog

    def at(self, line: int, column: int) -> str | None:
        """Markdown for the 1-based position, or None when there is nothing to say."""
        parts = [p for p in (self._thing(line, column), self._diagnostic(line, column)) if p]
        return "\n\n---\n\n".join(parts) or None

    # ── what is under the cursor ─────────────────────────────────────────────────────────
    def _thing(self, line: int, column: int) -> str | None:
        name = self.analysis.name
        checked = self.analysis.workflow_at(line)
        roots: list[Any] = [checked.workflow] if checked is not None else []
        if self.analysis.module is not None:
            roots += [i for i in self.analysis.module.items if not isinstance(i, ast.Workflow)]
        path = [n for root in roots for n in nodes_at(root, name, line, column)]
        offset = self.text.offset_of(line, column)
        start, end = word_at(self.text.text, offset)
        word = self.text.text[start:end]
        for node in reversed(path):
            found = self._node(node, path, checked, word, start, line, column)
            if found:
                return found
        return None

    def _node(self, node: Any, path: list[Any], checked: CheckedWorkflow | None, word: str,
              word_start: int, line: int, column: int) -> str | None:
        if isinstance(node, ast.Ref):
            return self._ref(node, checked, line, column)
        if isinstance(node, ast.Modified) and word in node.modifiers and \
                self.text.text[:word_start].rstrip().endswith("|"):
            spec = self.catalog.modifier(word)
            return f"**modifier** `| {word}`\n\n{spec.summary}" if spec else None
        if isinstance(node, ast.Call):
            return self._function(node, line, column)
        if isinstance(node, ast.Setting) and contains(node.key_span, line, column):
            return self._setting(node, path)
        if isinstance(node, ast.MapEntry) and contains(node.key_span, line, column):
            return self._property(node, path)
        if isinstance(node, ast.ActivityStmt) and contains(node.type_span, line, column):
            return self._activity(node.type_name)
        if isinstance(node, ast.Decl) and contains(node.name_span, line, column):
            return self._decl(node, checked)
        if isinstance(node, ast.FieldDecl) and contains(node.name_span, line, column):
            return self._field(node.name, checked)
        if isinstance(node, ast.State) and contains(node.name_span, line, column):
            return self._state(node)
        if isinstance(node, ast.GotoStmt) and contains(node.state_span, line, column):
            state = next((s for s in checked.workflow.states if s.name == node.state),
                         None) if checked else None
            return self._state(state) if state else None
        if isinstance(node, ast.Stmt | ast.EventHandler) and node.opts.label_span and \
                contains(node.opts.label_span, line, column) and checked:
            return self._label(node.opts.label, checked)
        if isinstance(node, ast.CallStmt | ast.Expansion):
            call = node.call if isinstance(node, ast.CallStmt) else node.call.call
            if contains(call.name_span, line, column):
                return self._callee(call.dotted)
        if isinstance(node, ast.MacroDecl) and contains(node.name_span, line, column):
            return self._callee(node.name)
        if isinstance(node, ast.RobotDecl) and contains(node.code_span, line, column):
            return self._callee(node.code)
        if isinstance(node, ast.EventHandler) and word in HANDLERS[node.kind].head:
            handler = HANDLERS[node.kind]
            event = f", starting with {handler.event}" if handler.event else ""
            return f"**{word}** — `{handler.synopsis}`\n\nBecomes **{handler.activity}**{event}."
        if isinstance(node, ast.Stmt) and not isinstance(node, ast.Expansion) and word:
            return self._statement(node, word)
        if isinstance(node, ast.Workflow) and checked is not None and \
                contains(node.document.span, line, column):
            document = checked.document
            return f"**document** `{document.name}`\n\nDOCUMENT_TYPE " \
                   f"`{document.triple}`, {len(document.fields)} fields"
        return None

    def _statement(self, stmt: ast.Stmt, word: str) -> str | None:
        row = statement(stmt)
        if word not in row.words:
            return None
        lines = [f"**{word}** — `{row.synopsis}`"]
        activities = row.activities
        if activities:
            spec = self.catalog.activity(activities[0])
            lines.append(f"Becomes **{activities[0]}**" +
                         (f" ({spec.title}): {spec.summary}" if spec else "") + ".")
        return "\n\n".join(lines)

    # ── references ───────────────────────────────────────────────────────────────────────
    def _ref(self, ref: ast.Ref, checked: CheckedWorkflow | None, line: int,
             column: int) -> str | None:
        binding = ref.binding
        head = ref.parts[0]
        if binding is None:
            if head == "env" and len(ref.parts) == 2:
                return self._env(ref.parts[1])
            return None
        kind = binding.kind
        if kind in ("param", "var", "const"):
            info = checked.decls.get(ref.parts[1]) if checked else None
            if info is not None:
                return self._decl(info.decl, checked)
            return f"**{ref.dotted}**: {binding.type}\n\n`{{={binding.object}:{binding.field}}}`"
        if kind == "doc" and checked is not None:
            return self._field(".".join(ref.parts[1:]), checked)
        if kind == "label" and checked is not None and binding.label:
            head_span = self.index.part_span(ref, 0, 0)
            if head_span is not None and contains(head_span, line, column):
                return self._label(binding.label, checked)
            return self._result(binding.label, ref.parts[1] if len(ref.parts) > 1 else "",
                                checked)
        if kind == "env":
            return self._env(binding.field)
        if kind == "loop":
            return f"**{ref.dotted}**: {binding.type} — an item of `for each` " \
                   f"(`{{=<loop>:{binding.field}}}`)"
        if kind == "role":
            return f"**role.{binding.literal}**: user — resolved by Bitrix when the workflow runs"
        return f"**{ref.dotted}**: {binding.type}\n\n`{{={binding.object}:{binding.field}}}`"

    def _decl(self, decl: ast.Decl, checked: CheckedWorkflow | None) -> str:
        info = checked.decls.get(decl.name) if checked else None
        typ = str(info.type) if info else self._written(decl.type.span)
        head = f"({decl.kind}) **{decl.name}**: {typ}"
        lines = [head]
        if decl.label is not None:
            lines.append(f"label: {decl.label.plain}")
        if decl.description is not None:
            lines.append(decl.description.plain)
        if decl.default is not None:
            lines.append(f"default: `{self._written(decl.default.span)}`")
        if decl.required:
            lines.append("required")
        if decl.asked:
            lines.append("asked (created by a request form; Bitrix keeps its title)")
        objects = {"param": "Template", "var": "Variable", "const": "Constant"}
        lines.append(f"`{{={objects[decl.kind]}:{decl.name}}}`")
        return "\n\n".join(lines)

    def _field(self, name: str, checked: CheckedWorkflow | None) -> str | None:
        if checked is None:
            return None
        info = field_info(checked, name)
        if info is None:
            return None
        lines = [f"(field of {checked.document.name}) **{info.name}**: {info.type}"]
        if info.label:
            lines.append(f"label: {info.label}")
        lines.append(f"code: `{info.code}`" + (" · read-only" if info.readonly else ""))
        if info.options:
            lines.append("options: " + ", ".join(f"`{k}` {v}" for k, v in info.options[:20]))
        return "\n\n".join(lines)

    def _label(self, label: str | None, checked: CheckedWorkflow) -> str | None:
        info = checked.labels.get(label or "")
        if info is None:
            return None
        spec = self.catalog.activity(info.activity_type)
        lines = [f"(label) **{label}** — {info.activity_type}"]
        if spec is not None:
            lines.append(f"{spec.title}: {spec.summary}")
        if info.returns:
            lines.append("results: " + ", ".join(f"`{k}` {v}" for k, v in info.returns.items()))
        return "\n\n".join(lines)

    def _result(self, label: str, name: str, checked: CheckedWorkflow) -> str | None:
        info = checked.labels.get(label)
        if info is None:
            return None
        typ = info.returns.get(name)
        spec = self.catalog.activity(info.activity_type)
        returned = spec.returns.get(name) if spec else None
        lines = [f"(result of {label}, {info.activity_type}) **{name}**" +
                 (f": {typ}" if typ else "")]
        if returned is not None and returned.summary:
            lines.append(returned.summary)
        return "\n\n".join(lines)

    def _env(self, name: str) -> str:
        values = self.analysis.project.values
        lines = [f"(env) **{name}**"]
        if not values:
            lines.append("bpl.toml has no environments: the value is given at compile time")
        for env, given in values.items():
            value = given.get(name)
            lines.append(f"- {env}: " + (f"`{value!r}`" if value is not None else "*no value*"))
        return "\n".join(lines[:1]) + "\n\n" + "\n".join(lines[1:])

    # ── calls, options, activities ───────────────────────────────────────────────────────
    def _function(self, call: ast.Call, line: int, column: int) -> str | None:
        if not contains(call.name_span, line, column):
            return None
        if call.dotted in SPECIAL_CALLS:
            return f"**{call.dotted}(…)** — a {'user' if call.dotted == 'user' else 'group'} " \
                   f"by id: `{call.dotted}(12)` → `{call.dotted}_12`"
        spec = self.catalog.function(call.dotted)
        if spec is None:
            return None
        arity = f"{spec.min_args}…" if spec.variadic else (
            str(spec.min_args) if spec.min_args == spec.max_args
            else f"{spec.min_args}–{spec.max_args}")
        return f"**{spec.name}** → {spec.returns} ({spec.group}, {arity} arguments)\n\n" \
               f"{spec.summary}"

    def _callee(self, name: str) -> str | None:
        program = self.analysis.program
        robot = program.robots.get(name)
        if robot is not None:
            inputs = "\n".join(f"- `{io.name}`: {self._written(io.type.span)}"
                               + (" (required)" if io.required else "")
                               + (f" — {io.label.plain}" if io.label else "")
                               for io in robot.inputs)
            outputs = ", ".join(f"`{io.name}`" for io in robot.outputs) or "none"
            return f"({robot.kind}) **{robot.code}** — {robot.name.plain}\n\ninputs:\n" \
                   f"{inputs or '- none'}\n\nresults: {outputs}"
        macro = program.macros.get(name)
        if macro is not None:
            return f"(macro) **{macro.name}**({', '.join(macro.params)}) — " \
                   f"{len(macro.body)} statement(s), expanded where it is called"
        return None

    def _setting(self, setting: ast.Setting, path: list[Any]) -> str | None:
        owner = _owner(path)
        if owner is None:
            return None
        option = settings(owner).get(setting.key)
        return _option(setting.key, option) if option else None

    def _property(self, entry: ast.MapEntry, path: list[Any]) -> str | None:
        activity = next((n for n in reversed(path) if isinstance(n, ast.ActivityStmt)), None)
        if activity is None or entry not in activity.properties.entries:
            return None
        spec = self.catalog.activity(activity.type_name)
        prop = spec.properties.get(entry.key) if spec else None
        if spec is None or prop is None:
            return None
        lines = [f"(property of {spec.type}) **{entry.key}**: {prop.type}" +
                 (" (required)" if prop.required else "")]
        if prop.summary:
            lines.append(prop.summary)
        if prop.default is not None:
            lines.append(f"default: `{prop.default!r}`")
        if prop.options:
            lines.append("options: " + ", ".join(f"`{o}`" for o in prop.options))
        return "\n\n".join(lines)

    def _activity(self, type_name: str) -> str | None:
        spec = self.catalog.activity(type_name)
        if spec is None:
            return None
        return f"(activity) **{spec.type}** — {spec.title}\n\n{spec.summary}\n\n" \
               f"module {spec.module}; properties: " + ", ".join(
                   f"`{p}`" for p in spec.properties if p != "Title")

    def _state(self, state: ast.State) -> str:
        title = f" — {state.title.plain}" if state.title is not None else ""
        return f"(state) **{state.name}**{title}" + (" (initial)" if state.initial else "")

    # ── the diagnostics under the cursor ─────────────────────────────────────────────────
    def _diagnostic(self, line: int, column: int) -> str | None:
        codes = dict.fromkeys(d.code for d in self.analysis.diagnostics
                              if d.span.file == self.analysis.name and
                              contains(d.span, line, column))
        notes = []
        for code in codes:
            rule = RULES.get(code)
            if rule is not None:
                notes.append(f"**{rule.code}** {rule.name}: {rule.summary} "
                             f"(`bpl explain {rule.code}`)")
        return "\n\n".join(notes) or None

    def _written(self, span: Span) -> str:
        text = self.index.text(span.file)
        if text is None:
            return ""
        return text.text[text.offset_of(span.line, span.column):
                         text.offset_of(span.end_line, span.end_column)]


def _owner(path: list[Any]) -> str | None:
    """The option block a setting is in: a statement kind, "call", or "robot"."""
    for node in reversed(path):
        if isinstance(node, ast.RobotDecl):
            return "robot"
        if isinstance(node, ast.CallStmt):
            return "call"
        if isinstance(node, ast.Stmt) and not isinstance(node, ast.Expansion):
            kind = statement(node).kind
            return kind if STATEMENTS[kind].options else None
    return None


def _option(key: str, option: Option) -> str:
    lines = [f"(option) **{key}** — {option.summary}", f"value: {option.kind}"]
    if option.choices:
        lines.append("choices: " + ", ".join(f"`{c}`" for c in option.choices))
    filled = option.fields_key or ", ".join(option.properties)
    if filled:
        lines.append(f"fills `{filled}`")
    return "\n\n".join(lines)


def field_info(checked: CheckedWorkflow, name: str) -> FieldInfo | None:
    """A document field as `doc.NAME` reads it: declared or catalogued, or a field of a
    referenced document (doc.CONTACT.NAME, read-only), or a printable form."""
    fields = checked.document.fields
    bare = name[:-len("_PRINTABLE")] if name.upper().endswith("_PRINTABLE") else name
    for candidate in (name, bare):
        info = fields.get(candidate)
        if info is not None:
            return info
    spec = checked.catalog.document(checked.document.name)
    referenced = spec.referenced_document(bare) if spec is not None else None
    if referenced is None:
        return None
    document, code = referenced
    target = checked.catalog.document(document)
    field = target.fields.get(code) if target is not None else None
    if field is None:
        return None
    return FieldInfo(name, name, Type(field.type, field.multiple), True,
                     f"{target.title if target else document}: {field.name}")


