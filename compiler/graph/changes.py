"""A changed workflow as a picture: the new tree with what a plan adds, changes and moves
marked, and what it removes drawn where it stood on the portal.

The marks come from plan's own diff (compiler.deploy.diff), over the same canonical trees, so
the picture and the plan's list of activities always agree. Removed activities are taken from
the portal's tree and put back beside the activities they stood next to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from compiler.catalog import Catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy.diff import diff_trees, pair_trees
from compiler.deploy.plan import Plan, TemplatePlan
from compiler.deploy.read import Snapshot
from compiler.graph import build_graph
from compiler.graph.flow import node_id
from compiler.graph.mermaid import write_mermaid
from compiler.graph.model import START, Graph, Mark
from compiler.graph.source import Activity, Template, copy_tree, from_compiled, from_portal
from compiler.semantics.program import Program

REMOVED = "-"  # ref prefix of activities drawn from the portal's tree
# Under compiler.deploy: `bpl plan` shows that logger's warnings.
_log = logging.getLogger("compiler.deploy.pictures")


def changed_graph(new: Template | None, old: Template | None, catalog: Catalog) -> Graph:
    """The picture of one plan entry: an add (all new), a delete (all removed) or an update."""
    if new is None and old is None:
        raise ValueError("a change needs a template on at least one side")
    if new is None:
        assert old is not None
        gone = _with_roots(old, [copy_tree(root, REMOVED) for root in old.roots])
        graph = build_graph(gone, catalog)
        _mark_all(graph, "removed")
        return graph
    if old is None:
        graph = build_graph(new, catalog)
        _mark_all(graph, "added")
        return graph
    marks: dict[str, Mark] = {}
    roots = [copy_tree(root) for root in new.roots]
    by_ref = {node.ref: node for root in roots for node in root.walk()}
    pairing = pair_trees(old.roots, new.roots)
    for change in diff_trees(old.roots, new.roots):
        if change.kind == "removed":
            assert change.old is not None
            _put_back(change.old, by_ref, pairing.new_of, roots, marks)
        else:
            assert change.new is not None
            subtree = change.new.walk() if change.kind == "added" else [change.new]
            for node in subtree:
                marks[node.ref] = change.kind
    graph = build_graph(_with_roots(new, roots), catalog)
    _apply(graph, marks, {node.ref: node for root in roots for node in root.walk()})
    return graph


def _with_roots(template: Template, roots: list[Activity]) -> Template:
    return Template(template.workflow, template.title, template.document_type,
                    template.auto_execute, roots, template.source, template.spans,
                    template.labels)


def _put_back(old: Activity, by_ref: Mapping[str, Activity], twin_of: Mapping[str, Activity],
              roots: list[Activity], marks: dict[str, Mark]) -> None:
    parent_twin = twin_of.get(old.parent.ref) if old.parent is not None else None
    parent = by_ref.get(parent_twin.ref) if parent_twin is not None else None
    siblings = parent.children if parent is not None else roots
    copy = copy_tree(old, REMOVED, parent)
    # After the new twin of the nearest earlier sibling that kept one, else first.
    position = 0
    earlier = old.parent.children[:old.parent.children.index(old)] if old.parent else []
    for sibling in reversed(earlier):
        twin = twin_of.get(sibling.ref)
        placed = next((i for i, c in enumerate(siblings) if twin is not None
                       and c.ref == twin.ref), None)
        if placed is not None:
            position = placed + 1
            break
    siblings.insert(position, copy)
    for node in copy.walk():
        marks[node.ref] = "removed"


def _mark_all(graph: Graph, mark: Mark) -> None:
    for node in graph.nodes:
        if node.activity or node.id == START:
            node.mark = mark


def _apply(graph: Graph, marks: Mapping[str, Mark], nodes: Mapping[str, Activity]) -> None:
    """Marks onto drawn nodes; a change to something drawn as an edge (a branch's
    condition, an outcome) or not at all marks the nearest drawn ancestor."""
    drawn = {node.id: node for node in graph.nodes}
    for ref, mark in marks.items():
        activity: Activity | None = nodes.get(ref)
        while activity is not None:
            target = drawn.get(START if activity.parent is None else node_id(activity.ref))
            if target is not None:
                if target.mark is None or mark in ("added", "removed"):
                    target.mark = mark
                break
            if mark in ("added", "removed"):
                break  # a structural container: its drawn children carry the mark
            activity = activity.parent


# -- a plan's pictures ----------------------------------------------------------------------------

PlanDiagram = Callable[[TemplatePlan], str | None]


def plan_diagrams(plan: Plan, templates: Sequence[CompiledTemplate], snapshot: Snapshot,
                  catalog: Catalog, program: Program | None = None) -> PlanDiagram:
    """Mermaid text for each changing template of `plan` (None for the rest)."""
    compiled = {t.workflow: t for t in templates}
    pictures: dict[int, str] = {}
    for entry in plan.changes:
        source = compiled.get(entry.workflow) if entry.action != "delete" else None
        row = snapshot.row(entry.template_id) if entry.template_id is not None else None
        if entry.action in ("update", "replace") and (source is None or row is None):
            continue
        new = from_compiled(source, catalog, program) if source is not None else None
        old = from_portal(row, catalog, entry.workflow) if row is not None else None
        if new is None and old is None:
            continue
        try:
            pictures[id(entry)] = write_mermaid(changed_graph(new, old, catalog))
        except Exception as error:  # a picture is extra: never let it stop a plan
            _log.warning("no picture of %s in the plan: %s: %s", entry.workflow,
                         type(error).__name__, error)
    return lambda entry: pictures.get(id(entry))


__all__ = ["PlanDiagram", "changed_graph", "plan_diagrams"]
