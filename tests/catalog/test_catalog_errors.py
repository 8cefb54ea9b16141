"""A broken catalog fails loudly, with one message naming the file and the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.catalog import CatalogError, load_catalog
from compiler.resources import stdlib_dir


@pytest.fixture
def stdlib(tmp_path: Path) -> Path:
    copy = tmp_path / "stdlib"
    shutil.copytree(stdlib_dir(), copy)
    return copy


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_copy_itself_loads(stdlib: Path) -> None:
    catalog = load_catalog(stdlib, eager=True)
    assert "DelayActivity" in catalog.activities


def test_unknown_property_type(stdlib: Path) -> None:
    _replace(
        stdlib / "activities.toml",
        'TimeoutDuration = { type = "int", required_check = "php_empty", '
        'summary = "Length of the pause (',
        'TimeoutDuration = { type = "integer", required_check = "php_empty", '
        'summary = "Length of the pause (',
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(stdlib)
    message = str(caught.value)
    assert message.startswith("stdlib/activities.toml: ")
    assert "activities.DelayActivity.properties.TimeoutDuration.type" in message


def test_mistyped_key_is_not_ignored(stdlib: Path) -> None:
    _replace(
        stdlib / "activities.toml",
        'Text = { type = "text", required = true, required_message = "The message text',
        'Text = { type = "text", requird = true, required_message = "The message text',
    )
    with pytest.raises(CatalogError, match=r"activities\.LogActivity\.properties\.Text\.requird"):
        load_catalog(stdlib)


def test_inconsistent_property(stdlib: Path) -> None:
    _replace(
        stdlib / "activities.toml",
        'CancelCurrentState = { type = "yn", default = "N",',
        'CancelCurrentState = { type = "yn", default = "maybe",',
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(stdlib)
    message = str(caught.value)
    assert "activities.SetStateActivity.properties.CancelCurrentState" in message
    assert "does not fit type 'yn'" in message


def test_invalid_toml(stdlib: Path) -> None:
    (stdlib / "functions.toml").write_text("[functions.if\nmin_args = 1\n", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"^stdlib/functions\.toml: invalid TOML"):
        load_catalog(stdlib)


def test_child_rule_naming_an_unknown_activity(stdlib: Path) -> None:
    _replace(
        stdlib / "activities.toml",
        'children = ["IfElseBranchActivity"]',
        'children = ["IfElseBrachActivity"]',
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(stdlib)
    assert str(caught.value) == (
        "stdlib/activities.toml: activities.IfElseActivity.children: "
        "unknown activity 'IfElseBrachActivity'"
    )


def test_function_arity_out_of_order(stdlib: Path) -> None:
    _replace(
        stdlib / "functions.toml",
        "[functions.dateadd]\nmin_args = 2\nmax_args = 2",
        "[functions.dateadd]\nmin_args = 2\nmax_args = 1",
    )
    with pytest.raises(CatalogError, match=r"functions\.toml: functions\.dateadd: max_args"):
        load_catalog(stdlib)


def test_broken_document_is_reported_when_read(stdlib: Path) -> None:
    _replace(
        stdlib / "documents" / "crm.deal.toml",
        'TITLE = { name = "Title", type = "string"',
        'TITLE = { name = "Title", type = "strin"',
    )
    catalog = load_catalog(stdlib)  # documents are read on demand
    with pytest.raises(CatalogError) as caught:
        catalog.document("crm.deal")
    assert str(caught.value) == (
        "stdlib/documents/crm.deal.toml: fields.TITLE: type 'strin' is unknown to this document"
    )
    assert catalog.document("crm.lead") is not None


def test_eager_load_reports_broken_documents(stdlib: Path) -> None:
    _replace(stdlib / "documents" / "crm.quote.toml", 'name = "crm.quote"', 'name = "crm.quotes"')
    with pytest.raises(CatalogError, match=r"documents/crm\.quote\.toml: name: 'crm\.quotes'"):
        load_catalog(stdlib, eager=True)


def test_missing_file(stdlib: Path) -> None:
    (stdlib / "modifiers.toml").unlink()
    with pytest.raises(CatalogError, match=r"^stdlib/modifiers\.toml: file is missing$"):
        load_catalog(stdlib)
