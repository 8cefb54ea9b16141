"""Properties that must hold for any input: arithmetic priorities agree with ordinary
arithmetic, joiners mean OR-of-ANDs, JSON persistence replays to the same run."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.bitrix import Template
from compiler.simulator.conditions import join
from compiler.simulator.run import Run, Runtime
from tests.simulator.trees import log, package, set_var, template, var

numbers = st.integers(min_value=0, max_value=99)
operators = st.sampled_from(["+", "-", "*"])


@given(numbers, st.lists(st.tuples(operators, numbers), max_size=4))  # exact in floats
def test_plus_minus_times_follow_ordinary_priorities(head: int,
                                                     rest: list[tuple[str, int]]) -> None:
    text = str(head) + "".join(f" {op} {n}" for op, n in rest)
    run = Run(Runtime(template()))
    if text == "0":  # Bitrix's parser finds "0" empty: the value keeps its text
        assert run.evaluator.value("=0") == "=0"
        return
    assert run.evaluator.value("=" + text) == float(eval(text))  # only digits and + - *


@given(st.lists(st.tuples(st.booleans(), st.sampled_from([0, 1])), min_size=1, max_size=10))
def test_joiners_are_an_or_of_and_groups(items: list[tuple[bool, int]]) -> None:
    items = [(items[0][0], 0), *items[1:]]  # a well-formed condition starts with AND
    groups: list[list[bool]] = []
    for result, joiner in items:
        if joiner == 1 or not groups:
            groups.append([result])
        else:
            groups[-1].append(result)
    assert join(items) == any(all(group) for group in groups)


@settings(max_examples=25)
@given(st.lists(st.integers(min_value=-50, max_value=50), min_size=1, max_size=6))
def test_runs_replay_from_json(values: list[int]) -> None:
    steps = [set_var(n=f"={{=Variable:n}} + {v}") for v in values]
    pkg = package(*steps, log("n={=Variable:n}"), variables={"n": var("int", 0)})
    run = Runtime(Template.from_package(pkg)).start()
    again = Run.from_json(json.loads(json.dumps(run.to_json())))
    assert again.snapshot() == run.snapshot()
    assert again.variables["n"] == sum(values)
