"""Unreadable templates are told in a sentence that names the activity; deep ones still read."""

from __future__ import annotations

import pytest

from compiler.bitrix import Activity, Field, Template, TemplateShapeError
from compiler.bitrix.bpt import BptError, pack, pack_package, unpack

ROOT = {"Type": "SequentialWorkflowActivity", "Name": "Template", "Properties": {}}


def _sentence(raw: object) -> str:
    with pytest.raises(TemplateShapeError) as caught:
        Template.from_package({"TEMPLATE": [raw]})
    return caught.value.sentence


@pytest.mark.parametrize(("raw", "expected"), [
    ({**ROOT, "Children": ["x"]}, "the Children of activity Template "
     "(SequentialWorkflowActivity, at TEMPLATE[0]) hold a text where an activity belongs"),
    ({**ROOT, "Children": [[1]]}, "hold a list where an activity belongs"),
    ({**ROOT, "Children": 5}, "the Children of activity Template (SequentialWorkflowActivity, "
     "at TEMPLATE[0]) are a number, not a list of activities"),
    ({**ROOT, "Children": {"a": {}}}, "are an array with named keys, not a list of activities"),
    ({**ROOT, "Properties": "x"}, "the Properties of activity Template "
     "(SequentialWorkflowActivity, at TEMPLATE[0]) are a text, not an array of property names"),
    ({**ROOT, "Properties": ["a"]}, "are a list, not an array of property names"),
    ({"Name": "a"}, "the activity at TEMPLATE[0] has no Type"),
    ({"Type": " "}, "the activity at TEMPLATE[0] has an empty Type"),
    ({"Type": ["x"]}, "the activity at TEMPLATE[0] has a list as its Type"),
    ({"Type": "X", "Name": [1]}, "the activity at TEMPLATE[0] has a list as its Name"),
    ("x", "TEMPLATE[0] is a text, not an activity"),
])
def test_the_sentence_says_where_and_what(raw: object, expected: str) -> None:
    assert expected in _sentence(raw)


def test_names_are_shown_on_one_line_and_cut() -> None:
    sentence = _sentence({"Type": "X", "Name": "\x1b[2J" + "n" * 80, "Children": [7]})
    assert sentence.startswith("the Children of activity \\x1b[2J" + "n" * 53 + "… (X, at")


def test_a_nested_place_names_its_parent() -> None:
    branch = {"Type": "IfElseBranchActivity", "Name": "B1", "Children": [[1, 2]]}
    raw = {**ROOT, "Children": [{"Type": "IfElseActivity", "Name": "I1", "Children": [branch]}]}
    with pytest.raises(TemplateShapeError) as caught:
        Template.from_package({"TEMPLATE": [raw]})
    assert caught.value.where == "TEMPLATE[0].Children[0].Children[0].Children[0]"
    assert caught.value.sentence == ("the Children of activity B1 (IfElseBranchActivity, at "
                                     "TEMPLATE[0].Children[0].Children[0]) hold a list where "
                                     "an activity belongs")


def test_a_tree_deeper_than_the_python_stack_reads() -> None:
    raw: dict[str, object] = {"Type": "LogActivity", "Name": "leaf"}
    for level in range(5000):
        raw = {"Type": "SequenceActivity", "Name": f"s{level}", "Children": [raw]}
    tree = Activity.from_php(raw)  # type: ignore[arg-type]
    names = [node.name for node in tree.walk()]
    assert len(names) == 5001 and names[0] == "s4999" and names[-1] == "leaf"


def test_children_keep_their_order() -> None:
    raw = {**ROOT, "Children": [{"Type": "A", "Name": str(i),
                                 "Children": [{"Type": "B", "Name": f"{i}.{j}"}
                                              for j in range(3)]} for i in range(3)]}
    tree = Activity.from_php(raw)  # type: ignore[arg-type]
    assert [n.name for n in tree.walk()] == ["Template", "0", "0.0", "0.1", "0.2", "1", "1.0",
                                             "1.1", "1.2", "2", "2.0", "2.1", "2.2"]


def test_unknown_declaration_keys_are_kept() -> None:
    raw = {"Name": "Limit", "Type": "int", "Settings": {"min": 1}}
    field = Field.from_php("limit", raw, "PARAMETERS[limit]")
    assert field.extra == {"Settings": {"min": 1}}
    assert list(field.to_php())[-1] == "Settings"
    assert Field.from_php("limit", field.to_php(), "PARAMETERS[limit]") == field


def test_unpack_reads_a_template_and_pack_writes_it_back() -> None:
    template = Template([Activity("SequentialWorkflowActivity", "Template", {"Title": "t"}, [
        Activity("LogActivity", "A1", {"Title": "Log", "Text": "hi"})])])
    data = pack(template)
    assert data == pack_package(template.to_package())
    again = unpack(data)
    assert [a.to_php() for a in again.roots] == [a.to_php() for a in template.roots]
    assert pack(again) == data


def test_unpack_says_what_is_damaged_in_one_error_type() -> None:
    data = pack_package({"TEMPLATE": [{**ROOT, "Children": ["x"]}]})
    with pytest.raises(BptError) as caught:
        unpack(data)
    assert str(caught.value) == ("the template is damaged: the Children of activity Template "
                                 "(SequentialWorkflowActivity, at TEMPLATE[0]) hold a text "
                                 "where an activity belongs")
    assert isinstance(caught.value.__cause__, TemplateShapeError)
    assert caught.value.__cause__.where == "TEMPLATE[0].Children[0]"
    with pytest.raises(BptError, match="the file is empty"):
        unpack(b"")


def test_a_declaration_that_is_not_an_array_is_read_past() -> None:
    read = Template.from_package({"TEMPLATE": [ROOT], "VARIABLES": {
        "x": "not a map", "y": {"Name": "Y", "Type": "int"}}})
    assert list(read.variables) == ["y"] and read.variables["y"].type == "int"
