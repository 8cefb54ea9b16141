"""The full activity catalog: how many types per module, where each fact was read, and that the
schema's extra facts (robots, filters, validation checks) hang together."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest

from compiler.catalog import Catalog, load_catalog
from compiler.catalog.models import ActivitySpec, PropertySpec
from compiler.resources import stdlib_dir

# Catalogued types and automation rules per module; a change here is a change of the catalog
# (add the source of every new entry to the report of the change).
TYPES_PER_MODULE = {
    "bizproc": 52,
    "calendar": 1,
    "crm": 46,
    "disk": 6,
    "im": 5,
    "imopenlines": 1,
    "lists": 3,
    "rpa": 5,
    "socialnetwork": 2,
    "tasks": 7,
    "voximplant": 1,
}
ROBOTS_PER_MODULE = {
    "bizproc": 9,
    "crm": 37,
    "im": 4,
    "imopenlines": 1,
    "lists": 3,
    "rpa": 5,
    "socialnetwork": 1,
    "tasks": 6,
    "voximplant": 1,
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(eager=True)


def test_the_catalog_knows_at_least_120_activity_types(catalog: Catalog) -> None:
    assert len(catalog.activities) >= 120


def test_types_and_robots_per_module(catalog: Catalog) -> None:
    specs = catalog.activities.values()
    assert Counter(spec.module for spec in specs) == TYPES_PER_MODULE
    assert Counter(spec.module for spec in specs if spec.robot) == ROBOTS_PER_MODULE


def test_every_entry_names_the_file_it_was_read_from(catalog: Catalog) -> None:
    for name, spec in catalog.activities.items():
        label, path = spec.source.split(" ", 1)
        assert label in ("[AB]", "[AC]", "[ZW]", "[PG]"), name
        # The file lies in the activity's own folder: install/activities/bitrix/<type>/.
        assert f"/install/activities/bitrix/{name.lower()}/" in path, name
        assert path.endswith(".php"), name


def test_the_brief_list_of_common_activities_is_covered(catalog: Catalog) -> None:
    wanted = [
        "GetUserActivity", "GetUserInfoActivity", "SetPermissionsActivity",
        "PublishDocumentActivity", "DeleteDocumentActivity", "SetGlobalVariableActivity",
        "MathOperationActivity", "CrmCreateToDoActivity", "CrmTimelineCommentAdd",
        "CrmChangeDealCategoryActivity", "CrmGetDataEntityActivity", "CrmCreateDynamicActivity",
        "CrmUpdateDynamicActivity", "CrmGetDynamicInfoActivity", "CrmDeleteDynamicActivity",
        "CrmSendSmsActivity", "CrmGenerateEntityDocumentActivity", "CreateListsDocumentActivity",
        "GetListsDocumentActivity", "UpdateListsDocumentActivity", "ImMessageActivity",
        "SocnetBlogPostActivity", "Calendar2Activity",
    ]
    assert [name for name in wanted if catalog.activity(name) is None] == []


def _properties(catalog: Catalog) -> list[tuple[ActivitySpec, str, PropertySpec]]:
    return [(spec, name, prop) for spec in catalog.activities.values()
            for name, prop in spec.properties.items()]


def test_select_defaults_are_among_their_options(catalog: Catalog) -> None:
    for spec, name, prop in _properties(catalog):
        if prop.type != "select" or prop.default is None:
            continue
        values = prop.default if prop.multiple else [prop.default]
        assert set(values) <= set(prop.options or ()), f"{spec.type}.{name}"


def test_robot_facts_belong_to_robots(catalog: Catalog) -> None:
    for spec in catalog.activities.values():
        if spec.robot:
            assert spec.robot_category, spec.type
        assert spec.robot or not (spec.robot_title or spec.robot_category), spec.type


def test_filters_name_known_modules(catalog: Catalog) -> None:
    modules = {"crm", "tasks", "disk", "iblock", "lists", "rpa"}
    for spec in catalog.activities.values():
        for rule in (*spec.filter_include, *spec.filter_exclude):
            assert rule.startswith("distr:") or rule.split(":")[0] in modules, spec.type


def test_every_required_property_says_how_bitrix_tests_it(catalog: Catalog) -> None:
    for spec, name, prop in _properties(catalog):
        if prop.required or prop.required_if or prop.required_unless:
            assert prop.required_check is not None, f"{spec.type}.{name}"


def test_conditional_requirements_refer_to_properties_of_the_same_activity(
    catalog: Catalog,
) -> None:
    conditional = [(spec, name, prop) for spec, name, prop in _properties(catalog)
                   if prop.required_if or prop.required_unless]
    assert {f"{spec.type}.{name}" for spec, name, _ in conditional} >= {
        "VoximplantCallActivity.Number", "CrmWaitActivity.WaitTarget",
        "CrmControlNotifyActivity.ToUsers",
    }
    for spec, _, prop in conditional:
        condition = {**(prop.required_if or {}), **(prop.required_unless or {})}
        assert set(condition) <= set(spec.properties)


def test_extends_and_returns_from_point_inside_the_catalog(catalog: Catalog) -> None:
    for spec in catalog.activities.values():
        if spec.extends:
            assert catalog.activity(spec.extends) is not None, spec.type
        assert set(spec.returns_from) <= set(spec.properties), spec.type


def test_some_facts_read_from_the_sources(catalog: Catalog) -> None:
    get_user = catalog.activities["GetUserActivity"]
    assert get_user.returns["GetUser"].type == "user" and get_user.returns["GetUser"].multiple
    assert get_user.properties["UserType"].options == ("random", "boss", "sequent")
    assert get_user.properties["UserParameter"].required_check == "trimmed_entries"
    sms = catalog.activities["CrmSendSmsActivity"]
    assert sms.robot and sms.robot_category == ("employee", "client")
    assert sms.properties["MessageText"].required_check == "empty_string"
    approve = catalog.activities["ApproveActivity"].properties["ApproveType"]
    assert approve.required_check == "missing" and approve.options_enforced
    assert catalog.activities["CodeActivity"].filter_exclude == ("distr:b24",)
    assert catalog.activities["RobotDelayActivity"].event_driven
    assert catalog.activities["CrmGetDynamicInfoActivity"].returns_from == ("DynamicEntityFields",)


def _fields(record: type) -> set[str]:
    return {field.name for field in dataclasses.fields(record)}


def _documented_keys(block: str) -> set[str]:
    """Keys the header explains: `#   key  text` or `#   key / other_key  text` lines."""
    found = re.findall(r"^#   ([a-z_]+(?: / [a-z_]+)*)", block, re.MULTILINE)
    return {key for names in found for key in names.split(" / ")}


def test_the_catalog_header_documents_every_key() -> None:
    text = (stdlib_dir() / "activities.toml").read_text(encoding="utf-8")
    header = text[: text.index("[operators]")]
    activity_part = header[header.index("# Activity keys"): header.index("# Property keys")]
    property_part = header[header.index("# Property keys"):]
    implied = {"type"}  # the table name, not a key
    assert _fields(ActivitySpec) - implied - {"properties", "returns"} <= (
        _documented_keys(activity_part)
    )
    assert _fields(PropertySpec) <= _documented_keys(property_part)
