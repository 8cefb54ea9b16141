"""What a run starts from, read from the portal: the template as stored, the document's fields
and their types, the portal's people, the start parameters and the caller.

The portal keeps a template as the client sent it (template.list shows it so); a run reads it
once, here, as a `Template`, and a template Bitrix's loader could not read does not start."""

from __future__ import annotations

import re
import sqlite3
import zlib
from typing import Any

from compiler.bitrix import Template
from compiler.sandbox.doctypes import catalog
from compiler.sandbox.store import loads
from compiler.simulator import Directory, Runtime

_TRAILING_NUMBER = re.compile(r"(\d+)$")


def template_of(row: sqlite3.Row) -> Template:
    """The template as the importer stored it; a running workflow keeps this copy. Raises
    TemplateShapeError for a tree the loader cannot build activities from."""
    return Template.from_package({
        "TEMPLATE": loads(row["template"]),
        "PARAMETERS": loads(row["parameters"]),
        "VARIABLES": loads(row["variables"]),
        "CONSTANTS": loads(row["constants"]),
    })


def field_types(conn: sqlite3.Connection, document_type: tuple[str, str, str]) -> dict[str, Any]:
    """The standard fields of the document type, then the fields templates created on it."""
    types: dict[str, Any] = {}
    spec = catalog().document_by_type(*document_type)
    if spec is not None:
        for code, field in spec.fields.items():
            types[code] = {"Type": field.type, "Multiple": "1" if field.multiple else "0",
                           "Options": field.options or ""}
    rows = conn.execute(
        "SELECT code, definition FROM document_fields WHERE module = ? AND entity = ? "
        "AND document_type = ?",
        document_type,
    ).fetchall()
    for row in rows:
        definition = loads(row["definition"])
        if isinstance(definition, dict):
            types[row["code"]] = {
                "Type": definition.get("Type", "string"),
                "Multiple": definition.get("Multiple", "N"),
                "Options": definition.get("Options", ""),
            }
    return types


def directory(conn: sqlite3.Connection) -> Directory:
    """Names and heads of the portal's users: what task texts and `responsible_head` read."""
    names: dict[int, str] = {}
    heads: dict[int, int] = {}
    for row in conn.execute("SELECT id, name, last_name, head_id FROM users"):
        names[int(row["id"])] = f"{row['name']} {row['last_name']}".strip()
        if row["head_id"] is not None:
            heads[int(row["id"])] = int(row["head_id"])
    return Directory(names, {}, heads)


def document_fields(document: sqlite3.Row) -> dict[str, Any]:
    fields = loads(document["fields"])
    values = dict(fields) if isinstance(fields, dict) else {}
    # Document:ID of a CRM item is its number (DEAL_15 → 15); seeded documents rarely say so.
    match = _TRAILING_NUMBER.search(document["document_id"])
    if "ID" not in values and match is not None:
        values["ID"] = int(match.group(1))
    return values


def runtime(
    conn: sqlite3.Connection,
    *,
    workflow_id: str,
    template: sqlite3.Row,
    document: sqlite3.Row,
    parameters: dict[str, Any],
    user_id: int,
    moment: Any,
    host_url: str,
) -> Runtime:
    document_type = (document["module"], document["entity"], document["document_type"])
    return Runtime(
        template=template_of(template),
        document=document_fields(document),
        parameters={k: v for k, v in parameters.items() if k != "TargetUser"},
        clock=moment,
        user=user_id,
        document_type=list(document_type),
        document_id=document["document_id"],
        field_types=field_types(conn, document_type),
        directory=directory(conn),
        workflow_id=workflow_id,
        template_id=int(template["id"]),
        # Random activities differ between workflows but repeat on every replay of one.
        seed=zlib.crc32(workflow_id.encode()),
        host_url=host_url,
    )
