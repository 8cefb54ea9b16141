"""The one place the graph package reads a Bitrix template: everything else sees `Template`
and its tree of `Activity` nodes (type, Name, ref, title, Activated, properties, children).

The tree is plan's canonical `Node` (compiler.bitrix.canonical) made from the typed template
(compiler.bitrix): the same reading of a compiled template and of a portal row that `plan`
diffs, so a diagram of a plan marks exactly the activities the plan lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.bitrix import Template as Bitrix
from compiler.bitrix.canonical import Node, Normaliser, document_type_of, template_of_row
from compiler.catalog import Catalog
from compiler.codegen import CompiledTemplate
from compiler.semantics.program import Program
from compiler.source import Span
from compiler.syntax import ast

Activity = Node

STATE_MACHINE = "statemachineworkflowactivity"


@dataclass
class Template:
    """One workflow as Bitrix runs it."""

    workflow: str  # the .bpl name (or the portal's NAME for a template without sources)
    title: str
    document_type: tuple[str, str, str]
    auto_execute: int
    roots: list[Activity]
    source: Bitrix  # the template as Bitrix stores it (declarations, properties as written)
    spans: Mapping[str, Span] = field(default_factory=dict)  # activity Name → statement
    labels: Mapping[str, str] = field(default_factory=dict)  # activity Name → .bpl label

    @property
    def root(self) -> Activity | None:
        return self.roots[0] if self.roots else None

    def activities(self) -> list[Activity]:
        return [node for root in self.roots for node in root.walk()]

    @property
    def is_state_machine(self) -> bool:
        return self.root is not None and kind(self.root) == STATE_MACHINE


def kind(activity: Activity) -> str:
    """The activity type in lower case: PHP class names compare case-insensitively."""
    return activity.type.lower()


def title(activity: Activity) -> str:
    return activity.title


def prop(activity: Activity, key: str) -> Any:
    """A property as stored (not canonicalised), or None."""
    return activity.raw.get(key)


def from_compiled(template: CompiledTemplate, catalog: Catalog,
                  program: Program | None = None) -> Template:
    """`program` (the sources it was compiled from) gives activities their .bpl labels."""
    made = Template(
        workflow=template.workflow, title=template.name,
        document_type=(template.document_type[0], template.document_type[1],
                       template.document_type[2]),
        auto_execute=template.auto_execute,
        roots=Normaliser(catalog).tree(template.template.roots), source=template.template,
        spans=template.spans)
    if program is not None:
        made.labels = _labels(made, _labelled_spans(program))
    return made


def _labelled_spans(program: Program) -> dict[Span, str]:
    """Span of every labelled statement (`… as head_vote`) → its label."""
    found: dict[Span, str] = {}
    seen: set[int] = set()

    def visit(item: Any) -> None:
        if id(item) in seen or not isinstance(item, ast.Node | tuple | list):
            return
        seen.add(id(item))
        if isinstance(item, tuple | list):
            for element in item:
                visit(element)
            return
        opts = getattr(item, "opts", None)
        if isinstance(opts, ast.StmtOpts) and opts.label:
            found.setdefault(item.span, opts.label)
        for slot in _slots(type(item)):
            visit(getattr(item, slot, None))

    for workflow in program.workflows:
        visit(workflow)
    for macro in program.macros.values():
        visit(macro)
    return found


def _slots(cls: type) -> list[str]:
    return [slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())]


def _labels(template: Template, spans: Mapping[Span, str]) -> dict[str, str]:
    # A container's branches share its statement's span; the statement's own activity comes
    # first in the walk, so it takes the label.
    labels: dict[str, str] = {}
    taken: set[str] = set()
    for activity in template.activities():
        span = template.spans.get(activity.name)
        label = spans.get(span) if span is not None else None
        if label is not None and label not in taken:
            labels[activity.name] = label
            taken.add(label)
    return labels


def from_portal(row: Mapping[str, Any], catalog: Catalog, workflow: str = "") -> Template:
    """A `template.list` row (the portal's side of a plan); TemplateShapeError when its
    template data is damaged."""
    name = row.get("NAME")
    raw_auto = str(row.get("AUTO_EXECUTE") or "0").strip()
    source = template_of_row(row)
    return Template(
        workflow=workflow or str(name or ""), title=str(name or ""),
        document_type=document_type_of(row),
        auto_execute=int(raw_auto) if raw_auto.isdigit() else 0,
        roots=Normaliser(catalog).tree(source.roots), source=source)


def copy_tree(activity: Activity, ref_prefix: str = "",
              parent: Activity | None = None) -> Activity:
    """A copy of `activity`'s subtree whose refs carry `ref_prefix` (so that nodes of two trees
    drawn in one diagram keep distinct ids)."""
    node = Node(type=activity.type, name=activity.name, ref=ref_prefix + activity.ref,
                activated=activity.activated, properties=activity.properties,
                raw=activity.raw, parent=parent)
    node.children = [copy_tree(child, ref_prefix, node) for child in activity.children]
    return node
