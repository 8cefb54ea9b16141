"""Fuzzing .bpl sources: no input makes check, compile or fmt raise.

Seeds are the samples and the golden and error fixtures. Mutations are what an editor, a
generator or an attacker makes of them: tokens deleted, duplicated, swapped or replaced,
characters cut or repeated, bytes flipped (invalid UTF-8 included), long words, huge numbers,
deep nesting and random unicode; and single words and numbers grown in place, so that the rest
still parses and they reach the checker, codegen and packing. Every mutant goes through check
and compile in process (the diagnostics must render and point into the sources, the templates
must pack) and through fmt (a syntax error or a clean refusal, or a result that fmt leaves as it
is); a few go through the `bpl` command, which must exit 0 or 1 without a traceback. Programs
generated from the grammar itself go through check and fmt. Mutants are also read by lark's own
parser, which bpl's must agree with.

Budgets come from `fuzzing.budget`: small in `make test`, BPL_FUZZ_SCALE times larger in
`make fuzz`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fuzzing import budget
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "compiler"))  # compile_support
from compile_support import (
    FIXTURES,
    REPO,
    fixture_environment,
    sample_environment,
    sample_files,
)

from compiler.diagnostics import RULES
from compiler.diagnostics.render import (
    render_github,
    render_human,
    render_json,
    render_sarif,
)
from compiler.format import FormatError, SyntaxProblem, format_text
from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment
from compiler.source import SourceFile
from tests.compiler.lark_reference import ours, theirs, too_deep

GOLDEN = sorted((FIXTURES / "compile").glob("*.bpl"))
BROKEN = sorted((FIXTURES / "errors").glob("*.bpl"))

Draw = Callable[[st.SearchStrategy[Any]], Any]


# ── mutations ──────────────────────────────────────────────────────────────────────────────

# Tokens as a person would edit them: long strings, strings, words, runs of spaces, one
# character of anything else. Joined back they give the text unchanged.
_TOKEN = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|\w+|\s+|[\s\S]')

# Text that stresses the lexer, the string reader and span arithmetic.
_NOISE = st.one_of(
    st.text(min_size=1, max_size=8),
    st.sampled_from(['"', '"""', "{", "}", "\\", "{=", "}}", "//", "/*", "\n", "\t", "\r\n",
                     "\ufeff", "\u200b", "é", "日本", "🙂", "\x00", "=", ".", "|", "&"]),
)


def _delete_token(draw: Draw, tokens: list[str]) -> list[str]:
    i = draw(st.integers(0, len(tokens) - 1))
    return tokens[:i] + tokens[i + 1:]


def _duplicate_token(draw: Draw, tokens: list[str]) -> list[str]:
    i = draw(st.integers(0, len(tokens) - 1))
    return tokens[:i + 1] + tokens[i:]


def _swap_tokens(draw: Draw, tokens: list[str]) -> list[str]:
    i, j = draw(st.integers(0, len(tokens) - 1)), draw(st.integers(0, len(tokens) - 1))
    tokens = list(tokens)
    tokens[i], tokens[j] = tokens[j], tokens[i]
    return tokens


def _replace_token(draw: Draw, tokens: list[str]) -> list[str]:
    i, j = draw(st.integers(0, len(tokens) - 1)), draw(st.integers(0, len(tokens) - 1))
    return [*tokens[:i], tokens[j], *tokens[i + 1:]]


def _insert(draw: Draw, tokens: list[str], piece: str) -> list[str]:
    i = draw(st.integers(0, len(tokens)))
    return [*tokens[:i], piece, *tokens[i:]]


def _insert_noise(draw: Draw, tokens: list[str]) -> list[str]:
    return _insert(draw, tokens, draw(_NOISE))


def _cut_characters(draw: Draw, tokens: list[str]) -> list[str]:
    text = "".join(tokens)
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 40)))
    return [text[:i], text[j:]]


def _repeat_characters(draw: Draw, tokens: list[str]) -> list[str]:
    text = "".join(tokens)
    i = draw(st.integers(0, len(text)))
    j = draw(st.integers(i, min(len(text), i + 40)))
    return [text[:j], text[i:]]


def _in_place(draw: Draw, tokens: list[str], pattern: str, piece: str) -> list[str]:
    """`piece` in place of a token matching `pattern` (so that the text still parses and
    reaches the later stages), or inserted anywhere when there is none or by chance."""
    places = [i for i, token in enumerate(tokens) if re.fullmatch(pattern, token)]
    if not places or draw(st.booleans()):
        return _insert(draw, tokens, piece)
    i = draw(st.sampled_from(places))
    return [*tokens[:i], piece, *tokens[i + 1:]]


def _long_word(draw: Draw, tokens: list[str]) -> list[str]:
    unit = draw(st.sampled_from(["a", "_", "x1", " ", '\\"', "é"]))
    return _in_place(draw, tokens, r"[A-Za-z_]\w*", unit * draw(st.integers(100, 20_000)))


def _huge_number(draw: Draw, tokens: list[str]) -> list[str]:
    # Around PHP_INT_MAX (19 digits), beyond the float range (309) and beyond the 4,300
    # digits Python converts to an int.
    length = draw(st.sampled_from([19, 20, 310, 4_301]) | st.integers(19, 6_000))
    digits = draw(st.sampled_from(["9", "1", "0", "7"])) * length
    sign = draw(st.sampled_from(["", "-", "- "]))
    tail = draw(st.sampled_from(["", "", ".5", "s", "h", "d", "w", "%", " hours"]))
    return _in_place(draw, tokens, r"\d+", f"{sign}{digits}{tail}")


def _deep_nesting(draw: Draw, tokens: list[str]) -> list[str]:
    opener = draw(st.sampled_from(["{", "(", "[", "if true { ", "not (", "-", "f("]))
    depth = draw(st.integers(80, 140))
    closer = {"{": "}", "(": ")", "[": "]", "if true { ": "}", "not (": ")", "-": "",
              "f(": ")"}[opener]
    inner = draw(st.sampled_from(["", "1", "doc.TITLE", 'log "x"']))
    closed = draw(st.booleans())
    return _insert(draw, tokens, opener * depth + inner + (closer * depth if closed else ""))


def _random_unicode(draw: Draw, tokens: list[str]) -> list[str]:
    return _insert(draw, tokens, draw(st.text(min_size=1, max_size=30)))


_MUTATIONS = [_delete_token, _duplicate_token, _swap_tokens, _replace_token, _insert_noise,
              _cut_characters, _repeat_characters, _long_word, _huge_number, _deep_nesting,
              _random_unicode]


def _flip_bytes(draw: Draw, data: bytes) -> bytes:
    """Some bits of some bytes flipped: invalid UTF-8, control characters, stray quotes."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not buffer:
            break
        i = draw(st.integers(0, len(buffer) - 1))
        buffer[i] ^= 1 << draw(st.integers(0, 7))
    return bytes(buffer)


@st.composite
def mutants(draw: Draw, seeds: list[Path]) -> tuple[Path, bytes]:
    """(seed, mutated bytes) of one of `seeds`: a few mutations of any kind, sometimes bytes
    flipped on top."""
    seed = draw(st.sampled_from(seeds))
    tokens = _TOKEN.findall(seed.read_text(encoding="utf-8")) or [""]
    for _ in range(draw(st.integers(1, 4))):
        tokens = draw(st.sampled_from(_MUTATIONS))(draw, tokens) or [""]
    data = "".join(tokens).encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:
        data = _flip_bytes(draw, data)
    return seed, data


@st.composite
def grown(draw: Draw, seeds: list[Path]) -> tuple[Path, bytes]:
    """(seed, bytes) of one of `seeds` with one word or number grown in place: the rest still
    parses, so the long word or the huge number reaches the checker, codegen and packing."""
    seed = draw(st.sampled_from(seeds))
    tokens = _TOKEN.findall(seed.read_text(encoding="utf-8")) or [""]
    number = draw(st.booleans())
    places = [i for i, token in enumerate(tokens)
              if re.fullmatch(r"\d+" if number else r"[A-Za-z_]\w*", token)]
    if places:
        i = draw(st.sampled_from(places))
        if number:
            # Around PHP_INT_MAX, beyond the float range, beyond Python's int conversion.
            length = draw(st.sampled_from([19, 20, 310, 4_301, 6_000]))
            tokens[i] = draw(st.sampled_from(["9", "1", "7"])) * length
        else:
            tokens[i] = tokens[i] + "_" * draw(st.integers(100, 20_000))
    return seed, "".join(tokens).encode("utf-8")


# ── what every stage must do with a mutant ─────────────────────────────────────────────────


def assert_handled(result: BuildResult) -> None:
    """What a caller does with a result must work too: render, pack, point into sources."""
    items = result.diagnostics.sorted()
    for d in items:
        assert d.code in RULES, d
        source = result.sources.get(d.span.file)
        if source is not None:
            lines = source.text.count("\n") + 1
            assert 1 <= d.span.line <= lines and d.span.column >= 1, (d, lines)
            assert (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column), d
    render_human(items, result.sources, color=True)
    json.loads(render_json(items))
    json.loads(render_sarif(items, version="0"))
    render_github(items)
    for template in result.templates:
        template.bpt()


def assert_formats_cleanly(data: bytes) -> None:
    """fmt either refuses (syntax errors, or a file nested too deeply to print) or gives a
    text it then leaves unchanged."""
    text = data.decode("utf-8", errors="replace")
    try:
        once = format_text(text, "mutant.bpl")
    except SyntaxProblem:
        return
    except FormatError as error:
        assert "nest too deeply" in str(error), error
        return
    assert format_text(once, "mutant.bpl") == once


def write_mutant(folder: Path, data: bytes) -> Path:
    # Written next to its seed's siblings, so that its imports still resolve.
    path = folder / "mutant.bpl"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def fixture_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("golden")
    shutil.copytree(FIXTURES / "compile", folder, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def samples_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not sample_files():
        pytest.skip("no samples/*.bpl yet")
    folder = tmp_path_factory.mktemp("samples")
    for path in sample_files():
        shutil.copy(path, folder / path.name)
    return folder


# ── in process ─────────────────────────────────────────────────────────────────────────────


@budget(50)
@given(case=mutants(GOLDEN + BROKEN))
def test_mutated_fixtures_through_check_compile_and_fmt(fixture_copy: Path,
                                                        case: tuple[Path, bytes]) -> None:
    seed, data = case
    path = write_mutant(fixture_copy, data)
    assert_handled(build([path], Environment()))
    # Compile mode (every env symbol has its value) reaches codegen and packing.
    assert_handled(build([path], fixture_environment(seed.read_text(encoding="utf-8"))))
    assert_formats_cleanly(data)


@budget(30)
@given(case=mutants(sample_files()))
def test_mutated_samples_through_check_compile_and_fmt(samples_copy: Path,
                                                       case: tuple[Path, bytes]) -> None:
    _, data = case
    path = write_mutant(samples_copy, data)
    assert_handled(build([path], sample_environment()))
    assert_formats_cleanly(data)


@budget(60)
@given(case=mutants(GOLDEN + BROKEN + sample_files()))
def test_mutants_read_as_lark_reads_them(case: tuple[Path, bytes]) -> None:
    # bpl's lexer and parser loop run lark's tables (compiler/syntax/lalr.py): same tree, same
    # tokens and positions, or the same error as lark's own parser.
    _, data = case
    text = SourceFile.decode(Path("mutant.bpl"), data).text
    if not too_deep(text):
        assert ours(text) == theirs(text), text


@budget(40)
@given(case=grown(GOLDEN + BROKEN))
def test_grown_words_and_numbers_through_check_compile_and_fmt(
        fixture_copy: Path, case: tuple[Path, bytes]) -> None:
    seed, data = case
    path = write_mutant(fixture_copy, data)
    assert_handled(build([path], Environment()))
    assert_handled(build([path], fixture_environment(seed.read_text(encoding="utf-8"))))
    assert_formats_cleanly(data)


@functools.cache
def _grammar_strategy() -> st.SearchStrategy[str]:
    """Programs drawn from grammar/bpl.lark.

    from_lark joins terminals without the whitespace the grammar %ignores (see
    HypothesisWorks/hypothesis#1804), so keywords and names would run together. Every
    terminal is given explicitly instead, followed by a space; comments end their line.
    """
    from hypothesis.extra.lark import from_lark
    from lark import Lark

    from compiler.resources import grammar_dir

    # Analysed afresh: from_lark needs the grammar's rules, which a cached parser lacks.
    grammar = Lark((grammar_dir() / "bpl.lark").read_text(encoding="utf-8"), parser="lalr",
                   lexer="contextual", start="start")
    ascii_text = st.characters(min_codepoint=32, max_codepoint=126)
    explicit: dict[str, st.SearchStrategy[str]] = {}
    for terminal in grammar.terminals:
        if terminal.name == "COMMENT":
            explicit[terminal.name] = st.just("// note\n")
        elif terminal.name == "BLOCK_COMMENT":
            explicit[terminal.name] = st.just("/* note */ ")
        elif terminal.name == "WS":
            explicit[terminal.name] = st.sampled_from([" ", "\n", "\t"])
        else:
            # The strings' possessive loops match what their greedy forms match (nothing
            # in them backtracks); hypothesis draws the greedy forms several times faster.
            pattern = terminal.pattern.to_regexp().replace("*+", "*")
            strategy = st.from_regex(pattern, fullmatch=True, alphabet=ascii_text)
            explicit[terminal.name] = strategy.map(lambda s: s + " ")
    return from_lark(grammar, start="start", explicit=explicit)


@budget(25)
@given(data=st.data())
def test_programs_from_the_grammar_through_check_and_fmt(
        tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    text = data.draw(_grammar_strategy())
    folder = tmp_path_factory.getbasetemp() / "grammar"
    folder.mkdir(exist_ok=True)
    result = build([write_mutant(folder, text.encode("utf-8"))], Environment())
    assert_handled(result)
    # The generator follows the grammar, so no text it makes is a syntax error at the level
    # of tokens, except inside a string's interpolation, which the grammar does not describe
    # (names may still be keywords in disguise, which the parser then refuses).
    assert not any(d.code in ("E002", "E003") and "interpolation" not in d.message
                   for d in result.diagnostics), text
    assert_formats_cleanly(text.encode("utf-8"))


# ── through the command ────────────────────────────────────────────────────────────────────


def bpl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, errors="replace", timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


@budget(2)
@given(case=mutants(GOLDEN + BROKEN + sample_files()))
def test_the_command_exits_cleanly_on_mutants(tmp_path_factory: pytest.TempPathFactory,
                                              case: tuple[Path, bytes]) -> None:
    seed, data = case
    folder = tmp_path_factory.mktemp("cli")
    for sibling in seed.parent.glob("*.bpl"):  # what the seed imports
        shutil.copy(sibling, folder / sibling.name)
    path = write_mutant(folder, data)
    for args in (["check", path.name], ["fmt", "--check", path.name]):
        done = bpl(*args, cwd=folder)
        said = done.stdout + done.stderr
        assert done.returncode in (0, 1), (args, said[-3000:])
        assert "Traceback" not in said, (args, said[-3000:])
