"""Helpers of the importer tests: compiling samples and fixtures, and an independent check
that an imported .bpl compiles to the original template in `plan`'s canonical form."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from compiler.bitrix.canonical import Normaliser, from_compiled
from compiler.catalog import load_catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy.read import from_portal
from compiler.importer import Importer, ImportResult, TemplateSource
from compiler.pipeline import BuildResult, build
from compiler.project.config import load_project
from compiler.semantics.environment import APP_CLIENT_ID, Environment, parse_define

ROOT = Path(__file__).resolve().parents[2]
CATALOG = load_catalog()
NORMALISER = Normaliser(CATALOG)
IMPORTER = Importer(CATALOG)


# The robot app's calls compile per app (rest_ + md5 of its client id). `bpl compile` takes the
# id from the project's sandbox; the round trip only needs a stable one, and fixing it keeps
# the tests from opening (and creating) the repository's sandbox in .bpl/.
SAMPLE_CLIENT_ID = "local.0123456789abcd.01234567"


def sample_environment() -> Environment:
    name, config = load_project(ROOT).environment(None)
    values = dict(config.values)
    values.setdefault(APP_CLIENT_ID, config.client_id or SAMPLE_CLIENT_ID)
    return Environment(name, values, symbolic=False)


def compile_samples() -> list[CompiledTemplate]:
    result = build([ROOT / "samples"], sample_environment())
    assert not result.diagnostics.has_errors
    return result.templates


def compile_fixtures() -> list[CompiledTemplate]:
    templates = []
    for path in sorted((ROOT / "tests" / "fixtures" / "compile").glob("*.bpl")):
        values = dict(parse_define(d) for d in re.findall(r"// define: (\S+)",
                                                          path.read_text(encoding="utf-8")))
        result = build([path], Environment("fixtures", values, symbolic=False))
        assert not result.diagnostics.has_errors, path
        templates += result.templates
    return templates


def source_of(template: CompiledTemplate) -> TemplateSource:
    return TemplateSource(template.template.to_package(), template.workflow, template.name,
                          template.description, tuple(template.document_type),
                          template.auto_execute, template.workflow)


def compile_text(text: str, name: str = "imported") -> BuildResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.bpl"
        path.write_text(text, encoding="utf-8")
        return build([path], Environment())


def differences(row: dict[str, Any], text: str, *, header: bool = True) -> list[str]:
    """How the compiled `text` differs from the template `row` in canonical form (empty:
    `plan` would show no change)."""
    result = compile_text(text)
    problems = [f"{d.code} {d.message}" for d in result.diagnostics
                if d.severity == "error"]
    if problems:
        return problems
    assert len(result.templates) == 1
    old = from_portal(row, NORMALISER)
    new = from_compiled(result.templates[0], NORMALISER)
    out = [f"{k}: {old.body()[k]!r} != {new.body()[k]!r}"
           for k in old.body() if old.body()[k] != new.body()[k]]
    if header and old.header() != new.header():
        out.append(f"header {old.header()} != {new.header()}")
    return out


def imported(source: TemplateSource) -> ImportResult:
    return IMPORTER.run(source)
