"""Properties of `bpl fmt` over real files with their whitespace rewritten and over generated
programs: it is idempotent, it keeps every comment, and the formatted file compiles to exactly
the same templates with the same diagnostics."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.format import format_text
from compiler.format.comments import scan_comments
from compiler.pipeline import build
from compiler.semantics.environment import Environment
from tests.format.programs import CORPUS, program, respaced, without_comments


def profile(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


FILES = st.sampled_from(CORPUS)


def comments_of(text: str) -> Counter[str]:
    return Counter(c.text for c in scan_comments(text))


def compiled(root: Path, text: str, like: Path | None = None) -> tuple[object, object]:
    """(templates, diagnostics without positions) of `text` compiled as if it were the file
    `like` (next to the files it imports)."""
    folder = root / "src"
    if like is not None:
        shutil.copytree(like.parent, folder)
    folder.mkdir(exist_ok=True)
    main = folder / (like.name if like is not None else "main.bpl")
    main.write_text(text, encoding="utf-8")
    result = build([main], Environment())
    templates = {t.workflow: (t.template.to_package(), t.name, t.description, t.auto_execute)
                 for t in result.templates}
    problems = sorted((d.code, d.message.replace(str(root), "<root>"))
                      for d in result.diagnostics)
    return templates, problems


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_files_are_formatted_idempotently(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = format_text(text, path.name)
    assert format_text(once, path.name) == once
    assert comments_of(once) == comments_of(text)


@given(data=st.data())
@profile(40)
def test_respaced_files_keep_their_comments_and_format_stably(data: st.DataObject) -> None:
    path = data.draw(FILES)
    text = data.draw(respaced(path.read_text(encoding="utf-8")))
    once = format_text(text, path.name)
    assert format_text(once, path.name) == once
    assert comments_of(once) == comments_of(text)


@given(data=st.data())
@profile(30)
def test_layout_does_not_depend_on_the_original_spacing(data: st.DataObject) -> None:
    path = data.draw(FILES)
    # Without comments, only the blank lines the author left may differ.
    plain = without_comments(path.read_text(encoding="utf-8"))
    text = data.draw(respaced(plain, comments=False))

    def squeezed(source: str) -> str:
        return "\n".join(line for line in format_text(source).split("\n") if line.strip())

    assert squeezed(text) == squeezed(plain)


@given(text=program())
@profile(40)
def test_generated_programs(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    once = format_text(text)
    assert format_text(once) == once
    assert comments_of(once) == comments_of(text)
    assert compiled(tmp_path_factory.mktemp("formatted"), once) == \
        compiled(tmp_path_factory.mktemp("original"), text)


@given(data=st.data())
@profile(15)
def test_formatting_never_changes_what_a_file_compiles_to(
        tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    path = data.draw(FILES)
    text = data.draw(respaced(path.read_text(encoding="utf-8")))
    assert compiled(tmp_path_factory.mktemp("formatted"), format_text(text), path) == \
        compiled(tmp_path_factory.mktemp("original"), text, path)
