"""When an activity closes: the values a scenario scripts for it replace its own results, and
an activity the simulator cannot carry out says so in the run's log."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.catalog.models import APP_ACTIVITY, APP_ACTIVITY_PREFIX
from compiler.php.values import to_str
from compiler.simulator import classes, returns
from compiler.simulator.activities.fidelity import Fidelity, How, fidelity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


@cache
def fidelity_of(type_name: str) -> Fidelity | None:
    """The table's entry for a type, its nearest catalogued ancestor's, or RestActivity's for
    an app robot."""
    if type_name.lower().startswith(APP_ACTIVITY_PREFIX):
        return fidelity(APP_ACTIVITY)
    return next((found for kind in classes.lineage(type_name)
                 if (found := fidelity(kind)) is not None), None)


def script_for(run: Run, node: Activity) -> Mapping[str, Any] | None:
    for script in run.runtime.scripted:
        if returns.matches(str(script.get("activity", "")), node.title, node.name, node.type):
            return script
    return None


def finish(run: Run, node: Activity) -> None:
    script = script_for(run, node) if run.runtime.scripted else None
    if script is not None:
        run.set_result(node, returns.typed(node.type, script.get("returns") or {}))
    entry = fidelity_of(node.type)
    if entry is None or entry.how != How.DECLARED:
        return
    given = run.results.get(node.name, {})
    shown = ", ".join(f"{key} = {_show(value)}" for key, value in given.items())
    source = "scripted by the scenario" if script is not None else "declared (empty)"
    run.note(node, f"not simulated: {entry.why}" + (
        f"; its results are {source}: {shown}" if shown else ""))


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return repr(to_str(value))
