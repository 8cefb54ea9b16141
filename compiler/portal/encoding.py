"""PHP-style query strings, the form every command inside a `batch` call must take.

`{"DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_5"]}` becomes
`DOCUMENT_ID[0]=crm&DOCUMENT_ID[1]=CCrmDocumentDeal&DOCUMENT_ID[2]=DEAL_5`, which PHP's
`parse_str` on the portal turns back into the same nested array. Values follow PHP's
`http_build_query`: true/false become 1/0, None and empty arrays are left out.

`parse_str` reads no more than a portal's limits (compiler.php.forms): a name nested deeper than
64 brackets is dropped, pairs after the 10,000th too. A command that would lose data that way
is refused here (FormError) instead of being sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.php.forms import FormError, php_query

__all__ = ["FormError", "encode_command", "php_query"]


def encode_command(method: str, params: Mapping[str, Any] | None) -> str:
    query = php_query(params or {})
    return f"{method}?{query}" if query else method
