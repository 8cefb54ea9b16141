"""One canonical form for a template, whether it comes from the compiler or from the portal.

The same template reaches us in two spellings: the compiler's `Template` (Python values as
they go into PHP `serialize`) and `template.list` rows (PHP arrays as JSON, after the portal,
the designer or another tool had their say), read into a `Template` as leniently as Bitrix
reads them. `bpl plan` compares the two, and the importer checks its work with the same
comparison. Every rule that makes the two compare equal lives here, so a wrong guess about
what the portal returns is corrected in one place:

- activity `Name`s are replaced by their position in the tree (`@0.2.1`), in the tree and in
  every reference to them (`{=Name:Prop}`, state names), so that the designer's random names
  and the compiler's hashed ones compare equal;
- `Activated` is read as Bitrix's loader reads it (`Activity.activated`: on when missing or
  exactly `"Y"`), so an activity the portal would not run never compares equal to one it runs;
- flags: `true`/`1`/`"1"`/`"Y"` are one value and `false`/`0`/`"0"`/`"N"`/`""` another, where
  a flag is expected (parameters' `Required`/`Multiple`, properties the catalog types `bool`
  or `yn`); elsewhere booleans read as `"Y"`/`"N"`, as the designer stores them;
- numbers: `5`, `5.0`, `"5"` and `"5.0"` are the same (PHP hands numbers back as strings);
- empty arrays: `[]` and `{}` are the same (PHP has one empty array), and a map keyed
  `0..n-1` is a list (PHP encodes such an array as a JSON list);
- `null` is `""`, and `\\r\\n` is `\\n` (designer textareas);
- a property equal to its catalog default is dropped, as is a root `Permission` map with
  only empty lists: a missing property and its default mean the same to Bitrix; so is one
  holding the value the designer writes where Bitrix's default is null (`FIXED` of the
  statement table: `ModifiedBy: []`, a mail's `File: []`); the entries of a list property
  read as Bitrix reads them (`ENTRY_KEYS`: a request's empty Description or Options is one
  left out, its Required and Multiple are flags; a task's users are lists, none when empty);
- a two-item list of strings `[object, field]` whose object Bitrix resolves (`Template`,
  `Variable`, `Constant`, `Document`, `Workflow`, `User`, `System`, `GlobalVar`, `GlobalConst` or
  an activity of the tree) is the token `{=object:field}`: older templates and the designer
  write references so, and Bitrix reads both alike (modules/bizproc/classes/general/activity.php,
  getPropertyValueRecursive and getRealParameterValue); a pair naming nothing stays a list;
- in a property of users, and in each operation of a `Permission` map, one user or token is
  the list holding it (Bitrix's CBPHelper::ExtractUsers reads a single value as a one-item
  list);
- conditions as Bitrix reads them: a lone `[name, op, value, joiner]` tuple is a list of one,
  a tuple without its joiner joins with AND (0), a branch without a condition is
  `truecondition`;
- activity types compare case-insensitively (PHP class names), and so do a DOCUMENT_TYPE's
  module and entity.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from compiler.bitrix.template import Activity, Field, PackageDict, Template
from compiler.catalog import Catalog, PropertySpec
from compiler.catalog.statements import ENTRY_KEYS, FIXED, EntryKeys

_TRUE = frozenset({"y", "1", "true"})
_FALSE = frozenset({"n", "0", "false", ""})
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_FLAG_PROPERTY_TYPES = frozenset({"bool", "yn"})
_FLAG_FIELD_KEYS = frozenset({"Required", "Multiple"})
# Keys of a parameter/variable/constant whose empty spellings ("", [], null) mean "none".
_EMPTY_FIELD_KEYS = frozenset({"Options", "Default", "Description"})
# Property keys whose *whole value* is an activity name (not an expression inside a text).
# (ForEach's `Object` names an activity when it loops over an activity's result.)
_NAME_KEYS = frozenset({"TargetStateName", "InitialStateName", "object", "Object"})
# Keys the designer writes beside a field's Default for display only (the default shown as
# text); an empty one is the same as none.
_DROPPED_WHEN_EMPTY = frozenset({"Default_printable"})
# A root permission map of empty lists grants nothing, like an empty map.
_EMPTY_MAP_KEYS = frozenset({"Permission"})
# Where a ref can stand after renaming: inside an expression token, or as a whole value.
_REF = re.compile(r"(?<=\{=)@[0-9]+(?:\.[0-9]+)*(?=:)|\A@[0-9]+(?:\.[0-9]+)*\Z")
# Objects a legacy `[object, field]` pair may name besides activities (activity.php,
# getRealParameterValue); the field is what a field token allows.
PAIR_OBJECTS = frozenset({"Document", "Template", "Variable", "Constant", "GlobalConst",
                          "GlobalVar", "Workflow", "User", "System"})
_PAIR_FIELD = re.compile(r"[A-Za-z0-9_.]+")
# The keys that hold a branch's or loop's condition (Bitrix: the first such key is the
# condition class, CBPActivityCondition::CreateInstance); the two whose entries are
# [name, operator, value, joiner] tuples; the branch type without a condition key.
CONDITION_TYPES = ("fieldcondition", "propertyvariablecondition", "mixedcondition",
                   "truecondition", "codecondition")
_TUPLE_CONDITIONS = frozenset({"fieldcondition", "propertyvariablecondition"})
_BRANCH = "ifelsebranchactivity"
# Property types whose value is a list of users (a single value is a one-item list).
_USER_PROPERTY_TYPES = frozenset({"user", "users"})

Canonical = Any  # str | list[Canonical] | dict[str, Canonical]

# Bitrix reads any field of the Workflow object as the workflow's ID (getRealParameterValue,
# modules/bizproc/classes/general/activity.php; the object name is compared exactly), so
# `{=Workflow:id}` and `{=Workflow:ID}` are one token.
_WORKFLOW_TOKEN = re.compile(r"(?<![={])\{=Workflow:[A-Za-z0-9_.]+(?=\s*[>}])")


def token_text(text: str) -> str:
    """A text with its tokens spelled as one reading of them: any Workflow field as ID."""
    return _WORKFLOW_TOKEN.sub("{=Workflow:ID", text) if "{=Workflow:" in text else text


# -- values ------------------------------------------------------------------------------------


def flag(value: Any) -> str | None:
    """"Y"/"N" for any spelling of a flag, None when `value` is not one."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if value is None:
        return "N"
    if isinstance(value, int | float):
        return "Y" if value == 1 else "N" if value == 0 else None
    if isinstance(value, str):
        lowered = value.strip().lower()
        return "Y" if lowered in _TRUE else "N" if lowered in _FALSE else None
    return None


def number(text: str) -> str | None:
    """The canonical spelling of a decimal number ("100000.0" → "100000"), else None."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def value(raw: Any, *, as_flag: bool = False) -> Canonical:
    """The canonical form of one property value (any nesting)."""
    if as_flag:
        spelled = flag(raw)
        if spelled is not None:
            return spelled
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "Y" if raw else "N"
    if isinstance(raw, int | float):
        return number(repr(float(raw)) if isinstance(raw, float) else str(raw)) or str(raw)
    if isinstance(raw, str):
        text = raw.replace("\r\n", "\n")
        return number(text) or text
    if isinstance(raw, Mapping):
        items = {str(k): v for k, v in raw.items()}
        if all(k.isdigit() for k in items) and sorted(map(int, items)) == list(range(len(items))):
            return [value(items[str(i)]) for i in range(len(items))]
        return {k: value(v) for k, v in items.items()}
    if isinstance(raw, list | tuple):
        return [value(v) for v in raw]
    return str(raw)


def pair_token(raw: Any, activities: Collection[str]) -> str | None:
    """`{=object:field}` when `raw` is a legacy reference pair Bitrix resolves, else None."""
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(p, str) for p in raw)):
        return None
    obj, name = raw
    if obj not in PAIR_OBJECTS and obj not in activities:
        return None
    return f"{{={obj}:{name}}}" if _PAIR_FIELD.fullmatch(name) else None


def _entry(entry: Canonical, keys: EntryKeys) -> Canonical:
    """One entry of a list property as Bitrix reads it: flags as flags, keys that may be
    missing left out when empty."""
    if not isinstance(entry, dict):
        return entry
    out: dict[str, Canonical] = {}
    for k, v in entry.items():
        if k in keys.flags:
            v = flag(v) or v
        if k in keys.users and isinstance(v, str):
            v = [v] if v else []
        if k not in keys.empty or not is_empty(v):
            out[k] = v
    return out


def is_empty(canonical: Canonical) -> bool:
    return canonical in ("", [], {})


def dumps(canonical: Canonical) -> str:
    return json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(canonical: Canonical) -> str:
    return hashlib.sha256(dumps(canonical).encode()).hexdigest()


# -- the activity tree -------------------------------------------------------------------------


@dataclass
class Node:
    """One activity. `ref` is its position (`@0.1`); `properties` are canonical, with other
    activities referred to by their refs; `raw` keeps the original values for display."""

    type: str
    name: str
    ref: str
    activated: bool
    properties: dict[str, Canonical]
    raw: dict[str, Any]
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        title = self.raw.get("Title")
        return str(title) if isinstance(title, str | int | float) and title != "" else self.type

    def canonical(self) -> dict[str, Canonical]:
        return {
            "Type": self.type,
            "Activated": "Y" if self.activated else "N",
            "Properties": self.properties,
            "Children": [child.canonical() for child in self.children],
        }

    def walk(self) -> list[Node]:
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


class _Renamer:
    """Activity names → refs inside property values."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        ordered = sorted(names, key=len, reverse=True)
        self._pattern = (
            re.compile(r"\{=(" + "|".join(map(re.escape, ordered)) + r"):") if ordered else None
        )

    def text(self, text: str) -> str:
        if "{=" not in text:
            return text
        text = token_text(text)
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: "{=" + self.names[m.group(1)] + ":", text)

    def __call__(self, canonical: Canonical, key: str | None = None) -> Canonical:
        if isinstance(canonical, str):
            if key in _NAME_KEYS and canonical in self.names:
                return self.names[canonical]
            return self.text(canonical)
        if isinstance(canonical, list):
            token = pair_token(canonical, self.names)
            if token is not None:
                return self.text(token)
            return [self(item, key) for item in canonical]
        return {k: self(v, k) for k, v in canonical.items()}


def _collect_names(roots: Sequence[Activity]) -> dict[str, str]:
    """Name → ref of every activity (the first one where two share a Name)."""
    names: dict[str, str] = {}
    stack = [(root, f"@{index}") for index, root in reversed(list(enumerate(roots)))]
    while stack:
        activity, ref = stack.pop()
        if activity.name and activity.name not in names:
            names[activity.name] = ref
        stack.extend((child, f"{ref}.{index}")
                     for index, child in reversed(list(enumerate(activity.children))))
    return names


class Normaliser:
    """Builds canonical templates; the catalog says which properties are flags and defaults."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def template(self, template: Template, header: Header) -> CanonicalTemplate:
        return CanonicalTemplate(
            name=_text(header.name), description=_text(header.description),
            document_type=header.document_type, auto_execute=header.auto_execute,
            roots=self.tree(template.roots), parameters=self.collection(template.parameters),
            variables=self.collection(template.variables),
            constants=self.collection(template.constants))

    def tree(self, roots: Sequence[Activity]) -> list[Node]:
        renamer = _Renamer(_collect_names(roots))
        return [self._node(root, f"@{i}", renamer, None) for i, root in enumerate(roots)]

    def _node(self, activity: Activity, ref: str, renamer: _Renamer,
              parent: Node | None) -> Node:
        spec = self.catalog.activity(activity.type)
        node = Node(
            type=spec.type if spec else activity.type,
            name=activity.name,
            ref=ref,
            activated=activity.activated,
            properties=self._properties(activity.properties, spec.properties if spec else {},
                                        renamer, FIXED.get(spec.type if spec else "", {}),
                                        spec.type if spec else activity.type),
            raw=activity.properties,
            parent=parent,
        )
        _conditions(node)
        node.children = [self._node(child, f"{ref}.{i}", renamer, node)
                         for i, child in enumerate(activity.children)]
        return node

    def _properties(self, props: Mapping[str, Any], specs: Mapping[str, PropertySpec],
                    renamer: _Renamer, fixed: Mapping[str, Any],
                    activity_type: str) -> dict[str, Canonical]:
        out: dict[str, Canonical] = {}
        for key, raw_value in props.items():
            spec = specs.get(key)
            as_flag = spec is not None and spec.type in _FLAG_PROPERTY_TYPES
            canonical = renamer(value(raw_value, as_flag=as_flag), key)
            if spec is not None and spec.type in _USER_PROPERTY_TYPES and \
                    isinstance(canonical, str) and canonical:
                canonical = [canonical]
            if key in _EMPTY_MAP_KEYS and isinstance(canonical, dict) and all(
                    is_empty(v) for v in canonical.values()):
                canonical = []
            if key in _EMPTY_MAP_KEYS and isinstance(canonical, dict):
                # operation → users: one user or token is the list holding it (ExtractUsers)
                canonical = {k: [v] if isinstance(v, str) and v else v
                             for k, v in canonical.items()}
            entry_keys = ENTRY_KEYS.get((activity_type, key))
            if entry_keys is not None:
                canonical = [_entry(item, entry_keys) for item in canonical] \
                    if isinstance(canonical, list) else _entry(canonical, entry_keys)
            if spec is not None and canonical == _default(spec, as_flag):
                continue
            if key in fixed and canonical == value(fixed[key], as_flag=as_flag):
                continue  # the designer's spelling of Bitrix's null default
            if spec is None and key in _EMPTY_MAP_KEYS and is_empty(canonical):
                continue
            if canonical == "":
                continue  # a missing property is null, and null is ""
            out[key] = canonical
        return out

    def collection(self, fields: Mapping[str, Field]) -> dict[str, dict[str, Canonical]]:
        """PARAMETERS / VARIABLES / CONSTANTS: id → field description."""
        out: dict[str, dict[str, Canonical]] = {}
        for ident, spec in fields.items():
            entry: dict[str, Canonical] = {}
            for name, item in spec.to_php().items():
                canonical = value(item, as_flag=name in _FLAG_FIELD_KEYS)
                if name in _EMPTY_FIELD_KEYS and is_empty(canonical):
                    canonical = ""
                if name in _DROPPED_WHEN_EMPTY and is_empty(canonical):
                    continue
                entry[str(name)] = canonical
            out[ident] = entry
        return out


def condition_as_read(key: str, raw: Any, joiner: Any = 0) -> Any:
    """A field or variable condition's entries as Bitrix reads them: a lone tuple in a list,
    every tuple with its joiner (`joiner`, AND, where it has none)."""
    if key not in _TUPLE_CONDITIONS or not isinstance(raw, list) or not raw:
        return raw
    entries = raw if isinstance(raw[0], list | dict) else [raw]
    return [[*e, joiner] if isinstance(e, list) and len(e) == 3 else e for e in entries]


def _conditions(node: Node) -> None:
    """Conditions as Bitrix reads them (bizproc/classes/general/activitycondition.php): one
    tuple without its list is a list of one (conditionGroupToArray), a tuple without its
    joiner joins with AND, 0 (getJoiner: empty is AND); and a branch without any condition
    is always taken (ifelseactivity.php: a null Condition), as `truecondition` says."""
    props = node.properties
    for key in _TUPLE_CONDITIONS & set(props):
        props[key] = condition_as_read(key, props[key], "0")
    if node.type.lower() == _BRANCH and not any(k.lower() in CONDITION_TYPES for k in props):
        props["truecondition"] = "1"


def _default(spec: PropertySpec, as_flag: bool) -> Canonical:
    return value(spec.default if spec.default is not None else "", as_flag=as_flag)


# -- templates ---------------------------------------------------------------------------------


@dataclass
class CanonicalTemplate:
    """Everything of a template that a deploy can change, in canonical form."""

    name: str
    description: str  # without the identity marker
    document_type: tuple[str, str, str]
    auto_execute: int
    roots: list[Node]
    parameters: dict[str, dict[str, Canonical]]
    variables: dict[str, dict[str, Canonical]]
    constants: dict[str, dict[str, Canonical]]

    def body(self) -> dict[str, Canonical]:
        """What TEMPLATE_DATA carries: changing any of it needs a re-import."""
        return {
            "TEMPLATE": [root.canonical() for root in self.roots],
            "PARAMETERS": self.parameters,
            "VARIABLES": self.variables,
            "CONSTANTS": self.constants,
        }

    def header(self) -> dict[str, Canonical]:
        """What `template.update` can change without re-importing."""
        return {
            "NAME": self.name,
            "DESCRIPTION": self.description,
            "AUTO_EXECUTE": str(self.auto_execute),
        }

    def document_key(self) -> tuple[str, str, str]:
        module, entity, kind = self.document_type
        return module.lower(), entity.lower(), kind

    @property
    def body_hash(self) -> str:
        return digest(self.body())

    @property
    def content_hash(self) -> str:
        """Hash of everything deployable: the state file keeps it to detect portal edits."""
        return digest({**self.body(), **self.header(), "DOCUMENT_TYPE": list(self.document_key())})

    def nodes(self) -> list[Node]:
        return [node for root in self.roots for node in root.walk()]


def _text(raw: Any) -> str:
    return "" if raw is None else str(raw).replace("\r\n", "\n").strip()


def _int(raw: Any) -> int:
    try:
        return int(str(raw).strip() or 0)
    except ValueError:
        return 0


@dataclass(frozen=True)
class Header:
    """What a template has besides its data: the fields `template.update` changes alone."""

    name: str
    description: str  # without bpl's identity marker
    document_type: tuple[str, str, str]
    auto_execute: int


class Compiled(Protocol):
    """A compiled workflow, as codegen's CompiledTemplate has it."""

    @property
    def template(self) -> Template: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def document_type(self) -> Sequence[str]: ...
    @property
    def auto_execute(self) -> int: ...


def header_of(compiled: Compiled) -> Header:
    module, entity, kind = compiled.document_type
    return Header(compiled.name, compiled.description, (module, entity, kind),
                  compiled.auto_execute)


def from_compiled(compiled: Compiled, normaliser: Normaliser) -> CanonicalTemplate:
    return normaliser.template(compiled.template, header_of(compiled))


def document_type_of(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """DOCUMENT_TYPE of a list row: a 3-element array, or (per the docs) only its third
    element next to MODULE_ID and ENTITY."""
    raw = row.get("DOCUMENT_TYPE")
    parts = _as_list(raw)
    if len(parts) == 3:
        return (str(parts[0] or row.get("MODULE_ID") or ""),
                str(parts[1] or row.get("ENTITY") or ""), str(parts[2] or ""))
    return (str(row.get("MODULE_ID") or ""), str(row.get("ENTITY") or ""),
            str(raw) if isinstance(raw, str) else "")


def template_of_row(row: Mapping[str, Any]) -> Template:
    """The template data of a `template.list` row; TemplateShapeError when Bitrix could not
    have stored it (the tree or a declaration is damaged)."""
    package: PackageDict = {key: row.get(key) for key in ("TEMPLATE", "PARAMETERS",
                                                           "VARIABLES", "CONSTANTS")}
    return Template.from_package(package)


def header_of_row(row: Mapping[str, Any], description: str) -> Header:
    """The header of a `template.list` row; `description` is its DESCRIPTION without the
    identity marker (which is the deployer's to read)."""
    return Header(_text(row.get("NAME")), description, document_type_of(row),
                  _int(row.get("AUTO_EXECUTE")))


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, list):
        return raw
    if isinstance(raw, Mapping):
        return [raw[k] for k in sorted(raw, key=lambda k: int(k) if str(k).isdigit() else 0)]
    return []


def rewrite_refs(canonical: Canonical, mapping: Callable[[str], str]) -> Canonical:
    """`canonical` with every `@ref` passed through `mapping` (old positions → new ones)."""
    if isinstance(canonical, str):
        if "@" not in canonical:
            return canonical
        return _REF.sub(lambda m: mapping(m.group(0)), canonical)
    if isinstance(canonical, list):
        return [rewrite_refs(item, mapping) for item in canonical]
    return {k: rewrite_refs(v, mapping) for k, v in canonical.items()}
