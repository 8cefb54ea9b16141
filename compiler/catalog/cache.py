"""The validated catalog, kept in the user's cache folder so that a cold `bpl check` neither
parses TOML nor validates it.

Parsing stdlib/*.toml with tomllib and validating every record costs more than checking a small
project. Once a catalog has passed validation (every file, and the cross-checks), its records are
stored as plain data — each record's field values and which of them the file set — in the user's
cache folder (compiler.usercache: plain data only, trusted only when private to the user). The
entry is named after the catalog's files (names and bytes), the source of the modules that
read and validate them (this package) and the pydantic version, so any change to the TOML or to
the rules reads and validates the files again. A catalog that fails validation is never
stored: its error is raised again on every run, as without the cache. An entry that is missing,
untrusted or damaged is ignored and the TOML is read.

Records are rebuilt by their constructors, which check the rules that relate a record's fields
(`__post_init__`) but not the field types (the data was produced by validation, by this user,
under the same rules), each when it is first asked for: a check uses a few of the catalog's
activities. The shape of every record is checked when the entry is read, so that a damaged entry
is not used at all. Nothing here imports pydantic: a catalog read from the cache needs none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import re
from collections.abc import Iterator, KeysView, Mapping
from pathlib import Path
from typing import Any, TypeVar

from compiler import record as record_module
from compiler.catalog import models
from compiler.resources import catalog_fingerprint
from compiler.usercache import read_entry, user_cache_dir, write_entry

# Bumped whenever the layout of an entry changes, so that an older entry is never read.
_FORMAT = 2

_Model = TypeVar("_Model", bound=models.Spec)
Record = dict[str, Any]  # {field: value}; a nested table of records is {name: Record}
# The annotation of a field that maps names to records: "dict[str, PropertySpec]".
_RECORD_TABLE = re.compile(r"dict\[str, (\w+)\]")


def entry_name(root: Path) -> str | None:
    """The name of the entry for the catalog in `root`; None when its files cannot be read."""
    try:
        files = catalog_fingerprint(root)
        # The package's source: the models, the loader and this module decide what a record
        # holds; compiler.record builds the records; pydantic validates them.
        rules = [path.read_bytes() for path in sorted(Path(models.__file__).parent.glob("*.py"))]
        rules += [Path(record_module.__file__).read_bytes(), _validator_version()]
    except OSError:
        return None
    key = b"\0".join([files.encode(), *rules, str(_FORMAT).encode()])
    return f"catalog-{hashlib.sha256(key).hexdigest()[:24]}.pickle"


def read(name: str) -> dict[str, Any] | None:
    folder = user_cache_dir()
    data = read_entry(folder, name) if folder is not None else None
    return data if isinstance(data, dict) else None


def write(name: str, data: dict[str, Any]) -> None:
    folder = user_cache_dir()
    if folder is not None:
        write_entry(folder, name, data)


def _validator_version() -> bytes:
    """The source of pydantic's version module, found without importing pydantic: a newer
    validator may judge the TOML otherwise."""
    spec = importlib.util.find_spec("pydantic")
    if spec is None or spec.origin is None:
        return b""
    return Path(spec.origin).with_name("version.py").read_bytes()


def dump(spec: models.Spec) -> Record:
    """A validated record as plain data; nested records (an activity's properties) too."""
    nested = _nested(type(spec))
    values: Record = {}
    for name in _field_names(type(spec)):
        value = getattr(spec, name)
        if name in nested:
            value = {key: dump(item) for key, item in value.items()}
        values[name] = value
    return values


def build(model: type[_Model], record: Record) -> _Model:
    """The record `dump` made, without validating its fields' types again; ValueError when the
    entry does not have the record's shape (a damaged entry)."""
    if not isinstance(record, dict) or record.keys() != _field_names(model):
        raise ValueError(f"a cached {model.__name__} does not have the record's fields")
    nested = _nested(model)
    if nested:
        record = {name: ({key: build(nested[name], item) for key, item in value.items()}
                         if name in nested else value)
                  for name, value in record.items()}
    return model(**record)


class Records(Mapping[str, _Model]):
    """The records of one table of a cache entry, each built when it is first asked for: a
    check uses a few of the catalog's activities."""

    def __init__(self, model: type[_Model], records: dict[str, Record]) -> None:
        if not isinstance(records, dict):
            raise ValueError(f"a cached table of {model.__name__} is not a table")
        for record in records.values():
            _check_shape(model, record)  # now, so that a damaged entry is not used at all
        self._model = model
        self._records = records
        self._built: dict[str, _Model] = {}

    def __getitem__(self, name: str) -> _Model:
        spec = self._built.get(name)
        if spec is None:
            spec = self._built[name] = build(self._model, self._records[name])
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, name: object) -> bool:
        return name in self._records


def _check_shape(model: type[models.Spec], record: Record) -> None:
    """ValueError unless `record` has the fields of `model`, and its nested records theirs."""
    if not isinstance(record, dict) or record.keys() != _field_names(model):
        raise ValueError(f"a cached {model.__name__} does not have the record's fields")
    for name, item_model in _nested(model).items():
        for item in record[name].values():
            _check_shape(item_model, item)


# Per record class: its field names, and the fields that map names to records.
_layouts: dict[type[models.Spec], tuple[KeysView[str], dict[str, type[models.Spec]]]] = {}


def _field_names(model: type[models.Spec]) -> KeysView[str]:
    return _layout(model)[0]


def _nested(model: type[models.Spec]) -> dict[str, type[models.Spec]]:
    """The fields of `model` that map names to records: {field: record class}."""
    return _layout(model)[1]


def _layout(model: type[models.Spec]) -> tuple[KeysView[str], dict[str, type[models.Spec]]]:
    layout = _layouts.get(model)
    if layout is None:
        fields = dataclasses.fields(model)
        nested = {}
        for field in fields:
            # The annotation as written (models postpones annotations): evaluating them all
            # costs more than a check's use of the catalog.
            table = _RECORD_TABLE.fullmatch(str(field.type))
            item = getattr(models, table.group(1), None) if table else None
            if isinstance(item, type) and issubclass(item, models.Spec):
                nested[field.name] = item
        layout = _layouts[model] = (dict.fromkeys(f.name for f in fields).keys(), nested)
    return layout
