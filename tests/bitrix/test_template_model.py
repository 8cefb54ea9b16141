"""The typed template layer: packages read into Template/Activity and written back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.bitrix import Activity, Field, Template, TemplateShapeError
from compiler.bitrix.bpt import pack_package, unpack_package
from compiler.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "samples", *sorted((ROOT / "tests/fixtures/compile").glob("*.bpl"))]


def _compiled() -> list[tuple[str, bytes, dict]]:
    out = []
    for path in SOURCES:
        for template in build([path]).templates:
            out.append((template.workflow, template.bpt(), template.template.to_package()))
    return out


COMPILED = _compiled()


def test_there_is_something_to_compare() -> None:
    assert len(COMPILED) >= 15


@pytest.mark.parametrize(("workflow", "bpt", "package"), COMPILED, ids=[c[0] for c in COMPILED])
def test_compiled_packages_read_and_write_back_byte_for_byte(workflow: str, bpt: bytes,
                                                             package: dict) -> None:
    assert Template.from_package(package).to_package() == package
    read = Template.from_package(unpack_package(bpt))
    assert pack_package(read.to_package()) == bpt


def _node(name: str, *children: Activity, on: bool = True) -> Activity:
    return Activity("SequenceActivity", name, {"Title": name}, list(children), on)


def test_walk_is_document_order_and_can_skip_switched_off_subtrees() -> None:
    tree = _node("a", _node("b", _node("c")), _node("d", _node("e"), on=False), _node("f"))
    assert [n.name for n in tree.walk()] == ["a", "b", "c", "d", "e", "f"]
    assert [n.name for n in tree.walk(active_only=True)] == ["a", "b", "c", "f"]
    assert [n.name for n in _node("x", on=False).walk(active_only=True)] == []
    template = Template([tree])
    assert template.activity("e") is tree.children[1].children[0]
    assert template.parents()[id(tree.children[1].children[0])] is tree.children[1]


def test_reading_is_as_lenient_as_bitrix() -> None:
    raw = {"Type": "SequenceActivity", "Name": 7, "Activated": False, "Properties": [],
           "Children": {1: {"Type": "LogActivity", "Name": "b"},
                        0: {"Type": "LogActivity", "Name": "a", "Activated": "n"}}}
    node = Activity.from_php(raw)
    assert node.name == "7" and not node.activated and node.properties == {}
    assert [c.name for c in node.children] == ["a", "b"]
    assert [c.activated for c in node.children] == [False, True]


@pytest.mark.parametrize(("raw", "where", "problem"), [
    ("x", "TEMPLATE[0]", "not an activity"),
    ({"Name": "a"}, "TEMPLATE[0]", "no activity Type"),
    ({"Type": "X", "Children": "abc"}, "TEMPLATE[0].Children", "not an array"),
    ({"Type": "X", "Children": [1]}, "TEMPLATE[0].Children[0]", "not an activity"),
    ({"Type": "X", "Children": {"a": {}}}, "TEMPLATE[0].Children", "named keys"),
    ({"Type": "X", "Properties": 5}, "TEMPLATE[0].Properties", "not an array"),
    ({"Type": "X", "Name": ["a"]}, "TEMPLATE[0]", "Name"),
])
def test_unreadable_nodes_name_the_place(raw: object, where: str, problem: str) -> None:
    with pytest.raises(TemplateShapeError) as caught:
        Activity.from_php(raw)  # type: ignore[arg-type]
    assert caught.value.where == where and problem in caught.value.problem


def test_package_level_shape_errors() -> None:
    with pytest.raises(TemplateShapeError, match="TEMPLATE: holds no activity"):
        Template.from_package({"TEMPLATE": []})
    with pytest.raises(TemplateShapeError, match="VARIABLES: is a string"):
        Template.from_package({"TEMPLATE": [{"Type": "X"}], "VARIABLES": "x"})


def test_declarations_keep_their_flags_and_defaults() -> None:
    field = Field.from_php("limit", {"Name": "Limit", "Type": "double", "Required": "Y",
                                     "Multiple": 0, "Default": "5"}, "PARAMETERS[limit]")
    assert (field.name, field.type, field.required, field.multiple, field.default) == \
        ("Limit", "double", True, False, "5")
    assert field.to_php()["Required"] == "1" and field.to_php()["Options"] == ""


_names = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=6)
_values = st.recursive(st.none() | st.booleans() | st.integers(-99, 99) | st.text(max_size=5),
                       lambda inner: st.lists(inner, max_size=3) |
                       st.dictionaries(_names, inner, max_size=3), max_leaves=6)
_activities = st.recursive(
    st.builds(Activity, _names, _names, st.dictionaries(_names, _values, max_size=3),
              st.just([]), st.booleans()),
    lambda inner: st.builds(Activity, _names, _names, st.dictionaries(_names, _values,
                                                                       max_size=2),
                            st.lists(inner, max_size=3), st.booleans()),
    max_leaves=10)


@given(_activities)
def test_any_tree_survives_a_round_trip(tree: Activity) -> None:
    package = Template([tree]).to_package()
    again = Template.from_package(package).to_package()
    assert again == package
