"""Reading and validating the standard catalog: stdlib/activities.toml, functions.toml,
modifiers.toml and documents/*.toml.

The catalog is read on every `bpl check`, so it is parsed once per process (cached) and validated
record by record; the first problem becomes one CatalogError that names the file and the key.
Document field catalogs are the bulk of the TOML while a workflow uses one of them, so each
document file is read when it is first asked for (`eager=True` reads them all up front).
A catalog that passed validation whole is kept in the user's cache folder (catalog.cache) and
rebuilt from there, without TOML or validation, until one of its files changes.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from compiler.catalog import cache as catalog_cache
from compiler.catalog.models import (
    APP_ACTIVITY,
    APP_ACTIVITY_PREFIX,
    ActivitySpec,
    ConditionSpec,
    DocumentSpec,
    FunctionSpec,
    ModifierSpec,
    Spec,
)
from compiler.resources import stdlib_dir

if TYPE_CHECKING:  # pydantic is imported where a file is validated, never for a cached catalog
    from pydantic import TypeAdapter, ValidationError

_Model = TypeVar("_Model", bound=Spec)

_ACTIVITIES = "activities.toml"
_FUNCTIONS = "functions.toml"
_MODIFIERS = "modifiers.toml"
_DOCUMENTS = "documents"


class CatalogError(Exception):
    """A catalog file is unreadable or violates the schema; the message names file and key."""


def load_catalog(directory: Path | str | None = None, *, eager: bool = False) -> Catalog:
    """The catalog of `directory` (default: the installed stdlib), read once per process."""
    root = Path(directory) if directory is not None else stdlib_dir()
    catalog = _load(root.resolve())
    if eager:
        catalog.documents.load_all()
    return catalog


@cache
def _load(root: Path) -> Catalog:
    entry = catalog_cache.entry_name(root)
    if entry is not None:
        data = catalog_cache.read(entry)
        if data is not None:
            try:
                return _rebuild(root, data)
            except Exception:  # a damaged entry: read the TOML instead
                pass
    catalog = _validate(root)
    if entry is not None:
        try:
            catalog.documents.load_all()
        except CatalogError:
            return catalog  # a broken document file fails when it is asked for; not cached
        catalog_cache.write(entry, _entry_data(catalog))
    return catalog


def _validate(root: Path) -> Catalog:
    """The catalog read from its TOML files and validated record by record."""
    reader = _Reader(root)
    activities_file = reader.read(_ACTIVITIES, {"activities", "app_activities", "conditions",
                                                 "operators"})
    catalog = Catalog(
        activities=reader.records(activities_file, _ACTIVITIES, "activities", ActivitySpec, "type"),
        app_activities=reader.records(activities_file, _ACTIVITIES, "app_activities",
                                      ActivitySpec, "type"),
        conditions=reader.records(
            activities_file, _ACTIVITIES, "conditions", ConditionSpec, "code"
        ),
        operators=reader.string_map(activities_file, _ACTIVITIES, "operators"),
        functions=reader.records(
            reader.read(_FUNCTIONS, {"functions"}), _FUNCTIONS, "functions", FunctionSpec, "name"
        ),
        modifiers=reader.records(
            reader.read(_MODIFIERS, {"modifiers"}), _MODIFIERS, "modifiers", ModifierSpec, "name"
        ),
        documents=Documents(reader),
    )
    _cross_check(catalog, reader)
    return catalog


# The catalog's tables of records, as a cache entry keeps them.
_RECORD_TABLES = ("activities", "app_activities", "conditions", "functions", "modifiers",
                  "documents")


def _entry_data(catalog: Catalog) -> dict[str, Any]:
    """A fully validated catalog as the plain data of a cache entry (compiler.catalog.cache)."""
    data: dict[str, Any] = {"operators": dict(catalog.operators)}
    for table in _RECORD_TABLES:
        records: Mapping[str, Spec] = getattr(catalog, table)
        data[table] = {name: catalog_cache.dump(spec) for name, spec in records.items()}
    return data


def _rebuild(root: Path, data: dict[str, Any]) -> Catalog:
    """The catalog from a cache entry, without reading the TOML or validating it again."""

    def records(table: str, model: type[_Model]) -> catalog_cache.Records[_Model]:
        return catalog_cache.Records(model, data[table])

    return Catalog(
        activities=records("activities", ActivitySpec),
        app_activities=records("app_activities", ActivitySpec),
        conditions=records("conditions", ConditionSpec),
        operators={str(key): str(value) for key, value in data["operators"].items()},
        functions=records("functions", FunctionSpec),
        modifiers=records("modifiers", ModifierSpec),
        documents=Documents(_Reader(root), cached=data["documents"]),
    )


class Catalog:
    """The standard activities, documents, calc functions, conditions and modifiers.

    Bitrix matches activity types, condition codes and function names case-insensitively, so the
    lookup methods do too; the mappings keep the canonical spelling as keys.
    """

    def __init__(
        self,
        *,
        activities: Mapping[str, ActivitySpec],
        conditions: Mapping[str, ConditionSpec],
        operators: dict[str, str],
        functions: Mapping[str, FunctionSpec],
        modifiers: Mapping[str, ModifierSpec],
        documents: Documents,
        app_activities: Mapping[str, ActivitySpec] | None = None,
    ) -> None:
        self.activities = activities
        # The classes behind apps' activities, whose node Types are rest_<md5> (not catalogued
        # types of their own).
        self.app_activities = app_activities or {}
        self.conditions = conditions
        self.operators = operators
        self.functions = functions
        self.modifiers = modifiers
        self.documents = documents
        # Lower-case name → canonical name (the records themselves may be built on first use).
        self._activities_ci = {name.lower(): name for name in activities}
        self._conditions_ci = {code.lower(): code for code in conditions}
        self._modifiers_ci = {name.lower(): name for name in modifiers}

    def activity(self, type_name: str) -> ActivitySpec | None:
        name = self._activities_ci.get(type_name.lower())
        return self.activities[name] if name is not None else None

    def activity_class(self, type_name: str) -> ActivitySpec | None:
        """The class behind a node Type: an app's activity (rest_…) is RestActivity."""
        if type_name.lower().startswith(APP_ACTIVITY_PREFIX):
            return self.app_activities.get(APP_ACTIVITY)
        return self.activity(type_name)

    def condition(self, code: str) -> ConditionSpec | None:
        canonical = self._conditions_ci.get(code.lower())
        return self.conditions[canonical] if canonical is not None else None

    def document(self, name: str) -> DocumentSpec | None:
        return self.documents.find(name)

    def function(self, name: str) -> FunctionSpec | None:
        return self.functions.get(name.lower())

    def modifier(self, name: str) -> ModifierSpec | None:
        canonical = self._modifiers_ci.get(name.lower())
        return self.modifiers[canonical] if canonical is not None else None

    def document_by_type(self, module: str, entity: str, document_type: str) -> DocumentSpec | None:
        """Reverse lookup of a DOCUMENT_TYPE triple: ("crm", "...\\Dynamic", "DYNAMIC_147").

        Module and entity compare case-insensitively, as PHP class names do.
        """
        module, entity = module.lower(), entity.lower()
        for spec in self.documents.values():
            if (
                spec.module.lower() == module
                and any(entity == candidate.lower() for candidate in spec.entities)
                and spec.match_document_type(document_type) is not None
            ):
                return spec
        return None

    def is_a(self, type_name: str, base: str) -> bool:
        """True when `type_name` is `base` or extends it (Bitrix's "or a subclass" child rules)."""
        spec = self.activity(type_name)
        wanted = base.lower()
        seen: set[str] = set()
        while spec is not None and spec.type.lower() not in seen:
            if spec.type.lower() == wanted:
                return True
            seen.add(spec.type.lower())
            spec = self.activity(spec.extends) if spec.extends else None
        return False

    def child_error(self, parent: str, child: str, *, first: bool = False) -> str | None:
        """Why `child` may not go under `parent` (Bitrix's own ValidateChild message where it has
        one), or None when it may.

        A leaf given children is reported although Bitrix's base ValidateChild accepts anything:
        the children would never run. Unknown types are not judged here: Bitrix reports those
        separately ("Activity was not found"), and app activities (rest_...) are not in the catalog.
        """
        spec = self.activity(parent)
        if spec is None or self.activity(child) is None:
            return None
        if spec.children == "none":
            return f"'{spec.type}' cannot contain other activities."
        if spec.children != "any" and not any(self.is_a(child, a) for a in spec.children):
            allowed = "', '".join(spec.children)
            return spec.child_error or f"'{spec.type}' can contain only '{allowed}' activities."
        if first and spec.first_child and not any(self.is_a(child, a) for a in spec.first_child):
            fallback = f"'{child}' cannot be the first child of '{spec.type}'."
            return spec.first_child_error or fallback
        return None


class Documents(Mapping[str, DocumentSpec]):
    """Document catalogs by name ("crm.deal"); each file is parsed on first access."""

    def __init__(self, reader: _Reader, cached: dict[str, Any] | None = None) -> None:
        """`cached`: every document, as a cache entry keeps it (built on first access)."""
        self._reader = reader
        folder = reader.root / _DOCUMENTS
        if not folder.is_dir():
            raise reader.fail(_DOCUMENTS, "", "folder is missing")
        self._paths = {path.stem: path for path in sorted(folder.glob("*.toml"))}
        if cached is not None and cached.keys() != self._paths.keys():
            raise ValueError("the cached documents are not the folder's")
        self._cached = cached
        self._names_ci = {name.lower(): name for name in self._paths}
        self._loaded: dict[str, DocumentSpec] = {}

    def __getitem__(self, name: str) -> DocumentSpec:
        spec = self._loaded.get(name)
        if spec is None:
            if name not in self._paths:
                raise KeyError(name)
            spec = self._loaded[name] = self._read(name)
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def find(self, name: str) -> DocumentSpec | None:
        canonical = self._names_ci.get(name.lower())
        return self[canonical] if canonical is not None else None

    def load_all(self) -> None:
        for name in self._paths:
            self[name]

    def _read(self, name: str) -> DocumentSpec:
        if self._cached is not None:
            try:
                return catalog_cache.build(DocumentSpec, self._cached[name])
            except Exception:  # a damaged entry: read the file instead
                self._cached = None
        reader = self._reader
        relative = f"{_DOCUMENTS}/{name}.toml"
        data = reader.read(relative, {field.name for field in dataclasses.fields(DocumentSpec)})
        spec = reader.validate(DocumentSpec, data, relative, "")
        if spec.name != name:
            raise reader.fail(relative, "name", f"{spec.name!r} differs from the file name")
        for prefix, target in spec.references.items():
            if target not in self._paths:
                raise reader.fail(relative, f"references.{prefix}", f"unknown document {target!r}")
        return spec


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root

    def label(self, relative: str) -> str:
        # "stdlib/activities.toml": short enough for a message, precise enough to open the file.
        return f"{self.root.name}/{relative}"

    def fail(self, relative: str, key: str, what: str) -> CatalogError:
        where = f"{key}: " if key else ""
        return CatalogError(f"{self.label(relative)}: {where}{what}")

    def read(self, relative: str, allowed: set[str]) -> dict[str, Any]:
        path = self.root / relative
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise self.fail(relative, "", "file is missing") from None
        except (OSError, UnicodeDecodeError) as error:
            raise self.fail(relative, "", f"cannot be read ({error})") from None
        except tomllib.TOMLDecodeError as error:
            raise self.fail(relative, "", f"invalid TOML ({error})") from None
        for key in data:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(relative, key, f"unknown top-level key (expected {expected})")
        return data

    def string_map(self, data: Mapping[str, Any], relative: str, table: str) -> dict[str, str]:
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise self.fail(relative, table, "must be a table")
        for key, value in section.items():
            if not isinstance(value, str):
                raise self.fail(relative, f"{table}.{key}", "must be a string")
        return dict(section)

    def records(
        self,
        data: Mapping[str, Any],
        relative: str,
        table: str,
        model: type[_Model],
        name_field: str,
    ) -> dict[str, _Model]:
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise self.fail(relative, table, "must be a table")
        result: dict[str, _Model] = {}
        for name, body in section.items():
            key = f"{table}.{name}"
            if not isinstance(body, dict):
                raise self.fail(relative, key, "must be a table")
            if name_field in body:
                raise self.fail(
                    relative, f"{key}.{name_field}", "is implied by the table name; remove it"
                )
            result[name] = self.validate(model, {name_field: name, **body}, relative, key)
        return result

    def validate(
        self, model: type[_Model], payload: dict[str, Any], relative: str, key: str
    ) -> _Model:
        from pydantic import ValidationError

        try:
            return _adapter(model).validate_python(payload)
        except ValidationError as error:
            raise self.fail(relative, *_describe(error, key)) from None


_adapters: dict[type[Spec], TypeAdapter[Any]] = {}


def _adapter(model: type[_Model]) -> TypeAdapter[_Model]:
    """The validator of a record class: its fields' types, no unknown keys, its __post_init__."""
    from pydantic import TypeAdapter

    adapter = _adapters.get(model)
    if adapter is None:
        adapter = _adapters[model] = TypeAdapter(model)
    return adapter


def _describe(error: ValidationError, prefix: str) -> tuple[str, str]:
    """(dotted key, message) of the first validation problem, plus how many more there are."""
    first = error.errors()[0]
    parts = [prefix] if prefix else []
    parts += [str(part) for part in first["loc"]]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown key (a typo?)"
    elif first["type"] == "missing":
        message = "required key is missing"
    more = error.error_count() - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ".".join(parts), message


def _cross_check(catalog: Catalog, reader: _Reader) -> None:
    """References between records: child rules, base classes, operators, function names."""

    def require_activities(names: Iterable[str], key: str) -> None:
        for name in names:
            if name not in catalog.activities:
                raise reader.fail(_ACTIVITIES, key, f"unknown activity {name!r}")

    for name, spec in catalog.activities.items():
        key = f"activities.{name}"
        if isinstance(spec.children, tuple):
            require_activities(spec.children, f"{key}.children")
        require_activities(spec.first_child, f"{key}.first_child")
        if spec.extends is not None:
            require_activities([spec.extends], f"{key}.extends")
        for child in spec.first_child:
            if not catalog.activities[child].event_driven:
                raise reader.fail(
                    _ACTIVITIES, f"{key}.first_child", f"{child!r} is not event_driven"
                )
    for code, condition in catalog.conditions.items():
        for operator in condition.operators:
            if operator not in catalog.operators:
                raise reader.fail(
                    _ACTIVITIES, f"conditions.{code}.operators", f"unknown operator {operator!r}"
                )
    for name in catalog.functions:
        if name != name.lower():
            raise reader.fail(_FUNCTIONS, f"functions.{name}", "function names are lower case")
