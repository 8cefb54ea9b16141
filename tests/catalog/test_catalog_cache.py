"""The validated catalog kept in the user's cache folder (compiler.catalog.cache): rebuilt from
there it is the very catalog validation makes; any change to the TOML is validated again; a
damaged entry or a broken catalog is never used."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.catalog import CatalogError, load_catalog, loader
from compiler.catalog import cache as catalog_cache
from compiler.catalog.loader import Catalog
from compiler.resources import stdlib_dir


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "bpl"


def _copy(tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name / "stdlib"
    shutil.copytree(stdlib_dir(), copy)
    return copy


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("catalog-*.pickle"))


def _no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the TOML was read")

    monkeypatch.setattr(loader._Reader, "read", refuse)


def _records(catalog: Catalog) -> dict[str, dict[str, object]]:
    catalog.documents.load_all()
    return {table: dict(getattr(catalog, table)) for table in
            ("activities", "app_activities", "conditions", "operators", "functions",
             "modifiers", "documents")}


def test_the_stdlib_validates(cache_dir: Path) -> None:
    """The installed catalog passes validation from its TOML (no cache entry exists yet)."""
    catalog = loader._validate(stdlib_dir().resolve())
    catalog.documents.load_all()
    assert "DelayActivity" in catalog.activities and "crm.deal" in catalog.documents
    assert _entries(cache_dir) == []


def test_the_cached_catalog_is_the_validated_one(cache_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    validated = load_catalog(_copy(tmp_path, "first"))
    assert len(_entries(cache_dir)) == 1
    _no_toml(monkeypatch)
    cached = load_catalog(_copy(tmp_path, "second"))  # the same files elsewhere: one entry
    assert cached is not validated
    expected, found = _records(validated), _records(cached)
    assert found == expected
    for table, records in expected.items():
        assert list(found[table]) == list(records), table  # the files' order
        for name, spec in records.items():
            rebuilt = found[table][name]
            assert type(rebuilt) is type(spec), name
            if table != "operators":
                assert repr(rebuilt) == repr(spec), name
    delay = cached.activity("delayactivity")
    assert delay is not None and delay.properties["TimeoutDuration"].type == "int"
    assert cached.child_error("DelayActivity", "LogActivity") is not None


def test_a_changed_file_is_validated_again(cache_dir: Path, tmp_path: Path) -> None:
    load_catalog(_copy(tmp_path, "good"))
    broken = _copy(tmp_path, "broken")
    functions = broken / "functions.toml"
    text = functions.read_text(encoding="utf-8")
    functions.write_text(text.replace("min_args = 2\nmax_args = 2", "min_args = 3\nmax_args = 2",
                                      1), encoding="utf-8")
    with pytest.raises(CatalogError, match="max_args is below min_args"):
        load_catalog(broken)
    assert len(_entries(cache_dir)) == 1  # a catalog that fails is never stored


def test_a_broken_document_still_fails_only_when_asked_for(cache_dir: Path,
                                                           tmp_path: Path) -> None:
    root = _copy(tmp_path, "document")
    quote = root / "documents" / "crm.quote.toml"
    quote.write_text(quote.read_text(encoding="utf-8") + "\nnonsense = 1\n", encoding="utf-8")
    catalog = load_catalog(root)
    assert catalog.document("crm.deal") is not None
    with pytest.raises(CatalogError, match="nonsense"):
        catalog.document("crm.quote")
    assert _entries(cache_dir) == []


def test_a_damaged_entry_is_not_used(cache_dir: Path, tmp_path: Path) -> None:
    expected = _records(load_catalog(_copy(tmp_path, "first")))
    [entry] = _entries(cache_dir)
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    assert _records(load_catalog(_copy(tmp_path, "truncated"))) == expected
    data = pickle.loads(entry.read_bytes())
    delay = data["activities"]["DelayActivity"]
    del delay["properties"]["TimeoutDuration"]["type"]  # a record of another shape
    entry.write_bytes(pickle.dumps(data))
    assert _records(load_catalog(_copy(tmp_path, "reshaped"))) == expected


def test_the_entry_is_named_after_the_files_and_the_rules(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root, same = _copy(tmp_path, "named"), _copy(tmp_path, "same")
    name = catalog_cache.entry_name(root)
    assert name is not None and catalog_cache.entry_name(same) == name
    functions = root / "functions.toml"
    functions.write_text(functions.read_text(encoding="utf-8") + "\n# one more line\n",
                         encoding="utf-8")
    assert catalog_cache.entry_name(root) != name
    monkeypatch.setattr(catalog_cache, "_FORMAT", -1)
    assert catalog_cache.entry_name(same) != name


def test_the_validator_version_names_the_entry(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(tmp_path, "validator")
    name = catalog_cache.entry_name(root)
    monkeypatch.setattr(catalog_cache, "_validator_version", lambda: b"VERSION = '99.0'")
    assert catalog_cache.entry_name(root) != name


# Loads the catalog, uses a few records, then says whether pydantic was imported.
_PROBE = """
import sys
from compiler.catalog import load_catalog
catalog = load_catalog()
assert catalog.activity("DelayActivity").properties["TimeoutDuration"].type == "int"
assert catalog.document("crm.deal").field("TITLE") is not None
assert catalog.function("dateadd").accepts(2)
print("pydantic" in sys.modules)
"""


def test_a_cached_catalog_needs_no_pydantic(tmp_path: Path) -> None:
    """pydantic validates the TOML; a catalog rebuilt from the cache never imports it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}

    def probe() -> str:
        return subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                              text=True, check=True, timeout=120).stdout.strip()

    assert probe() == "True"  # no entry yet: the files are validated, and the entry written
    assert probe() == "False"
