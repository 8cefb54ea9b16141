"""List activities (lists): create, change and read elements of a list. Elements live in the
run's document store as `ELEMENT_<id>`, with the list's id in IBLOCK_ID."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_str
from compiler.simulator.activities import items
from compiler.simulator.activities.document import create_item
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run

_IBLOCK = "iblock_"  # a list's document type is iblock_<list id>


def _list_id(document_type: Any) -> str | None:
    """The list id of a DocumentType triple [lists, BizprocDocument, iblock_<id>]."""
    if isinstance(document_type, list) and len(document_type) >= 3:
        kind = to_str(document_type[2])
        if kind.startswith(_IBLOCK):
            return kind[len(_IBLOCK):]
    return None


def _element(run: Run, node: Activity, props: dict[str, Any]) -> str | None:
    """The element key, once its list is the DocumentType's; an error in the log otherwise
    (BPULDA_ERROR_DT / BPGLDA_ERROR_DT)."""
    element = run.evaluator.value(props.get("ElementId"))
    if isinstance(element, list):
        element = element[0] if element else ""
    list_id = _list_id(run.evaluator.value(props.get("DocumentType")))
    if list_id is None or not to_str(element):
        run.write_log(node, "Incorrect document type or element id")
        return None
    key = f"ELEMENT_{to_str(element)}"
    document = run.store.get(key)
    if document is None:
        items.missing(run, node, key, "The element")
        return None
    if to_str(document.get("IBLOCK_ID", list_id)) != list_id:
        run.write_log(node, "Incorrect document type or element id")
        return None
    return key


@activity("CreateListsDocumentActivity")
def create_element(run: Run, node: Activity) -> None:
    """IBLOCK_ID from the document type; CREATED_BY, when not given, is the user who started
    the workflow (createlistsdocumentactivity.php)."""
    props = run.props(node)
    list_id = _list_id(run.evaluator.value(props.get("DocumentType")))
    if list_id is None:
        run.write_log(node, "The list is not set")
        return
    fields = items.evaluated(run, props.get("Fields"))
    fields["IBLOCK_ID"] = list_id
    fields.setdefault("CREATED_BY", f"user_{run.runtime.user}")
    create_item(run, node, "ELEMENT", fields)


@activity("UpdateListsDocumentActivity")
def update_element(run: Run, node: Activity) -> None:
    props = run.props(node)
    fields = items.evaluated(run, props.get("Fields"))
    if not fields:
        return
    key = _element(run, node, props)
    if key is None:
        return
    merge = to_str(props.get("MergeMultipleFields")).upper() == "Y"
    items.write(run, key, fields, merge)
    run.set_result(node, {"ErrorMessage": ""})


@activity("GetListsDocumentActivity")
def get_element(run: Run, node: Activity) -> None:
    """The fields of FieldsMap (what the designer builds from Fields) become results; without
    a map Bitrix reads nothing (BPGLDA_ERROR_EMPTY_DOCUMENT)."""
    props = run.props(node)
    key = _element(run, node, props)
    if key is None:
        return
    wanted = props.get("FieldsMap")
    if not isinstance(wanted, dict) or not wanted:
        run.write_log(node, "The element has no fields to read")
        return
    document = run.store.get(key) or {}
    run.set_result(node, {code: document.get(code, "") for code in wanted})
