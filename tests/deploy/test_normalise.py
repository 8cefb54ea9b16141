"""One canonical form: designer spellings compare equal, real differences do not."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.bitrix.canonical import Normaliser, flag, from_compiled, number, token_text, value
from compiler.catalog import load_catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy.read import from_portal

from .designer import as_designer, portal_row
from .rig import PROJECT, Rig

NORMALISER = Normaliser(load_catalog())


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> list[CompiledTemplate]:
    root = tmp_path_factory.mktemp("normalise")
    rig = Rig(root)
    try:
        return rig.compile(PROJECT).templates
    finally:
        rig.close()


def test_flag_spellings() -> None:
    assert {flag(v) for v in (True, 1, "1", "Y", "y", "true", 1.0)} == {"Y"}
    assert {flag(v) for v in (False, 0, "0", "N", "", None, "false")} == {"N"}
    assert flag("maybe") is None and flag(2) is None


def test_numbers_and_numeric_strings() -> None:
    assert number("100000.0") == number("100000") == "100000"
    assert number("1.50") == "1.5"
    assert number("007") is None and number("1e5") is None and number("12a") is None
    assert value(5) == value("5") == value(5.0) == value("5.0") == "5"


def test_php_arrays() -> None:
    assert value([]) == value({}) == []
    assert value({"0": "a", "1": "b"}) == value(["a", "b"]) == ["a", "b"]
    assert value({"1": "a"}) == {"1": "a"}  # not 0..n-1: a real map
    assert value(None) == value("") == ""
    assert value("a\r\nb") == "a\nb"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), index=st.integers(0, 2))
def test_designer_spellings_compare_equal(compiled: list[CompiledTemplate], seed: int,
                                          index: int) -> None:
    template = compiled[index]
    stored = portal_row(template, as_designer(template.template.to_package(), seed))
    stored["DESCRIPTION"] = template.description.replace("\n", "\r\n") + "\r\n\r\n[bpl:x]"
    stored["ENTITY"] = stored["DOCUMENT_TYPE"][1] = template.document_type[1].lower()
    ours, theirs = from_compiled(template, NORMALISER), from_portal(stored, NORMALISER)
    assert theirs.body() == ours.body()
    assert theirs.content_hash == ours.content_hash


def test_random_names_and_their_references_are_renamed_consistently(
        compiled: list[CompiledTemplate]) -> None:
    template = compiled[0]  # deal_approval: var.verdict reads {=A…:LastApprover}
    canonical = from_compiled(template, NORMALISER)
    text = str(canonical.body())
    assert "{=@0." in text and ":LastApprover" in text
    assert "A1" not in text and "A2" not in text  # no compiled name survives
    designer = from_portal(portal_row(template, as_designer(template.template.to_package(), 3)),
                           NORMALISER)
    assert str(designer.body()) == text


def test_a_real_change_is_not_normalised_away(compiled: list[CompiledTemplate]) -> None:
    template = compiled[0]
    package = copy.deepcopy(template.template.to_package())
    approve = package["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"][1]
    assert approve["Type"] == "ApproveActivity"
    approve["Properties"]["TimeoutDuration"] = 3
    changed = from_portal(portal_row(template, package), NORMALISER)
    assert changed.body_hash != from_compiled(template, NORMALISER).body_hash
    approve["Properties"]["TimeoutDuration"] = "2"  # the same value, spelt as PHP returns it
    same = from_portal(portal_row(template, package), NORMALISER)
    assert same.body_hash == from_compiled(template, NORMALISER).body_hash


def test_a_reference_to_another_activity_counts(compiled: list[CompiledTemplate]) -> None:
    template = compiled[0]
    package = copy.deepcopy(template.template.to_package())
    tree = json.dumps(package["TEMPLATE"])
    approve_name = package["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"][1]["Name"]
    assert "{=" + approve_name + ":" in tree
    # Point the reference at the root instead: the same text shape, another activity.
    package["TEMPLATE"] = json.loads(tree.replace("{=" + approve_name + ":", "{=Template:"))
    assert from_portal(portal_row(template, package), NORMALISER).body_hash != \
        from_compiled(template, NORMALISER).body_hash


def test_any_workflow_field_is_the_workflow_id() -> None:
    # getRealParameterValue (modules/bizproc/classes/general/activity.php) answers the ID for
    # every field of the exactly named Workflow object.
    assert token_text("id {=Workflow:id}, {=Workflow:TemplateId > printable}") == \
        "id {=Workflow:ID}, {=Workflow:ID > printable}"
    assert token_text("{=workflow:id} {{=Workflow:id}") == "{=workflow:id} {{=Workflow:id}"


def test_header_and_document_type(compiled: list[CompiledTemplate]) -> None:
    template = compiled[0]
    row = portal_row(template, template.template.to_package())
    row["AUTO_EXECUTE"] = 3
    row["DOCUMENT_TYPE"] = "DEAL"  # the docs' spelling: only the third element
    canonical = from_portal(row, NORMALISER)
    assert canonical.document_key() == from_compiled(template, NORMALISER).document_key()
    assert canonical.content_hash == from_compiled(template, NORMALISER).content_hash
