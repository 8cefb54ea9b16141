"""Document types the portal knows (from the standard catalog), in canonical spelling, and how
a CRM document id carries its type.

Module and class names compare case-insensitively, as PHP class names do; the portal stores and
answers the catalog's spelling (`CCrmDocumentDeal`, `DYNAMIC_147`, `iblock_22`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from compiler.catalog import Catalog, DocumentSpec, load_catalog
from compiler.php.values import is_scalar
from compiler.sandbox.params import param_text, values_of


@cache
def catalog() -> Catalog:
    return load_catalog()


def three_strings(value: Any) -> list[str] | None:
    items = values_of(value)
    if items is None or len(items) != 3 or not all(is_scalar(i) for i in items):
        return None
    parts = [param_text(item).strip() for item in items]
    return parts if all(parts) else None


def _entity(spec: DocumentSpec, entity: str) -> str | None:
    wanted = entity.lower()
    return next((name for name in spec.entities if name.lower() == wanted), None)


def document_type(value: Any) -> tuple[str, str, str] | None:
    """A valid [module, entity, type] in canonical spelling, or None."""
    parts = three_strings(value)
    if parts is None:
        return None
    spec = catalog().document_by_type(*parts)
    if spec is None:
        return None
    entity = _entity(spec, parts[1])
    parameter = spec.match_document_type(parts[2])
    if entity is None or parameter is None:
        return None
    return spec.module, entity, spec.document_type_for(parameter or None)


def _spec_of(module: str, entity: str) -> tuple[DocumentSpec, str] | None:
    for spec in catalog().documents.values():
        name = _entity(spec, entity) if spec.module.lower() == module.lower() else None
        if name is not None:
            return spec, name
    return None


def document_entity(module: str, entity: str) -> tuple[str, str] | None:
    found = _spec_of(module, entity)
    return None if found is None else (found[0].module, found[1])


def type_from_id(module: str, entity: str, document_id: str) -> str | None:
    """The type a CRM document id carries (DEAL_5 → DEAL, DYNAMIC_147_3 → DYNAMIC_147);
    None for ids that do not carry one (lists and Drive ids are plain numbers)."""
    found = _spec_of(module, entity)
    if found is None or found[0].module != "crm":
        return None
    spec = found[0]
    head, _, tail = spec.document_type.partition("{" + spec.parameter + "}")
    middle = r"(\d+)" if spec.parameter else ""
    pattern = re.escape(head) + middle + re.escape(tail if spec.parameter else "") + r"_\d+"
    match = re.fullmatch(pattern, document_id, re.IGNORECASE)
    if match is None:
        return None
    return spec.document_type_for(match.group(1) if spec.parameter else None)
