"""template.add knows what the catalog knows: every catalogued type imports with its required
properties filled, and a newly catalogued type's own ValidateProperties messages come back."""

from __future__ import annotations

from typing import Any

from compiler.catalog import load_catalog
from compiler.catalog.models import ActivitySpec, PropertySpec

from .helpers import DEAL, Client, error, node, ok, template_data

ADD = "bizproc.workflow.template.add"

# A non-empty value of each property type, as a template stores it.
SAMPLE: dict[str, Any] = {
    "string": "x", "text": "x", "expression": "{=Document:TITLE}", "datetime": "{=System:Now}",
    "document_id": "DEAL_1", "int": 1, "double": 1.5, "bool": True, "yn": "Y",
    "user": "user_1", "users": ["user_1", "user_2"], "list": ["x"], "duration_unit": "d",
    "document_type": ["lists", "BizprocDocument", "iblock_1"], "file": [1], "condition": [],
}


def _sample(prop: PropertySpec) -> Any:
    # A few tests want a particular shape (ValidateProperties' own, see the catalog header).
    if prop.required_check == "count":
        return ["user_1"]
    if prop.required_check == "positive_int_or_expression":
        return 1
    if prop.required_check == "math_conditions":
        return {"{=Variable:total}": ["1", "+", "2"]}
    if prop.type == "select":
        option = (prop.options or ("",))[0]
        return [option] if prop.multiple else option
    if prop.type == "map":
        return {key: "x" for key in prop.required_keys or ("FIELD",)}
    return SAMPLE[prop.type]


def _filled(spec: ActivitySpec) -> dict[str, Any]:
    props: dict[str, Any] = {"Title": spec.title}
    for name, prop in spec.properties.items():
        if prop.required or prop.required_if or prop.required_unless:
            props[name] = _sample(prop)
    for group in spec.require_one_of:
        props[group[0]] = _sample(spec.properties[group[0]])
    if spec.condition == "required":
        props["truecondition"] = "1"
    return props


def add(client: Client, token: str, children: list[Any]) -> Any:
    return client.call(ADD, token, DOCUMENT_TYPE=DEAL, NAME="Catalogued", AUTO_EXECUTE="0",
                       TEMPLATE_DATA=template_data(children))


def test_every_catalogued_activity_imports_with_its_required_properties(
    client: Client, token: str
) -> None:
    catalog = load_catalog()
    children = [node(spec.type, f"A{index}", _filled(spec))
                for index, spec in enumerate(catalog.activities.values())]
    assert len(children) >= 120
    assert isinstance(ok(add(client, token, children)), int)


def test_a_newly_catalogued_activity_is_checked_with_its_own_messages(
    client: Client, token: str
) -> None:
    empty = node("GetUserActivity", "A1", {"Title": "Pick an employee"})
    assert error(add(client, token, [empty])) == (
        400,
        "",
        "The 'User' property is missing.. The 'Wait list' property is not specified.. ",
    )
    chosen = node("GetUserActivity", "A1", {
        "Title": "Pick an employee", "UserType": "random",
        "UserParameter": ["user_1"], "ReserveUserParameter": ["user_1"],
    })
    assert isinstance(ok(add(client, token, [chosen])), int)
