"""Containers: sequences, IfElse, While, ForEach, Parallel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.simulator.activities.registry import activity
from compiler.simulator.model import SimulationError
from compiler.simulator.waits import YIELD, AnyOf, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

MAX_ITERATIONS = 1000  # WhileActivity's limit per run in Bitrix


@activity("SequentialWorkflowActivity", "SequenceActivity", "IfElseBranchActivity",
          "StateInitializationActivity", "StateFinalizationActivity", "EmptyBlockActivity",
          container=True)
def sequence(run: Run, node: Activity) -> Iterator[Wait]:
    return run.run_children(node)


@activity("IfElseActivity", container=True)
def if_else(run: Run, node: Activity) -> Iterator[Wait]:
    for branch in node.active_children:
        if run.condition(branch) is not False:  # no condition (None) counts as true
            yield from run.execute(branch)
            return


@activity("WhileActivity", container=True)
def while_loop(run: Run, node: Activity) -> Iterator[Wait]:
    body = node.children[0] if node.children else None
    iterations = 0
    while True:
        holds = run.condition(node)
        if holds is None:
            raise SimulationError("The condition is missing.", node.name)
        if not holds:
            return
        iterations += 1
        if iterations > MAX_ITERATIONS:
            raise SimulationError("Loop iteration maximum exceeded", node.name)
        if body is not None:
            yield from run.execute(body)
        elif run.parallel_depth:
            yield YIELD


@activity("ForEachActivity", container=True)
def for_each(run: Run, node: Activity) -> Iterator[Wait]:
    props = run.props(node)
    # No Object means Variable (foreachactivity.php: `if ($this->Object === null)`).
    source = run.lookup(str(props.get("Object") or "Variable"), str(props.get("Variable", "")))
    value = source.value if source is not None else None
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        pairs = list(enumerate(value))
    elif value in (None, ""):
        pairs = []
    else:
        pairs = [(0, value)]
    for key, item in pairs:
        run.set_result(node, {"Key": key, "Value": item})
        if node.children:
            yield from run.execute(node.children[0])


@activity("ParallelActivity", container=True)
def parallel(run: Run, node: Activity) -> Iterator[Wait]:
    """All branches run, interleaved one activity at a time in branch order; a branch that
    waits lets the others go on; the block ends when every branch has ended."""
    run.parallel_depth += 1
    try:
        branches: list[Any] = [run.execute(c) for c in node.active_children]
        waits: list[Wait] = [YIELD] * len(branches)
        while True:
            progressed = False
            for index, branch in enumerate(branches):
                if branch is None or not waits[index].ready(run):
                    continue
                progressed = True
                try:
                    waits[index] = next(branch)
                except StopIteration:
                    branches[index] = None
            alive = [waits[i] for i, b in enumerate(branches) if b is not None]
            if not alive:
                return
            yield YIELD if progressed else AnyOf(alive)
    finally:
        run.parallel_depth -= 1
