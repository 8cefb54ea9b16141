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

Records are rebuilt with pydantic's `model_construct`, which skips validation (the data was
produced by validation, by this user, under the same rules), each when it is first asked for:
a check uses a few of the catalog's activities. The shape of every record is checked when the
entry is read, so that a damaged entry is not used at all.
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from compiler.catalog import models
from compiler.resources import catalog_fingerprint
from compiler.usercache import read_entry, user_cache_dir, write_entry

# Bumped whenever the layout of an entry changes, so that an older entry is never read.
_FORMAT = 1

_Model = TypeVar("_Model", bound=pydantic.BaseModel)
Record = dict[str, Any]  # {"values": {field: value}, "set": [fields the file set]}


def entry_name(root: Path) -> str | None:
    """The name of the entry for the catalog in `root`; None when its files cannot be read."""
    try:
        files = catalog_fingerprint(root)
        # The package's source: the models, the loader and this module decide what a record holds.
        rules = [path.read_bytes() for path in sorted(Path(models.__file__).parent.glob("*.py"))]
    except OSError:
        return None
    key = b"\0".join([files.encode(), *rules, pydantic.VERSION.encode(), str(_FORMAT).encode()])
    return f"catalog-{hashlib.sha256(key).hexdigest()[:24]}.pickle"


def read(name: str) -> dict[str, Any] | None:
    folder = user_cache_dir()
    data = read_entry(folder, name) if folder is not None else None
    return data if isinstance(data, dict) else None


def write(name: str, data: dict[str, Any]) -> None:
    folder = user_cache_dir()
    if folder is not None:
        write_entry(folder, name, data)


def dump(spec: pydantic.BaseModel) -> Record:
    """A validated record as plain data; nested records (an activity's properties) too."""
    nested = _nested(type(spec))
    values: dict[str, Any] = {}
    for field in type(spec).model_fields:
        value = getattr(spec, field)
        if field in nested:
            value = {key: dump(item) for key, item in value.items()}
        values[field] = value
    return {"values": values, "set": sorted(spec.model_fields_set)}


def build(model: type[_Model], record: Record) -> _Model:
    """The record `dump` made, without validating it again; ValueError when the entry does not
    have the model's shape (a damaged entry)."""
    values, fields_set = record["values"], record["set"]
    if not isinstance(values, dict) or values.keys() != model.model_fields.keys():
        raise ValueError(f"a cached {model.__name__} does not have the model's fields")
    nested = _nested(model)
    if nested:
        values = {field: ({key: build(nested[field], item) for key, item in value.items()}
                          if field in nested else value)
                  for field, value in values.items()}
    return model.model_construct(set(fields_set), **values)


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


def _check_shape(model: type[pydantic.BaseModel], record: Record) -> None:
    """ValueError unless `record` has the fields of `model`, and its nested records theirs."""
    values = record["values"]
    if not isinstance(values, dict) or values.keys() != model.model_fields.keys() or \
            not isinstance(record["set"], list | tuple):
        raise ValueError(f"a cached {model.__name__} does not have the model's fields")
    for field, item_model in _nested(model).items():
        for item in values[field].values():
            _check_shape(item_model, item)


@cache
def _nested(model: type[pydantic.BaseModel]) -> dict[str, type[pydantic.BaseModel]]:
    """The fields of `model` that map names to records: {field: record model}."""
    found = {}
    for field, info in model.model_fields.items():
        if typing.get_origin(info.annotation) is dict:
            item = typing.get_args(info.annotation)[1]
            if isinstance(item, type) and issubclass(item, pydantic.BaseModel):
                found[field] = item
    return found
