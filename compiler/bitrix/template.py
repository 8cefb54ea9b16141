"""A Bitrix workflow template as typed values: the activity tree and the declarations a `.bpt`
package holds, read from and written back to the nested PHP arrays Bitrix stores.

Every stage that handles templates works on these classes: codegen builds them, `bpt` packs
them, and plan, import, the simulator and the sandbox read them. Reading is as lenient as
Bitrix's loader (`CBPWorkflowTemplateLoader`, modules/bizproc/classes/general/
workflowtemplateloader.php) where it is lenient — a `Children` array that lost its list shape is
read in key order — and refuses, with the place
named, what the loader cannot build an activity from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import field
from typing import Any

from compiler.php.serialize import PhpValue
from compiler.record import record

PackageDict = dict[str | int, PhpValue]


class TemplateShapeError(ValueError):
    """A package whose activity tree or declarations Bitrix could not read; `where` names the
    place (`TEMPLATE[0].Children[2].Properties`) and `problem` what is wrong there.

    `sentence` says the same for users, naming the activity by its Name and Type where it has
    them ("the Properties of activity A1 (LogActivity, at TEMPLATE[0].Children[0]) are a text,
    not an array of property names"): `bpl import` and `bpl plan` print it."""

    def __init__(self, where: str, problem: str, sentence: str | None = None) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
        self.sentence = sentence or f"{where} {problem}"


def php_list(value: PhpValue, where: str) -> list[PhpValue]:
    """A PHP array used as a list: a Python list, or an int-keyed map read in key order (PHP
    hands `[0 => a, 1 => b]` back as a map when keys were ever out of order)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        if all(isinstance(k, int) or (isinstance(k, str) and k.lstrip("-").isdigit())
               for k in value):
            return [value[k] for k in sorted(value, key=lambda k: int(k))]
        raise TemplateShapeError(where, "is a map with named keys where a list is expected",
                                 f"{where} is an array with named keys, not a list")
    if value is None:
        return []
    raise TemplateShapeError(where, f"is {_kind(value)}, not an array",
                             f"{where} is {said(value)}, not a list")


def php_map(value: PhpValue, where: str) -> dict[str, PhpValue]:
    """A PHP array used as a map; PHP's one empty array may arrive as `[]`."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if value is None or value == []:
        return {}
    raise TemplateShapeError(where, f"is {_kind(value)}, not an array of named values",
                             f"{where} is {said(value)}, not an array of named values")


def is_activated(value: PhpValue) -> bool:
    """Whether Bitrix runs an activity with this `Activated` value: only when it is missing or
    exactly 'Y' (`createActivity` in modules/bizproc/classes/general/workflowtemplateloader.php).
    Import validation skips only an exact 'N' (the same file's `validateTemplate`): that reading
    belongs to the validation rules, which see the raw value."""
    return value is None or value == "Y"


def _php_empty(value: PhpValue) -> bool:
    """PHP's `empty()`: null, false, 0, 0.0, '', '0' and the empty array."""
    return value in (None, False, 0, "", "0", [], {})


def importable(roots: PhpValue) -> bool:
    """Whether Bitrix's import can walk a TEMPLATE array: every activity an array, and its
    Children, when not empty, an array of activities.

    The import (`importTemplateFromArray` → `WalkThroughWorkflowTemplate`, modules/bizproc/
    classes/general/workflowtemplateloader.php) walks the raw arrays with `foreach` and hands
    each node to ValidateProperties; anything else stops it half-way with a type error. It asks
    no more than that: a node without a Type, with Properties that are no array or with named
    keys in Children is imported (ValidateProperties answers for it), although the loader that
    runs the template — `Template.from_package` here — cannot build an activity from it.
    """
    if not isinstance(roots, list):
        return False
    stack: list[PhpValue] = list(roots)
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            return False
        kids = node.get("Children") or []
        if isinstance(kids, dict):
            kids = list(kids.values())
        if not isinstance(kids, list):
            return False
        stack.extend(kids)
    return True


def said(value: object) -> str:
    """What a value is, in the words a user reads: PHP's lists and maps are both arrays, but a
    list is what a JSON reader shows a user."""
    if isinstance(value, bytes):
        return "bytes that are not UTF-8 text"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return _kind(value)


def _shown(text: str, limit: int = 60) -> str:
    """A name from a template, fit for one line: control characters as escapes, cut."""
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str | bytes):
        return "a string"
    if value is None:
        return "null"
    return "an array" if isinstance(value, list | dict) else type(value).__name__


@record(frozen=False, eq=False, slots=False)
class Activity:
    """One activity node: `{Type, Name, Activated, Properties, Children}` in Bitrix's package.

    Identity matters (two nodes with equal content are still two activities), so equality is
    by object; compare `to_php()` results to compare content.
    """

    type: str
    name: str
    properties: dict[str, PhpValue] = field(default_factory=dict)
    children: list[Activity] = field(default_factory=list)
    activated: bool = True

    @property
    def title(self) -> str:
        """The Title as shown in the designer, or the type when it has none."""
        title = self.properties.get("Title")
        return str(title) if isinstance(title, str | int | float) and title != "" else self.type

    @property
    def active_children(self) -> list[Activity]:
        """The children Bitrix runs and validates: switched-off subtrees are skipped."""
        return [child for child in self.children if child.activated]

    def is_type(self, *types: str) -> bool:
        """Bitrix resolves activity classes case-insensitively (PHP class names)."""
        own = self.type.lower()
        return any(own == t.lower() for t in types)

    def walk(self, *, active_only: bool = False) -> Iterator[Activity]:
        """This activity and every descendant, parents before children, in document order.
        With `active_only`, switched-off activities and everything under them are left out."""
        if active_only and not self.activated:
            return
        stack: list[Activity] = [self]
        while stack:
            node = stack.pop()
            yield node
            kids = node.active_children if active_only else node.children
            stack.extend(reversed(kids))

    def to_php(self) -> PackageDict:
        """The node as Bitrix's exporter writes it (key order included)."""
        properties: PackageDict = {key: value for key, value in self.properties.items()}
        return {
            "Type": self.type,
            "Name": self.name,
            "Activated": "Y" if self.activated else "N",
            "Properties": properties,
            "Children": [child.to_php() for child in self.children],
        }

    @classmethod
    def from_php(cls, raw: PhpValue, where: str = "TEMPLATE[0]") -> Activity:
        """Read an activity and everything under it. Without recursion: a portal row may nest
        deeper than Python's stack, and its reader must still answer with a sentence."""
        if not isinstance(raw, dict):
            raise TemplateShapeError(where, f"is {_kind(raw)}, not an activity",
                                     f"{where} is {said(raw)}, not an activity")
        top, kids = cls._one(raw, where)
        pending = [(top, kids, where)]
        while pending:
            parent, kids, at = pending.pop()
            for index, kid in enumerate(kids):
                child, grandkids = cls._one(kid, f"{at}.Children[{index}]")
                parent.children.append(child)
                pending.append((child, grandkids, f"{at}.Children[{index}]"))
        return top

    @classmethod
    def _one(cls, raw: dict[str | int, PhpValue], where: str
             ) -> tuple[Activity, list[dict[str | int, PhpValue]]]:
        """One activity without its children, and the arrays of its children."""
        type_ = raw.get("Type")
        if not isinstance(type_, str) or not type_.strip():
            found = ("no Type" if type_ is None else "an empty Type" if isinstance(type_, str)
                     else f"{said(type_)} as its Type")
            raise TemplateShapeError(where, "has no activity Type",
                                     f"the activity at {where} has {found}")
        name = raw.get("Name")
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)  # PHP turns numeric array keys and names into ints on the way
        if name is None:
            name = ""
        if not isinstance(name, str):
            raise TemplateShapeError(where, f"has a Name that is {_kind(name)}",
                                     f"the activity at {where} has {said(name)} as its Name")
        label = (f"activity {_shown(name)} ({_shown(type_)}, at {where})" if name
                 else f"the activity at {where}")
        try:
            properties = php_map(raw.get("Properties"), f"{where}.Properties")
        except TemplateShapeError as error:
            raise TemplateShapeError(
                error.where, error.problem, f"the Properties of {label} are "
                f"{said(raw.get('Properties'))}, not an array of property names") from None
        # The loader reads Children only when PHP's `empty()` says there are some
        # (`if (!empty($activityFormatted['Children']))`, parseWorkflowTemplate).
        kids_raw = raw.get("Children")
        try:
            kids = php_list(None if _php_empty(kids_raw) else kids_raw, f"{where}.Children")
        except TemplateShapeError as error:
            children = raw.get("Children")
            what = "an array with named keys" if isinstance(children, dict) else said(children)
            raise TemplateShapeError(error.where, error.problem, f"the Children of {label} are "
                                     f"{what}, not a list of activities") from None
        for index, kid in enumerate(kids):
            if not isinstance(kid, dict):
                raise TemplateShapeError(f"{where}.Children[{index}]",
                                         f"is {_kind(kid)}, not an activity",
                                         f"the Children of {label} hold {said(kid)} where an "
                                         "activity belongs")
        node = cls(type_, name, properties, [], is_activated(raw.get("Activated", "Y")))
        return node, [kid for kid in kids if isinstance(kid, dict)]


@record(frozen=False, slots=False)
class Field:
    """A parameter, variable or constant: one entry of PARAMETERS / VARIABLES / CONSTANTS."""

    name: str  # the display name ("Name"); the id is the key of the collection
    type: str
    description: str = ""
    required: bool = False
    multiple: bool = False
    options: PhpValue = ""
    default: PhpValue = ""
    # The title of the request form field that created the variable: saving a RequestInformation
    # dialog adds its fields to VARIABLES as `['Name' => Title] + field`
    # (modules/bizproc/install/activities/bitrix/requestinformationactivity/
    # requestinformationactivity.php, GetPropertiesDialogValues). None: no such key.
    title: str | None = None
    # Keys the designer does not write (another tool's, a newer Bitrix's): kept, so that plan
    # sees them and the importer can say they have no .bpl form.
    extra: dict[str, PhpValue] = field(default_factory=dict)

    def to_php(self) -> PackageDict:
        """As the designer stores it: flags as "1"/"0", empty options and default as ''."""
        return {
            "Name": self.name,
            **({"Title": self.title} if self.title is not None else {}),
            "Description": self.description,
            "Type": self.type,
            "Required": "1" if self.required else "0",
            "Multiple": "1" if self.multiple else "0",
            "Options": self.options,
            "Default": self.default,
            **{key: value for key, value in self.extra.items()},
        }

    @classmethod
    def from_php(cls, ident: str, raw: PhpValue, where: str) -> Field:
        entry = php_map(raw, where)
        name = entry.get("Name")
        type_ = entry.get("Type")
        description = entry.get("Description")
        title = entry.get("Title")
        if not isinstance(title, str):
            title = None  # another value under Title stays an extra key, byte for byte
        return cls(
            name=str(name) if isinstance(name, str | int | float) and name != "" else ident,
            type=str(type_) if isinstance(type_, str | int) else "string",
            description=str(description) if isinstance(description, str) else "",
            required=_flag(entry.get("Required")),
            multiple=_flag(entry.get("Multiple")),
            options=entry.get("Options") if entry.get("Options") is not None else "",
            default=entry.get("Default") if entry.get("Default") is not None else "",
            title=title,
            extra={key: value for key, value in entry.items()
                   if key not in FIELD_KEYS and not (key == "Title" and title is not None)},
        )


FIELD_KEYS = ("Name", "Description", "Type", "Required", "Multiple", "Options", "Default")


def _flag(value: PhpValue) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "y", "true")
    return bool(value)


def _fields(raw: PhpValue, where: str) -> dict[str, Field]:
    # An entry that is not an array declares nothing Bitrix could read a type or a default
    # from; like the activity tree's readers, this one reads past it (the importer reports it).
    return {ident: Field.from_php(ident, value, f"{where}[{ident}]")
            for ident, value in php_map(raw, where).items() if isinstance(value, dict)}


@record(frozen=False, slots=False)
class Template:
    """What a `.bpt` package holds: the activity tree and the template's declarations.

    `roots` is the TEMPLATE array; Bitrix runs its first element (the root activity, which
    Bitrix-made templates name `Template`).
    """

    roots: list[Activity]
    parameters: dict[str, Field] = field(default_factory=dict)
    variables: dict[str, Field] = field(default_factory=dict)
    constants: dict[str, Field] = field(default_factory=dict)
    document_fields: PhpValue = field(default_factory=list)
    version: int = 2

    @property
    def root(self) -> Activity:
        return self.roots[0]

    def walk(self, *, active_only: bool = False) -> Iterator[Activity]:
        """Every activity of the tree, parents first, in document order."""
        for root in self.roots:
            yield from root.walk(active_only=active_only)

    def activity(self, name: str) -> Activity | None:
        """The activity with this Name (Bitrix names are unique within a template)."""
        return next((node for node in self.walk() if node.name == name), None)

    def parents(self) -> dict[int, Activity]:
        """id(child) → its parent, for the few readers that walk upwards."""
        return {id(child): node for node in self.walk() for child in node.children}

    def to_package(self) -> PackageDict:
        """The package array, exactly as Bitrix's exporter writes it (PHP's empty array for an
        empty collection)."""
        return {
            "VERSION": self.version,
            "TEMPLATE": [root.to_php() for root in self.roots],
            "PARAMETERS": _collection(self.parameters),
            "VARIABLES": _collection(self.variables),
            "CONSTANTS": _collection(self.constants),
            "DOCUMENT_FIELDS": self.document_fields,
        }

    @classmethod
    def from_package(cls, package: Mapping[Any, PhpValue]) -> Template:
        """Read an unpacked package; raises TemplateShapeError naming what Bitrix cannot read."""
        roots = php_list(package.get("TEMPLATE"), "TEMPLATE")
        if not roots:
            raise TemplateShapeError("TEMPLATE", "holds no activity")
        version = package.get("VERSION", 2)
        return cls(
            roots=[Activity.from_php(raw, f"TEMPLATE[{i}]") for i, raw in enumerate(roots)],
            parameters=_fields(package.get("PARAMETERS"), "PARAMETERS"),
            variables=_fields(package.get("VARIABLES"), "VARIABLES"),
            constants=_fields(package.get("CONSTANTS"), "CONSTANTS"),
            document_fields=package.get("DOCUMENT_FIELDS") or [],
            version=version if isinstance(version, int) and not isinstance(version, bool)
            else 2,
        )


def _collection(fields: dict[str, Field]) -> PhpValue:
    return {ident: spec.to_php() for ident, spec in fields.items()} if fields else []

