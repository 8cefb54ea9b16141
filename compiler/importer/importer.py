"""One template → one formatted .bpl workflow, checked by compiling it back.

Rounds: write the workflow (the language's statements where they fit), compile it, compare the
result with the template in `plan`'s canonical form; every node that compiles differently (or
whose statement does not compile) is written in the generic form next round. A handful of
rounds settles any template; what still differs is listed in the report, never dropped
silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import Any

from compiler.bitrix import Activity, Template, TemplateShapeError
from compiler.bitrix.canonical import Normaliser
from compiler.catalog import Catalog, load_catalog
from compiler.diagnostics import Diagnostic, Diagnostics
from compiler.format import format_module
from compiler.format.strings import Unprintable
from compiler.importer.declarations import declare_all, report_undeclarable
from compiler.importer.document import Document, DocumentError, from_triple
from compiler.importer.environment import ImportEnvironment
from compiler.importer.names import is_name, slug
from compiler.importer.nodes import Node, Path
from compiler.importer.permissions import permissions
from compiler.importer.report import Report, printable
from compiler.importer.scope import NOWHERE, Scope
from compiler.importer.source import TemplateSource
from compiler.importer.tree import (
    Plan,
    TreeBuilder,
    assign_labels,
    describe,
    name_hints,
    state_names,
    walk,
)
from compiler.importer.values import Values
from compiler.importer.verify import compare, compile_text, errors, innermost, statement_pairs
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module

MAX_ROUNDS = 12
# Deeper than any real template; each level costs a few Python frames in every stage.
MAX_DEPTH = 100
MAX_ACTIVITIES = 5000
_ROOTS = {"sequentialworkflowactivity": "sequential", "statemachineworkflowactivity":
          "statemachine"}


class ImportError_(ValueError):
    """A template that cannot be imported at all; the message is for the user."""


@dataclass
class ImportResult:
    workflow: str
    text: str
    report: Report


@dataclass
class _Round:
    text: str  # as written
    check_text: str  # as compiled by the check (imports by absolute paths)
    workflow: ast.Workflow
    builder: TreeBuilder
    report: Report
    root: Node
    template: Template


class Importer:
    def __init__(self, catalog: Catalog | None = None, *, env: ImportEnvironment | None = None,
                 out_dir: FilePath | None = None) -> None:
        """`env`: the environment values map back to (`--env`); `out_dir`: where the files
        go, for the paths of their `import`s."""
        self.catalog = catalog or load_catalog()
        self.env = env
        self.out_dir = out_dir or FilePath(".")
        self.normaliser = Normaliser(self.catalog)
        self.functions = self.catalog.functions

    def run(self, source: TemplateSource, document: Document | None = None) -> ImportResult:
        """Raises ImportError_ for a template without a usable root or document type."""
        binary: list[str] = []
        source = replace(source, package=_decoded(source.package, binary))
        template, kind = self._read(source.package)
        if document is None:
            if source.document_type is None:
                raise ImportError_("the document type is unknown; give it with --document "
                                   "(crm.deal, lists.element(42), …)")
            document = from_triple(self.catalog, source.document_type)
        elif source.document_type is None:
            source = replace(source, document_type=document.triple)
        name = self._workflow_name(source, template.root)
        plan = Plan()
        for _ in range(MAX_ROUNDS):
            current = self._round(source, document, template, kind, name, plan)
            if binary:
                current.report.lossy("texts", f"{len(binary)} text(s) are not UTF-8; invalid "
                                              "bytes are replaced by U+FFFD")
            if not self._improve(source, current, plan):
                return ImportResult(name, current.text, current.report)
        current.report.differences.append(
            f"the check did not settle in {MAX_ROUNDS} rounds; the last one is written")
        return ImportResult(name, current.text, current.report)

    # ── one round ────────────────────────────────────────────────────────────────────────
    def _round(self, source: TemplateSource, document: Document, template: Template,
               kind: str, name: str, plan: Plan) -> _Round:
        report = Report(source.origin, name)
        root = Node(template.root, ())
        field_hints, state_hints = name_hints(root)
        scope = Scope(self.catalog, document.spec, document.user_groups,
                      field_types=_field_types(template.document_fields),
                      field_hints=field_hints, env=self.env)
        values = Values(scope, self.functions)
        report_undeclarable(source.package, report)
        decls = declare_all(template, values, report)
        for decl in decls:
            if decl.name in plan.drop_defaults:
                report.lossy(f"{decl.kind} {decl.name}", "the default does not pass the checker;"
                                                         " dropped")
        decls = [_without_default(d) if d.name in plan.drop_defaults else d for d in decls]
        assign_labels(root, scope, plan.unlabelled)
        states: dict[str, str] | None = None
        if kind == "statemachine":
            state_nodes_raw = [c for c in root.children if c.type == "StateActivity"]
            states = state_names(state_nodes_raw, plan.keep_state_names, state_hints)
            if plan.keep_state_names:  # states keep their Names: naming them stays right
                scope.activities -= {s.name for s in state_nodes_raw}
        builder = TreeBuilder(values, self.catalog, document, plan, report, states, self.env)
        body: tuple[ast.Stmt, ...] = ()
        state_nodes: tuple[ast.State, ...] = ()
        if states is not None:
            state_nodes = builder.states(root, states)
        else:
            body = builder.sequential(root)
        title, root_title = self._titles(source, root, values)
        workflow = ast.Workflow(
            NOWHERE, kind, name, NOWHERE, _document_expr(document.expr, scope), title,
            values.text(source.description) if source.description else None,
            _autostart(source.auto_execute, report), tuple(decls), _fields(scope), body,
            state_nodes, root_title,
            permissions(root.properties.get("Permission"), values, report, describe(root)))
        unread = {n for n, label in scope.labels.items() if label not in _heads(workflow)}
        if unread - plan.unlabelled:
            # A loop read only by its own body needs no label: the body reads its variable.
            plan.unlabelled |= unread
            return self._round(source, document, template, kind, name, plan)
        files = sorted(builder.robots.files)
        try:
            text = format_module(ast.Module(NOWHERE, (
                *(ast.Import(NOWHERE, self._relative(w)) for _, w in files), workflow)))
            check_text = format_module(ast.Module(NOWHERE, (
                *(ast.Import(NOWHERE, f.as_posix()) for f, _ in files), workflow)))
        except Unprintable as error:  # pragma: no cover - the importer only builds printables
            raise ImportError_(f"internal error: {error}") from None
        report.statements = len(builder.origins(workflow))
        report.generic = len(builder.generic_paths)
        for path in sorted(builder.generic_paths):
            report.add("generic", builder.where.get(path, str(path)),
                       "written in the generic activity form")
        _verbatim(workflow, report)
        for note in values.notes:
            report.lossy("texts", note)
        for dangling in dict.fromkeys(values.dangling):
            report.add("dangling", dangling, "reads an activity the template does not have; "
                                             "Bitrix reads it as a plain list")
        return _Round(text, check_text, workflow, builder, report, root, template)

    def _relative(self, file: FilePath) -> str:
        """`file` as an import of a file written to the output folder."""
        return FilePath(os.path.relpath(file, self.out_dir.resolve())).as_posix()

    def _titles(self, source: TemplateSource, root: Node,
                values: Values) -> tuple[ast.Text | None, ast.Text | None]:
        """`title` (the template's NAME where known, else the root's Title) and `root title`
        when the root's Title is another text."""
        raw = root.properties.get("Title")
        title = values.any_text(raw) if raw is not None else None
        if source.name is None or (isinstance(raw, str) and raw == source.name):
            return title, None
        return values.text(source.name), title

    # ── checking a round ─────────────────────────────────────────────────────────────────
    def _improve(self, source: TemplateSource, current: _Round, plan: Plan) -> bool:
        """Compile and compare; widen the plan. False when nothing more can be done."""
        report = current.report
        result = compile_text(current.check_text, current.workflow.name,
                              self.env.env if self.env is not None else None)
        problems = errors(result)
        if problems:
            changed = self._after_errors(current, problems, plan)
            if not changed:
                report.equivalent = False
                report.differences = [f"compile error {d.code}: {d.message} (line "
                                      f"{d.span.line})" for d in problems]
            return changed
        template = result.templates[0]
        original = self.normaliser.template(current.template, source.header())
        comparison = compare(original, template, self.normaliser, header=source.name is not None)
        builder = current.builder
        statements = set(builder.origins(current.workflow))
        widened = False
        for path in comparison.nodes:
            owner = path
            while owner and owner not in statements:
                owner = owner[:-1]
            if owner in statements and owner not in builder.generic_paths:
                plan.generic.add(owner)
                widened = True
        if widened:
            return True
        if not plan.keep_state_names and _names_states_verbatim(current.root, builder):
            plan.keep_state_names = True  # a generic SetState names its state verbatim
            return True
        report.equivalent = comparison.equal
        report.header_compared = source.name is not None
        report.differences = [f"{describe(_at(current.root, p))}: "
                              f"{comparison.details.get(p, 'compiles differently')}"
                              for p in comparison.nodes] + comparison.other
        return False

    def _after_errors(self, current: _Round, problems: list[Diagnostic], plan: Plan) -> bool:
        diagnostics = Diagnostics()
        parsed = parse_module(SourceFile.from_text("import.bpl", current.check_text),
                              diagnostics)
        if parsed is None:
            return False
        workflow = parsed.workflows[0]
        pairs = list(statement_pairs(current.workflow, workflow))
        changed = False
        for problem in problems:
            stmt = innermost(pairs, problem)
            path = current.builder.origin(stmt) if stmt is not None else None
            if path is not None and path not in current.builder.generic_paths:
                plan.generic.add(path)
                changed = True
                continue
            if path is not None and path not in plan.plain:
                plan.plain.add(path)
                changed = True
                continue
            decl = _decl_at(workflow, problem)
            if decl is not None and decl.default is not None and \
                    decl.name not in plan.drop_defaults:
                plan.drop_defaults.add(decl.name)
                changed = True
        return changed

    # ── the template as a whole ──────────────────────────────────────────────────────────
    def _read(self, package: Mapping[str | int, Any]) -> tuple[Template, str]:
        """The template as a Template, and whether it is sequential or a state machine."""
        roots = package.get("TEMPLATE")
        if isinstance(roots, Mapping):
            roots = list(roots.values())
        if not isinstance(roots, list) or len(roots) != 1 or not isinstance(roots[0], Mapping):
            raise ImportError_("TEMPLATE must hold exactly one root activity")
        try:
            template = Template.from_package(package)
        except TemplateShapeError as error:
            raise ImportError_(f"the template is damaged: {error.sentence}") from None
        depth, count = _size(template.root)
        if depth > MAX_DEPTH:
            raise ImportError_(f"activities nest more than {MAX_DEPTH} levels deep")
        if count > MAX_ACTIVITIES:
            raise ImportError_(f"the template has more than {MAX_ACTIVITIES} activities")
        kind = _ROOTS.get(template.root.type.lower())
        if kind is None:
            raise ImportError_(f"a {printable(template.root.type, 60)} root has no .bpl form "
                               "(only sequential and state-machine workflows have)")
        return template, kind

    def _workflow_name(self, source: TemplateSource, root: Activity) -> str:
        if source.workflow and is_name(source.workflow):
            return source.workflow
        title = root.properties.get("Title")
        for candidate in (source.suggested, source.name, title if isinstance(title, str)
                          else None):
            if candidate:
                return slug(candidate, "workflow")
        return "imported"


def _document_expr(expr: ast.Expr, scope: Scope) -> ast.Expr:
    """`lists.element(env.vacation_list)` for an id that is an env symbol's value."""
    if not isinstance(expr, ast.Call) or len(expr.args) != 1 or \
            not isinstance(expr.args[0].value, ast.Number):
        return expr
    symbol = scope.env_ref(expr.args[0].value.value)
    if symbol is None:
        return expr
    return ast.Call(expr.span, expr.name, (ast.Arg(NOWHERE, None, symbol),), expr.name_span)


def _at(root: Node, path: Path) -> Node:
    node = root
    for index in path:
        node = node.children[index]
    return node


def _names_states_verbatim(root: Node, builder: TreeBuilder) -> bool:
    return any(n.type == "SetStateActivity" and n.path in builder.generic_paths
               for n in walk(root))


def _size(root: Activity) -> tuple[int, int]:
    """(depth, number of activities), counted without recursion and without going further
    than the limits."""
    deepest, count = 0, 0
    stack = [(root, 1)]
    while stack and count <= MAX_ACTIVITIES:
        node, depth = stack.pop()
        deepest, count = max(deepest, depth), count + 1
        if depth <= MAX_DEPTH:
            stack.extend((child, depth + 1) for child in node.children)
    return deepest, count


def _decoded(value: Any, binary: list[str]) -> Any:
    """`value` with texts that are not UTF-8 (bytes from the unpacker) made strings."""
    if isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
        binary.append(text)
        return text
    if isinstance(value, list):
        return [_decoded(item, binary) for item in value]
    if isinstance(value, Mapping):
        return {(k.decode("utf-8", "replace") if isinstance(k, bytes) else k):
                _decoded(v, binary) for k, v in value.items()}
    return value


def _field_types(raw: Any) -> dict[str, tuple[str, bool, str]]:
    """code → (type, multiple, label) of the document fields a .bpt lists."""
    out: dict[str, tuple[str, bool, str]] = {}
    if isinstance(raw, Mapping):
        for code, spec in raw.items():
            if isinstance(spec, Mapping):
                out[str(code)] = (str(spec.get("Type") or "string"),
                                  str(spec.get("Multiple")) in ("1", "Y", "True"),
                                  str(spec.get("Name") or ""))
    return out


def _fields(scope: Scope) -> tuple[ast.FieldDecl, ...]:
    from compiler.importer.values import text_node

    out = []
    for declared in scope.fields.values():
        code: ast.Expr | None = scope.env_ref(declared.code) or (
            text_node(declared.code) if declared.code != declared.name else None)
        label = text_node(declared.label) if declared.label else None
        out.append(ast.FieldDecl(NOWHERE, declared.name, NOWHERE, declared.type, code, label))
    return tuple(out)


def _autostart(auto_execute: int | None, report: Report) -> tuple[tuple[str, Any], ...]:
    if not auto_execute:
        return ()
    events = [name for bit, name in ((1, "create"), (2, "edit")) if auto_execute & bit]
    if auto_execute & ~3:
        report.lossy("AUTO_EXECUTE", f"{auto_execute} has events .bpl cannot start on "
                                     "(only create and edit); they are dropped")
    return tuple((name, NOWHERE) for name in events)


def _without_default(decl: ast.Decl) -> ast.Decl:
    return ast.Decl(decl.span, decl.kind, decl.name, decl.name_span, decl.type, None,
                    decl.required, decl.label, decl.description)


def _decl_at(workflow: ast.Workflow, problem: Diagnostic) -> ast.Decl | None:
    at = (problem.span.line, problem.span.column)
    for decl in workflow.decls:
        span = decl.span
        if (span.line, span.column) <= at < (span.end_line, span.end_column):
            return decl
    return None


def _values(root: object) -> Iterator[object]:
    """`root` and everything in it, in source order: the nodes, options and tuples of the AST
    and the plain values they hold (a stack rather than recursion, like `_size`)."""
    stack = [root]
    while stack:
        value = stack.pop()
        yield value
        if isinstance(value, tuple):
            stack.extend(reversed(value))
        elif isinstance(value, ast.Node | ast.StmtOpts):
            fields = getattr(value, "__dataclass_fields__", {})
            stack.extend(getattr(value, name) for name in reversed(fields))


def _heads(workflow: ast.Workflow) -> set[str]:
    """The first names of every reference in the workflow."""
    return {value.parts[0] for value in _values(workflow) if isinstance(value, ast.Ref)}


def _verbatim(workflow: ast.Workflow, report: Report) -> None:
    """Report the Bitrix texts kept as written (field tokens and formulas without a .bpl
    expression that gives them back exactly)."""
    seen: set[str] = set()
    for value in _values(workflow):
        if isinstance(value, ast.RawBitrix) and value.text not in seen:
            seen.add(value.text)
            report.add("verbatim", value.text, "kept as Bitrix text")


__all__ = ["DocumentError", "ImportError_", "ImportResult", "Importer", "Path"]
