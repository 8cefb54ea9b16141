"""Bitrix's own import rules over a template tree, in one place for the compiler and the sandbox.

Import (CBPWorkflowTemplateLoader::importTemplate, bizproc/classes/general/
workflowtemplateloader.php) first walks every activity — deactivated ones too — and runs its
class's ValidateProperties, stopping at the first activity with errors; then
(`validateTemplate`), skipping deactivated subtrees, each container's ValidateChild. The
compiler maps every violation back to a .bpl line; the sandbox answers what Bitrix answers
(`import_outcome`). PHP 8 errors inside the walk (a TypeError) are not caught by the loader or
the REST server: they become violations of stage "fatal".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from compiler.catalog.checks import (
    ADMIN,
    Importer,
    Props,
    int_argument_fails,
    is_missing,
    is_own,
    math_condition_problem,
    outside_options,
    single_user_member,
)
from compiler.catalog.loader import Catalog
from compiler.catalog.models import ActivitySpec, PropertySpec
from compiler.php.values import (
    PhpTypeError,
    get_bool,
    is_empty_value,
    is_numeric,
    loose_equal,
    php_empty,
    php_type,
    scalar_string,
    truthy,
)
from compiler.record import record

__all__ = ["ADMIN", "Importer", "Outcome", "Violation", "child_violations", "import_outcome",
           "node_violations", "property_violations"]

REST_PREFIX = "rest_"
_CBP = "cbp"

# A registered app activity, as `rest_lookup` returns it: {code: {"REQUIRED", "DEFAULT", "NAME"}}
RestLookup = Callable[[str], dict[str, Any] | None]


@record
class Violation:
    node: Any  # the activity (normally a dict; a package may hold anything there)
    stage: str  # "properties" (ValidateProperties), "children" (ValidateChild) or "fatal"
    message: str  # Bitrix's text without the "Action '<Title>': " prefix; PHP's for "fatal"
    property: str | None = None


@record(slots=False)
class Outcome:
    """How the portal answers an import that fails.

    `stage` "properties": the loader's exception text ("msg. msg. "); "validation": the
    validation exception ("Action '<Title>': msg" joined with "."); "fatal": PHP threw an
    Error, which nothing catches (the REST server answers 500).
    """

    stage: str
    message: str
    violations: tuple[Violation, ...]


def not_found(activity_type: str) -> str:
    # BPGA_ACTIVITY_NOT_FOUND_1 with htmlspecialcharsbx of the type.
    return f"Activity was not found ({_html(activity_type)})"


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def walk(nodes: list[Any]) -> Iterator[Any]:
    """The loader's walk: every item, and the Children of those whose Children is an array."""
    for node in nodes:
        yield node
        if isinstance(node, dict) and isinstance(node.get("Children"), list | dict):
            yield from walk(children(node))


def children(node: dict[str, Any]) -> list[Any]:
    value = node.get("Children")
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


def properties(node: Any) -> dict[str, Any]:
    value = node.get("Properties") if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


# -- ValidateProperties -------------------------------------------------------------------------


def property_violations(catalog: Catalog, roots: list[Any], rest_lookup: RestLookup | None = None,
                        importer: Importer = ADMIN) -> list[Violation]:
    """ValidateProperties of every activity, deactivated ones included (all of them, for
    diagnostics; the portal reports only the first activity with errors)."""
    found: list[Violation] = []
    for node in walk(roots):
        found.extend(node_violations(catalog, node, rest_lookup, importer))
    return found


def node_violations(catalog: Catalog, node: Any, rest_lookup: RestLookup | None = None,
                    importer: Importer = ADMIN) -> list[Violation]:
    """One activity's ValidateProperties, in the class's order; a PHP error ends the list."""
    found: list[Violation] = []
    try:
        activity_type = _type_code(node)
        props = Props(node.get("Properties") if isinstance(node, dict) else None)
        if activity_type.lower().startswith(REST_PREFIX):
            found.extend(_rest_violations(node, activity_type, props, rest_lookup))
            return found
        spec = _resolve(catalog, activity_type)
        if spec is None:
            found.append(Violation(node, "properties", not_found(activity_type)))
            return found
        for message, prop in _checks(catalog, spec, props, importer):
            found.append(Violation(node, "properties", message, prop))
    except PhpTypeError as error:
        found.append(Violation(node, "fatal", str(error)))
    return found


def _type_code(node: Any) -> str:
    """`$activity['Type']` as CBPRuntime::includeActivityFile gets it."""
    if isinstance(node, str):
        raise PhpTypeError("Cannot access offset of type string on string")
    value = node.get("Type") if isinstance(node, dict) else None
    if isinstance(value, list | dict):
        raise PhpTypeError("preg_match(): Argument #2 ($subject) must be of type string, "
                           "array given")
    return scalar_string(value)


def _resolve(catalog: Catalog, activity_type: str) -> ActivitySpec | None:
    # CBPRuntime::includeActivityFile: [a-zA-Z0-9_] only, matched case-insensitively, an
    # optional "CBP" class prefix.
    if not activity_type or not all(c.isascii() and (c.isalnum() or c == "_")
                                    for c in activity_type):
        return None
    code = activity_type.lower()
    if code.startswith(_CBP):
        code = code[len(_CBP):]
    return catalog.activity(code) if code else None


def _checks(catalog: Catalog, spec: ActivitySpec, props: Props,
            importer: Importer) -> Iterator[tuple[str, str | None]]:
    """(message, property) of each failed test, in the order the class runs them."""
    yield from _condition_checks(catalog, spec, props, importer)
    if spec.admin_only and not importer.admin:
        yield spec.admin_message or "Access denied", None
        if spec.admin_stops:
            return
    steps = _ordered_steps(spec)
    for step in steps:
        yield from step(props, importer)
    if spec.non_admin_requires and not importer.admin:
        # What a non-admin must have besides (a permission bpl cannot see) is assumed missing.
        yield spec.non_admin_message or "Access denied", None


Step = Callable[[Props, Importer], Iterator[tuple[str, str | None]]]


def _ordered_steps(spec: ActivitySpec) -> list[Step]:
    steps: dict[str, Step] = {}
    grouped = {group[0]: index for index, group in enumerate(spec.require_one_of) if group}
    for name, prop in spec.properties.items():
        if name in grouped:
            steps[f"one_of:{grouped[name]}"] = _group_step(spec, grouped[name])
        steps[name] = _property_step(name, prop)
    for name, prop in spec.properties.items():
        if prop.self_unless_admin:
            steps[f"{name}:self"] = _self_step(name, prop)
    if spec.check_order:
        ordered = [steps.pop(key) for key in spec.check_order if key in steps]
        return ordered + list(steps.values())
    return list(steps.values())


def _property_step(name: str, prop: PropertySpec) -> Step:
    def step(props: Props, importer: Importer) -> Iterator[tuple[str, str | None]]:
        conditional = prop.required_if is not None or prop.required_unless is not None
        if (prop.required or conditional) and _applies(prop, props):
            yield from _required(name, prop, props)
        if prop.numeric_only:
            value = props.quiet(name)
            if not php_empty(value) and not is_numeric(value):
                yield prop.invalid_message or f"Property '{name}' is not a number", name
        if prop.int_argument:
            value = props.read(name)
            if truthy(value) and int_argument_fails(value):
                raise PhpTypeError(f"Argument #1 must be of type int, {php_type(value)} given")
    return step


def _required(name: str, prop: PropertySpec, props: Props) -> Iterator[tuple[str, str | None]]:
    required = prop.required_message or f"Property '{name}' is required"
    if prop.required_keys:
        container = props.quiet(name)
        container = container if isinstance(container, dict) else {}
        for key in prop.required_keys:
            value = container.get(key)
            if value is None or value == "":
                template = (prop.key_messages or {}).get(key, required)
                yield template, name
        return
    if is_missing(prop, props, name):
        yield required, name
        return
    if prop.options_enforced and outside_options(prop, props.read(name)):
        yield prop.invalid_message or required, name
    elif prop.required_check == "math_conditions":
        problem = math_condition_problem(props.read(name))
        if problem == "operator":
            yield prop.invalid_message or required, name
    elif prop.required_check == "chat_members" and single_user_member(props.read(name)):
        yield prop.invalid_message or required, name


def _applies(prop: PropertySpec, props: Props) -> bool:
    """required_if / required_unless: the other property holds the value (PHP ==)."""
    if prop.required_if is not None:
        return all(loose_equal(props.read(other), value)
                   for other, value in prop.required_if.items())
    if prop.required_unless is not None:
        return not any(loose_equal(props.read(other), value)
                       for other, value in prop.required_unless.items())
    return True


def _group_step(spec: ActivitySpec, index: int) -> Step:
    group = spec.require_one_of[index]

    def step(props: Props, importer: Importer) -> Iterator[tuple[str, str | None]]:
        if all(is_missing(spec.properties[name], props, name) for name in group):
            messages = spec.require_one_of_messages
            message = messages[index] if index < len(messages) else (
                f"One of the properties {', '.join(group)} is required")
            yield message, group[0]
    return step


def _self_step(name: str, prop: PropertySpec) -> Step:
    def step(props: Props, importer: Importer) -> Iterator[tuple[str, str | None]]:
        if importer.admin:
            return
        if prop.self_if_set:
            value = props.quiet(name)
            if not truthy(value):
                return
        else:
            value = props.read(name) if props.has(name) else None
        if not is_own(importer, value):
            yield prop.self_message or prop.required_message or f"Property '{name}'", name
    return step


def _condition_checks(catalog: Catalog, spec: ActivitySpec, props: Props,
                      importer: Importer) -> Iterator[tuple[str, str | None]]:
    # IfElseBranchActivity / WhileActivity: every key naming a condition class is validated
    # by that class; the errors are prepended, so the last key's come first.
    if spec.condition == "none":
        return
    messages: list[tuple[str, str | None]] = []
    found = False
    for key in props.names():
        condition = catalog.condition(str(key))
        if condition is None:
            continue
        found = True
        if condition.admin_only and not importer.admin:
            messages.insert(0, (condition.admin_message or "Access denied", str(key)))
    yield from messages
    if spec.condition == "required" and not found:
        yield spec.condition_message or "The condition is missing", None


def _rest_violations(node: Any, activity_type: str, props: Props,
                     rest_lookup: RestLookup | None) -> list[Violation]:
    # CBPRestActivity::validateProperties (bizproc/classes/general/restactivity.php): an app
    # activity nobody registered validates (its class is created with no data); a registered
    # required property is tested as `isEmptyValue($value ?? DEFAULT)`.
    if rest_lookup is None:
        return []  # the compiler cannot see the portal's registrations
    registered = rest_lookup(activity_type[len(REST_PREFIX):].lower())
    found = []
    for code, definition in (registered or {}).items():
        if not isinstance(definition, dict):
            continue
        value = props.quiet(code)
        if value is None:
            value = definition.get("DEFAULT")
        if _required_flag(definition.get("REQUIRED")) and is_empty_value(value):
            # BPRA_PD_ERROR_EMPTY_PROPERTY (bizproc/lang/en/classes/general/restactivity.php)
            name = _localized(definition.get("NAME"))
            found.append(Violation(node, "properties", f"This field is required: {name}", code))
    return found


def _required_flag(value: Any) -> bool:
    # CBPHelper::getBool: empty values, "false" and "N"/"n" are false.
    return get_bool(value)


def _localized(value: Any) -> str:
    """RestActivityTable::getLocalization(value, "en") (bizproc/lib/restactivity.php)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for lang in ("EN", "*"):
            if not php_empty(value.get(lang)):
                return scalar_string(value[lang])
    return ""


# -- ValidateChild ------------------------------------------------------------------------------


def child_violations(catalog: Catalog, roots: list[Any]) -> list[Violation]:
    """ValidateChild of every container, skipping deactivated subtrees (validateTemplate)."""
    found: list[Violation] = []
    for root in roots:
        if isinstance(root, dict):
            _children_of(catalog, root, found)
    return found


def _children_of(catalog: Catalog, node: dict[str, Any], found: list[Violation]) -> None:
    if "Children" not in node:
        return
    value = node["Children"]
    if not isinstance(value, list | dict):
        # `count($activity['Children'])` of anything but an array.
        found.append(Violation(node, "fatal", "count(): Argument #1 ($value) must be of type "
                                              f"Countable|array, {php_type(value)} given"))
        return
    spec = _resolve(catalog, scalar_string(node.get("Type")))
    first = True
    for child in children(node):
        if isinstance(child, dict) and child.get("Activated") == "N":
            continue
        if not isinstance(child, dict):
            continue  # the walk failed on it already
        if spec is not None:
            message = _child_rule(catalog, spec, scalar_string(child.get("Type")), first)
            if message is not None:
                found.append(Violation(node, "children", message))
        first = False
        _children_of(catalog, child, found)


def _child_rule(catalog: Catalog, spec: ActivitySpec, child: str, first: bool) -> str | None:
    if spec.children == "none":
        return None  # Bitrix's base ValidateChild accepts anything; the children never run
    return catalog.child_error(spec.type, child, first=first)


# -- the whole import ---------------------------------------------------------------------------


def import_outcome(catalog: Catalog, roots: list[Any], rest_lookup: RestLookup | None = None,
                   importer: Importer = ADMIN) -> Outcome | None:
    """What the portal answers: None when it imports the template."""
    for node in walk(roots):
        found = node_violations(catalog, node, rest_lookup, importer)
        fatal = [v for v in found if v.stage == "fatal"]
        if fatal:
            return Outcome("fatal", fatal[0].message, tuple(fatal))
        if found:
            # importTemplateChecker: "msg. msg. " of the first activity with errors.
            return Outcome("properties", "".join(f"{v.message}. " for v in found), tuple(found))
    problems = child_violations(catalog, roots)
    fatal = [v for v in problems if v.stage == "fatal"]
    if fatal:
        return Outcome("fatal", fatal[0].message, tuple(fatal))
    if problems:
        return Outcome("validation", ".".join(_prefixed(v) for v in problems), tuple(problems))
    return None


def _prefixed(violation: Violation) -> str:
    # BPWTL_ERROR_MESSAGE_PREFIX with the Title of the activity whose rule failed; trimmed.
    title = properties(violation.node).get("Title")
    if title is None:
        return violation.message.strip()
    return f"Action '{scalar_string(title)}': {violation.message}".strip()
