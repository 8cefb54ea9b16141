"""Generated templates survive import → compile in `plan`'s canonical form: template trees as
Bitrix stores them (every activity kind, condition shape and declaration type), and the
templates of generated .bpl programs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings

from compiler.catalog.rules import child_violations, property_violations
from compiler.format import format_text
from compiler.importer import TemplateSource
from tests.format.programs import program
from tests.importer.support import CATALOG, compile_text, differences, imported, source_of
from tests.importer.trees import template

DEAL = ("crm", "CCrmDocumentDeal", "DEAL")
PROFILE = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.large_base_example])


def bitrix_accepts(package: dict[str, Any]) -> bool:
    """Would Bitrix import it (ValidateProperties, ValidateChild)? Templates it refuses are
    not on any portal."""
    roots = package["TEMPLATE"]
    violations = [*property_violations(CATALOG, roots), *child_violations(CATALOG, roots)]
    return not [v for v in violations if CATALOG.activity(str(v.node.get("Type"))) is not None]


@given(package=template())
@PROFILE
def test_template_trees_survive_import_and_compile(package: dict[str, Any]) -> None:
    assume(bitrix_accepts(package))
    source = TemplateSource(package, "generated", document_type=DEAL)
    result = imported(source)
    assert result.report.equivalent, "\n".join(result.report.lines()) + "\n" + result.text
    assert differences(source.row(), result.text, header=False) == []
    assert format_text(result.text) == result.text


@given(text=program())
@PROFILE
def test_templates_of_generated_programs_survive_import(text: str) -> None:
    compiled = compile_text(text, "generated")
    if not compiled.templates:
        return  # a program with errors has no template to import
    source = source_of(compiled.templates[0])
    result = imported(source)
    assert result.report.equivalent, "\n".join(result.report.lines()) + "\n" + result.text
    assert differences(source.row(), result.text) == []

