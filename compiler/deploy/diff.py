"""Per-activity difference between two canonical templates: what a reviewer needs to read.

Activities are paired before they are compared, so that an insertion shows as one added
activity instead of a shifted tree:

1. by `Name` (and type): the compiler's names are stable hashes and the designer keeps the
   names of activities it did not create, so most pairs are found here;
2. among the still unpaired children of each pair of parents: the longest common subsequence
   of (type, title), then the remaining same-type children in order (an edited title);
3. what is left, anywhere in the trees, by (type, title): those activities moved.

A pair is "moved" when its parents are not a pair, or when it left the longest run of
siblings that kept their order; "changed" when its properties (with references to other
activities translated through the pairing) or its Activated flag differ.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from compiler.bitrix.canonical import Canonical, CanonicalTemplate, Node, rewrite_refs

MISSING: Any = None  # a property the template does not store (its default applies)

ChangeKind = Literal["added", "removed", "moved", "changed"]


@dataclass
class PropertyChange:
    key: str
    old: Any
    new: Any


@dataclass
class ActivityChange:
    kind: ChangeKind
    old: Node | None
    new: Node | None
    properties: list[PropertyChange] = field(default_factory=list)
    activated: tuple[bool, bool] | None = None
    inside: int = 0  # activities inside an added or removed one

    @property
    def node(self) -> Node:
        node = self.new or self.old
        assert node is not None
        return node


@dataclass
class EntryChange:
    """A parameter, variable or constant added, removed or changed."""

    collection: str  # PARAMETERS | VARIABLES | CONSTANTS
    ident: str
    kind: Literal["added", "removed", "changed"]
    old: dict[str, Canonical] | None
    new: dict[str, Canonical] | None
    keys: list[str] = field(default_factory=list)


@dataclass
class HeaderChange:
    field: str  # NAME | DESCRIPTION | AUTO_EXECUTE | DOCUMENT_TYPE
    old: Any
    new: Any


@dataclass
class TemplateDiff:
    header: list[HeaderChange]
    activities: list[ActivityChange]
    entries: list[EntryChange]

    @property
    def empty(self) -> bool:
        return not (self.header or self.activities or self.entries)


# -- pairing -----------------------------------------------------------------------------------


class _Pairing:
    def __init__(self) -> None:
        self.new_of: dict[str, Node] = {}  # old ref → new node
        self.old_of: dict[str, Node] = {}  # new ref → old node

    def add(self, old: Node, new: Node) -> None:
        self.new_of[old.ref] = new
        self.old_of[new.ref] = old

    def has_old(self, node: Node) -> bool:
        return node.ref in self.new_of

    def has_new(self, node: Node) -> bool:
        return node.ref in self.old_of


def _key(node: Node) -> tuple[str, str]:
    return node.type.lower(), node.title


def _lcs_pairs(old: Sequence[Node], new: Sequence[Node],
               key: Callable[[Node], object]) -> list[tuple[Node, Node]]:
    rows, cols = len(old), len(new)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            table[i][j] = (table[i + 1][j + 1] + 1 if key(old[i]) == key(new[j])
                           else max(table[i + 1][j], table[i][j + 1]))
    pairs: list[tuple[Node, Node]] = []
    i = j = 0
    while i < rows and j < cols:
        if key(old[i]) == key(new[j]):
            pairs.append((old[i], new[j]))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _pair_children(old: Node, new: Node, pairing: _Pairing) -> list[tuple[Node, Node]]:
    old_rest = [c for c in old.children if not pairing.has_old(c)]
    new_rest = [c for c in new.children if not pairing.has_new(c)]
    found = _lcs_pairs(old_rest, new_rest, _key)
    for a, b in found:
        pairing.add(a, b)
    for b in new_rest:
        if pairing.has_new(b):
            continue
        match = next((a for a in old_rest if not pairing.has_old(a)
                      and a.type.lower() == b.type.lower()), None)
        if match is not None:
            pairing.add(match, b)
            found.append((match, b))
    return found


def pair_trees(old_roots: Sequence[Node], new_roots: Sequence[Node]) -> _Pairing:
    pairing = _Pairing()
    old_nodes = [n for root in old_roots for n in root.walk()]
    new_nodes = [n for root in new_roots for n in root.walk()]
    by_name = {n.name: n for n in old_nodes if n.name}
    for node in new_nodes:
        twin = by_name.get(node.name) if node.name else None
        if twin is not None and not pairing.has_old(twin) and _key(twin)[0] == _key(node)[0]:
            pairing.add(twin, node)
    for old_root, new_root in zip(old_roots, new_roots, strict=False):
        if not pairing.has_old(old_root) and not pairing.has_new(new_root) \
                and old_root.type.lower() == new_root.type.lower():
            pairing.add(old_root, new_root)
    while True:
        # Children of every pair, top-down; a pass can pair parents whose children wait.
        for node in new_nodes:
            old = pairing.old_of.get(node.ref)
            if old is not None:
                _pair_children(old, node, pairing)
        leftovers = _pair_leftovers(old_nodes, new_nodes, pairing)
        if not leftovers:
            return pairing


def _pair_leftovers(old_nodes: Iterable[Node], new_nodes: Iterable[Node],
                    pairing: _Pairing) -> int:
    waiting: dict[tuple[str, str], list[Node]] = {}
    for node in old_nodes:
        if not pairing.has_old(node):
            waiting.setdefault(_key(node), []).append(node)
    made = 0
    for node in new_nodes:
        if pairing.has_new(node):
            continue
        candidates = waiting.get(_key(node))
        if candidates:
            pairing.add(candidates.pop(0), node)
            made += 1
    return made


# -- comparing pairs ---------------------------------------------------------------------------


def _reordered(new_parent: Node, pairing: _Pairing) -> set[str]:
    """New refs of children that left the longest run of siblings keeping their order."""
    old_parent = pairing.old_of.get(new_parent.ref)
    if old_parent is None:
        return set()
    position = {child.ref: index for index, child in enumerate(old_parent.children)}
    sequence = [(position[old.ref], child) for child in new_parent.children
                if (old := pairing.old_of.get(child.ref)) is not None and old.ref in position]
    # Longest increasing subsequence (quadratic; sibling lists are short).
    best: list[list[Node]] = []
    for index, (pos, child) in enumerate(sequence):
        chain = max((best[k] for k in range(index) if sequence[k][0] < pos), key=len, default=[])
        best.append([*chain, child])
    keep = {n.ref for n in max(best, key=len, default=[])}
    return {child.ref for _, child in sequence if child.ref not in keep}


def _property_changes(old: Node, new: Node,
                      translate: Callable[[str], str]) -> list[PropertyChange]:
    old_props = rewrite_refs(old.properties, translate)
    changes = []
    for key in [*new.properties, *(k for k in old_props if k not in new.properties)]:
        if old_props.get(key, MISSING) != new.properties.get(key, MISSING):
            changes.append(PropertyChange(key, old.raw.get(key, MISSING),
                                          new.raw.get(key, MISSING)))
    return changes


def diff_trees(old_roots: Sequence[Node], new_roots: Sequence[Node]) -> list[ActivityChange]:
    pairing = pair_trees(old_roots, new_roots)

    def translate(ref: str) -> str:
        twin = pairing.new_of.get(ref)
        return twin.ref if twin is not None else f"{ref}(removed)"

    changes: list[ActivityChange] = []
    for root in new_roots:
        moved_here: set[str] = set()
        for node in root.walk():
            moved_here |= _reordered(node, pairing)
            old = pairing.old_of.get(node.ref)
            if old is None:
                if node.parent is None or pairing.has_new(node.parent):
                    changes.append(ActivityChange("added", None, node,
                                                  inside=len(node.walk()) - 1))
                continue
            parents_paired = (old.parent is None) == (node.parent is None) and (
                node.parent is None or pairing.old_of.get(node.parent.ref) is old.parent)
            props = _property_changes(old, node, translate)
            activated = (old.activated, node.activated) if old.activated != node.activated \
                else None
            if not parents_paired or node.ref in moved_here:
                changes.append(ActivityChange("moved", old, node, props, activated))
            elif props or activated:
                changes.append(ActivityChange("changed", old, node, props, activated))
    for root in old_roots:
        for node in root.walk():
            if not pairing.has_old(node) and (node.parent is None or pairing.has_old(node.parent)):
                changes.append(ActivityChange("removed", node, None, inside=len(node.walk()) - 1))
    return changes


# -- collections and header --------------------------------------------------------------------


def diff_entries(collection: str, old: dict[str, dict[str, Canonical]],
                 new: dict[str, dict[str, Canonical]]) -> list[EntryChange]:
    changes: list[EntryChange] = []
    for ident in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(ident), new.get(ident)
        if before is None:
            changes.append(EntryChange(collection, ident, "added", None, after))
        elif after is None:
            changes.append(EntryChange(collection, ident, "removed", before, None))
        elif before != after:
            keys = [k for k in [*after, *(k for k in before if k not in after)]
                    if before.get(k) != after.get(k)]
            changes.append(EntryChange(collection, ident, "changed", before, after, keys))
    return changes


def diff_templates(old: CanonicalTemplate, new: CanonicalTemplate) -> TemplateDiff:
    header = [HeaderChange(name, old.header()[name], value)
              for name, value in new.header().items() if old.header()[name] != value]
    if old.document_key() != new.document_key():
        header.append(HeaderChange("DOCUMENT_TYPE", list(old.document_type),
                                   list(new.document_type)))
    entries = [
        *diff_entries("PARAMETERS", old.parameters, new.parameters),
        *diff_entries("VARIABLES", old.variables, new.variables),
        *diff_entries("CONSTANTS", old.constants, new.constants),
    ]
    activities = diff_trees(old.roots, new.roots) if old.body_hash != new.body_hash else []
    return TemplateDiff(header, activities, entries)
