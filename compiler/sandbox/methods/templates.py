"""bizproc.workflow.template.add / update / delete / list."""

from __future__ import annotations

import sqlite3
from typing import Any

from compiler.catalog.checks import Importer
from compiler.php.values import is_scalar, to_int
from compiler.sandbox.clock import iso
from compiler.sandbox.doctypes import document_type
from compiler.sandbox.errors import RestError
from compiler.sandbox.importer import (
    ImportedTemplate,
    ImportFailure,
    decode,
    store_document_fields,
    unpack,
    validate,
)
from compiler.sandbox.listing import Field, Listing, fetch_page
from compiler.sandbox.methods.base import REGISTRY, Call, Result
from compiler.sandbox.params import param_text
from compiler.sandbox.store import dumps, loads, one

VALIDATION = "ERROR_TEMPLATE_VALIDATION_FAILURE"
CANT_DELETE = (
    "Cannot delete the business process template because one or more active business "
    "process(es) exist using this template."
)

# AUTO_EXECUTE values REST accepts: None, Create, Edit, Create|Edit.
_AUTO_EXECUTE = frozenset({0, 1, 2, 3})
# Automation (8) and higher flags mark robot/script templates, which template.list never shows.
AUTOMATION = 8

FIELDS = [
    Field("ID", "id", "int"),
    Field("MODULE_ID", "module_id"),
    Field("ENTITY", "entity"),
    Field("DOCUMENT_TYPE", "document_type"),
    Field("AUTO_EXECUTE", "auto_execute", "int"),
    Field("NAME", "name"),
    Field("DESCRIPTION", "description"),
    Field("TEMPLATE", "template", "json"),
    Field("PARAMETERS", "parameters", "json"),
    Field("VARIABLES", "variables", "json"),
    Field("CONSTANTS", "constants", "json"),
    Field("MODIFIED", "modified", "datetime"),
    Field("IS_MODIFIED", "is_modified"),
    Field("USER_ID", "user_id", "int"),
    Field("SYSTEM_CODE", "system_code"),
]
# Filter keys are used as given (no upper-casing) by the server.
LISTING = Listing(FIELDS, upper_filter_keys=False)


def _invalid(text: str) -> RestError:
    return RestError(VALIDATION, text)


def _name(value: Any) -> str:
    return param_text(value).strip() if is_scalar(value) else ""


def _description(value: Any) -> str:
    return param_text(value) if is_scalar(value) else ""


def auto_execute(value: Any, *, strict: bool) -> int | None:
    """The server's check `$flag === (string)(int)$flag`: only a *string* such as "3" passes.

    bizproc/lib/restservice.php validateTemplateAutoExecution compares strictly, and a JSON
    body reaches it decoded by Json::decode (rest/classes/general/rest_util.php
    getRequestData), so a JSON integer arrives as a PHP int and is refused; form-encoded and
    batch values are strings and pass. With `strict=False` a JSON integer is accepted too.
    None means invalid.
    """
    if isinstance(value, str):
        ok = value == str(to_int(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        ok = not strict
    else:
        ok = False
    number = to_int(value)
    return number if ok and number in _AUTO_EXECUTE else None


def _template_data(call: Call, value: Any, stage_codes: dict[str, str] | None) -> ImportedTemplate:
    data = decode(value)
    if data is None:
        raise _invalid("Incorrect field TEMPLATE_DATA!")
    # The importing user as CBPWorkflowTemplateUser(CurrentUser) sees the caller.
    importer = Importer(admin=call.caller.is_admin, user_id=call.caller.user_id)
    try:
        imported = unpack(data)
        validate(call.conn, imported, importer)
    except ImportFailure as failure:
        # add wraps the import in try/catch (empty code); update lets the exception through,
        # so its class decides the code.
        code = "" if stage_codes is None else stage_codes[failure.stage]
        raise RestError(code, failure.message) from failure
    return imported


@REGISTRY.add("bizproc.workflow.template.add", writes=True)
def template_add(call: Call) -> Result:
    call.require_app_admin()
    params = call.params
    doc_type = document_type(params.get("DOCUMENT_TYPE"))
    if doc_type is None:
        raise _invalid("Incorrect field DOCUMENT_TYPE!")
    name = _name(params.get("NAME"))
    if not name:
        raise _invalid("Empty template name!")
    flag = 0
    if params.get("AUTO_EXECUTE") is not None:
        checked = auto_execute(
            params["AUTO_EXECUTE"], strict=call.portal.config.strict_auto_execute
        )
        if checked is None:
            raise _invalid("Incorrect field AUTO_EXECUTE!")
        flag = checked
    imported = _template_data(call, params.get("TEMPLATE_DATA"), None)
    cursor = call.conn.execute(
        "INSERT INTO templates(module_id, entity, document_type, auto_execute, name, description, "
        "template, parameters, variables, constants, modified, is_modified, user_id, system_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'N', ?, ?)",
        (
            *doc_type,
            flag,
            name,
            _description(params.get("DESCRIPTION")),
            dumps(imported.template),
            dumps(imported.parameters),
            dumps(imported.variables),
            dumps(imported.constants),
            call.now,
            call.caller.user_id,
            call.caller.system_code,
        ),
    )
    template_id = int(cursor.lastrowid or 0)
    if imported.document_fields:
        store_document_fields(call.conn, doc_type, imported.document_fields, template_id, call.now)
    return Result(template_id)


def _owned_template(call: Call, action: str) -> sqlite3.Row:
    row = one(call.conn, "SELECT * FROM templates WHERE id = ?", (to_int(call.params.get("ID")),))
    if row is None:
        raise RestError("ERROR_TEMPLATE_NOT_FOUND", "Workflow template not found.")
    if row["system_code"] != call.caller.system_code:
        text = f"You can {action} ONLY templates created by current application"
        # update has a code of its own; delete raises the message without one.
        raise RestError("ERROR_TEMPLATE_NOT_OWNER" if action == "update" else "", text)
    return row


@REGISTRY.add("bizproc.workflow.template.update", writes=True)
def template_update(call: Call) -> Result:
    call.require_app_admin()
    fields = call.params.get("FIELDS")
    if not isinstance(fields, dict) or not fields:
        raise _invalid("No fields to update.")
    row = _owned_template(call, "update")
    changes: dict[str, Any] = {}
    if fields.get("NAME") is not None:
        changes["name"] = _name(fields["NAME"])
        if not changes["name"]:
            raise _invalid("Empty template name!")
    if fields.get("DESCRIPTION") is not None:
        changes["description"] = _description(fields["DESCRIPTION"])
    if fields.get("AUTO_EXECUTE") is not None:
        flag = auto_execute(fields["AUTO_EXECUTE"], strict=call.portal.config.strict_auto_execute)
        if flag is None:
            raise _invalid("Incorrect field AUTO_EXECUTE!")
        changes["auto_execute"] = flag
    imported: ImportedTemplate | None = None
    if "TEMPLATE_DATA" in fields:
        codes = {"package": "ERROR_ARGUMENT", "properties": "ERROR_CORE", "validation": "10010"}
        imported = _template_data(call, fields["TEMPLATE_DATA"], codes)
        changes.update(
            template=dumps(imported.template),
            parameters=dumps(imported.parameters),
            variables=dumps(imported.variables),
            constants=dumps(imported.constants),
        )
    # CBPWorkflowTemplateLoader::update (bizproc/classes/general/workflowtemplateloader.php):
    # MODIFIED moves on every update, even one whose FIELDS hold nothing updatable (the REST
    # method then rewrites NAME, DESCRIPTION and AUTO_EXECUTE as they are); IS_MODIFIED and
    # USER_ID change only when a new TEMPLATE is imported.
    changes["modified"] = call.now
    if imported is not None:
        changes.update(is_modified="Y", user_id=call.caller.user_id)
    assignments = ", ".join(f"{column} = ?" for column in changes)
    call.conn.execute(
        f"UPDATE templates SET {assignments} WHERE id = ?", (*changes.values(), row["id"])
    )
    if imported is not None and imported.document_fields:
        doc_type = (row["module_id"], row["entity"], row["document_type"])
        store_document_fields(call.conn, doc_type, imported.document_fields, row["id"], call.now)
    return Result(int(row["id"]))


@REGISTRY.add("bizproc.workflow.template.delete", writes=True)
def template_delete(call: Call) -> Result:
    call.require_app_admin()
    row = _owned_template(call, "delete")
    running = call.conn.execute(
        "SELECT 1 FROM workflows WHERE template_id = ? AND status = 'running' LIMIT 1",
        (row["id"],),
    ).fetchone()
    if running is not None:
        raise RestError("", CANT_DELETE)
    call.conn.execute("DELETE FROM templates WHERE id = ?", (row["id"],))
    return Result(None)


def _render(row: sqlite3.Row, select: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in select:
        field = LISTING.fields[name]
        value = row[field.column]
        if name == "DOCUMENT_TYPE":
            out[name] = [row["module_id"], row["entity"], value]
        elif field.kind == "int":
            out[name] = None if value is None else str(value)
        elif field.kind == "datetime":
            out[name] = None if value is None else iso(value)
        elif field.kind == "json":
            out[name] = loads(value)
        else:
            out[name] = value
    return out


@REGISTRY.add("bizproc.workflow.template.list")
def template_list(call: Call) -> Result:
    call.require_admin()
    params = call.params
    select = LISTING.select(params.get("SELECT"), ["ID"])
    clauses, args = LISTING.where(params.get("FILTER"))
    clauses.append(f"auto_execute < {AUTOMATION}")
    where = " AND ".join(f"({c})" for c in clauses)
    order = LISTING.order(params.get("ORDER"), [("ID", "ASC")], "id ASC")
    return Result(
        *fetch_page(
            call.conn,
            "templates",
            where,
            args,
            order,
            params.get("START"),
            lambda row: _render(row, select),
        )
    )
