"""Documents named the way `.bpl` names their types: `crm.deal:123`, `crm.dynamic(147):5`,
`lists.element(42):7` — into the `[module, entity, id]` Bitrix's DOCUMENT_ID wants, and back.

Every command that takes or shows a document uses this one spelling (docs/sandbox.md,
"Document ids"). The part in parentheses is the document type's number: the smart process's
entity type id, the list's iblock id. A CRM id may also be written with its prefix
(`crm.deal:DEAL_123`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from compiler.catalog import DocumentSpec, load_catalog
from compiler.ops.errors import OpsError

_REF = re.compile(r"^(?P<name>[a-z]+\.[a-z_]+)(?:\((?P<param>\d+)\))?:(?P<id>[A-Za-z0-9_]+)$")
EXAMPLES = "crm.deal:123, crm.lead:5, crm.dynamic(147):1 or lists.element(42):7"


@dataclass(frozen=True)
class DocumentRef:
    spec: DocumentSpec
    id: list[str]  # [module, entity, document id] as Bitrix's DOCUMENT_ID
    type: list[str]  # [module, entity, document type] as Bitrix's DOCUMENT_TYPE

    @property
    def spelled(self) -> str:
        return spelled(self.id, self.type[2])


def parse(text: str) -> DocumentRef:
    """A document written as `crm.deal:123`; an OpsError says how to write it otherwise."""
    match = _REF.match(text.strip())
    if match is None:
        raise OpsError(f"cannot read the document '{text}': write it as {EXAMPLES}")
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
    kind = spec.document_type_for(param)
    if spec.module != "crm":
        # Lists and Drive documents are plain numbers; their type is not part of the id.
        if not ident.isdigit():
            raise OpsError(f"a {spec.name} id is a number ({spec.name}({param}):7), "
                           f"not '{ident}'")
        return DocumentRef(spec, [spec.module, spec.entity, ident],
                           [spec.module, spec.entity, kind])
    prefix = kind + "_"
    number = ident[len(prefix):] if ident.upper().startswith(prefix.upper()) else ident
    if not number.isdigit():
        raise OpsError(f"a {spec.name} id is a number ({spec.name}:123), not '{ident}'")
    return DocumentRef(spec, [spec.module, spec.entity, prefix + number],
                       [spec.module, spec.entity, kind])


def document_id(text: str) -> list[str]:
    return parse(text).id


def _spec_of(module: str, entity: str) -> DocumentSpec | None:
    for spec in load_catalog().documents.values():
        if spec.module.lower() == module.lower() and \
                entity.lower() in (e.lower() for e in spec.entities):
            return spec
    return None


def spelled(document: Sequence[str], document_type: str | None = None) -> str:
    """`crm.deal:1` for `["crm", "CCrmDocumentDeal", "DEAL_1"]`; lists need their type
    (`iblock_42` → `lists.element(42):7`). Ids of unknown documents are joined with ':'."""
    if len(document) != 3:
        return ":".join(str(part) for part in document)
    module, entity, ident = (str(part) for part in document)
    spec = _spec_of(module, entity)
    if spec is None:
        return ":".join((module, entity, ident))
    if spec.module != "crm":
        param = spec.match_document_type(document_type) if document_type else None
        if spec.parameter and not param:
            return f"{spec.name}(?):{ident}"
        return f"{spec.name}({param}):{ident}" if spec.parameter else f"{spec.name}:{ident}"
    kind, _, number = ident.rpartition("_")
    param = spec.match_document_type(kind) if kind else None
    if param is None or not number.isdigit():
        return f"{spec.name}:{ident}"
    return f"{spec.name}({param}):{number}" if spec.parameter else f"{spec.name}:{number}"


def shown(document: list[str]) -> str:
    return spelled(document)
