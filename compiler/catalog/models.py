"""Typed records of the standard catalog (stdlib/*.toml).

Every record is frozen and forbids unknown keys, so a typo in a catalog file fails at load time
instead of silently dropping a fact the checker relies on. The records are plain dataclasses:
the loader validates a file's tables into them with pydantic (the field types, the unknown keys,
then each record's `__post_init__`, which holds the rules that relate its fields), while a
catalog rebuilt from the user's cache (catalog.cache) builds them directly and never imports
pydantic, whose import alone costs a cold `bpl check` more than checking a small project.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import cached_property
from typing import Any, ClassVar, Literal

from compiler.record import record

PropertyType = Literal[
    "string",
    "text",
    "int",
    "double",
    "bool",  # PHP true/false
    "yn",  # the strings 'Y' / 'N'
    "user",  # one user token or expression
    "users",  # a list of user tokens / expressions
    "select",
    "map",
    "list",
    "duration_unit",
    "datetime",
    "document_id",
    "expression",
    "condition",
    "file",  # a file id, a file field or an expression yielding files
    "document_type",  # a [module, entity, document type] triple
]

# The modules whose `install/activities/bitrix/` folders the catalog reads.
ActivityModule = Literal[
    "bizproc",
    "calendar",
    "crm",
    "disk",
    "im",
    "imopenlines",
    "lists",
    "rpa",
    "socialnetwork",
    "tasks",
    "voximplant",
]

# How a ValidateProperties test decides that a property is missing (see the catalog header).
RequiredCheck = Literal[
    "is_empty_value",
    "is_empty_value_if_present",
    "php_empty",
    "eq_empty",
    "strict_empty",
    "empty_string",
    "strlen",
    "missing",
    "null",
    "non_empty_array",
    "count",
    "trimmed_entries",
    "parse_document_id",
    "positive_int_or_expression",
    "math_conditions",
    "chat_members",
]

# Where a fact was read: a label of the header's source list, then the path in that repository.
_SOURCE = re.compile(r"\[(AB|AC|ZW|PG)\] \S+")
# A .description.php FILTER rule: a module, module:entity or module:entity:type prefix of a
# document type, or distr:b24 / distr:box (the portal's distribution).
_FILTER_RULE = re.compile(r"distr:(b24|box)|[a-z]+(:[^:\s]+(:[^:\s]+)?)?")

# Types of values a workflow reads back: activity results, function results, document fields.
ValueType = Literal[
    "string",
    "text",
    "int",
    "double",
    "bool",
    "date",
    "datetime",
    "time",
    "user",
    "file",
    "any",
    "list",
]

# Bitrix\Bizproc\FieldType base types (reference §3.2): every document resolves them, whatever its
# own GetDocumentFieldTypes list says.
BASE_FIELD_TYPES = frozenset(
    {
        "bool",
        "date",
        "datetime",
        "double",
        "file",
        "int",
        "select",
        "string",
        "text",
        "user",
        "internalselect",
        "entityselector",
        "time",
        "document_type",
    }
)

# TimeoutDurationType: the units Bitrix knows (delayactivity.php; anything else means seconds).
DURATION_UNITS = ("s", "m", "h", "d")
# App robots and actions have the node Type rest_ + md5(client_id@CODE); the class behind them all
# is CBPRestActivity (bizproc/classes/general/restactivity.php), catalogued as RestActivity.
APP_ACTIVITY_PREFIX = "rest_"
APP_ACTIVITY = "RestActivity"
_PRINTABLE = "_PRINTABLE"


@record(slots=False, kw_only=True)  # no slots: records cache derived values (cached_property)
class Spec:
    """What every catalog record is (a frozen dataclass, built by keyword)."""

    # How pydantic validates a table into the record (a pydantic ConfigDict; a plain dict here,
    # so that reading the records needs no pydantic): a key the record lacks is an error.
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}


@record(slots=False, kw_only=True)
class PropertySpec(Spec):
    """One key of an activity node's `Properties`."""

    type: PropertyType
    required: bool = False
    # The class's constructor default as PHP stores it; None when that default is null or ''.
    default: Any = None
    summary: str = ""
    options: tuple[str | int, ...] | None = None
    keys: tuple[str, ...] | None = None
    required_keys: tuple[str, ...] | None = None
    required_message: str | None = None
    invalid_message: str | None = None
    self_unless_admin: bool = False
    # The value is a list of values of `type` (a multi-select holds several options).
    multiple: bool = False
    # How ValidateProperties tests the property for emptiness; None where it never does.
    required_check: RequiredCheck | None = None
    # ValidateProperties refuses a value outside `options` (with `invalid_message`).
    options_enforced: bool = False
    # ValidateProperties refuses a non-empty value that PHP's is_numeric() rejects.
    numeric_only: bool = False
    # Checked only when every named property holds the given value (required_if), or unless
    # one of them does (required_unless); `required` stays false for these.
    required_if: dict[str, str] | None = None
    required_unless: dict[str, str] | None = None
    # `options_enforced` compares with === (the class tests `!==` each option), not in_array.
    options_strict: bool = False
    # The self_unless_admin rule's own error (default: required_message), and whether it
    # applies to a non-empty value only.
    self_message: str | None = None
    self_if_set: bool = False
    # The error per required key of a map, when the class names the key's field in it.
    key_messages: dict[str, str] | None = None
    # ValidateProperties passes a non-empty value to a PHP function taking an int: a value PHP
    # cannot convert (an array, a non-numeric string) fails the import with a TypeError.
    int_argument: bool = False

    def __post_init__(self) -> None:
        if self.type == "select" and not self.options:
            raise ValueError("a select property needs `options`")
        if self.options is not None and self.type != "select":
            raise ValueError("`options` is only allowed on a select property")
        if self.options_enforced and self.options is None:
            raise ValueError("`options_enforced` needs `options`")
        if (self.keys is not None or self.required_keys is not None) and self.type != "map":
            raise ValueError("`keys` / `required_keys` are only allowed on a map property")
        conditional = self.required_if is not None or self.required_unless is not None
        if conditional and self.required:
            raise ValueError("`required_if` / `required_unless` replace `required = true`")
        if self.required_message is not None and not (self.required or conditional):
            raise ValueError("`required_message` needs `required = true` or a condition")
        if (self.self_message is not None or self.self_if_set) and not self.self_unless_admin:
            raise ValueError("`self_message` / `self_if_set` need `self_unless_admin`")
        if self.options_strict and not self.options_enforced:
            raise ValueError("`options_strict` needs `options_enforced`")
        if self.key_messages is not None and not set(self.key_messages) <= set(
                self.required_keys or ()):
            raise ValueError("`key_messages` may only name `required_keys`")
        if self.default is not None and not _default_fits(self):
            raise ValueError(f"default {self.default!r} does not fit type {self.type!r}")


def _default_fits(prop: PropertySpec) -> bool:
    value = prop.default
    if prop.multiple and isinstance(value, list):
        # PHP stores "nothing chosen" as []; otherwise every entry must fit the type.
        return all(_value_fits(prop, v) for v in value)
    return _value_fits(prop, value)


def _value_fits(prop: PropertySpec, value: Any) -> bool:
    """Whether one value (a default, or one entry of a multiple default) fits the property."""
    match prop.type:
        case "bool":
            return isinstance(value, bool)
        case "yn":
            return value in ("Y", "N")
        case "int":
            return isinstance(value, int) and not isinstance(value, bool)
        case "double":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "duration_unit":
            return value in DURATION_UNITS
        case "select":
            return prop.options is not None and value in prop.options
        case "string" | "text":
            return isinstance(value, str)
        case "map" | "list" | "users":
            # PHP stores an empty array as [] whatever its intended shape.
            return isinstance(value, list | dict)
        case _:
            return True


@record(slots=False, kw_only=True)
class ReturnSpec(Spec):
    """A value an activity publishes, readable as {=<activity Name>:<key>}."""

    type: ValueType
    multiple: bool = False
    summary: str = ""


@record(slots=False, kw_only=True)
class ActivitySpec(Spec):
    type: str  # the activity code; taken from the table name, not written in the file
    module: ActivityModule
    source: str
    title: str
    summary: str
    category: Literal["root", "container", "branch", "action", "event"]
    robot: bool = False
    robot_title: str | None = None
    robot_category: str | tuple[str, ...] | None = None
    designer_group: str | None = None
    hidden: bool = False
    filter_include: tuple[str, ...] = ()
    filter_exclude: tuple[str, ...] = ()
    returns_from: tuple[str, ...] = ()
    non_admin_requires: str | None = None
    non_admin_message: str | None = None
    event_driven: bool = False
    children: str | tuple[str, ...] = "none"
    first_child: tuple[str, ...] = ()
    child_error: str | None = None
    first_child_error: str | None = None
    extends: str | None = None
    admin_only: bool = False
    admin_message: str | None = None
    # A non-admin importer gets admin_message alone: the class returns before its other tests.
    admin_stops: bool = False
    # The order in which ValidateProperties runs its tests, when it is not the properties'
    # order: property names, "<name>:self" and "one_of:<index>" (the rest follow in order).
    check_order: tuple[str, ...] = ()
    condition: Literal["none", "optional", "required"] = "none"
    condition_message: str | None = None
    require_one_of: tuple[tuple[str, ...], ...] = ()
    require_one_of_messages: tuple[str, ...] = ()
    notes: str = ""
    properties: dict[str, PropertySpec] = field(default_factory=dict)
    returns: dict[str, ReturnSpec] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.children, str) and self.children not in ("none", "any"):
            raise ValueError('children: must be "none", "any" or a list of activity types')
        if not self.children:
            raise ValueError('children: must be "none", "any" or a non-empty list of activity '
                             "types")
        if not _SOURCE.fullmatch(self.source):
            raise ValueError("source: must be '[AB|AC|ZW|PG] <path>' (see the catalog header)")
        for key, rules in (("filter_include", self.filter_include),
                           ("filter_exclude", self.filter_exclude)):
            for rule in rules:
                if not _FILTER_RULE.fullmatch(rule):
                    raise ValueError(f"{key}: {rule!r} is not module[:entity[:type]] or "
                                     "distr:b24|box")
        if "Title" not in self.properties:
            # Every Bitrix activity declares Title; its absence means the table was mistyped.
            raise ValueError("properties: every activity declares `Title`")
        grouped = {name for group in self.require_one_of for name in group}
        for name, prop in self.properties.items():
            conditions = {**(prop.required_if or {}), **(prop.required_unless or {})}
            for other in conditions:
                if other not in self.properties:
                    raise ValueError(f"properties.{name}: condition on unknown property {other!r}")
            if prop.required_check is not None and not (prop.required or conditions
                                                        or name in grouped):
                raise ValueError(f"properties.{name}: `required_check` needs `required = true`, "
                                 "a condition or membership of a require_one_of group")
        for name in self.returns_from:
            if name not in self.properties:
                raise ValueError(f"returns_from: unknown property {name!r}")
        if (self.robot_title is not None or self.robot_category is not None) and not self.robot:
            raise ValueError("robot_title / robot_category need robot = true")
        if self.non_admin_message is not None and self.non_admin_requires is None:
            raise ValueError("non_admin_message needs non_admin_requires")
        for group in self.require_one_of:
            if len(group) < 2:
                raise ValueError("require_one_of: each group names at least two properties")
            for name in group:
                if name not in self.properties:
                    raise ValueError(f"require_one_of: unknown property {name!r}")
        if self.require_one_of_messages and len(self.require_one_of_messages) != len(
            self.require_one_of
        ):
            raise ValueError("require_one_of_messages: one message per require_one_of group")
        if self.children == "none" and (self.first_child or self.child_error):
            raise ValueError('first_child / child_error make no sense with children = "none"')
        if (self.admin_message is not None or self.admin_stops) and not self.admin_only:
            raise ValueError("admin_message / admin_stops need admin_only = true")
        for key in self.check_order:
            name, _, suffix = key.partition(":")
            known = (name == "one_of" and suffix.isdigit()
                     and int(suffix) < len(self.require_one_of)) or (
                name in self.properties and suffix in ("", "self"))
            if not known:
                raise ValueError(f"check_order: {key!r} is no property, <name>:self or "
                                 "one_of:<index>")
        if self.condition_message is not None and self.condition != "required":
            raise ValueError('condition_message needs condition = "required"')

    @property
    def allows_children(self) -> bool:
        return self.children != "none"

    @cached_property
    def defaults(self) -> dict[str, Any]:
        """The properties with a constructor default: what a node that leaves them out holds."""
        return {name: p.default for name, p in self.properties.items() if p.default is not None}

    def default(self, name: str) -> Any:
        """What property `name` holds when a node leaves it out; '' for null, '' and unknowns."""
        prop = self.properties.get(name)
        return prop.default if prop is not None and prop.default is not None else ""


@record(slots=False, kw_only=True)
class ConditionSpec(Spec):
    """A condition type: the property key an IfElseBranch / While node carries."""

    code: str  # taken from the table name
    title: str
    summary: str
    value_shape: str
    operators: tuple[str, ...] = ()
    admin_only: bool = False
    admin_message: str | None = None
    empty_message: str | None = None


@record(slots=False, kw_only=True)
class FunctionSpec(Spec):
    name: str  # taken from the table name (lower case)
    min_args: int
    max_args: int  # -1: variadic
    returns: ValueType
    group: Literal["logic", "string", "math", "date", "array", "document"]
    summary: str
    # What each positional argument must be where Bitrix's calc reads it as one thing only
    # (the checker reports a value that can never be it); positions not listed take anything.
    args: tuple[Literal["date", "interval", "int", "any"], ...] = ()

    def __post_init__(self) -> None:
        if self.min_args < 0:
            raise ValueError("min_args: must be 0 or more")
        if self.max_args < -1:
            raise ValueError("max_args: must be -1 (any number) or more")
        if self.max_args != -1 and self.max_args < self.min_args:
            raise ValueError("max_args is below min_args")

    @property
    def variadic(self) -> bool:
        return self.max_args == -1

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.variadic or count <= self.max_args)


@record(slots=False, kw_only=True)
class ModifierSpec(Spec):
    name: str  # taken from the table name
    kind: Literal["type", "format"]
    applies_to: tuple[str, ...]
    summary: str

    def applies(self, base_type: str) -> bool:
        return "any" in self.applies_to or base_type in self.applies_to


@record(slots=False, kw_only=True)
class FieldSpec(Spec):
    name: str
    type: str
    required: bool = False
    multiple: bool = False
    readonly: bool = False
    options: dict[str, str] | None = None
    # Where the field is documented: REST docs and the bizproc document class, or only one.
    origin: Literal["both", "rest", "bizproc"] = "both"
    # The type the item itself stores (its REST type) where the bizproc document declares
    # another: a deal's OPPORTUNITY is declared string but kept as a number, so "lots" is 0.
    stores: str | None = None
    note: str = ""


@record(slots=False, kw_only=True)
class DocumentSpec(Spec):
    name: str
    title: str
    module: str
    entity: str
    entity_aliases: tuple[str, ...] = ()
    # Literal ("DEAL") or a template with the parameter in braces ("DYNAMIC_{id}").
    document_type: str
    parameter: str = ""
    field_types: tuple[str, ...]
    uf_types: bool = False
    user_groups: tuple[str, ...] = ()
    field_patterns: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    # The operations of its permissions (the document class's GetAllowableOperations), as
    # SetPermissionsActivity's Permission map keys them; empty: not known to the catalog.
    operations: tuple[str, ...] = ()
    # Whether a whole number (the id of a rights task on the portal) is an operation too.
    operation_ids: bool = False
    fields: dict[str, FieldSpec]

    def __post_init__(self) -> None:
        placeholder = "{" + self.parameter + "}"
        if self.parameter and placeholder not in self.document_type:
            raise ValueError(f"document_type must contain {placeholder}")
        if not self.parameter and "{" in self.document_type:
            raise ValueError("document_type has a placeholder but `parameter` is empty")
        for code, spec in self.fields.items():
            if not self.knows_type(spec.type):
                raise ValueError(f"fields.{code}: type {spec.type!r} is unknown to this document")

    def offers_operation(self, operation: str) -> bool | None:
        """Is `operation` one of the document's permission operations? None: not known."""
        if not self.operations:
            return None
        return operation in self.operations or (self.operation_ids and operation.isdigit())

    def knows_type(self, type_name: str) -> bool:
        if type_name in BASE_FIELD_TYPES or type_name in self.field_types:
            return True
        return self.uf_types and type_name.startswith("UF:") and len(type_name) > 3

    @property
    def entities(self) -> tuple[str, ...]:
        return (self.entity, *self.entity_aliases)

    @cached_property
    def _type_pattern(self) -> re.Pattern[str]:
        if not self.parameter:
            return re.compile(re.escape(self.document_type), re.IGNORECASE)
        head, _, tail = self.document_type.partition("{" + self.parameter + "}")
        return re.compile(re.escape(head) + r"(\d+)" + re.escape(tail), re.IGNORECASE)

    def match_document_type(self, document_type: str) -> str | None:
        """The parameter value ("" for a fixed type) when `document_type` is of this document."""
        found = self._type_pattern.fullmatch(document_type)
        if found is None:
            return None
        return found.group(1) if self.parameter else ""

    def document_type_for(self, value: str | int | None = None) -> str:
        if not self.parameter:
            return self.document_type
        if value is None or str(value) == "":
            raise ValueError(f"{self.name} needs its {self.parameter} to form a document type")
        return self.document_type.replace("{" + self.parameter + "}", str(value))

    def field(self, code: str) -> FieldSpec | None:
        """A standard field by code; `X_PRINTABLE` resolves to X (its printable form)."""
        spec = self.fields.get(code)
        if spec is None and code.upper().endswith(_PRINTABLE):
            spec = self.fields.get(code[: -len(_PRINTABLE)])
        return spec

    def is_portal_specific(self, code: str) -> bool:
        """Codes such as UF_CRM_* that exist on some portals only and cannot be checked offline."""
        return any(code.startswith(prefix) for prefix in self.field_patterns)

    def referenced_document(self, code: str) -> tuple[str, str] | None:
        """(document name, field code) for a reference field such as CONTACT.NAME."""
        for prefix, document in self.references.items():
            if code.startswith(prefix):
                return document, code[len(prefix) :]
        return None
