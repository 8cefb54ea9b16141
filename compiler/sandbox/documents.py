"""Document fields set by hand (`bpl sandbox seed document --field`, `document set`): known
codes only, each value typed as the document type declares it.

The codes are the standard fields of the document type in the catalog (stdlib/documents/),
the fields templates created on it (DOCUMENT_FIELDS), and codes of the type's portal-specific
families (`UF_CRM_*`, `PROPERTY_*`). Values are converted the way the workflow runtime reads
them (bool "Y"/"N", users "user_<id>", numbers), so a document shows what a workflow sees.
"""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Mapping
from typing import Any

from compiler.sandbox.doctypes import catalog
from compiler.sandbox.runs.inputs import field_types
from compiler.sandbox.seed import find_user
from compiler.sandbox.store import dumps, loads, one
from compiler.simulator.directory import user_id_of
from compiler.simulator.types import FieldInfo, convert


def _info(spec: Mapping[str, Any]) -> FieldInfo:
    multiple = str(spec.get("Multiple", "0")).lower() in ("1", "y", "true")
    return FieldInfo(str(spec.get("Type", "string")), multiple, spec.get("Options") or None)


def typed(conn: sqlite3.Connection, document_type: tuple[str, str, str],
          values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` with codes in their declared spelling and values in their declared types;
    ValueError names an unknown code (and the close ones)."""
    known = field_types(conn, document_type)
    by_upper = {code.upper(): code for code in known}
    spec = catalog().document_by_type(*document_type)
    # Families of settable codes; "ASSIGNED_BY." and the like are references, read only.
    patterns = tuple(p for p in (spec.field_patterns if spec is not None else ()) if "." not in p)
    out: dict[str, Any] = {}
    for raw_code, value in values.items():
        code = by_upper.get(str(raw_code).strip().upper())
        if code is not None:
            info = _info(known[code])
            out[code] = convert(_users(conn, value) if info.base == "user" else value, info)
            continue
        given = str(raw_code).strip()
        if any(given.upper().startswith(p.upper()) for p in patterns):
            out[given] = value  # a portal-specific field: no declared type to follow
            continue
        near = difflib.get_close_matches(given.upper(), list(by_upper), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(by_upper[n] for n in near)}?)" if near else ""
        families = f"; portal-specific codes start with {', '.join(patterns)}" if patterns else ""
        name = spec.name if spec is not None else "/".join(document_type)
        raise ValueError(f"{name} has no field '{given}'{hint}{families}")
    return out


def _users(conn: sqlite3.Connection, value: Any) -> Any:
    """User names ("Ann") in a user field's value become ids; ids, user_N and group tokens
    stay as they are."""
    items = value if isinstance(value, list) else [value]
    out: list[Any] = []
    for item in items:
        parts = [p.strip() for p in item.split(",")] if isinstance(item, str) else [item]
        for part in parts:
            named = isinstance(part, str) and part and user_id_of(part) is None \
                and not part.lower().startswith("group_")
            out.append(find_user(conn, part) if named else part)
    return out if isinstance(value, list) or len(out) != 1 else out[0]


def row(conn: sqlite3.Connection, document_id: tuple[str, str, str]) -> sqlite3.Row | None:
    return one(conn, "SELECT * FROM documents WHERE module = ? AND entity = ? AND document_id = ?",
               document_id)


def update(conn: sqlite3.Connection, document_id: tuple[str, str, str],
           values: Mapping[str, Any], name: str | None = None) -> dict[str, Any]:
    """Merge typed `values` into a seeded document; returns the values as stored."""
    found = row(conn, document_id)
    if found is None:
        raise ValueError(f"no document {list(document_id)} (seed it first)")
    kind = (found["module"], found["entity"], found["document_type"])
    changed = typed(conn, kind, values)
    fields = loads(found["fields"])
    merged = {**(fields if isinstance(fields, dict) else {}), **changed}
    conn.execute("UPDATE documents SET fields = ?, name = ? WHERE module = ? AND entity = ? AND "
                 "document_id = ?", (dumps(merged), name or found["name"], *document_id))
    return changed


def labels(conn: sqlite3.Connection, document_type: tuple[str, str, str]) -> dict[str, str]:
    """Field code → its name, for showing a document."""
    out: dict[str, str] = {}
    spec = catalog().document_by_type(*document_type)
    if spec is not None:
        out.update({code: field.name for code, field in spec.fields.items()})
    for item in conn.execute("SELECT code, definition FROM document_fields WHERE module = ? AND "
                             "entity = ? AND document_type = ?", document_type):
        definition = loads(item["definition"])
        if isinstance(definition, dict) and definition.get("Name"):
            out[item["code"]] = str(definition["Name"])
    return out
