"""Activities that change data or time: SetField, SetVariable, Log, SetStateTitle, Delay,
global variables (SetGlobalVariable, MathOperation) and RandomString."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_float, to_int, to_str
from compiler.simulator import dates
from compiler.simulator.activities.registry import activity, duration
from compiler.simulator.types import convert, info_of_value, to_bool_yn
from compiler.simulator.waits import Timer, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

_REPORT_LINES = 50


@activity("SetFieldActivity", "TasksUpdateTaskActivity")
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
        run.set_result(node, {"Report": "\n".join(run.report_lines()[-_REPORT_LINES:])})


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
    return wait_delay(run, node)


def wait_delay(run: Run, node: Activity) -> Iterator[Wait]:
    until = delay_until(run, node)
    if to_bool_yn(run.props(node).get("WriteToLog")) == "Y":
        run.write_log(node, f"Pause until {dates.format_datetime(until)}")
    if until > run.clock:
        yield Timer(until)


def _global_id(key: str) -> str:
    """A GlobalVariableValue / Conditions key: `{=GlobalVar:Id}` → Id (any object: Bitrix
    looks the id up among the global variables whatever the object says); a key with
    modifiers, or a bare id, stays as written (setglobalvariableactivity.php)."""
    found = _EXPRESSION.match(key.strip())
    if found is None or found.group(3):
        return key
    return found.group(2)


_EXPRESSION = re.compile(r"^\{=([^:{}]+):([^>{}]+?)\s*(>[^}]*)?\}$")


def _global_name(run: Run, key: str) -> str | None:
    wanted = _global_id(key).lower()
    return next((name for name in run.global_variables if name.lower() == wanted), None)


@activity("SetGlobalVariableActivity")
def set_global_variable(run: Run, node: Activity) -> None:
    """Each key names a global variable; one the portal does not have (not in the scenario's
    global_variables) is skipped, as GlobalVar::getById finds nothing."""
    values = run.props(node).get("GlobalVariableValue") or {}
    for key, raw in (values.items() if isinstance(values, dict) else []):
        name = _global_name(run, str(key))
        if name is None:
            continue
        info = info_of_value(run.global_variables[name])
        run.global_variables[name] = convert(run.evaluator.value(raw), info)


@activity("MathOperationActivity")
def math_operation(run: Run, node: Activity) -> None:
    """`={a}{op}{b}` through the calc parser into each numeric global variable
    (mathoperationactivity.php: only int and double variables are written)."""
    conditions = run.props(node).get("Conditions") or {}
    for key, condition in (conditions.items() if isinstance(conditions, dict) else []):
        name = _global_name(run, str(key))
        if name is None or not isinstance(condition, list) or len(condition) < 3:
            continue
        info = info_of_value(run.global_variables[name])
        if info.type not in ("int", "double"):
            continue
        formula = "=" + "".join(to_str(part) for part in condition[:3])
        run.global_variables[name] = convert(run.evaluator.value(formula), info)


# Main\Security\Random's alphabets by bit (main/lib/security/random.php), in its order.
_ALPHABETS = {1: "0123456789", 2: "abcdefghijklmnopqrstuvwxyz", 4: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
              8: ",.#!*%$:-^@{}[]()_+=<>?&;"}


@activity("RandomStringActivity")
def random_string(run: Run, node: Activity) -> None:
    """StringLength characters (0 or nothing: 5) drawn from the chosen alphabets (none:
    digits), from the scenario's seed."""
    props = run.props(node)
    size = to_int(run.evaluator.value(props.get("StringLength"))) or 5
    chosen = run.evaluator.value(props.get("Alphabet"))
    mask = 0
    for bit in chosen if isinstance(chosen, list) else [chosen]:
        mask |= to_int(bit)
    charset = "".join(chars for bit, chars in _ALPHABETS.items() if mask & bit) or _ALPHABETS[1]
    text = "".join(run.rng().choice(charset) for _ in range(max(size, 0)))
    run.set_result(node, {"ResultString": text})
