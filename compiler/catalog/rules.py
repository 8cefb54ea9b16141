"""Bitrix's own import rules over a template tree, in one place for the compiler and the sandbox.

Import (CBPWorkflowTemplateLoader::importTemplate) first runs every activity's
ValidateProperties — deactivated ones too — and then, skipping deactivated subtrees, each
container's ValidateChild. The compiler maps violations back to .bpl lines; the sandbox turns
them into the REST error texts Bitrix answers with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from compiler.catalog.loader import Catalog
from compiler.catalog.models import ActivitySpec

REST_PREFIX = "rest_"

# A registered app activity, as `rest_lookup` returns it: {code: {"REQUIRED", "DEFAULT", "NAME"}}
RestLookup = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Violation:
    node: dict[str, Any]
    stage: str  # "properties" (ValidateProperties) or "children" (ValidateChild)
    message: str  # Bitrix's text, without the "Action '<Title>': " prefix
    property: str | None = None


def is_empty_value(value: Any) -> bool:
    """`CBPHelper::isEmptyValue`: null, '' or an array of nothing but empty values."""
    if value is None or value == "":
        return True
    if isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        return all(is_empty_value(item) for item in items)
    return False


def not_found(activity_type: str) -> str:
    return f"Activity was not found ({activity_type})"


def walk(nodes: list[Any]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        if isinstance(node, dict):
            yield node
            yield from walk(children(node))


def children(node: dict[str, Any]) -> list[Any]:
    value = node.get("Children")
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


def properties(node: dict[str, Any]) -> dict[str, Any]:
    value = node.get("Properties")
    return value if isinstance(value, dict) else {}


def property_violations(catalog: Catalog, roots: list[Any],
                        rest_lookup: RestLookup | None = None) -> list[Violation]:
    """ValidateProperties of every activity, deactivated ones included."""
    found: list[Violation] = []
    for node in walk(roots):
        activity_type = str(node.get("Type") or "")
        props = properties(node)
        if activity_type.lower().startswith(REST_PREFIX):
            found.extend(_rest_violations(node, activity_type, props, rest_lookup))
            continue
        spec = catalog.activity(activity_type) if activity_type else None
        if spec is None:
            found.append(Violation(node, "properties", not_found(activity_type)))
            continue
        for name, prop in spec.properties.items():
            if prop.required and is_empty_value(props.get(name)):
                found.append(Violation(node, "properties",
                                       prop.required_message or f"Property '{name}' is required",
                                       name))
        for index, group in enumerate(spec.require_one_of):
            if group and all(is_empty_value(props.get(name)) for name in group):
                messages = spec.require_one_of_messages
                message = messages[index] if index < len(messages) else (
                    f"One of the properties {', '.join(group)} is required")
                found.append(Violation(node, "properties", message, group[0]))
        if spec.condition == "required" and _condition_key(catalog, props) is None:
            found.append(Violation(node, "properties",
                                   spec.condition_message or "The condition is missing"))
    return found


def _rest_violations(node: dict[str, Any], activity_type: str, props: dict[str, Any],
                     rest_lookup: RestLookup | None) -> list[Violation]:
    if rest_lookup is None:
        return []  # the compiler cannot see the portal's registrations; the plan checks them
    registered = rest_lookup(activity_type[len(REST_PREFIX):].lower())
    if registered is None:
        return [Violation(node, "properties", not_found(activity_type))]
    found = []
    for code, definition in registered.items():
        if not isinstance(definition, dict):
            continue
        required = str(definition.get("REQUIRED", "")).upper() in ("Y", "1", "TRUE")
        if required and is_empty_value(props.get(code)) and \
                is_empty_value(definition.get("DEFAULT")):
            name = _localized(definition.get("NAME"), code)
            found.append(Violation(node, "properties", f'Required parameter "{name}" is empty',
                                   code))
    return found


def _localized(value: Any, fallback: str) -> str:
    if isinstance(value, dict):
        upper = {str(k).upper(): v for k, v in value.items()}
        for lang in ("EN", "*"):
            if upper.get(lang):
                return str(upper[lang])
        return next((str(v) for v in upper.values() if v), fallback)
    return str(value) if value else fallback


def _condition_key(catalog: Catalog, props: dict[str, Any]) -> str | None:
    # Bitrix takes the first property key naming a condition class (case-insensitive).
    for key in props:
        if str(key).lower() in catalog.conditions:
            return str(key)
    return None


def child_violations(catalog: Catalog, roots: list[Any]) -> list[Violation]:
    """ValidateChild of every container, skipping deactivated subtrees."""
    found: list[Violation] = []
    for root in roots:
        if isinstance(root, dict):
            _children_of(catalog, root, found)
    return found


def _children_of(catalog: Catalog, node: dict[str, Any], found: list[Violation]) -> None:
    spec = catalog.activity(str(node.get("Type") or ""))
    first = True
    for child in children(node):
        if not isinstance(child, dict) or child.get("Activated") == "N":
            continue
        if spec is not None:
            message = _child_rule(catalog, spec, str(child.get("Type") or ""), first)
            if message is not None:
                found.append(Violation(node, "children", message))
        first = False
        _children_of(catalog, child, found)


def _child_rule(catalog: Catalog, spec: ActivitySpec, child: str, first: bool) -> str | None:
    if spec.children == "none":
        return None  # Bitrix's base ValidateChild accepts anything; the children never run
    return catalog.child_error(spec.type, child, first=first)
