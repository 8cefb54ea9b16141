"""The keys of a generic activity (`activity Type "Title" { Key: value }`) against the catalog:
which are properties of the type, which are the condition a branch or a loop carries, and
which are neither (W301, with the key it may have meant)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from compiler.catalog import ActivitySpec, Catalog
from compiler.semantics.suggestions import did_you_mean

# The keys every node may hold besides its type's properties.
NODE_KEYS = ("Title",)

KeyKind = Literal["property", "condition", "node", "unknown"]


@dataclass(frozen=True, slots=True)
class UnknownKey:
    message: str
    help: str


def key_kind(catalog: Catalog, spec: ActivitySpec, key: str) -> KeyKind:
    """What a key of a catalogued activity is. A condition is stored as a property named after
    its condition class (truecondition, propertyvariablecondition…), on the types that carry
    one (IfElseBranchActivity, WhileActivity: the catalog's `condition`). The class reads the
    first key that names a condition class and ignores the keys after it (InitializeFromArray,
    [ZW] bitrix/activities/bitrix/ifelsebranchactivity/ifelsebranchactivity.php)."""
    if key in spec.properties:
        return "property"
    if key in NODE_KEYS:
        return "node"
    if spec.condition != "none" and catalog.condition(key) is not None:
        return "condition"
    return "unknown"


def unknown_key(catalog: Catalog, spec: ActivitySpec, type_name: str, key: str) -> UnknownKey:
    """The W301 message and help for a key the type does not read."""
    message = f"{type_name} has no property '{key}'"
    if catalog.condition(key) is not None:
        carriers = sorted(t for t, a in catalog.activities.items() if a.condition != "none")
        return UnknownKey(message, f"'{key}' is a condition; only {', '.join(carriers)} carry "
                                   "one (write `if` or `while`)")
    known = [*spec.properties]
    if spec.condition != "none":
        known += list(catalog.conditions)
    hint = did_you_mean(key, known)
    return UnknownKey(message, hint or "Bitrix ignores unknown properties")
