"""Several syntax errors per file, and never a follow-up of one: after an error the parser
goes on where its block can (compiler/syntax/recovery.py).

The cascade test is the promise in numbers: every sample is broken by one mistake at a time
(a token dropped, doubled, swapped, or a stray character, word or string put in), hundreds of
times; each broken text must get exactly one syntax error, since it holds exactly one
mistake. A second report would be a follow-up."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.diagnostics import Diagnostics
from compiler.source import SourceFile
from compiler.syntax import parse_module
from compiler.syntax.grammar import keywords
from compiler.syntax.recovery import _CONTINUING, MAX_ERRORS

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "samples").rglob("*.bpl"))
# Tokens enough to break a text by: strings, comments, spaces, names, numbers, operators.
_TOKEN = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*[\s\S]*?\*/|\s+'
                    r"|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?[a-z]?|==|!=|<=|>=|.")
Tokens = list[str]
_MISTAKES: dict[str, Callable[[Tokens, int], Tokens]] = {
    "drop": lambda t, i: t[:i] + t[i + 1:],
    "double": lambda t, i: t[:i + 1] + t[i:],
    "stray character": lambda t, i: [*t[:i], "$", *t[i:]],
    "stray word": lambda t, i: [*t[:i], "bogus", *t[i:]],
    "stray string": lambda t, i: [*t[:i], '"s"', *t[i:]],
    "swap": lambda t, i: [*t[:i], t[i + 1], t[i], *t[i + 2:]] if i + 1 < len(t) else t,
}


def syntax_errors(text: str) -> list[tuple[str, int, int, str]]:
    diagnostics = Diagnostics()
    parse_module(SourceFile.from_text("case.bpl", text), diagnostics)
    return [(d.code, d.span.line, d.span.column, d.message) for d in diagnostics
            if d.code in ("E001", "E002", "E003", "E004")]


def broken_samples(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(sample, mistake, text): `count` texts with one mistake each, the same every run."""
    chooser = random.Random(seed)
    out = []
    for _ in range(count):
        sample = chooser.choice(SAMPLES)
        tokens = _TOKEN.findall(sample.read_text(encoding="utf-8"))
        places = [i for i, t in enumerate(tokens) if not t.isspace() and
                  not t.startswith(("//", "/*"))]
        name = chooser.choice(sorted(_MISTAKES))
        text = "".join(_MISTAKES[name](tokens, chooser.choice(places)))
        out.append((sample.name, name, text))
    return out


def test_one_mistake_is_one_report() -> None:
    checked = 0
    cascades = []
    for sample, mistake, text in broken_samples(400, seed=14):
        errors = syntax_errors(text)
        if not errors:
            continue  # the mistake made another valid text (a doubled comma, a new name)
        checked += 1
        if len(errors) > 1:
            cascades.append(f"{sample} ({mistake}): {errors}")
    assert checked >= 250
    assert not cascades, "\n".join(cascades[:5])


def test_mistakes_in_separate_statements_are_each_reported() -> None:
    text = ('workflow w for crm.deal {\n'
            '    log "a" $\n'                         # 2: a stray character
            '    set doc.TITLE == "b"\n'              # 3: == for =
            '    wait 10min\n'                        # 4: a glued number
            '    notify user(1) "c" "d"\n'            # 5: a text too many
            '    log "e"\n'
            '}\n')
    assert [(code, line) for code, line, _, _ in syntax_errors(text)] == \
        [("E002", 2), ("E001", 3), ("E004", 4), ("E001", 5)]


def test_a_broken_workflow_does_not_hide_the_next_one() -> None:
    text = ('workflow for crm.deal {\n    log "a"\n}\n'
            'workflow b for crm.deal {\n    log "b" titel "c"\n}\n')
    assert [(line, column) for _, line, column, _ in syntax_errors(text)] == [(1, 14), (5, 19)]


def test_a_line_that_may_continue_the_one_before_is_not_judged() -> None:
    # `body` could be the rest of the broken `mail` line: its own error is not reported.
    text = ('workflow w for crm.deal {\n'
            '    mail to user(1) subjct "s"\n'
            '        body "b"\n'
            '    log "after"\n'
            '    log "x" titel "y"\n'
            '}\n')
    assert [(line, column) for _, line, column, _ in syntax_errors(text)] == [(2, 21), (5, 19)]


def test_a_missing_brace_stops_at_the_first_report() -> None:
    # With braces unbalanced no later block is where it seems: nothing after is judged.
    text = 'workflow w for crm.deal {\n    if doc.TITLE == "x" \n        log "a"\n    }\n' \
           '    log "b" titel "c"\n}\n'
    assert len(syntax_errors(text)) == 1


@pytest.mark.parametrize("text", [
    "workflow w for crm.deal {\n" + '    log "x" titel "y"\n' * (MAX_ERRORS + 10) + "}\n",
    "workflow w for crm.deal {\n" + "    log \"x\" $\n" * (MAX_ERRORS + 10) + "}\n",
])
def test_reports_stop_at_the_limit(text: str) -> None:
    assert len(syntax_errors(text)) == MAX_ERRORS


def test_a_valid_file_parses_as_before() -> None:
    for sample in SAMPLES:
        diagnostics = Diagnostics()
        assert parse_module(SourceFile.from_text(sample.name, sample.read_text("utf-8")),
                            diagnostics) is not None
        assert not diagnostics.has_errors


def test_the_words_that_may_continue_a_line_are_keywords_of_the_grammar() -> None:
    assert keywords() >= _CONTINUING
