"""Every sample cut off, or with a line half-typed, at random: the server's library parts answer
without an exception (analysis with recovery, completion, hover, go-to, the outline, folding,
rename's checks)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from fuzzing import budget
from hypothesis import given
from hypothesis import strategies as st

from compiler.catalog import load_catalog
from compiler.lsp.analysis import analyse
from compiler.lsp.completion import Completer
from compiler.lsp.hover import Hover
from compiler.lsp.index import Index
from compiler.lsp.navigation import Navigator, RenameRefused
from compiler.lsp.outline import document_symbols, folding_ranges
from compiler.lsp.positions import Text
from compiler.lsp.project import project_of

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "samples").glob("*.bpl"))}
TYPED = ("doc.", "param.", " | ", "approve \"x\" by ", "if doc.TITLE == {", "activity ",
         "erp_invoice(", "\"{doc.", "}", "for each x in ", "set doc.TITLE = ", "log \"")


def _exercise(folder: Path, name: str, text: str, cursor: int) -> None:
    path = folder / name
    analysis = analyse(path, text, 1, project_of(path), {})
    source = Text.of(text)
    Completer(text, cursor, analysis, load_catalog()).items()
    folding_ranges(source)
    index = Index(analysis)
    line, column = source.source.position(cursor)
    if analysis.positions_valid:
        Hover(analysis, index, source).at(line, column)
        navigator = Navigator(analysis, index, {})
        occurrence = navigator.symbol_at(line, column)
        if occurrence is not None:
            navigator.definitions(occurrence)
            navigator.references(occurrence, True)
            with contextlib.suppress(RenameRefused):  # a refusal is an answer
                navigator.rename(occurrence, "renamed")
    if analysis.module is not None:
        document_symbols(analysis.module, source)


def _project(tmp_path_factory: object) -> Path:
    folder = Path(str(tmp_path_factory.mktemp("half_typed")))  # type: ignore[attr-defined]
    for sample in (ROOT / "samples").glob("*.bpl"):
        shutil.copy(sample, folder / sample.name)
    shutil.copy(ROOT / "bpl.toml", folder / "bpl.toml")
    return folder


@budget(15)
@given(name=st.sampled_from(sorted(SAMPLES)), cut=st.floats(0, 1))
def test_a_sample_cut_off_anywhere(tmp_path_factory: object, name: str, cut: float) -> None:
    text = SAMPLES[name]
    end = int(len(text) * cut)
    _exercise(_project(tmp_path_factory), name, text[:end], end)


@budget(15)
@given(name=st.sampled_from(sorted(SAMPLES)), where=st.floats(0, 1),
       typed=st.sampled_from(TYPED))
def test_a_sample_with_a_half_typed_line(tmp_path_factory: object, name: str, where: float,
                                         typed: str) -> None:
    text = SAMPLES[name]
    lines = text.split("\n")
    at = int(len(lines) * where)
    lines.insert(at, "    " + typed)
    changed = "\n".join(lines)
    cursor = sum(len(line) + 1 for line in lines[:at]) + 4 + len(typed)
    _exercise(_project(tmp_path_factory), name, changed, cursor)
