"""Document field catalogs and the DOCUMENT_TYPE reverse lookup."""

from __future__ import annotations

import pytest

from compiler.catalog import Catalog, load_catalog

DYNAMIC = "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(eager=True)


def test_the_documents_are_there(catalog: Catalog) -> None:
    assert set(catalog.documents) >= {
        "crm.deal",
        "crm.lead",
        "crm.contact",
        "crm.company",
        "crm.quote",
        "crm.dynamic",
        "crm.invoice",
        "lists.element",
    }
    assert catalog.document("CRM.Deal") is catalog.documents["crm.deal"]
    assert catalog.document("crm.order") is None


@pytest.mark.parametrize(
    ("module", "entity", "document_type", "expected", "parameter"),
    [
        ("crm", DYNAMIC, "DYNAMIC_147", "crm.dynamic", "147"),
        ("lists", "BizprocDocument", "iblock_164", "lists.element", "164"),
        ("lists", "Bitrix\\Lists\\BizprocDocumentLists", "iblock_164", "lists.element", "164"),
        ("crm", "CCrmDocumentDeal", "DEAL", "crm.deal", ""),
        ("crm", "CCrmDocumentLead", "LEAD", "crm.lead", ""),
        ("CRM", "ccrmdocumentdeal", "DEAL", "crm.deal", ""),  # PHP class names ignore case
        ("disk", "Bitrix\\Disk\\BizProcDocument", "STORAGE_490", "disk.file", "490"),
    ],
)
def test_reverse_lookup(
    catalog: Catalog, module: str, entity: str, document_type: str, expected: str, parameter: str
) -> None:
    spec = catalog.document_by_type(module, entity, document_type)
    assert spec is not None and spec.name == expected
    assert spec.match_document_type(document_type) == parameter


@pytest.mark.parametrize(
    ("module", "entity", "document_type"),
    [
        ("crm", DYNAMIC, "DYNAMIC_abc"),
        ("crm", DYNAMIC, "DYNAMIC_"),
        ("crm", "CCrmDocumentDeal", "LEAD"),
        ("lists", "CCrmDocumentDeal", "DEAL"),
        ("crm", "CCrmDocumentSpa", "DYNAMIC_147"),
    ],
)
def test_reverse_lookup_rejects_mismatches(
    catalog: Catalog, module: str, entity: str, document_type: str
) -> None:
    assert catalog.document_by_type(module, entity, document_type) is None


def test_parameterised_document_types(catalog: Catalog) -> None:
    dynamic = catalog.documents["crm.dynamic"]
    assert dynamic.parameter == "id"
    assert dynamic.document_type_for(147) == "DYNAMIC_147"
    with pytest.raises(ValueError):
        dynamic.document_type_for(None)
    assert catalog.documents["crm.deal"].document_type_for() == "DEAL"


def test_deal_fields(catalog: Catalog) -> None:
    deal = catalog.documents["crm.deal"]
    assert len(deal.fields) >= 40
    for code in ("ID", "TITLE", "STAGE_ID", "CATEGORY_ID", "OPPORTUNITY", "ASSIGNED_BY_ID"):
        assert code in deal.fields
    assert deal.fields["ASSIGNED_BY_ID"].type == "user"
    assert deal.fields["ID"].readonly
    assert deal.fields["CONTACT_IDS"].multiple
    assert deal.fields["TITLE"].required  # the bizproc document requires it; REST does not
    assert deal.user_groups == ("author", "responsible_head")


def test_printable_and_portal_specific_fields(catalog: Catalog) -> None:
    deal = catalog.documents["crm.deal"]
    assert deal.field("STAGE_ID_PRINTABLE") is deal.fields["STAGE_ID"]
    assert deal.field("NO_SUCH_FIELD") is None
    assert deal.is_portal_specific("UF_CRM_1687188367")
    assert not deal.is_portal_specific("TITLE")
    assert deal.referenced_document("CONTACT.NAME") == ("crm.contact", "NAME")
    assert catalog.documents["crm.contact"].field("NAME") is not None


def test_field_types_belong_to_the_document(catalog: Catalog) -> None:
    deal = catalog.documents["crm.deal"]
    assert "deal_stage" in deal.field_types
    assert deal.knows_type("UF:money")
    assert not catalog.documents["lists.element"].knows_type("UF:money")
    for spec in catalog.documents.values():
        assert all(spec.knows_type(field.type) for field in spec.fields.values())


def test_generic_documents_carry_the_standard_fields(catalog: Catalog) -> None:
    element = catalog.documents["lists.element"]
    for code in (
        "ID",
        "NAME",
        "CODE",
        "CREATED_BY",
        "DATE_CREATE",
        "MODIFIED_BY",
        "TIMESTAMP_X",
        "IBLOCK_SECTION_ID",
        "ACTIVE_FROM",
        "ACTIVE_TO",
        "PREVIEW_TEXT",
        "DETAIL_TEXT",
    ):
        assert code in element.fields, code
    assert element.is_portal_specific("PROPERTY_AMOUNT")
    dynamic = catalog.documents["crm.dynamic"]
    for code in (
        "ID",
        "TITLE",
        "ASSIGNED_BY_ID",
        "STAGE_ID",
        "CATEGORY_ID",
        "OPPORTUNITY",
        "CURRENCY_ID",
        "BEGINDATE",
        "CLOSEDATE",
        "CREATED_BY",
    ):
        assert code in dynamic.fields, code


def test_no_printable_fields_are_listed(catalog: Catalog) -> None:
    for spec in catalog.documents.values():
        assert not [code for code in spec.fields if code.upper().endswith("_PRINTABLE")]
