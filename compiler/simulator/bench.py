"""Simulator throughput: `python -m compiler.simulator.bench [--runs N]`.

Runs a workflow whose while loop makes 1000 iterations (Bitrix's limit) of several
activities — a formula assignment, a condition with two branches, a document field, a log
line — and prints activities executed per second. Only activities that do work count:
containers (sequences, branches, IfElse, While/ForEach shells, Parallel, state shells)
only run their children and are left out of the figure.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from compiler.bitrix import Activity, Field, Template
from compiler.simulator.activities import CONTAINERS
from compiler.simulator.run import Runtime


def _node(type_: str, name: str, children: list[Activity] | None = None,
          **properties: Any) -> Activity:
    return Activity(type_, name, {"Title": name, **properties}, children or [])


def loop_template(iterations: int = 1000) -> Template:
    body = _node("SequenceActivity", "Body", [
        _node("SetVariableActivity", "Count", VariableValue={"i": "={=Variable:i} + 1"}),
        _node("IfElseActivity", "Even?", [
            _node("IfElseBranchActivity", "Even", [
                _node("SetVariableActivity", "Add", VariableValue={
                    "total": "={=Variable:total} + {=Variable:i} * 2"})],
                mixedcondition=[{"object": "Variable", "field": "i", "operator": ">",
                                 "value": "{=Variable:half}", "joiner": 0}]),
            _node("IfElseBranchActivity", "Odd", [], truecondition="1")]),
        _node("SetFieldActivity", "Field", FieldValue={"COMMENTS": "Step {=Variable:i}"},
              MergeMultipleFields="N", ModifiedBy=[]),
        _node("LogActivity", "Log", Text="i={=Variable:i}, total={=Variable:total}",
              SetVariable=False),
    ])
    loop = _node("WhileActivity", "Loop", [body],
                 propertyvariablecondition=[["i", "<", str(iterations), 0]])
    return Template(
        roots=[_node("SequentialWorkflowActivity", "Template", [loop])],
        variables={"i": Field("", "int", default="0"), "total": Field("", "double", default="0"),
                   "half": Field("", "int", default=str(iterations // 2))})


def working(types: list[str]) -> int:
    """How many of the executed activity types do work (containers are not counted)."""
    return sum(1 for type_ in types if type_.lower() not in CONTAINERS)


def measure(runs: int) -> tuple[int, float]:
    template = loop_template()
    executed = 0
    started = time.perf_counter()
    for _ in range(runs):
        run = Runtime(template, document={"COMMENTS": ""}).start()
        if run.status != "completed":
            raise SystemExit(f"the benchmark workflow ended {run.status}: {run.error}")
        executed += working([entry.type for entry in run.trace])
    return executed, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="how many runs (default 20)")
    args = parser.parse_args()
    measure(1)  # warm the formula cache and imports
    executed, seconds = measure(args.runs)
    print(f"{args.runs} runs x 1000 loop iterations: {executed} working activities in "
          f"{seconds:.2f} s = {executed / seconds:,.0f} activities/s (containers — sequences, "
          "branches, IfElse, While/ForEach, Parallel, state shells — are not counted)")


if __name__ == "__main__":
    main()
