"""Importing TEMPLATE_DATA the way `CBPWorkflowTemplateLoader::importTemplate` does.

1. unpack the `.bpt` package (plain or zlib-compressed PHP serialize); TEMPLATE, PARAMETERS,
   VARIABLES and CONSTANTS go through the ORM's ArrayField, which casts them with (array);
2. `ValidateProperties` of *every* activity, deactivated ones included, up to the first with
   errors — its failures are joined as "msg. msg. " into one plain exception;
3. `validateTemplate`: for each activated child, the parent's `ValidateChild` rules — failures
   are prefixed "Action '<Title>': " and joined with "." into a validation exception (10010);
4. after saving, DOCUMENT_FIELDS create or update fields of the document type.

Steps 2 and 3 are compiler.catalog.rules, shared with `bpl check`. A PHP error in them (a
TypeError) is caught by nobody: the portal answers 500.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from compiler.bitrix.bpt import BptError, decode_template_data, unpack_package
from compiler.catalog import rules
from compiler.php.values import array_cast
from compiler.sandbox.doctypes import catalog
from compiler.sandbox.errors import PhpFatal
from compiler.sandbox.params import to_json_value, values_of
from compiler.sandbox.store import dumps, loads

WRONG_TEMPLATE = "Incorrect workflow template"


class ImportFailure(Exception):
    """`stage` is "package" (unreadable data), "properties" (step 2) or "validation" (step 3)."""

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message


@dataclass(frozen=True)
class ImportedTemplate:
    template: list[Any]
    parameters: Any
    variables: Any
    constants: Any
    document_fields: dict[str, Any]


def decode(value: Any) -> bytes | None:
    """The `.bpt` bytes of a TEMPLATE_DATA parameter, or None when it cannot be decoded."""
    if isinstance(value, dict):
        value = values_of(value)
    try:
        return decode_template_data(value)
    except BptError:
        return None


def unpack(data: bytes) -> ImportedTemplate:
    try:
        package = unpack_package(data)
    except BptError as exc:
        raise ImportFailure("package", WRONG_TEMPLATE) from exc
    tree = collection_value(package.get("TEMPLATE"))
    if not tree:
        # Bitrix's validation passes an empty TEMPLATE; what its ORM add then does with the
        # template type it cannot derive was not determined, so the sandbox refuses it.
        raise ImportFailure("package", WRONG_TEMPLATE)
    fields = to_json_value(package.get("DOCUMENT_FIELDS"))
    return ImportedTemplate(
        template=tree if isinstance(tree, list) else list(tree.values()),
        parameters=collection_value(package.get("PARAMETERS")),
        variables=collection_value(package.get("VARIABLES")),
        constants=collection_value(package.get("CONSTANTS")),
        document_fields=fields if isinstance(fields, dict) else {},
    )


def collection_value(value: Any) -> Any:
    """What Bitrix stores for TEMPLATE / PARAMETERS / VARIABLES / CONSTANTS: Bpt::unpack sets
    them on the template ORM object, whose ArrayField casts with (array) (main/lib/orm/fields/
    arrayfield.php cast): null is [], a scalar x is [x]. Nothing is refused for its type."""
    return to_json_value(array_cast(value))


def validate(conn: sqlite3.Connection, imported: ImportedTemplate,
             importer: rules.Importer = rules.ADMIN) -> None:
    """Steps 2 and 3 for `importer`; raises ImportFailure with Bitrix's message, or a 500."""

    def registered(internal_code: str) -> dict[str, Any] | None:
        # `rest_<md5>` types resolve against the app activities/robots of any app.
        row = conn.execute(
            "SELECT properties FROM rest_activities WHERE internal_code = ?", (internal_code,)
        ).fetchone()
        if row is None:
            return None
        props = loads(row["properties"])
        return props if isinstance(props, dict) else {}

    outcome = rules.import_outcome(catalog(), imported.template, registered, importer)
    if outcome is None:
        return
    if outcome.stage == "fatal":
        # Neither the loader nor CRestServer::process catch \\Error.
        raise PhpFatal()
    raise ImportFailure(outcome.stage, outcome.message)


def store_document_fields(
    conn: sqlite3.Connection,
    document_type: tuple[str, str, str],
    fields: dict[str, Any],
    template_id: int,
    now: float,
) -> None:
    """Create missing fields and update existing ones, like `importDocumentFields`."""
    module, entity, doc_type = document_type
    for raw_code, definition in fields.items():
        code = str(raw_code)
        if code.upper().endswith("_PRINTABLE") or "." in code:
            continue
        if module == "crm":
            # CRM creates user fields: upper-cased and prefixed UF_CRM_.
            code = code.upper()
            if not code.startswith("UF_CRM_"):
                code = "UF_CRM_" + code
        key = (module, entity, doc_type, code)
        exists = conn.execute(
            "SELECT 1 FROM document_fields WHERE module = ? AND entity = ? AND document_type = ? "
            "AND code = ?",
            key,
        ).fetchone()
        if exists and module == "crm":
            continue  # CRM has no UpdateDocumentField: an existing field stays as it is
        conn.execute(
            "INSERT INTO document_fields(module, entity, document_type, code, definition, "
            "template_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(module, entity, document_type, code) DO UPDATE SET "
            "definition = excluded.definition, template_id = excluded.template_id, "
            "updated_at = excluded.updated_at",
            (*key, dumps(definition), template_id, now),
        )
