"""Helpers shared by the graph, plan-diagram and docs-site tests."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from compiler.catalog import Catalog, load_catalog
from compiler.graph import Template, from_compiled
from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
SAMPLES = REPO / "samples"


def _graphviz_missing() -> str | None:
    try:
        import graphviz  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return "the graphviz Python package is not installed (pip install 'bpl[graph]')"
    if shutil.which("dot") is None:
        return "Graphviz's `dot` is not on the PATH (apt-get install graphviz)"
    return None


GRAPHVIZ_MISSING = _graphviz_missing()
needs_graphviz = pytest.mark.skipif(GRAPHVIZ_MISSING is not None,
                                    reason=GRAPHVIZ_MISSING or "")


@cache
def catalog() -> Catalog:
    return load_catalog()


@cache
def samples() -> BuildResult:
    """The samples compiled as `bpl graph` compiles them: env symbols stay symbolic."""
    return build([SAMPLES], Environment("(none)", {}, symbolic=True))


def sample_templates() -> dict[str, Template]:
    result = samples()
    return {t.workflow: from_compiled(t, catalog(), result.program) for t in result.templates}


def compile_text(tmp_path: Path, text: str, name: str = "wf.bpl") -> Template:
    """One workflow from .bpl text (symbolic env), ready to draw."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = build([path], Environment("(none)", {}, symbolic=True))
    assert result.ok, [d.message for d in result.diagnostics]
    assert len(result.templates) == 1
    return from_compiled(result.templates[0], catalog(), result.program)
