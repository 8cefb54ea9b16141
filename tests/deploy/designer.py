"""Rewrites a compiled template the way the Bitrix designer or the portal would store it."""

from __future__ import annotations

import copy
import random
import re
from typing import Any

from compiler.catalog import load_catalog


def designer_name(rng: random.Random) -> str:
    return "A" + "_".join(str(rng.randint(10000, 99999)) for _ in range(4))


def _respell(value: Any, rng: random.Random, flag: bool) -> Any:
    """The same value in another PHP/JSON spelling."""
    if flag and value in ("Y", "N", True, False):
        truthy = value in ("Y", True)
        return rng.choice([True, "Y", "1", 1] if truthy else [False, "N", "0", 0])
    if isinstance(value, bool):
        return rng.choice(["Y" if value else "N", value])
    if isinstance(value, int):
        return rng.choice([value, str(value), float(value)])
    if isinstance(value, str) and re.fullmatch(r"-?[1-9][0-9]*", value):
        return rng.choice([value, int(value)])
    if isinstance(value, str) and "\n" in value:
        return value.replace("\n", "\r\n")
    if value == "":
        return rng.choice(["", None])
    if value == [] or value == {}:
        return rng.choice([[], {}])
    if isinstance(value, list):
        items = [_respell(v, rng, False) for v in value]
        return {str(i): v for i, v in enumerate(items)} if rng.random() < 0.3 else items
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: _respell(value[k], rng, False) for k in keys}
    return value


def as_designer(package: dict[str, Any], seed: int) -> dict[str, Any]:
    """`package` with random activity names (references renamed too), other spellings of
    flags, numbers and empty arrays, CRLF line ends, shuffled keys, and `Activated` left out
    where it is "Y"."""
    rng = random.Random(seed)
    catalog = load_catalog()
    tree = copy.deepcopy(package["TEMPLATE"])
    names: dict[str, str] = {}

    def collect(nodes: list[Any]) -> None:
        for node in nodes:
            if node["Type"] not in ("StateActivity",) and node["Name"] != "Template":
                names[node["Name"]] = designer_name(rng)
            collect(node.get("Children", []))

    collect(tree)

    def rename(value: Any) -> Any:
        if isinstance(value, str):
            if value in names:
                return names[value]
            for old, new in names.items():
                value = value.replace("{=" + old + ":", "{=" + new + ":")
            return value
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        return value

    def rewrite(node: dict[str, Any]) -> dict[str, Any]:
        spec = catalog.activity(node["Type"])
        props = {}
        for key, value in rename(node["Properties"]).items():
            prop = spec.properties.get(key) if spec else None
            props[key] = _respell(value, rng, prop is not None and prop.type in ("yn", "bool"))
        if spec is not None:  # the designer stores every property, defaults included
            for key, prop in spec.properties.items():
                if key not in props and prop.default is not None:
                    props[key] = prop.default
        if node["Type"] == "SequentialWorkflowActivity" and props.get("Permission") in ([], {}):
            props["Permission"] = {k: [] for k in "DEIRSTUWX"}
        made = {
            "Type": rng.choice([node["Type"], node["Type"].lower()]),
            "Name": names.get(node["Name"], node["Name"]),
            "Activated": node["Activated"],
            "Properties": props,
            "Children": [rewrite(c) for c in node.get("Children", [])],
        }
        # Bitrix runs an activity whose Activated is missing or exactly "Y" (is_activated in
        # compiler/bitrix/template.py): those are the two spellings of "on".
        if node["Activated"] == "Y" and rng.random() < 0.5:
            del made["Activated"]
        return made

    out = {key: copy.deepcopy(value) for key, value in package.items()}
    out["TEMPLATE"] = [rewrite(root) for root in tree]
    for collection in ("PARAMETERS", "VARIABLES", "CONSTANTS"):
        entries = out.get(collection)
        if isinstance(entries, dict):
            out[collection] = {
                ident: {k: _respell(v, rng, k in ("Required", "Multiple"))
                        for k, v in spec.items()}
                for ident, spec in entries.items()
            }
        else:
            out[collection] = rng.choice([[], {}])
    return out


def portal_row(template: Any, package: dict[str, Any], *, template_id: int = 7,
               description: str | None = None, system: str | None = "rest_app_1") -> dict:
    """A `template.list` row holding `package` (numbers as strings, as the docs show)."""
    return {
        "ID": str(template_id),
        "NAME": template.name,
        "DESCRIPTION": template.description if description is None else description,
        "DOCUMENT_TYPE": list(template.document_type),
        "MODULE_ID": template.document_type[0],
        "ENTITY": template.document_type[1],
        "AUTO_EXECUTE": str(template.auto_execute),
        "TEMPLATE": package["TEMPLATE"],
        "PARAMETERS": package["PARAMETERS"],
        "VARIABLES": package["VARIABLES"],
        "CONSTANTS": package["CONSTANTS"],
        "MODIFIED": "2026-01-01T10:00:00+00:00",
        "IS_MODIFIED": "N",
        "SYSTEM_CODE": system,
        "USER_ID": "1",
    }
