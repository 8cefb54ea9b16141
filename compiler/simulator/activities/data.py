"""Activities that change data or time: SetField, SetVariable, Log, SetStateTitle, Delay."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_float
from compiler.simulator import dates
from compiler.simulator.activities.registry import activity, duration
from compiler.simulator.types import to_bool_yn
from compiler.simulator.waits import Timer, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

_REPORT_LINES = 50


@activity("SetFieldActivity")
def set_field(run: Run, node: Activity) -> None:
    props = run.props(node)
    merge = str(props.get("MergeMultipleFields")).upper() == "Y"
    values = props.get("FieldValue") or {}
    if isinstance(values, dict):
        for code, raw in values.items():
            run.set_field(str(code), run.evaluator.value(raw), merge)
    run.set_result(node, {"ErrorMessage": ""})


@activity("SetVariableActivity")
def set_variable(run: Run, node: Activity) -> None:
    values = run.props(node).get("VariableValue") or {}
    if isinstance(values, dict):
        for name, raw in values.items():
            run.set_variable(str(name), run.evaluator.value(raw))


@activity("LogActivity")
def log(run: Run, node: Activity) -> None:
    props = run.props(node)
    run.write_log(node, run.evaluator.text(props.get("Text", "")))
    if to_bool_yn(props.get("SetVariable")) == "Y":
        lines = [entry["text"] for entry in run.log[-_REPORT_LINES:]]
        run.set_result(node, {"Report": "\n".join(lines)})


@activity("SetStateTitleActivity")
def set_state_title(run: Run, node: Activity) -> None:
    run.state_title = run.evaluator.text(run.props(node).get("TargetStateTitle", ""))


def delay_until(run: Run, node: Activity) -> Any:
    """When a DelayActivity ends: after TimeoutDuration, or at TimeoutTime."""
    props = run.props(node)
    amount = run.evaluator.value(props.get("TimeoutDuration"))
    if amount not in ("", None) and to_float(amount) > 0:
        return run.clock + duration(amount, props.get("TimeoutDurationType"))
    moment = dates.parse(run.evaluator.value(props.get("TimeoutTime", "")))
    return moment if moment is not None else run.clock


@activity("DelayActivity")
def delay(run: Run, node: Activity) -> Iterator[Wait]:
    until = delay_until(run, node)
    if to_bool_yn(run.props(node).get("WriteToLog")) == "Y":
        run.write_log(node, f"Pause until {dates.format_datetime(until)}")
    if until > run.clock:
        yield Timer(until)
