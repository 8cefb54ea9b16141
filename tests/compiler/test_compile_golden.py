"""Golden compile fixtures: tests/fixtures/compile/NAME.bpl must compile to NAME.json.

The JSON holds, per workflow, the template package a .bpt file carries (key order included,
since PHP's serialize keeps it) plus the template's name, description, document type and
AUTO_EXECUTE, and the warnings the build reported. Each expected file was reviewed by hand
against docs/bitrix-format.md; regenerate them with BPL_UPDATE_GOLDEN=1 and
review the diff the same way before committing it.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from compile_support import FIXTURES, fixture_environment, php_shape, walk

from compiler.pipeline import BuildResult, build

GOLDEN = FIXTURES / "compile"
SOURCES = sorted(GOLDEN.glob("*.bpl"))
UPDATE = os.environ.get("BPL_UPDATE_GOLDEN") == "1"


def compile_fixture(source: Path) -> BuildResult:
    return build([source], fixture_environment(source.read_text(encoding="utf-8")))


def golden_document(result: BuildResult) -> dict[str, Any]:
    return {
        "diagnostics": [f"{d.code} {d.span.line}:{d.span.column} {d.message}"
                        for d in result.diagnostics.sorted()],
        "templates": {t.workflow: {
            "name": t.name,
            "description": t.description,
            "document_type": t.document_type,
            "auto_execute": t.auto_execute,
            "package": t.template.to_package(),
        } for t in result.templates},
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_there_are_fixtures() -> None:
    assert len(SOURCES) >= 8


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_fixture_compiles_to_its_golden_json(source: Path) -> None:
    result = compile_fixture(source)
    errors = [f"{d.code} {d.span}: {d.message}" for d in result.diagnostics
              if d.severity == "error"]
    assert errors == [], "a golden fixture must compile"
    actual = render(golden_document(result))
    expected_path = source.with_suffix(".json")
    if UPDATE:
        if not expected_path.exists() or expected_path.read_text(encoding="utf-8") != actual:
            expected_path.write_text(actual, encoding="utf-8")
        return
    assert expected_path.exists(), f"no {expected_path.name}; run with BPL_UPDATE_GOLDEN=1"
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            f"{expected_path.name} (expected)", f"{source.name} (compiled)", n=2))
        pytest.fail(f"compiled output differs from {expected_path.name}:\n{diff[:6000]}")


def test_every_golden_json_has_its_source() -> None:
    # A fixture renamed or removed must not leave an expectation nobody checks any more.
    orphans = [p.name for p in GOLDEN.glob("*.json") if not p.with_suffix(".bpl").exists()]
    assert orphans == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_golden_json_is_what_the_bpt_holds(source: Path) -> None:
    # Reading the packed .bpt back gives the package the JSON shows, so no value JSON cannot
    # show faithfully (a tuple, a set, a float that should be an int) hides behind the text.
    from compiler.bitrix.bpt import unpack_package

    for template in compile_fixture(source).templates:
        unpacked = php_shape(unpack_package(template.bpt()))
        expected = php_shape(json.loads(json.dumps(template.template.to_package())))
        assert unpacked == expected
        assert render(unpacked) == render(expected)  # key order and number types too


def _golden_templates() -> list[dict[str, Any]]:
    return [template for path in sorted(GOLDEN.glob("*.json"))
            for template in json.loads(path.read_text(encoding="utf-8"))["templates"].values()]


def test_fixtures_cover_every_statement_and_condition_form() -> None:
    # Guards the fixtures themselves: trimming one must not silently drop a form from the
    # suite. Derived from the statement table codegen reads, not listed by hand.
    from compiler.catalog.statements import HANDLERS, STATEMENTS
    from compiler.semantics.conditions import OPERATORS

    types: set[str] = set()
    condition_kinds: set[str] = set()
    operators: set[str] = set()
    joiners: set[int] = set()
    declared_types: set[str] = set()
    for template in _golden_templates():
        package = template["package"]
        for node in walk(package["TEMPLATE"][0]):
            types.add(node["Type"])
            for kind in ("fieldcondition", "propertyvariablecondition", "mixedcondition",
                         "truecondition"):
                if kind not in node["Properties"]:
                    continue
                condition_kinds.add(kind)
                items = node["Properties"][kind]
                for item in items if isinstance(items, list) else []:
                    operators.add(item["operator"] if isinstance(item, dict) else item[1])
                    joiners.add(item["joiner"] if isinstance(item, dict) else item[3])
        for collection in ("PARAMETERS", "VARIABLES", "CONSTANTS"):
            for item in (package[collection] or {}).values():
                declared_types.add(item["Type"] + ("[]" if item["Multiple"] == "1" else ""))
    expected = {*(a for row in STATEMENTS.values() for a in row.activities),
                *(a for h in HANDLERS.values() for a in (h.activity, h.event) if a),
                "SequentialWorkflowActivity", "StateMachineWorkflowActivity", "StateActivity"}
    assert expected - types == set()
    assert any(t.startswith("rest_") for t in types)  # an app robot
    assert condition_kinds == {"fieldcondition", "propertyvariablecondition",
                               "mixedcondition", "truecondition"}
    assert set(OPERATORS.values()) - operators == set()
    assert joiners == {0, 1}
    base = {"string", "text", "int", "double", "bool", "date", "datetime", "time", "user",
            "file", "select", "internalselect"}
    assert base - declared_types == set()
    assert {"user[]", "select[]", "string[]"} <= declared_types
    assert any(":" in t for t in declared_types)  # a raw Bitrix type such as UF:crm


def _fits(kind: str, value: Any, options: tuple[Any, ...] | None) -> bool:
    """Does a property value have the shape the catalog gives its property type?"""
    expression = isinstance(value, str) and value.startswith(("{=", "="))
    if kind == "bool":
        return isinstance(value, bool)  # PHP truthiness: 'N' would be true
    if value == "":
        return True  # not given, as the designer leaves an unused alternative (TimeoutTime)
    if kind == "yn":
        return value in ("Y", "N") or expression
    if kind == "users":
        return isinstance(value, list)
    if kind == "map":
        return isinstance(value, dict) or value == []
    if kind == "list":
        return isinstance(value, list)
    if kind == "int":
        return (isinstance(value, int) and not isinstance(value, bool)) or expression or \
            (isinstance(value, str) and value.lstrip("-").isdigit())
    if kind in ("select", "duration_unit") and options:
        return value in options or expression
    return not isinstance(value, dict)


def test_golden_property_values_have_the_catalog_types() -> None:
    # Codegen and the stdlib catalog must agree on each property's PHP shape: a bool that
    # Bitrix tests by truthiness must not be 'N', a select must hold one of its options.
    from compiler.catalog import load_catalog

    catalog = load_catalog()
    wrong = []
    for template in _golden_templates():
        for node in walk(template["package"]["TEMPLATE"][0]):
            spec = catalog.activity(node["Type"])
            if spec is None:
                continue
            for key, value in node["Properties"].items():
                prop = spec.properties.get(key)
                if prop is None:
                    # Title, a designer comment, a condition key or a result's initial value.
                    assert key in ("Title", "EditorComment") or key in spec.returns or \
                        catalog.condition(key) is not None, (node["Type"], key)
                elif not _fits(prop.type, value, prop.options):
                    wrong.append((node["Type"], key, prop.type, value))
    assert wrong == []
