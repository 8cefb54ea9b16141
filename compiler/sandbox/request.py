"""Reading a REST request into one parameter map: query string merged with a JSON, form-encoded
or multipart body, PHP-style keys expanded, top-level names upper-cased."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from compiler.php.forms import MAX_NESTING, PORTAL_MAX_INPUT_VARS, too_many
from compiler.sandbox.errors import RestError
from compiler.sandbox.params import invalid_request, parse_php_pairs, parse_php_query, upper_keys

Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


def too_large(limit: int) -> RestError:
    return RestError(
        "INVALID_REQUEST", f"Request body is larger than {limit // (1024 * 1024)} MiB", 413
    )


async def read_body(receive: Receive, declared_length: int | None, limit: int) -> bytes:
    """Collect the body; refuse it (without buffering more) as soon as it passes `limit`."""
    if declared_length is not None and declared_length > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def parse_query(raw: bytes | str) -> dict[str, Any]:
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    return parse_php_query(text)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, (dict, list)))
    return False


def _too_deep_json(name: str) -> RestError:
    # Bitrix's JSON reader takes up to 511 levels (json_decode depth 512, main/lib/web/json.php)
    # but no method reads anywhere near that deep; the sandbox holds JSON to the depth a portal
    # reads from a form, so that one limit applies whatever the encoding.
    return RestError("INVALID_REQUEST", f"{name} nests deeper than {MAX_NESTING} levels: the "
                                        "sandbox reads no deeper from any request body, as a "
                                        "portal reads no deeper from a form", 400)


def _parse_json(body: bytes) -> dict[str, Any]:
    # Strict like PHP's json_decode: no NaN/Infinity, no numbers that overflow to infinity.
    try:
        data = json.loads(body.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep_json("Request body") from None
    except (UnicodeDecodeError, ValueError):
        raise RestError("INVALID_REQUEST", "Request body is not valid JSON", 400) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RestError("INVALID_REQUEST", "Request body must be a JSON object", 400)
    for name, value in data.items():
        if isinstance(value, (dict, list)) and _nests_deeper(value, MAX_NESTING):
            raise _too_deep_json(f"Parameter {name[:40]}")
    return data


_BOUNDARY = re.compile(r';\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', re.IGNORECASE)
_NAME = re.compile(rb'(?:^|;)\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))', re.IGNORECASE)
_ESCAPED = re.compile(rb"\\(.)")


def _malformed() -> RestError:
    return RestError("INVALID_REQUEST", "Malformed multipart body", 400)


def _part_name(head: bytes) -> str | None:
    """The `name` of a part's Content-Disposition header, or None."""
    for line in head.split(b"\n"):
        field, colon, value = line.partition(b":")
        if colon and field.strip().lower() == b"content-disposition":
            match = _NAME.search(value)
            if match is None:
                return None
            quoted, bare = match.groups()
            raw = _ESCAPED.sub(rb"\1", quoted) if quoted is not None else bare
            return raw.decode("utf-8", errors="replace")
    return None


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Fields of a multipart/form-data body, each part's bytes as they are (PHP decodes no
    Content-Transfer-Encoding either). Split with bytes operations, so the time is linear in
    the size, and a body of too many parts is refused before any is read."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        raise _malformed()
    delimiter = b"--" + (found.group(1) or found.group(2)).encode("latin-1", errors="replace")
    if delimiter not in body:
        raise _malformed()
    if body.count(delimiter) > PORTAL_MAX_INPUT_VARS + 1:
        raise invalid_request(too_many(PORTAL_MAX_INPUT_VARS))
    pairs: list[tuple[str, str]] = []
    for segment in body.split(delimiter)[1:]:
        if segment.startswith(b"--"):
            break  # the closing delimiter; what follows is the epilogue
        head, separator, data = segment.partition(b"\r\n\r\n")
        if not separator:
            continue
        name = _part_name(head)
        if name is not None:
            pairs.append((name, data.removesuffix(b"\r\n").decode("utf-8", errors="replace")))
    return parse_php_pairs(pairs)


def parse_params(query: bytes, body: bytes, content_type: str) -> dict[str, Any]:
    """All request parameters; the body wins over the query string, like PHP's $_REQUEST order."""
    params = parse_query(query)
    kind = content_type.split(";", 1)[0].strip().lower()
    if body.strip():
        if kind == "application/json" or (not kind and body.lstrip()[:1] in (b"{", b"[")):
            params.update(_parse_json(body))
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(body, content_type))
        else:
            params.update(parse_query(body))
    return upper_keys(params)
