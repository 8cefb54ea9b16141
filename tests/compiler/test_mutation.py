"""The mutation test of issue 14: typed mistakes made in every sample are caught.

`python -m compiler.mutation -v` (or `make mutate`) prints the same figures per class, with
every miss and every excluded mutant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.mutation.judge import Report, run
from compiler.mutation.mutants import misspell

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report() -> Report:
    return run(ROOT)


def test_at_least_200_mutants_of_every_kind_of_mistake(report: Report) -> None:
    classes = {row.cls for row in report.rows() if row.mutants}
    assert report.total.mutants >= 200
    for family in ("where a number goes", "where a user goes", "where a date goes",
                   "where a duration goes", "where a bool goes", "misspelt variable",
                   "misspelt document field", "misspelt env symbol", "misspelt state",
                   "misspelt statement keyword", "misspelt option key", "misspelt macro name",
                   "swapped function arguments", "swapped macro arguments", "removed required part",
                   "wrong option value", "out-of-range number"):
        assert any(family in cls for cls in classes), family


def test_95_percent_caught_and_none_crash(report: Report) -> None:
    print(report.table())
    missed = "\n".join(v.mutant.describe() for v in report.missed)
    assert report.total.crashed == 0, missed
    assert report.total.share >= 0.95, missed


def test_excluded_mutants_name_their_rule(report: Report) -> None:
    # Exclusions are few and each says which rule makes the mutant a valid program.
    assert all(m.excluded for m in report.excluded)
    assert len(report.excluded) < report.total.mutants / 10


def test_a_misspelling_changes_the_word() -> None:
    assert misspell("limit") == "lmiit"
    assert misspell("ll") == "lll"
    assert misspell("x") == "xx"
