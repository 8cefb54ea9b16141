"""Typed mistakes made in a project's sources, from their syntax trees.

Every mutant replaces one span of one file. Where a value goes, the place's type is read from
what the language says about it, never from the checker's verdict: a declaration's type, a
document field's catalog type (the binding of the original, unmutated reference), a robot
input's declared type, the kind of an option in the statement table, the catalog type of a
generic activity's property, or the statement itself (the users of `notify`). The value put
there is one that docs/language.md §6.1 marks ✗ for that type, so a mutant that the checker
lets through is a miss, not a matter of taste.

A mutant that is still a valid program is not counted; it carries the rule that excludes it
(`excluded`):
- a misspelling that spells a word the project or the catalog already uses (it may name
  something valid there);
- a swap of two arguments whose values both fit the other's place by §6.1 (a text value fits
  every type but a user's when it begins with words, every value fits a text);
- a value replaced at a place whose type takes any text (string, text, file and raw types).
Removals are made only of what the language requires (`REQUIRED_SETTINGS`, a robot input
declared `required`, a generic activity's property the catalog marks `required`, the users of
a task for people, the fields of `ask`), so none of them is excluded.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from compiler.catalog import Catalog
from compiler.catalog.statements import STATEMENTS, Option, kind_of
from compiler.semantics.model import CheckedWorkflow
from compiler.semantics.program import Program
from compiler.semantics.types import Type
from compiler.source import SourceFile, Span, line_starts
from compiler.syntax import ast

# Wrong literals per kind of place, each a ✗ cell of docs/language.md §6.1: (kind, text).
WRONG = {
    "number": (("text", '"lots"'), ("bool", "true"), ("duration", "3d")),
    "user": (("text", '"somebody"'), ("number", "42"), ("bool", "true")),
    "date": (("text", '"someday"'), ("number", "12"), ("bool", "true")),
    "duration": (("text", '"three days"'), ("number", "5")),
    "bool": (("text", '"maybe"'), ("number", "7"), ("duration", "3d")),
}
# Where the grammar takes a string literal only (a message, a title): a number there.
TEXT_ONLY = ("number", "42")
# Settings the language requires (docs/language.md §7.5): removing one is a mistake.
REQUIRED_SETTINGS = {"task": ("responsible",)}
REQUIRED_ROBOT_SETTINGS = ("handler",)
# A number PHP cannot hold as written (W005) and a vote above a hundred per cent.
HUGE_NUMBER = "99999999999999999999"
OPTION_KINDS = {"users": "user", "user": "user", "date": "date", "duration": "duration",
                "bool": "bool", "int": "number"}
# The kinds of place of a calc function's arguments (stdlib/functions.toml `args`).
FUNCTION_ARGUMENTS = {"date": "date", "interval": "duration", "int": "number", "any": "text"}
REF_CLASSES = {"var": "variable", "param": "parameter", "const": "constant",
               "doc": "document field", "env": "env symbol", "role": "role"}
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Mutant:
    cls: str  # the class of mistake the table groups by
    file: Path  # resolved path of the mutated source
    start: int  # character offsets of the replaced text
    end: int
    replacement: str
    original: str
    excluded: str = ""  # the rule that makes it a valid program ("" when it is counted)
    warnings: tuple[str, ...] = ()  # warning codes that report this mistake, as documented

    def apply(self, text: str) -> str:
        return text[:self.start] + self.replacement + text[self.end:]

    def describe(self) -> str:
        return f"{self.cls}: {self.original!r} → {self.replacement!r}"


def place_kind(type_: Type | None) -> str | None:
    """The kind of place a value of `type_` goes to, or None when any text fits it."""
    if type_ is None:
        return None
    base = type_.base
    if base in ("int", "double"):
        return "number"
    if base in ("date", "datetime"):
        return "date"
    if base in ("user", "bool", "duration"):
        return base
    return None


def misspell(word: str) -> str:
    """One typing mistake: the two letters around the middle swapped (a letter doubled when
    they are the same or the word is one letter long)."""
    if len(word) < 2:
        return word + word
    middle = len(word) // 2
    a, b = word[middle - 1], word[middle]
    if a == b:
        return word[:middle] + word[middle] + word[middle:]
    return word[:middle - 1] + b + a + word[middle + 1:]


class Generator:
    """The mutants of one project, made from its program and its checked workflows."""

    def __init__(self, program: Program, checked: list[CheckedWorkflow], catalog: Catalog,
                 env_names: set[str]) -> None:
        self.program = program
        self.checked = checked
        self.catalog = catalog
        self.known = _known_words(program, catalog, env_names)
        self.out: list[Mutant] = []
        self._starts = {name: line_starts(src.text) for name, src in program.sources.items()}

    def run(self) -> list[Mutant]:
        for workflow in self.checked:
            self._typed_places(workflow)
        for module in self.program.modules:
            self._names(module)
        for robot in self.program.robots.values():
            self._robot_declaration(robot)
        unique: dict[tuple[Path, int, int, str], Mutant] = {}
        for mutant in self.out:
            unique.setdefault((mutant.file, mutant.start, mutant.end, mutant.replacement), mutant)
        return sorted(unique.values(), key=lambda m: (str(m.file), m.start, m.cls,
                                                      m.replacement))

    # ── spans and edits ───────────────────────────────────────────────────────────────────

    def source(self, span: Span) -> SourceFile:
        return self.program.sources[span.file]

    def offsets(self, span: Span) -> tuple[int, int]:
        starts = self._starts[span.file]
        return (starts[span.line - 1] + span.column - 1,
                starts[span.end_line - 1] + span.end_column - 1)

    def text(self, span: Span) -> str:
        start, end = self.offsets(span)
        return self.source(span).text[start:end]

    def edit(self, cls: str, span: Span, replacement: str, *, excluded: str = "",
             warnings: tuple[str, ...] = ()) -> None:
        start, end = self.offsets(span)
        self.edit_at(cls, span.file, start, end, replacement, excluded=excluded,
                     warnings=warnings)

    def edit_at(self, cls: str, file: str, start: int, end: int, replacement: str, *,
                excluded: str = "", warnings: tuple[str, ...] = ()) -> None:
        original = self.program.sources[file].text[start:end]
        if original == replacement:
            return
        self.out.append(Mutant(cls, Path(file).resolve(), start, end, replacement, original,
                               excluded, warnings))

    def misspelt(self, cls: str, file: str, start: int, word: str,
                 warnings: tuple[str, ...] = ()) -> None:
        text = self.program.sources[file].text
        if text[start:start + len(word)] != word:
            return  # the word is not where the tree says (written with spaces, escaped…)
        wrong = misspell(word)
        excluded = "the misspelling is a word the project or the catalog uses" \
            if wrong in self.known else ""
        self.edit_at(f"misspelt {cls}", file, start, start + len(word), wrong,
                     excluded=excluded, warnings=warnings)

    # ── values at typed places ────────────────────────────────────────────────────────────

    def wrong_values(self, expr: ast.Expr, kind: str | None, *, options: tuple[str, ...] = (),
                     warnings: tuple[str, ...] = (), timestamps: bool = False) -> None:
        """Put ✗ literals of §6.1 where a value of `kind` goes (each item of a list).
        `timestamps`: the place reads a number as a Unix timestamp (`wait until`)."""
        if isinstance(expr, ast.ListExpr):
            for item in expr.items:
                self.wrong_values(item, kind, options=options, warnings=warnings)
            return
        if options and isinstance(expr, ast.Text) and expr.is_plain and expr.plain:
            self._select_value(expr, options, warnings)
        if kind is None:
            return
        for value_kind, literal in WRONG[kind]:
            excluded = "wait until reads a number as a Unix timestamp (§13)" \
                if timestamps and value_kind == "number" else ""
            self.edit(f"{value_kind} where {_a(kind)} goes", expr.span, literal,
                      warnings=warnings, excluded=excluded)
        if kind == "number" and isinstance(expr, ast.Number) and isinstance(expr.value, int):
            self.edit("out-of-range number", expr.span, HUGE_NUMBER,
                      warnings=(*warnings, "W005"))
        if kind == "duration" and isinstance(expr, ast.Duration) and expr.amount > 0:
            self.edit("out-of-range duration", expr.span, f"{-expr.amount}{expr.unit}",
                      warnings=warnings)

    def _select_value(self, expr: ast.Text, options: tuple[str, ...],
                      warnings: tuple[str, ...]) -> None:
        wrong = misspell(expr.plain)
        excluded = "the misspelling is another option of the select" if wrong in options else ""
        start, end = self.offsets(expr.span)
        quote = self.source(expr.span).text[start]
        self.edit_at("wrong select value", expr.span.file, start, end, quote + wrong + quote,
                     excluded=excluded, warnings=warnings)

    def _typed_places(self, checked: CheckedWorkflow) -> None:
        workflow = checked.workflow
        for decl in workflow.decls:
            if decl.default is not None:
                declared = Type(decl.type.name, decl.type.multiple)
                options = tuple(o.key for o in decl.type.options)
                self.wrong_values(decl.default, place_kind(declared), options=options)
        for body in _bodies(workflow):
            for stmt in _statements(body):
                self._statement(stmt)
        for state in workflow.states:
            for handler in state.handlers:
                if handler.users is not None:
                    self.wrong_values(handler.users, "user")
                if handler.delay is not None and handler.delay.duration is not None:
                    self.wrong_values(handler.delay.duration, "duration")

    def _statement(self, stmt: ast.Stmt) -> None:
        if isinstance(stmt, ast.SetStmt | ast.AssignStmt):
            assignments = stmt.assignments if isinstance(stmt, ast.SetStmt) \
                else (stmt.assignment,)
            for assignment in assignments:
                binding = assignment.target.binding
                if binding is not None:
                    self.wrong_values(assignment.value, place_kind(binding.value_type),
                                      options=binding.options)
                self._expression(assignment.value)
        elif isinstance(stmt, ast.WaitStmt):
            if stmt.duration is not None:
                self.wrong_values(stmt.duration, "duration")
            if stmt.until is not None:
                self.wrong_values(stmt.until, "date", timestamps=True)
            if stmt.amount is not None:
                self.wrong_values(stmt.amount, "number")
        elif isinstance(stmt, ast.NotifyStmt):
            self.wrong_values(stmt.users, "user")
            self.edit("number where a text literal goes", stmt.text.span, TEXT_ONLY[1])
            self._expression(stmt.text)
        elif isinstance(stmt, ast.LogStmt):
            self.edit("number where a text literal goes", stmt.text.span, TEXT_ONLY[1],
                      excluded="log writes any value (§14)")
            self._expression(stmt.text)
        elif isinstance(stmt, ast.StatusStmt):
            self.edit("number where a text literal goes", stmt.text.span, TEXT_ONLY[1])
            self._expression(stmt.text)
        elif isinstance(stmt, ast.ApproveStmt | ast.ReviewStmt | ast.AskStmt):
            self.wrong_values(stmt.users, "user")
            self._remove_users(stmt)
            if isinstance(stmt, ast.AskStmt) and stmt.fields:
                self._remove_span("removed required part", stmt.fields[0].span,
                                  stmt.fields[-1].span)
        elif isinstance(stmt, ast.AssignUsersStmt):
            self.wrong_values(stmt.users, "user")
        elif isinstance(stmt, ast.IfStmt):
            for branch in stmt.branches:
                if branch.condition is not None:
                    self._condition(branch.condition)
        elif isinstance(stmt, ast.WhileStmt):
            self._condition(stmt.condition)
        elif isinstance(stmt, ast.CallStmt):
            self._call_statement(stmt)
        elif isinstance(stmt, ast.Expansion):
            self._call_statement(stmt.call)
        elif isinstance(stmt, ast.ActivityStmt):
            self._generic(stmt)
        if stmt.opts.title is not None:
            self.edit("number where a text literal goes", stmt.opts.title.span, TEXT_ONLY[1])
        settings = getattr(stmt, "settings", ())
        if settings and not isinstance(stmt, ast.CallStmt):
            self._settings(kind_of(stmt), settings)

    def _settings(self, kind: str, settings: tuple[ast.Setting, ...]) -> None:
        options = STATEMENTS[kind].options
        for setting in settings:
            option: Option | None = options.get(setting.key)
            if option is None:
                continue
            self.wrong_values(setting.value, OPTION_KINDS.get(option.kind))
            if setting.key == "vote" and isinstance(setting.value, ast.Number):
                self.edit("out-of-range number", setting.value.span, "160")
            if option.choices and isinstance(setting.value, ast.Ref) and \
                    len(setting.value.parts) == 1:
                word = setting.value.parts[0]
                start, _ = self.offsets(setting.value.span)
                wrong = misspell(word)
                excluded = "the misspelling is another choice of the option" \
                    if wrong in option.choices else ""
                self.edit_at("wrong option value", setting.span.file, start,
                             start + len(word), wrong, excluded=excluded)
            if setting.key in REQUIRED_SETTINGS.get(kind, ()):
                self._remove_line("removed required part", setting.span)

    def _condition(self, expr: ast.Expr) -> None:
        if isinstance(expr, ast.BoolOp):
            self._condition(expr.left)
            self._condition(expr.right)
        elif isinstance(expr, ast.Not):
            self._condition(expr.operand)
        elif isinstance(expr, ast.Compare):
            for ref, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(ref, ast.Ref) and ref.binding is not None and \
                        not isinstance(other, ast.Ref):
                    kind = place_kind(ref.binding.value_type)
                    ordering = expr.op not in ("==", "!=")
                    # An equality test of a user or a bool with another kind is judged the same
                    # way; an ordering needs numbers or dates on both sides.
                    self.wrong_values(other, kind if kind != "user" or not ordering else None,
                                      options=ref.binding.options)
        elif isinstance(expr, ast.Test) and expr.op in ("in", "not in") and \
                isinstance(expr.operand, ast.Ref) and expr.operand.binding is not None:
            binding = expr.operand.binding
            for arg in expr.args:
                self.wrong_values(arg, place_kind(binding.value_type.single()),
                                  options=binding.options)

    def _expression(self, expr: ast.Expr) -> None:
        """Numbers in arithmetic with a number reference."""
        if isinstance(expr, ast.Text):
            for part in expr.parts:
                if isinstance(part, ast.Expr):
                    self._expression(part)
        elif isinstance(expr, ast.Binary) and expr.op in "+-*/":
            for ref, other in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(ref, ast.Ref) and ref.binding is not None and \
                        isinstance(other, ast.Number) and \
                        place_kind(ref.binding.value_type) == "number":
                    self.edit("text where a number goes", other.span, '"lots"')

    def _call_statement(self, stmt: ast.CallStmt) -> None:
        call = stmt.call
        robot = self.program.robots.get(call.dotted)
        if robot is None:
            macro = self.program.macros.get(call.dotted)
            if macro is not None:
                self._swap_arguments(call.args, "swapped macro arguments",
                                     _macro_places(macro))
            return
        inputs = {io.name: io for io in robot.inputs}
        places: dict[int, str | None] = {}
        for index, arg in enumerate(call.args):
            declared = inputs.get(arg.name or "")
            if declared is None:
                continue
            options = tuple(o.key for o in declared.type.options)
            kind = place_kind(Type(declared.type.name, declared.type.multiple))
            places[index] = kind or "text"
            self.wrong_values(arg.value, kind, options=options)
            if declared.required:
                self._remove_argument(call, index)
        self._swap_arguments(call.args, "swapped robot arguments", places)
        self._settings("call", stmt.settings)

    def _generic(self, stmt: ast.ActivityStmt) -> None:
        spec = self.catalog.activity(stmt.type_name)
        if spec is None:
            return
        for entry in stmt.properties.entries:
            prop = spec.properties.get(entry.key)
            if prop is None:
                continue
            self.wrong_values(entry.value, place_kind(Type(prop.type)), warnings=("W204",))
            if prop.required:
                self._remove_line("removed required part", entry.span)

    # ── removals and swaps ────────────────────────────────────────────────────────────────

    def _remove_users(self, stmt: ast.ApproveStmt | ast.ReviewStmt | ast.AskStmt) -> None:
        """`approve "…" by USERS` → `approve "…"`: the task goes to nobody."""
        start = self.offsets(stmt.name.span)[1]
        end = self.offsets(stmt.users.span)[1]
        self.edit_at("removed required part", stmt.span.file, start, end, "")

    def _remove_line(self, cls: str, span: Span) -> None:
        start, end = self.offsets(span)
        text = self.source(span).text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        if text[line_start:start].strip() == "" and text[end:line_end].strip(" ,") == "":
            start, end = line_start, line_end + 1
        self.edit_at(cls, span.file, start, end, "")

    def _remove_span(self, cls: str, first: Span, last: Span) -> None:
        self._remove_line(cls, dataclasses.replace(first, end_line=last.end_line,
                                                   end_column=last.end_column))

    def _remove_argument(self, call: ast.Call, index: int) -> None:
        args = call.args
        start, end = self.offsets(args[index].span)
        if index + 1 < len(args):
            end = self.offsets(args[index + 1].span)[0]
        elif index > 0:
            start = self.offsets(args[index - 1].span)[1]
        self.edit_at("removed required part", call.span.file, start, end, "")

    def _swap_arguments(self, args: tuple[ast.Arg, ...], cls: str,
                        places: dict[int, str | None] | None) -> None:
        """The first two arguments (their values, for named ones) change places. With the
        places' kinds known, a swap of two values that fit each other's place is excluded."""
        if len(args) < 2:
            return
        first, second = args[0].value, args[1].value
        a, b = self.text(first.span), self.text(second.span)
        if a == b:
            return
        start, _ = self.offsets(first.span)
        _, end = self.offsets(second.span)
        between = self.source(first.span).text[self.offsets(first.span)[1]:
                                                 self.offsets(second.span)[0]]
        excluded = ""
        if places is not None and _fits(first, places.get(1)) and _fits(second, places.get(0)):
            excluded = "each value fits the other's place (§6.1)"
        self.edit_at(cls, first.span.file, start, end, b + between + a, excluded=excluded)

    # ── names ─────────────────────────────────────────────────────────────────────────────

    def _names(self, module: ast.Module) -> None:
        # A workflow's document type (`crm.deal`) is a name of its own (_workflow_head), not a
        # label's result.
        documents = {id(w.document) for w in module.workflows}
        for node in _nodes(module):
            if id(node) not in documents:
                self._name(node)

    def _name(self, node: ast.Node) -> None:
        file = node.span.file
        if isinstance(node, ast.Ref):
            self._ref(node)
        elif isinstance(node, ast.Call):
            start, _ = self.offsets(node.name_span)
            if node.dotted in self.program.macros:
                cls = "macro name"
            elif node.dotted in self.program.robots:
                cls = "robot name"
            elif (function := self.catalog.function(node.dotted)) is not None:
                cls = "function name"
                self._swap_arguments(node.args, "swapped function arguments",
                                     {i: FUNCTION_ARGUMENTS[k]
                                      for i, k in enumerate(function.args)})
            else:
                return  # user(…), group(…), a document type: kept
            self.misspelt(cls, file, start, node.dotted)
        elif isinstance(node, ast.Modified):
            start, end = self.offsets(node.span)
            text = self.source(node.span).text[start:end]
            bar = text.rfind("|")
            for match in WORD.finditer(text, bar + 1):
                self.misspelt("modifier", file, start + match.start(), match.group())
        elif isinstance(node, ast.Setting):
            start, _ = self.offsets(node.key_span)
            self.misspelt("option key", file, start, node.key)
        elif isinstance(node, ast.GotoStmt):
            start, _ = self.offsets(node.state_span)
            self.misspelt("state", file, start, node.state)
        elif isinstance(node, ast.Decl | ast.FieldDecl):
            start, _ = self.offsets(node.type.span)
            self.misspelt("type name", file, start, node.type.name)
        elif isinstance(node, ast.Workflow):
            self._workflow_head(node)
        elif isinstance(node, ast.ActivityStmt):
            start, _ = self.offsets(node.type_span)
            self.misspelt("activity type", file, start, node.type_name, warnings=("W302",))
            for entry in node.properties.entries:
                start, _ = self.offsets(entry.key_span)
                self.misspelt("activity property", file, start, entry.key, warnings=("W301",))
        if isinstance(node, ast.Stmt):
            self._keyword(node)

    def _ref(self, ref: ast.Ref) -> None:
        start, _ = self.offsets(ref.span)
        text = self.source(ref.span).text
        if text[start:start + len(ref.dotted)] != ref.dotted:
            return
        head = ref.parts[0]
        if len(ref.parts) == 1:
            cls = "macro parameter" if ref.span.file not in self._workflow_files() \
                else "loop item"
            self.misspelt(cls, ref.span.file, start, head)
            return
        if head in REF_CLASSES:
            offset = start + len(head) + 1
            self.misspelt(REF_CLASSES[head], ref.span.file, offset, ref.parts[1])
        elif head not in ("system", "global", "workflow", "user", "group"):
            self.misspelt("label", ref.span.file, start, head)
            self.misspelt("result", ref.span.file, start + len(head) + 1, ref.parts[1])

    def _workflow_files(self) -> set[str]:
        return {w.span.file for w in self.program.workflows}

    def _workflow_head(self, workflow: ast.Workflow) -> None:
        file = workflow.span.file
        document = workflow.document
        name = document.dotted if isinstance(document, ast.Ref | ast.Call) else ""
        if name:
            start, _ = self.offsets(document.span)
            last = name.rsplit(".", 1)[-1]
            self.misspelt("document type", file, start + len(name) - len(last), last)
        for event, span in workflow.autostart:
            start, _ = self.offsets(span)
            self.misspelt("autostart event", file, start, event)

    def _keyword(self, stmt: ast.Stmt) -> None:
        row = STATEMENTS.get(kind_of(stmt))
        if row is None or not row.head:
            return
        start, _ = self.offsets(stmt.span)
        self.misspelt("statement keyword", stmt.span.file, start, row.head[0])

    def _robot_declaration(self, robot: ast.RobotDecl) -> None:
        for setting in robot.settings:
            if setting.key in REQUIRED_ROBOT_SETTINGS:
                self._remove_line("removed required part", setting.span)
        for io in robot.inputs:
            if io.default is not None:
                self.wrong_values(io.default, place_kind(Type(io.type.name, io.type.multiple)))


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeio" else "a ") + kind


def _fits(value: ast.Expr, place: str | None) -> bool:
    """§6.1 for a value moved to a place: every value fits a text place, a text value (a
    reference of a text type, a string with interpolations) fits every place but a user's
    when it begins with words, and a value of the place's own kind fits it."""
    if place in (None, "text"):
        return True
    if isinstance(value, ast.Ref) and value.binding is not None:
        kind = place_kind(value.binding.value_type)
        return kind is None or kind == place or (kind == "number" and place == "bool")
    if isinstance(value, ast.Text) and not value.is_plain:
        # A text with interpolations; where users go, only if it does not begin with words.
        lead = value.parts[0] if isinstance(value.parts[0], str) else ""
        return place != "user" or not lead or lead.startswith(("user_", "group_"))
    return False


def _macro_places(macro: ast.MacroDecl) -> dict[int, str | None]:
    """The kind of place each macro parameter is used at: users of a statement, else text."""
    places: dict[int, str | None] = {i: "text" for i in range(len(macro.params))}
    for stmt in _statements(macro.body):
        users = getattr(stmt, "users", None)
        if isinstance(users, ast.Ref) and len(users.parts) == 1 and users.parts[0] in \
                macro.params:
            places[macro.params.index(users.parts[0])] = "user"
    return places


def _bodies(workflow: ast.Workflow) -> list[tuple[ast.Stmt, ...]]:
    if workflow.kind == "statemachine":
        return [h.body for s in workflow.states for h in s.handlers]
    return [workflow.body]


def _statements(body: tuple[ast.Stmt, ...]) -> Iterator[ast.Stmt]:
    """Every statement of a body, not those a macro call stands for (their text is the
    macro's, mutated once in its own file)."""
    from compiler.semantics.walk import child_bodies

    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.Expansion):
            continue
        for child in child_bodies(stmt):
            yield from _statements(child)


def _nodes(node: object) -> Iterator[ast.Node]:
    """Every node under `node`, in source order of the fields."""
    if isinstance(node, ast.Node):
        yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            if f.name in ("binding", "span") or not f.compare:
                continue
            yield from _nodes(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from _nodes(item)


def _known_words(program: Program, catalog: Catalog, env_names: set[str]) -> set[str]:
    """Every word a misspelling could hit by chance and still mean something."""
    words: set[str] = set(env_names)
    for source in program.sources.values():
        words.update(WORD.findall(source.text))
    for name, activity in catalog.activities.items():
        words.add(name)
        words.update(activity.properties)
        words.update(activity.returns)
    words.update(catalog.functions)
    words.update(catalog.modifiers)
    for name in catalog.documents:
        document = catalog.documents[name]
        words.update(name.split("."))
        words.update(document.fields)
    for row in STATEMENTS.values():
        words.update(row.words)
        words.update(row.options)
        for option in (*row.options.values(), *row.parts.values()):
            words.update(str(c) for c in option.choices)
    return words
