"""Parity of conditions: the simulator decides branches as Bitrix does.

tests/simulator/parity/conditions.json lists conditions with Bitrix's verdict. Those values
were obtained by running Bitrix's own code in php-cli (PHP 8.2) — the condition activities
(bizproc/install/activities/bitrix/{fieldcondition,propertyvariablecondition,
mixedcondition}/), CBPActivityCondition (bizproc/classes/general/activitycondition.php),
Bizproc\\Activity\\ConditionGroup and Condition (bizproc/lib/activity/condition*.php), the
operators (bizproc/lib/activity/operator/), the base types and their compareValues
(bizproc/lib/basetype/), CBPActivity::parseValue and CBPHelper — with small stand-ins for
the rest of the kernel. No Bitrix code is part of this project; only the verdicts are.

`operators` rows are [type, multiple, stored value, operator, condition value, verdict] for a
workflow variable `f` tested by a propertyvariablecondition; `conditions` are whole cases
(any kind, several items, joiners), some sharing one of `fixtures`. The clock, site formats
and time zone are the simulator's, as in test_parity_formulas.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.simulator.parity_support import condition_cases, load, simulate_condition

DATA = load("conditions.json")
CASES = condition_cases(DATA)
OPERATORS = ("=", "!=", ">", ">=", "<", "<=", "in", "!in", "contain", "!contain", "empty",
             "!empty", "between")


def _groups() -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in CASES:
        groups[case["group"]].append(case)
    return groups


GROUPS = _groups()


def test_the_table_covers_every_operator_for_every_type() -> None:
    assert len(CASES) >= 250
    for type_ in ("string", "text", "int", "double", "bool", "date", "datetime", "select",
                  "user"):
        missing = [op for op in OPERATORS if op != "between" and f"{type_} {op}" not in GROUPS]
        assert missing == [], f"{type_}: no rows for {missing}"
    assert {case["kind"] for case in CASES} == {"propertyvariablecondition", "fieldcondition",
                                                "mixedcondition"}


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_conditions_agree_with_bitrix(group: str) -> None:
    mismatches = [f"{case['condition']}: Bitrix {case['bitrix']}"
                  for case in GROUPS[group]
                  if simulate_condition(case, DATA["clock"]) is not case["bitrix"]]
    assert mismatches == []
