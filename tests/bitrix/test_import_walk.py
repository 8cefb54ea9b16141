"""Two readings of a TEMPLATE array: what Bitrix's import can walk (`importable`) and what its
loader can build activities from (`Template.from_package`). The import takes more."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.bitrix import Activity, Template, TemplateShapeError
from compiler.bitrix.template import importable


def _log(**extra: Any) -> dict[str, Any]:
    return {"Type": "LogActivity", "Name": "L", "Properties": {"Text": "x"}, **extra}


@pytest.mark.parametrize("empty", [None, "", "0", 0, 0.0, False, [], {}])
def test_the_loader_reads_empty_children_as_none(empty: Any) -> None:
    # parseWorkflowTemplate: `if (!empty($activityFormatted['Children']))`.
    assert Activity.from_php(_log(Children=empty)).children == []


@pytest.mark.parametrize("children", ["abc", 1, True])
def test_children_that_are_neither_empty_nor_an_array_are_refused(children: Any) -> None:
    with pytest.raises(TemplateShapeError, match=r"TEMPLATE\[0\]\.Children"):
        Activity.from_php(_log(Children=children))


@pytest.mark.parametrize("roots", [
    [_log()],
    [{"Type": "SequenceActivity", "Children": [_log(), _log(Children=None)]}],
    [{"Children": {"a": _log(), "b": _log()}}],  # named keys: PHP's foreach walks them
    [{"Name": ["x"], "Properties": "odd"}],  # no Type: ValidateProperties answers for it
])
def test_the_import_walks_any_tree_of_arrays(roots: list[Any]) -> None:
    assert importable(roots)


@pytest.mark.parametrize("roots", [
    "x", {"0": _log()}, ["x"], [_log(Children=["x"])], [_log(Children="abc")],
    [{"Type": "SequenceActivity", "Children": [{"Type": "SequenceActivity",
                                                "Children": [_log(), 5]}]}],
])
def test_the_import_stops_at_anything_that_is_no_array(roots: Any) -> None:
    assert not importable(roots)


def test_what_the_import_takes_the_loader_may_refuse() -> None:
    roots = [{"Type": "SequentialWorkflowActivity", "Children": [{"Properties": {}}]}]
    assert importable(roots)
    with pytest.raises(TemplateShapeError, match=r"TEMPLATE\[0\]\.Children\[0\]: has no activity"):
        Template.from_package({"TEMPLATE": roots})


def test_a_deep_tree_is_walked_without_recursion() -> None:
    node = _log()
    for _ in range(5000):
        node = {"Type": "SequenceActivity", "Children": [node]}
    assert importable([node])
