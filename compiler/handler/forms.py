"""Bitrix's form-encoded POST bodies, read the way PHP reads them: `properties[amount]=5` and
`document_id[0]=crm` become nested maps and lists."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def _as_lists(value: Any) -> Any:
    """Maps keyed 0..n-1 in order are PHP lists."""
    if not isinstance(value, dict):
        return value
    items = {key: _as_lists(item) for key, item in value.items()}
    if items and list(items) == [str(i) for i in range(len(items))]:
        return list(items.values())
    return items


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for raw, value in pairs:
        match = _KEY.match(raw)
        if match is None:
            continue  # not a name PHP would keep either
        path = [match.group(1), *_PART.findall(match.group(2))]
        node = root
        for index, part in enumerate(path):
            if part == "":  # `key[]`: the next free index
                part = str(sum(1 for k in node if k.isdigit()))
            if index == len(path) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    result = _as_lists(root)
    return result if isinstance(result, dict) else {}


def parse_form(body: bytes | str) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    return parse_pairs(parse_qsl(text, keep_blank_values=True))


def nest(form: Mapping[str, Any] | Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A form as any web framework hands it over — a flat mapping of PHP-style keys, the
    list of its pairs (keeps repeated `key[]`), or an already nested mapping."""
    if isinstance(form, Mapping):
        if any("[" in str(key) for key in form):
            return parse_pairs([(str(k), str(v)) for k, v in form.items()])
        return dict(form)
    return parse_pairs([(str(k), str(v)) for k, v in form])
