"""CRM activities on items other than (or as well as) the workflow's own: create, copy,
convert, change, delete and read items of any CRM type, and wait for a deal's stage or a
lead's status. The items are the run's document store (compiler.simulator.store), which a
scenario fills through `[documents]`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import is_empty_value, to_int, to_str
from compiler.simulator import classes
from compiler.simulator.activities import items
from compiler.simulator.activities.document import create_item
from compiler.simulator.activities.registry import activity
from compiler.simulator.store import CRM_SHORT, DYNAMIC_TYPE_START, crm_name, split_key
from compiler.simulator.waits import Until, Wait

if TYPE_CHECKING:
    from compiler.simulator.run import Run

# The entity each CreateCrm…DocumentActivity creates (its class sets the document type).
_CREATES = {"CreateCrmLeadDocumentActivity": "LEAD", "CreateCrmDealDocumentActivity": "DEAL",
            "CreateCrmContactDocumentActivity": "CONTACT",
            "CreateCrmCompanyDocumentActivity": "COMPANY"}
# CCrmOwnerType::SmartInvoice: a dynamic type too for the update activity.
_SMART_INVOICE = 31
# Fields a copy or a conversion carries over from the source item.
_CARRIED = ("TITLE", "ASSIGNED_BY_ID", "OPPORTUNITY", "CURRENCY_ID", "CONTACT_ID", "COMPANY_ID",
            "CONTACT_IDS", "COMMENTS")


def _current(run: Run) -> tuple[str, int]:
    parts = split_key(run.store.current)
    return parts if parts is not None else ("", 0)


def _not_found(run: Run, node: Activity, prefix: str, what: str) -> None:
    """Nothing matched: Bitrix logs an error. When the scenario gives no item of the type at
    all, a portal might well have one, so the run says so too."""
    if any(True for _ in run.store.of_prefix(prefix)):
        run.write_log(node, f"{what} was not found")
    else:
        items.missing(run, node, f"a {prefix} item", what)


@activity(*_CREATES)
def create_crm(run: Run, node: Activity) -> None:
    lowered = {k.lower(): v for k, v in _CREATES.items()}
    entity = next(lowered[k.lower()] for k in classes.lineage(node.type) if k.lower() in lowered)
    create_item(run, node, entity, items.evaluated(run, run.props(node).get("Fields")))


@activity("CrmCreateDynamicActivity")
def create_dynamic(run: Run, node: Activity) -> None:
    """Fields come as `<type id>_<FIELD>`; empty values are left out
    (crmcreatedynamicactivity.php)."""
    props = run.props(node)
    type_id = to_int(run.evaluator.value(props.get("DynamicTypeId")))
    name = crm_name(type_id)
    if name is None:
        run.write_log(node, "Incorrect item type")
        return
    prefix = f"{type_id}_"
    fields = {code[len(prefix):] if code.startswith(prefix) else code: value
              for code, value in items.evaluated(run, props.get("DynamicEntitiesFields")).items()
              if not is_empty_value(value)}
    create_item(run, node, name, fields)


@activity("CrmUpdateDynamicActivity")
def update_dynamic(run: Run, node: Activity) -> None:
    """The first SPA item the filter finds (DynamicId adds `ID =`), its fields written."""
    props = run.props(node)
    type_id = to_int(run.evaluator.value(props.get("DynamicTypeId")))
    if type_id < DYNAMIC_TYPE_START and type_id != _SMART_INVOICE:
        run.write_log(node, "Incorrect item type")
        return
    name = f"DYNAMIC_{type_id}" if type_id >= DYNAMIC_TYPE_START else "SMART_INVOICE"
    given_id = to_int(run.evaluator.value(props.get("DynamicId")))
    extra = [("ID", "=", given_id)] if given_id else None
    key = next(items.find(run, name, props.get("DynamicFilterFields"), extra), None)
    if key is None:
        _not_found(run, node, name, "The item")
        return
    items.write(run, key, items.evaluated(run, props.get("DynamicEntitiesFields")))
    run.record("updated", node, key=key)


@activity("CrmDeleteDynamicActivity")
def delete_dynamic(run: Run, node: Activity) -> None:
    """Deleting the workflow's own item ends the workflow (crmdeletedynamicactivity.php)."""
    props = run.props(node)
    name = crm_name(run.evaluator.value(props.get("EntityTypeId")))
    entity_id = to_int(run.evaluator.value(props.get("EntityId")))
    if name is None:
        run.write_log(node, "Incorrect item type")
        return
    key = f"{name}_{entity_id}"
    if run.store.get(key) is None:
        items.missing(run, node, key)
        return
    run.store.delete(key)
    run.record("deleted", node, key=key)
    if key == run.store.current:
        run.terminate()


@activity("CrmGetDynamicInfoActivity")
def get_dynamic_info(run: Run, node: Activity) -> None:
    """ReturnFields of the first item the filter finds become results."""
    props = run.props(node)
    name = crm_name(run.evaluator.value(props.get("DynamicTypeId")))
    if name is None:
        run.write_log(node, "Incorrect item type")
        return
    key = next(items.find(run, name, props.get("DynamicFilterFields")), None)
    if key is None:
        _not_found(run, node, name, "The item")
        return
    document = run.store.get(key) or {}
    wanted = run.evaluator.value(props.get("ReturnFields"))
    for code in wanted if isinstance(wanted, list) else [wanted]:
        run.set_result(node, {to_str(code): document.get(to_str(code), "")})


def _entity_id(value: Any, entity: str) -> int:
    """CrmGetDataEntityActivity's EntityId: an id, or a link value `C_3` of that entity
    (CUserTypeCrm::GetLongEntityType), or a list of them."""
    for item in value if isinstance(value, list) else [value]:
        text = to_str(item)
        if to_int(text):
            return to_int(text)
        short, _, tail = text.partition("_")
        if CRM_SHORT.get(short.upper(), "LEAD") == entity and to_int(tail):
            return to_int(tail)
    return 0


@activity("CrmGetDataEntityActivity")
def get_data_entity(run: Run, node: Activity) -> None:
    """The fields named in EntityFields of a lead, contact, company or deal; it closes
    without reading when the id, the fields or a known type is missing."""
    props = run.props(node)
    entity = to_str(props.get("EntityType")).upper()
    fields = props.get("EntityFields")
    entity_id = _entity_id(run.evaluator.value(props.get("EntityId")), entity)
    if not entity_id or not isinstance(fields, dict) or not fields or \
            entity not in ("LEAD", "CONTACT", "COMPANY", "DEAL"):
        return
    document = run.store.get(f"{entity}_{entity_id}")
    if document is None:
        items.missing(run, node, f"{entity}_{entity_id}")
        return
    if to_str(props.get("PrintableVersion")) == "Y":
        run.note(node, "the printable version (names of statuses, sources, currencies) is "
                       "not made; values are as stored")
    run.set_result(node, {code: document.get(code, "") for code in fields})


@activity("CrmGetRelationsInfoActivity")
def get_relations_info(run: Run, node: Activity) -> None:
    """The parent item of ParentTypeId that the item links to (PARENT_ID_<type>): the
    fields of ParentEntityFields become results."""
    props = run.props(node)
    parent_type = to_int(run.evaluator.value(props.get("ParentTypeId")))
    name = crm_name(parent_type)
    if name is None or name == _current(run)[0]:
        run.write_log(node, "There is no such relation")
        return
    field = f"PARENT_ID_{parent_type}"
    if field not in run.document:
        run.note(node, f"the item's link {field} is not in the scenario's document; no "
                       "parent is read")
        return
    parent = to_int(_single(run.document.get(field)))
    document = run.store.get(f"{name}_{parent}") if parent else None
    if document is None:
        if parent:
            items.missing(run, node, f"{name}_{parent}")
        else:
            run.write_log(node, "The parent item was not found")
        return
    wanted = props.get("ParentEntityFields")
    run.set_result(node, {code: document.get(code, "")
                          for code in (wanted if isinstance(wanted, dict) else {})})


def _copy_fields(run: Run) -> dict[str, Any]:
    return {code: run.document[code] for code in _CARRIED if code in run.document}


def _responsible(run: Run, raw: Any) -> str | None:
    """Several responsible users are picked at random; none keeps the source's."""
    users = run.users(raw)
    return f"user_{run.rng().choice(users)}" if users else None


@activity("CrmCopyDealActivity")
def copy_deal(run: Run, node: Activity) -> None:
    props = run.props(node)
    if _current(run)[0] != "DEAL":
        run.write_log(node, "The deal was not found")
        return
    fields = _copy_fields(run)
    title = run.evaluator.text(props.get("DealTitle", ""))
    if title:
        fields["TITLE"] = title
    else:
        run.note(node, "an empty DealTitle makes a title from the source's; the copy keeps "
                       "the source's title as it is")
    category = to_int(run.evaluator.value(props.get("CategoryId")))
    stage = to_str(run.evaluator.value(props.get("StageId")))
    fields["CATEGORY_ID"] = category
    fields["STAGE_ID"] = stage or ("NEW" if category == 0 else f"C{category}:NEW")
    who = _responsible(run, props.get("Responsible"))
    if who:
        fields["ASSIGNED_BY_ID"] = who
    create_item(run, node, "DEAL", fields)


@activity("CrmCopyDynamicActivity")
def copy_dynamic(run: Run, node: Activity) -> None:
    """An empty ItemTitle keeps the title, an empty StageId the stage
    (crmcopydynamicactivity.php)."""
    props = run.props(node)
    prefix = _current(run)[0]
    fields = {k: v for k, v in run.document.items() if k != "ID"}
    title = run.evaluator.text(props.get("ItemTitle", ""))
    if title:
        fields["TITLE"] = title
    category = to_int(run.evaluator.value(props.get("CategoryId")))
    if category:
        fields["CATEGORY_ID"] = category
    else:
        run.note(node, "CategoryId 0 is the default pipeline, whose id the scenario does not "
                       "give; the copy keeps the source's CATEGORY_ID")
    stage = to_str(run.evaluator.value(props.get("StageId")))
    if stage:
        fields["STAGE_ID"] = stage
    who = _responsible(run, props.get("Responsible"))
    if who:
        fields["ASSIGNED_BY_ID"] = who
    create_item(run, node, prefix, fields)


@activity("CrmCreateReturnLeadActivity")
def create_return_lead(run: Run, node: Activity) -> None:
    """A repeat lead for the deal's client: its contact and company, a title, a responsible
    (at random among several; none keeps the deal's)."""
    props = run.props(node)
    contact = run.document.get("CONTACT_ID")
    company = run.document.get("COMPANY_ID")
    if not to_int(_single(contact)) and not to_int(_single(company)):
        run.write_log(node, "The deal has no contact and no company")
        return
    fields: dict[str, Any] = {"CONTACT_ID": contact, "COMPANY_ID": company, "IS_RETURN_CUSTOMER":
                              "Y", "ASSIGNED_BY_ID": run.document.get("ASSIGNED_BY_ID", "")}
    title = run.evaluator.text(props.get("LeadTitle", ""))
    if title:
        fields["TITLE"] = title
    who = _responsible(run, props.get("Responsible"))
    if who:
        fields["ASSIGNED_BY_ID"] = who
    create_item(run, node, "LEAD", fields)


# CrmConvertDocumentActivity's results by the entity each conversion item makes.
_CONVERTED = {"DEAL": "DealId", "CONTACT": "ContactId", "COMPANY": "CompanyId",
              "INVOICE": "InvoiceId", "QUOTE": "QuoteId"}


@activity("CrmConvertDocumentActivity")
def convert_document(run: Run, node: Activity) -> None:
    """A lead converts into a deal, contact, company; a deal into an invoice or quote: each
    new item carries the title, responsible, amount and client links, and links back; a
    converted lead's status becomes CONVERTED."""
    props = run.props(node)
    source, source_id = _current(run)
    if source not in ("LEAD", "DEAL"):
        run.write_log(node, "The conversion wizard was not found")
        return
    wanted = run.evaluator.value(props.get("Items"))
    base = _copy_fields(run)
    who = _responsible(run, props.get("Responsible"))
    if who:
        base["ASSIGNED_BY_ID"] = who
    for entity in [to_str(i).upper() for i in (wanted if isinstance(wanted, list) else [wanted])]:
        if entity not in _CONVERTED:
            continue
        fields = {**base, f"{source}_ID": source_id}
        if entity == "DEAL":
            fields["CATEGORY_ID"] = to_int(run.evaluator.value(props.get("DealCategoryId")))
        new_id = items.create(run, node, entity, fields)
        run.set_result(node, {_CONVERTED[entity]: new_id})
    if source == "LEAD":
        run.set_field("STATUS_ID", "CONVERTED")


def _semantics(document: dict[str, Any], field: str, success: str, failure: str) -> str:
    """process, success or failure: the item's own …_SEMANTIC_ID (P/S/F) when given, else
    the standard final ids (WON/LOSE of any pipeline, CONVERTED/JUNK)."""
    given = to_str(document.get(f"{field.removesuffix('_ID')}_SEMANTIC_ID")).upper()
    if given in ("P", "S", "F"):
        return {"P": "process", "S": "success", "F": "failure"}[given]
    stage = to_str(document.get(field)).upper().rpartition(":")[2]
    return "success" if stage == success else "failure" if stage == failure else "process"


def _listen(run: Run, node: Activity, entity: str, id_property: str, field: str,
            results: tuple[str, str], finals: tuple[str, str]) -> Iterator[Wait]:
    """Waits until the item's stage is one of WaitForState or a final one
    (crmdealstagelistenactivity.php); the stage and its semantics are the results."""
    props = run.props(node)
    item_id = to_int(run.evaluator.value(props.get(id_property)))
    key = f"{entity}_{item_id}"
    document = run.store.get(key)
    if document is None:
        items.missing(run, node, key)
        return
    wanted = run.evaluator.value(props.get("WaitForState"))
    targets = {to_str(w) for w in (wanted if isinstance(wanted, list) else [wanted]) if w}

    def reached(_run: Run) -> bool:
        return _semantics(document, field, *finals) != "process" or \
            to_str(document.get(field)) in targets

    if not reached(run):
        yield Until(reached, f"{key} to reach {', '.join(sorted(targets)) or 'a final stage'}")
    run.set_result(node, {results[0]: _semantics(document, field, *finals),
                          results[1]: to_str(document.get(field))})


@activity("CrmDealStageListenActivity")
def deal_stage_listen(run: Run, node: Activity) -> Iterator[Wait]:
    return _listen(run, node, "DEAL", "DealId", "STAGE_ID", ("StageSemantics", "StageId"),
                   ("WON", "LOSE"))


@activity("CrmLeadStatusListenActivity")
def lead_status_listen(run: Run, node: Activity) -> Iterator[Wait]:
    return _listen(run, node, "LEAD", "LeadId", "STATUS_ID", ("StatusSemantics", "StatusId"),
                   ("CONVERTED", "JUNK"))


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
