"""Bitrix's form-encoded POST bodies, read the way PHP reads them (compiler.php.forms):
`properties[amount]=5` and `document_id[0]=crm` become nested maps and lists.

A handler is a public address, so the kit holds a body to what a portal itself would read —
at most 10,000 pairs, names at most 64 brackets deep — and refuses more (FormError, a 400),
in time linear in the body.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from compiler.php.forms import PORTAL_MAX_INPUT_VARS, FormError, parse_pairs, parse_query

__all__ = ["FormError", "nest", "parse_form"]


def parse_form(body: bytes | str) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    return parse_query(text, max_vars=PORTAL_MAX_INPUT_VARS)


def nest(form: Mapping[str, Any] | Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A form as any web framework hands it over — a flat mapping of PHP-style keys, the
    list of its pairs (keeps repeated `key[]`), or an already nested mapping."""
    if isinstance(form, Mapping):
        if any("[" in str(key) for key in form):
            return parse_pairs([(str(k), str(v)) for k, v in form.items()],
                               max_vars=PORTAL_MAX_INPUT_VARS)
        return dict(form)
    return parse_pairs([(str(k), str(v)) for k, v in form], max_vars=PORTAL_MAX_INPUT_VARS)
