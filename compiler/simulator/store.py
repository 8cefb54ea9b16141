"""The portal's other documents, as far as a run can reach them: CRM items, list elements and
tasks that activities create, read, change or delete by id.

Documents are kept by a key: a CRM item by Bitrix's own document id (`DEAL_15`, `CONTACT_3`,
`DYNAMIC_128_5` — CCrmOwnerType::ResolveName of its entity type, `_`, its id), a list element
as `ELEMENT_<id>` and a task as `TASK_<id>` (their Bitrix document ids are bare numbers; the
prefix keeps the three apart). A scenario gives them (`[documents]`); activities add to them.
The run's own document is one of them, under its own key, and the same dict as `Run.document`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from compiler.php.values import to_int, to_str

# CCrmOwnerType (crm/classes/general/crm_owner_type.php): entity type ids and their names.
# Smart processes (dynamic types) are 128 and up, named DYNAMIC_<id>; 31 is the smart invoice.
CRM_TYPES = {1: "LEAD", 2: "DEAL", 3: "CONTACT", 4: "COMPANY", 5: "INVOICE", 7: "QUOTE",
             31: "SMART_INVOICE"}
DYNAMIC_TYPE_START = 128
# CUserTypeCrm::GetLongEntityType (crm/classes/general/crm_usertypecrm.php): the short prefixes
# of CRM link values ("C_3" is contact 3); anything else counts as a lead there.
CRM_SHORT = {"D": "DEAL", "C": "CONTACT", "CO": "COMPANY", "L": "LEAD"}
_HEAD = re.compile(r"^[A-Z][A-Z0-9_]*$")
_DYNAMIC = re.compile(r"^DYNAMIC_(\d+)$")
FIRST_NEW_ID = 1001  # ids of documents a run creates start here, far from scenario ids


def crm_name(entity_type_id: Any) -> str | None:
    """The entity name of a CRM type id (2 → DEAL, 128 → DYNAMIC_128), None when unknown."""
    type_id = to_int(entity_type_id)
    if type_id in CRM_TYPES:
        return CRM_TYPES[type_id]
    return f"DYNAMIC_{type_id}" if type_id >= DYNAMIC_TYPE_START else None


def crm_type_id(name: str) -> int | None:
    """DEAL → 2, DYNAMIC_128 → 128."""
    upper = name.upper()
    for type_id, known in CRM_TYPES.items():
        if known == upper:
            return type_id
    found = _DYNAMIC.match(upper)
    return int(found.group(1)) if found else None


def split_key(key: str) -> tuple[str, int] | None:
    """DEAL_15 → ("DEAL", 15); DYNAMIC_128_5 → ("DYNAMIC_128", 5)."""
    head, _, tail = key.strip().upper().rpartition("_")
    if not tail.isdigit() or not _HEAD.match(head):
        return None
    return head, int(tail)


def document_key(document_type: list[str] | tuple[str, ...], document_id: Any) -> str:
    """The key of a document of `document_type` with `document_id` (a bare id or a CRM
    document id such as DEAL_15)."""
    module, _entity, kind = ([*document_type, "", "", ""])[:3]
    text = to_str(document_id).strip()
    module = module.lower()
    if module == "crm":
        return text.upper() if split_key(text) else f"{kind.upper()}_{text}"
    if module == "tasks":
        return f"TASK_{text}"
    if module in ("lists", "iblock"):
        return f"ELEMENT_{text}"
    return f"{kind.upper() or module.upper()}_{text}"


class DocumentStore:
    """Documents by key. `current` is the run's own document's key."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]], current: str,
                 current_fields: dict[str, Any]):
        self.documents: dict[str, dict[str, Any]] = {}
        for key, fields in documents.items():
            parts = split_key(str(key))
            given = dict(fields)
            if parts is not None:
                given.setdefault("ID", parts[1])
            self.documents[str(key).upper()] = given
        self.current = current
        self.documents[current] = current_fields
        self.deleted: list[str] = []

    def get(self, key: str) -> dict[str, Any] | None:
        return self.documents.get(key.upper())

    def create(self, prefix: str, fields: Mapping[str, Any], next_id: Callable[[], int]) -> int:
        """A new document with the next id; ID is set as Bitrix would."""
        while True:
            new_id = next_id()
            if f"{prefix}_{new_id}" not in self.documents:
                break
        self.documents[f"{prefix}_{new_id}"] = {**dict(fields), "ID": new_id}
        return new_id

    def delete(self, key: str) -> bool:
        upper = key.upper()
        if upper not in self.documents:
            return False
        if upper != self.current:
            del self.documents[upper]
        self.deleted.append(upper)
        return True

    def of_prefix(self, prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The documents of one CRM type (or ELEMENT / TASK), in id order."""
        found = []
        for key, fields in self.documents.items():
            parts = split_key(key)
            if parts is not None and parts[0] == prefix.upper() and key not in self.deleted:
                found.append((parts[1], key, fields))
        for _, key, fields in sorted(found, key=lambda item: item[0]):
            yield key, fields

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.documents.items() if k not in self.deleted}
