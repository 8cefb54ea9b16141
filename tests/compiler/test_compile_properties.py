"""Properties of the whole compiler, checked on generated input.

(b) Name stability: inserting one statement leaves every other activity's Name unchanged.
(c) Determinism: the same sources give the same bytes, in one process and across processes.

(a), that no input makes check, compile or fmt raise, is checked by the fuzzing in
tests/fuzz/test_fuzz_bpl.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from compile_support import (
    FIXTURES,
    REPO,
    fixture_environment,
    sample_environment,
    sample_files,
    walk,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.pipeline import BuildResult, build
from compiler.semantics.environment import Environment

GOLDEN = sorted((FIXTURES / "compile").glob("*.bpl"))

Draw = Callable[[st.SearchStrategy[Any]], Any]


def _build_text(folder: Path, text: str, env: Environment) -> BuildResult:
    path = folder / "generated.bpl"
    path.write_text(text, encoding="utf-8")
    return build([path], env)


# ── (b) name stability ─────────────────────────────────────────────────────────────────────

# Statements of a generated workflow. `{body}` marks a block that may hold more statements;
# `{t}` is a word that tells statements apart, `{n}` a small number.
_SIMPLE = [
    'log "{t}"{title}', 'set doc.TITLE = "{t}"{title}', 'var.note = "{t}"{title}',
    "wait {n}h{title}", 'status "{t}"{title}', 'notify doc.ASSIGNED_BY_ID "{t}"{title}',
    'webhook "https://h.example.com/{t}"{title}', 'approve "{t}" by user({n}){title}',
    'create crm.lead {{ TITLE: "{t}" }}{title}', 'task "{t}"{title} {{ responsible: user({n}) }}',
    'log "{t}" title "T{n}"', "var.count = {n}{title}",
]
_CONTAINERS = [
    'if var.note == "{t}" {{ {body} }}',
    'if doc.TITLE == "{t}" {{ {body} }} else {{ {body} }}',
    'while var.note != "{t}" {{ {body} }}',
    "for each {t}_item in var.items {{ {body} }}",
    'parallel title "{t}" {{ branch {{ {body} }} branch {{ {body} }} }}',
    'approve "{t}" by user({n}) approved {{ {body} }} rejected {{ {body} }}',
]
_WORDS = st.sampled_from(["a", "b", "c", "alpha", "beta"])
# The inserted statement says "inserted" where the others say one of _WORDS, and carries that
# as its title. A name is derived from what tells a statement apart from its siblings (kind,
# title, the text that heads it, not every value), so two siblings that look alike (two
# `set doc.TITLE = …`, two ifs on one condition) are told apart by order only; the promise
# is for an insertion that can be told apart.
_INSERTED = st.just("inserted")


@st.composite
def _statement(draw: Draw, depth: int = 0, words: st.SearchStrategy[str] = _WORDS) -> str:
    word = draw(words)
    fill = {"t": word, "n": draw(st.integers(1, 3)),
            "title": ' title "inserted"' if word == "inserted" else ""}
    if depth < 2 and draw(st.integers(0, 3)) == 0:
        template = draw(st.sampled_from(_CONTAINERS))
        # Each block gets at least one statement: empty loops are errors (E403).
        bodies = iter([" ".join(draw(st.lists(_statement(depth + 1), min_size=1, max_size=3)))
                       for _ in range(template.count("{body}"))])
        return re.sub(r"\{body\}", lambda _: next(bodies),
                      template.format(**fill, body="{body}"))
    return draw(st.sampled_from(_SIMPLE)).format(**fill)


def _workflow(statements: list[str]) -> str:
    return ("workflow w for crm.deal {\n    var note: string\n    var count: int\n"
            "    var items: string[]\n" + "".join(f"    {s}\n" for s in statements) + "}\n")


# What a reviewer would say of a generated workflow (a variable it never uses or reads
# before writing, two branches alike): such workflows need not make sense to name stably.
_REVIEW = {"W110", "W111", "W407"}


def _nodes(text: str, folder: Path) -> list[tuple[str, str, str]]:
    result = _build_text(folder, text, Environment())
    assert [d.code for d in result.diagnostics if d.code not in _REVIEW] == [], text
    return sorted((n["Name"], n["Type"], json.dumps(n["Properties"], sort_keys=True))
                  for n in walk(result.templates[0].template.to_package()["TEMPLATE"][0]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.lists(_statement(), min_size=1, max_size=6),
       inserted=_statement(words=_INSERTED), position=st.integers(0, 6))
def test_inserting_a_statement_changes_only_its_own_names(
        tmp_path_factory: pytest.TempPathFactory, before: list[str], inserted: str,
        position: int) -> None:
    folder = tmp_path_factory.getbasetemp() / "names"
    folder.mkdir(exist_ok=True)
    after = [*before[:position], inserted, *before[position:]]
    old = _nodes(_workflow(before), folder)
    new = _nodes(_workflow(after), folder)
    alone = _nodes(_workflow([inserted]), folder)
    # Every activity that was there keeps its Name (with the same content); what is new is
    # exactly as many activities as the inserted statement makes on its own.
    assert set(old) <= set(new)
    assert len(new) - len(old) == len(alone) - 1  # the root exists in both
    assert len({name for name, _, _ in new}) == len(new)  # names stay unique


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outer=st.lists(_statement(), min_size=1, max_size=3), inner=st.lists(_statement(),
       min_size=1, max_size=3), inserted=_statement(words=_INSERTED),
       position=st.integers(0, 3))
def test_inserting_inside_a_block_changes_only_its_own_names(
        tmp_path_factory: pytest.TempPathFactory, outer: list[str], inner: list[str],
        inserted: str, position: int) -> None:
    folder = tmp_path_factory.getbasetemp() / "nested-names"
    folder.mkdir(exist_ok=True)

    def program(body: list[str]) -> str:
        return _workflow([*outer, "if var.count > 0 { " + " ".join(body) + " }"])

    old = _nodes(program(inner), folder)
    new = _nodes(program([*inner[:position], inserted, *inner[position:]]), folder)
    alone = _nodes(_workflow([inserted]), folder)
    assert set(old) <= set(new)
    assert len(new) - len(old) == len(alone) - 1


# ── (c) determinism ────────────────────────────────────────────────────────────────────────


def _all_bytes() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for source in GOLDEN:
        for template in build([source], fixture_environment(source.read_text("utf-8"))).templates:
            out[f"{source.name}:{template.workflow}"] = template.bpt()
    if sample_files():
        for template in build(sample_files(), sample_environment()).templates:
            out[f"samples:{template.workflow}"] = template.bpt()
    return out


def test_compiling_twice_gives_identical_bytes() -> None:
    first = _all_bytes()
    second = _all_bytes()  # `first` stays alive: no object of the second run reuses its ids
    assert first and first == second


_DIGESTS = """
import hashlib, json, sys
sys.path.insert(0, sys.argv[1])
import test_compile_properties as p
print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in p._all_bytes().items()}))
"""


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_other_processes_give_identical_bytes(hash_seed: str) -> None:
    # Another process has other memory addresses and (with another PYTHONHASHSEED) another
    # set and dict-of-str iteration order; neither may leak into the output.
    here = {k: hashlib.sha256(v).hexdigest() for k, v in _all_bytes().items()}
    done = subprocess.run(
        [sys.executable, "-c", _DIGESTS, str(Path(__file__).parent)],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=True,
        env={"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO), "PATH": ""})
    assert json.loads(done.stdout) == here


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statements=st.lists(_statement(), min_size=1, max_size=8))
def test_generated_workflows_compile_to_identical_bytes(
        tmp_path_factory: pytest.TempPathFactory, statements: list[str]) -> None:
    folder = tmp_path_factory.getbasetemp() / "determinism"
    folder.mkdir(exist_ok=True)
    first = _build_text(folder, _workflow(statements), Environment())
    second = _build_text(folder, _workflow(statements), Environment())
    assert [t.bpt() for t in first.templates] == [t.bpt() for t in second.templates]
