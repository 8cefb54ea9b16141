"""Moved to `compiler.bitrix.canonical` (a row's canonical form: `compiler.deploy.read.
from_portal`); these names stay until every reader imports them there."""

from compiler.bitrix.canonical import (
    Canonical,
    CanonicalTemplate,
    Node,
    Normaliser,
    digest,
    document_type_of,
    dumps,
    flag,
    from_compiled,
    is_empty,
    number,
    rewrite_refs,
    value,
)
from compiler.deploy.read import from_portal

__all__ = [
    "Canonical",
    "CanonicalTemplate",
    "Node",
    "Normaliser",
    "digest",
    "document_type_of",
    "dumps",
    "flag",
    "from_compiled",
    "from_portal",
    "is_empty",
    "number",
    "rewrite_refs",
    "value",
]
