"""Documents named the way `.bpl` names their types: `crm.deal:123`, `crm.dynamic(147):5`,
`lists.element(42):7` — into the `[module, entity, id]` Bitrix's DOCUMENT_ID wants."""

from __future__ import annotations

import re

from compiler.catalog import load_catalog
from compiler.ops.errors import OpsError

_REF = re.compile(r"^(?P<name>[a-z]+\.[a-z_]+)(?:\((?P<param>\d+)\))?:(?P<id>[A-Za-z0-9_]+)$")
_EXAMPLES = "crm.deal:123, crm.lead:5, crm.dynamic(147):1 or lists.element(42):7"


def document_id(text: str) -> list[str]:
    match = _REF.match(text.strip())
    if match is None:
        raise OpsError(f"cannot read the document '{text}': write it as {_EXAMPLES}")
    catalog = load_catalog()
    spec = catalog.document(match["name"])
    if spec is None:
        known = ", ".join(sorted(catalog.documents))
        raise OpsError(f"unknown document type '{match['name']}' (known: {known})")
    param, ident = match["param"], match["id"]
    if spec.parameter and not param:
        raise OpsError(f"{spec.name} needs its {spec.parameter}: {spec.name}(N):{ident}")
    if not spec.parameter and param:
        raise OpsError(f"{spec.name} takes no ({param}): {spec.name}:{ident}")
    if spec.module != "crm":
        # Lists and Drive documents are plain numbers; their type is not part of the id.
        return [spec.module, spec.entity, ident]
    prefix = spec.document_type_for(param) + "_"
    number = ident[len(prefix):] if ident.upper().startswith(prefix.upper()) else ident
    if not number.isdigit():
        raise OpsError(f"a {spec.name} id is a number ({spec.name}:123), not '{ident}'")
    return [spec.module, spec.entity, prefix + number]


def shown(document: list[str]) -> str:
    return ":".join(document)
