"""The README's diagram is what `make diagrams` draws from the sources now.

Graphviz versions write different SVG bytes for the same graph, so the SVG records the hash of
the DOT source it was drawn from, and this test compares DOT sources: it fails when a sample,
the graph builder or the DOT writer changed since the SVG was committed, on any machine, with
or without Graphviz.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from graph_support import GRAPHVIZ_MISSING, REPO

from compiler.cli.main import main
from compiler.graph.dot import source_digest, stamped_digest

IMAGE = Path("docs/images/contract_review.svg")
# The command `make diagrams` runs (keep the two in step).
COMMAND = ["graph", "samples", "--workflow", "contract_review"]


def _makefile_command() -> str:
    return " ".join(["bpl", *COMMAND, "-o", IMAGE.as_posix()])


def test_make_diagrams_draws_the_readme_image() -> None:
    assert _makefile_command() in (REPO / "Makefile").read_text(encoding="utf-8").replace(
        "$(BIN)/", "")
    assert f"]({IMAGE.as_posix()})" in (REPO / "README.md").read_text(encoding="utf-8")


def fresh_path(folder: str, suffix: str) -> Path:
    """Where to draw it again: two folders below the repository, as docs/images is, so that
    the links to the sources (relative to the drawing) come out the same; out/ is ignored."""
    path = REPO / "out" / folder / f"{IMAGE.stem}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_the_committed_svg_is_not_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # paths in the drawing are relative to the repository, as in make
    fresh = fresh_path("readme-diagram-dot", ".dot")
    result = CliRunner().invoke(main, [*COMMAND, "--format", "dot", "-o", str(fresh)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    committed = stamped_digest((REPO / IMAGE).read_text(encoding="utf-8"))
    assert committed is not None, f"{IMAGE} was not made by bpl graph"
    assert committed == source_digest(fresh.read_text(encoding="utf-8")), \
        f"{IMAGE} is stale: run `make diagrams` and commit it"


@pytest.mark.skipif(GRAPHVIZ_MISSING is not None, reason=GRAPHVIZ_MISSING or "")
def test_the_svg_this_machine_draws_has_the_same_source(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.chdir(REPO)
    fresh = fresh_path("readme-diagram-svg", ".svg")
    result = CliRunner().invoke(main, [*COMMAND, "-o", str(fresh)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert stamped_digest(fresh.read_text(encoding="utf-8")) == \
        stamped_digest((REPO / IMAGE).read_text(encoding="utf-8"))
