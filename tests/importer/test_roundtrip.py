"""Round trip over every sample and compile fixture: compile S, import the template, and the
import formats to a file that compiles to the same template as S in canonical form."""

from __future__ import annotations

import pytest

from compiler.codegen import CompiledTemplate
from compiler.format import format_text
from tests.importer.support import (
    compile_fixtures,
    compile_samples,
    differences,
    imported,
    source_of,
)

SAMPLES = compile_samples()
FIXTURES = compile_fixtures()
# Activities the language has no statement for; the samples write them generically too. An app
# robot's call (the robot app's rest_<md5>) comes back generic as well: the importer writes
# app activities in the generic form (docs/import.md), the template has no declaration.
NO_STATEMENT = {"ListenActivity", "EventDrivenActivity", "WaitWorkDayActivity", "(rest_"}


@pytest.mark.parametrize("template", SAMPLES + FIXTURES, ids=lambda t: t.workflow)
def test_import_of_a_compiled_workflow_compiles_back_to_it(template: CompiledTemplate) -> None:
    source = source_of(template)
    result = imported(source)
    assert result.report.equivalent, result.report.lines()
    assert differences(source.row(), result.text) == []
    assert format_text(result.text) == result.text  # written in the canonical layout


@pytest.mark.parametrize("template", SAMPLES, ids=lambda t: t.workflow)
def test_samples_come_back_as_statements(template: CompiledTemplate) -> None:
    result = imported(source_of(template))
    generic = [f.where for f in result.report.findings if f.kind == "generic"]
    assert all(any(kind in where for kind in NO_STATEMENT) for where in generic), generic
    assert not [f for f in result.report.findings if f.kind == "lossy"]
