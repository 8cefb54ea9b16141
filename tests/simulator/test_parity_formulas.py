"""Parity of formulas: the simulator computes what Bitrix computes.

tests/simulator/parity/formulas.json lists formulas with the value Bitrix gives for them.
Those values were obtained by running Bitrix's own code in php-cli (PHP 8.2) — its calc
parser and function libraries (bizproc/lib/Calc/Parser.php, Arguments.php, Functions.php,
Libs/*.php), CBPActivity::parseValue (bizproc/classes/general/activity.php), CBPHelper
(bizproc/classes/general/helper.php), the base types (bizproc/lib/basetype/) and the main
module's date functions (main/tools.php, main/lib/type/) — with small stand-ins for the rest
of the kernel. No Bitrix code is part of this project; only the resulting values are.

The run shares the simulator's assumptions: the clock stands at 2025-01-06 09:00:00 UTC
(a Monday), the site formats are YYYY-MM-DD HH:MI:SS and YYYY-MM-DD, every user's time zone
offset is 0, and the working calendar is Monday to Friday, 9:00 to 18:00, without holidays.
The variables of `fixture` hold the listed values. Rows with `differs` are cases the
simulator knowingly answers differently; the reason is in the row.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.simulator.parity_support import (
    decode,
    load,
    make_run,
    same,
    simulate_formula,
    simulate_value,
)

DATA = load("formulas.json")
FIXTURE = DATA["fixture"]


def _groups() -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in DATA["formulas"]:
        groups[row["group"]].append(row)
    return groups


GROUPS = _groups()


def _mismatches(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        expected = decode(row["bitrix"])
        actual = simulate_formula(make_run(FIXTURE, FIXTURE["clock"]), row["formula"])
        if not same(actual, expected):
            out.append(f"{row['formula']}: Bitrix {expected!r}, simulator {actual!r}")
    return out


def test_the_table_is_large_and_covers_every_function() -> None:
    from compiler.simulator.functions import FUNCTIONS

    assert len(DATA["formulas"]) >= 400
    tested = {group.removeprefix("fn-") for group in GROUPS} | {"false"}
    # jsonval is not in the Calc libraries the values come from (bizproc/lib/Calc/Libs/).
    untested = set(FUNCTIONS) - tested - {"jsonval"}
    assert untested == set(), f"functions without parity rows: {sorted(untested)}"


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_formulas_agree_with_bitrix(group: str) -> None:
    rows = [row for row in GROUPS[group] if "differs" not in row]
    assert _mismatches(rows) == []


def test_known_differences_still_differ() -> None:
    """A difference that is fixed loses its `differs` note (so the table stays honest)."""
    known = [row for row in DATA["formulas"] if "differs" in row]
    assert known, "no known differences listed"
    assert len(_mismatches(known)) == len(known)


def test_property_values_with_formulas_agree_with_bitrix() -> None:
    mismatches = []
    for row in DATA["values"]:
        expected = decode(row["bitrix"])
        actual = simulate_value(make_run(FIXTURE, FIXTURE["clock"]), row["value"])
        if not same(actual, expected):
            mismatches.append(f"{row['value']}: Bitrix {expected!r}, simulator {actual!r}")
    assert mismatches == []
