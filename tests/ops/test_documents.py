"""The one spelling of documents: `crm.deal:1`, `crm.dynamic(147):5`, `lists.element(42):7`,
read into Bitrix's DOCUMENT_ID and DOCUMENT_TYPE and spelled back the same way."""

from __future__ import annotations

import pytest

from compiler.ops import OpsError
from compiler.ops.documents import parse, spelled

DYNAMIC = "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic"


@pytest.mark.parametrize(("text", "document_id", "document_type"), [
    ("crm.deal:1", ["crm", "CCrmDocumentDeal", "DEAL_1"], "DEAL"),
    ("crm.lead:LEAD_3", ["crm", "CCrmDocumentLead", "LEAD_3"], "LEAD"),
    ("crm.dynamic(147):5", ["crm", DYNAMIC, "DYNAMIC_147_5"], "DYNAMIC_147"),
    ("lists.element(42):7", ["lists", "BizprocDocument", "7"], "iblock_42"),
    ("disk.file(2):3", ["disk", "Bitrix\\Disk\\BizProcDocument", "3"], "STORAGE_2"),
])
def test_read_and_spelled_back(text: str, document_id: list[str], document_type: str) -> None:
    ref = parse(text)
    assert (ref.id, ref.type[2]) == (document_id, document_type)
    canonical = text.replace("LEAD_3", "3")
    assert ref.spelled == canonical == spelled(ref.id, document_type)


def test_without_the_type_a_list_element_says_so() -> None:
    assert spelled(["lists", "BizprocDocument", "7"]) == "lists.element(?):7"
    assert spelled(["crm", "CCrmDocumentDeal", "DEAL_1"]) == "crm.deal:1"
    assert spelled(["tasks", "Task", "5"]) == "tasks:Task:5"  # not in the catalog


@pytest.mark.parametrize(("text", "message"), [
    ("deal:1", "write it as crm.deal:123"),
    ("crm.order:1", "unknown document type 'crm.order'"),
    ("lists.element:7", "lists.element needs its id: lists.element(N):7"),
    ("crm.deal(5):1", "crm.deal takes no (5): crm.deal:1"),
    ("crm.deal:abc", "a crm.deal id is a number (crm.deal:123), not 'abc'"),
    ("lists.element(4):x", "a lists.element id is a number (lists.element(4):7), not 'x'"),
])
def test_refusals_say_how_to_write_it(text: str, message: str) -> None:
    with pytest.raises(OpsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)
