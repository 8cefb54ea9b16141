"""The parity tables (tests/simulator/parity/*.json) and how the simulator is run on them.

Each table lists inputs with the value Bitrix gives for them. Values are JSON with one
extension: a float that JSON cannot hold is written {"float": "INF" | "-INF" | "NAN"}. A
float is written with a decimal point (3.0) and an int without (3), so a table keeps the PHP
type of every value, and `same` compares types as strictly as values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from compiler.simulator import formulas
from compiler.simulator.conditions import evaluate
from compiler.simulator.run import Run, Runtime
from tests.simulator.trees import template, var

PARITY = Path(__file__).parent / "parity"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PARITY / name).read_text(encoding="utf-8"))
    return data


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"float"}:
            return float(value["float"].lower())
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def same(actual: Any, expected: Any) -> bool:
    """Equal values of the same PHP type (a float 3.0 is not the int 3; NAN equals NAN)."""
    if isinstance(expected, float):
        if not isinstance(actual, float):
            return False
        return (math.isnan(actual) and math.isnan(expected)) or actual == expected
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(expected, int):
        return isinstance(actual, int) and actual == expected
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(same(a, e) for a, e in zip(actual, expected, strict=True)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(actual) == list(expected)
                and all(same(actual[k], expected[k]) for k in expected))
    return type(actual) is type(expected) and bool(actual == expected)


def _declared(specs: Mapping[str, Any]) -> dict[str, Any]:
    return {name: var(spec["Type"], "", bool(spec.get("Multiple")), spec.get("Options") or "")
            for name, spec in specs.items()}


def make_run(case: Mapping[str, Any], clock: str) -> Run:
    """A run whose variables, parameters and document hold exactly the table's stored values."""
    variables = case.get("variables") or {}
    parameters = case.get("parameters") or {}
    fields = case.get("fields") or {}
    run = Run(Runtime(
        template(variables=_declared(variables), parameters=_declared(parameters)),
        field_types={code: {"Type": spec["Type"], "Multiple": "1" if spec.get("Multiple") else "0",
                            "Options": spec.get("Options")}
                     for code, spec in fields.items()},
        modified_fields=case.get("modified"), clock=clock))
    for name, spec in variables.items():
        run.variables[name] = spec.get("value")
    for name, spec in parameters.items():
        run.parameters[name] = spec.get("value")
    run.document.clear()
    run.document.update(case.get("document") or {})
    return run


def simulate_formula(run: Run, text: str) -> Any:
    """The formula's value, None where the simulator (like Bitrix) has no value for it."""
    return formulas.evaluate(run.evaluator, text)


def simulate_value(run: Run, text: str) -> Any:
    return run.evaluator.value(text)


def condition_cases(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every condition of conditions.json as one case: operator rows [type, multiple, field
    value, operator, value, bitrix] test a variable `f`; other cases may name a fixture."""
    cases = []
    for type_, multiple, field, operator, value, bitrix in data["operators"]:
        spec = {"Type": type_, "Multiple": multiple, "value": field}
        if type_ == "select":
            spec["Options"] = data["select_options"]
        cases.append({"group": f"{type_}{'[]' if multiple else ''} {operator}",
                      "kind": "propertyvariablecondition", "variables": {"f": spec},
                      "condition": [["f", operator, value, 0]], "bitrix": bitrix})
    for case in data["conditions"]:
        cases.append({**data["fixtures"].get(case.get("fixture", ""), {}), **case})
    return cases


def simulate_condition(case: Mapping[str, Any], clock: str) -> bool:
    return evaluate(case["kind"], case["condition"], make_run(case, clock))
