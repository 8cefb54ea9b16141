"""Bitrix's own default templates (tests/fixtures/designer): what the import gives back.

Every template imports equivalent; the figure of generic statements only improves: a change
that makes one fewer statement generic lowers the bound here. The import report never claims
more than the independent check (compile, compare in `plan`'s canonical form, header
included) finds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.importer.measure import main, measure
from tests.importer.support import IMPORTER

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "designer"
TEMPLATES = 15
AT_MOST_GENERIC = 14  # of 151 statements (at most 10%: 15)


def test_corpus_figures() -> None:
    result = measure(CORPUS, IMPORTER)
    assert len(result.templates) == TEMPLATES
    assert result.equivalent == TEMPLATES, "\n".join(result.lines())
    assert result.generic <= AT_MOST_GENERIC, "\n".join(result.lines())
    assert result.dangling == 0
    for template in result.templates:
        assert template.statements > 0, template.source
        assert template.claimed and template.equivalent, template.source


def test_measure_command_prints_the_figures(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for suffix in (".bpt", ".json"):
        shutil.copy(CORPUS / f"crm_processlead{suffix}", tmp_path)
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-3].startswith("templates imported equivalent: ")
    assert out[-2].startswith("statements in the generic form: ")
    assert out[-1] == "dangling references: 0"
    assert out[0].startswith("crm_processlead.bpt: ")
    assert out[-3] == "templates imported equivalent: 1/1"
    assert main([str(tmp_path / "missing")]) == 2
