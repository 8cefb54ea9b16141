"""How an activity's ValidateProperties tests its properties, as PHP 8 evaluates each test.

The catalog records, per property, the kind of test (`required_check`) and the rules around it
(options, numbers, conditions, the importing user); this module gives each kind its PHP
meaning. A test that makes PHP 8 throw (count() of a string, array_key_exists() on null, …)
raises `PhpTypeError`: Bitrix's loader does not catch it, so the import fails with an internal
error instead of a message.
"""

from __future__ import annotations

from typing import Any

from compiler.catalog.models import PropertySpec
from compiler.php.values import (
    PhpTypeError,
    array_values,
    in_array,
    is_empty_value,
    is_numeric,
    loose_equal,
    php_count,
    php_empty,
    php_identical,
    php_strlen,
    php_trim_value,
    php_type,
    to_int,
    truthy,
)
from compiler.record import record

# CBPMathOperationActivity::getOperations (bizproc/install/activities/bitrix/mathoperationactivity)
MATH_OPERATORS = ("+", "-", "*", "/")
_NUMERIC_PREFIX = " \t\n\r\v\f"


@record(slots=False)
class Importer:
    """The importing user as Bitrix's CBPWorkflowTemplateUser sees them (its `isAdmin()` and
    `getBizprocId()`); `user_id` None when unknown."""

    admin: bool = True
    user_id: int | None = None

    @property
    def bizproc_id(self) -> str | None:
        return f"user_{self.user_id}" if self.user_id else None


ADMIN = Importer()


class Props:
    """A node's `Properties` as ValidateProperties reads it: usually an array, but a package may
    hold anything there, and PHP reacts differently to each way of reading it."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def read(self, name: str) -> Any:
        """`$props['Name']`: null when absent; reading a string this way is a TypeError."""
        if isinstance(self.raw, dict):
            return self.raw.get(name)
        if isinstance(self.raw, str):
            raise PhpTypeError("Cannot access offset of type string on string")
        return None

    def quiet(self, name: str) -> Any:
        """`empty($props['Name'])`, `isset(…)`, `?? null`: never an error."""
        return self.raw.get(name) if isinstance(self.raw, dict) else None

    def has(self, name: str) -> bool:
        """`array_key_exists('Name', $props)`."""
        if isinstance(self.raw, dict):
            return name in self.raw
        if isinstance(self.raw, list):
            return False
        raise PhpTypeError("array_key_exists(): Argument #2 ($array) must be of type array, "
                           f"{php_type(self.raw)} given")

    def names(self) -> list[Any]:
        """What `foreach ($props as $key => …)` visits (nothing for a non-array)."""
        if isinstance(self.raw, dict):
            return list(self.raw)
        return list(range(len(self.raw))) if isinstance(self.raw, list) else []


def is_missing(prop: PropertySpec, props: Props, name: str) -> bool:
    """The class's own test of one property (the catalog's `required_check`)."""
    match prop.required_check:
        case "is_empty_value":
            return is_empty_value(props.read(name))
        case "is_empty_value_if_present":
            return props.has(name) and is_empty_value(props.read(name))
        case "php_empty" | "chat_members":
            return php_empty(props.quiet(name))
        case "eq_empty":
            return loose_equal(props.read(name), "")
        case "strict_empty":
            value = props.read(name)
            return value is None or value == ""
        case "empty_string":
            return php_identical(props.read(name), "")
        case "strlen":
            return not props.has(name) or php_strlen(props.read(name)) <= 0
        case "missing":
            return not props.has(name)
        case "null":
            return props.read(name) is None
        case "non_empty_array" | "math_conditions":
            value = props.quiet(name)
            return not (isinstance(value, list | dict) and len(value) > 0)
        case "count":
            return not props.has(name) or php_count(props.read(name)) <= 0
        case "trimmed_entries":
            return not props.has(name) or not _has_entry(props.read(name))
        case "parse_document_id":
            return not parses_document_id(props.read(name))
        case "positive_int_or_expression":
            if not props.has(name):
                return True
            # The simulator's evaluator loads for such a property only (see rawformulas).
            from compiler.simulator.expressions import is_expression

            value = props.read(name)
            return to_int(value) <= 0 and not is_expression(value)
        case _:
            return False


def _has_entry(value: Any) -> bool:
    # CBPGetUserActivity: a scalar is one entry; an entry counts when it is a string that is
    # not blank after trim() or a non-empty array.
    for entry in array_values(value):
        if isinstance(entry, list | dict):
            if entry:
                return True
        elif php_trim_value(entry) != "":
            return True
    return False


def parses_document_id(value: Any) -> bool:
    """CBPHelper::parseDocumentId (bizproc/classes/general/helper.php) does not throw."""
    parts = value if isinstance(value, list | dict) else [value]
    count = len(parts)

    def part(index: int) -> Any:
        if isinstance(parts, list):
            return parts[index] if index < len(parts) else None
        return parts.get(str(index), parts.get(index))  # type: ignore[call-overload]

    module = entity = document = ""
    if count > 2:
        module, entity, document = part(0), part(1), part(2)
    elif count == 2:
        entity, document = part(0), part(1)
    module, entity, document = (_scalar_trim(x) for x in (module, entity, document))
    if document == "" or entity == "":
        return False
    # Main\ModuleManager::isValidModule: letters, digits, "_" and "." only.
    return not (truthy(module) and any(not (c.isascii() and (c.isalnum() or c in "_."))
                                       for c in module))


def _scalar_trim(value: Any) -> str:
    if value is None or isinstance(value, list | dict):
        return ""
    return php_trim_value(value)


def outside_options(prop: PropertySpec, value: Any) -> bool:
    """The value is not one of the select's options (`in_array` loosely, or `!==` strictly)."""
    options = list(prop.options or ())
    if prop.options_strict:
        return not any(php_identical(value, option) for option in options)
    return not in_array(value, options)


def int_argument_fails(value: Any) -> bool:
    """PHP would refuse `value` for an `int` parameter (coercive mode): arrays, null and strings
    without a leading number throw a TypeError."""
    if isinstance(value, bool | int | float):
        return False
    if isinstance(value, str):
        text = value.lstrip(_NUMERIC_PREFIX)
        return not (is_numeric(value) or (text[:1].isdigit() or (
            text[:1] in "+-." and text[1:2].isdigit())))
    return True


def math_condition_problem(conditions: Any) -> str | None:
    """CBPMathOperationActivity::validateProperties over a non-empty Conditions array: the first
    entry whose operands are neither expressions nor numbers ("operand") or whose operator is
    not + - * / ("operator"). Operands that are not strings make PHP throw."""
    for entry in array_values(conditions):
        operands = [_offset(entry, 0), _offset(entry, 2)]
        for operand in operands:
            if operand is None or isinstance(operand, list | dict):
                raise PhpTypeError(
                    "CBPMathOperationActivity::getGroupIdAndIdFromSystemExpression(): Argument "
                    f"#1 ($text) must be of type string, {php_type(operand)} given")
        # getGroupIdAndIdFromSystemExpression always returns a two-element array, which PHP
        # counts as true: the operand tests never fail once the call succeeds.
        if not in_array(_offset(entry, 1), list(MATH_OPERATORS)):
            return "operator"
    return None


def _offset(value: Any, index: int) -> Any:
    """`$value[index]` for any value: a string gives its character, other scalars null."""
    if isinstance(value, list):
        return value[index] if index < len(value) else None
    if isinstance(value, dict):
        return value.get(str(index), value.get(index))  # type: ignore[call-overload]
    if isinstance(value, str):
        return value[index] if index < len(value) else ""
    return None


def single_user_member(value: Any) -> bool:
    """CBPImCreateGroupChatActivity: exactly one member, and it is a user (`user_…`)."""
    if not isinstance(value, list | dict) or len(value) != 1:
        return False
    member = array_values(value)[0]
    if isinstance(member, list | dict):
        raise PhpTypeError("strpos(): Argument #1 ($haystack) must be of type string, "
                           "array given")
    return isinstance(member, str) and member.startswith("user_")


def is_own(importer: Importer, value: Any) -> bool:
    """`$value === $user->getBizprocId()`."""
    own = importer.bizproc_id
    return php_identical(value, own) if own is not None else value is None
