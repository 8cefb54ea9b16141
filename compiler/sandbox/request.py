"""Reading a REST request into one parameter map: query string merged with a JSON, form-encoded
or multipart body, PHP-style keys expanded, top-level names upper-cased."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from compiler.sandbox.errors import RestError
from compiler.sandbox.phpvalues import parse_php_pairs, upper_keys

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
    # Percent-escapes are UTF-8; undecodable bytes become U+FFFD instead of failing the call.
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    return parse_php_pairs(pairs)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes) -> dict[str, Any]:
    # Strict like PHP's json_decode: no NaN/Infinity, no numbers that overflow to infinity.
    try:
        data = json.loads(body.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise RestError("INVALID_REQUEST", "Request body is not valid JSON", 400) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RestError("INVALID_REQUEST", "Request body must be a JSON object", 400)
    return data


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise RestError("INVALID_REQUEST", "Malformed multipart body", 400)
    pairs: list[tuple[str, str]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        pairs.append((name, data.decode("utf-8", errors="replace")))
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
