"""Calc functions (§4.2) and field-token modifiers (§4.1)."""

from __future__ import annotations

import pytest

from compiler.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("name", "min_args", "max_args"),
    [
        ("dateadd", 2, 2),
        ("if", 2, 3),
        ("substr", 2, 3),
        ("round", 1, 2),
        ("datediff", 3, 3),
        ("true", 0, 0),
        ("and", 1, -1),
        ("numberformat", 1, 4),
    ],
)
def test_arity(catalog: Catalog, name: str, min_args: int, max_args: int) -> None:
    spec = catalog.functions[name]
    assert (spec.min_args, spec.max_args) == (min_args, max_args)


def test_accepts_counts_arguments(catalog: Catalog) -> None:
    dateadd = catalog.functions["dateadd"]
    assert dateadd.accepts(2)
    assert not dateadd.accepts(1)
    assert not dateadd.accepts(3)
    assert catalog.functions["merge"].accepts(12)


def test_names_are_case_insensitive_and_complete(catalog: Catalog) -> None:
    assert catalog.function("DateAdd") is catalog.functions["dateadd"]
    assert catalog.function("concat") is None  # Bitrix has none; `&` concatenates
    assert len(catalog.functions) >= 40
    groups = {spec.group for spec in catalog.functions.values()}
    assert groups == {"logic", "string", "math", "date", "array", "document"}


def test_return_types(catalog: Catalog) -> None:
    assert catalog.functions["dateadd"].returns == "datetime"
    assert catalog.functions["strlen"].returns == "int"
    assert catalog.functions["explode"].returns == "list"
    assert catalog.functions["if"].returns == "any"


def test_modifiers(catalog: Catalog) -> None:
    printable = catalog.modifiers["printable"]
    assert printable.kind == "format" and printable.applies("user") and printable.applies("int")
    friendly = catalog.modifiers["friendly"]
    assert friendly.applies("user") and not friendly.applies("date")
    assert catalog.modifiers["int"].kind == "type"
    assert catalog.modifier("SERVER") is catalog.modifiers["server"]
    assert set(catalog.modifiers["server"].applies_to) == {"date", "datetime", "time"}
