"""The `batch` method: chunking into ≤ 50 commands and reading back each command's outcome.

The portal answers HTTP 200 even when commands fail; each command's error comes back under
`result_error` and is turned into a `MethodError` here, one per key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.portal.classify import AuthKind, failure_from_code
from compiler.portal.errors import MethodError, PortalError, ServerError

BATCH_LIMIT = 50

Command = tuple[str, Mapping[str, Any] | None]

_REFERENCE = re.compile(r"\$result\[([^\]]+)\]")


@dataclass
class BatchResult:
    """Per-key outcome of a batch: `result`, `result_error` (a `MethodError` per failed key),
    `result_total`, `result_next` and `result_time`, merged over all chunks."""

    result: dict[str, Any] = field(default_factory=dict)
    result_error: dict[str, MethodError] = field(default_factory=dict)
    result_total: dict[str, int] = field(default_factory=dict)
    result_next: dict[str, int] = field(default_factory=dict)
    result_time: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.result_error and not self.skipped

    def __getitem__(self, key: str) -> Any:
        """The key's result; raises its `MethodError` if that command failed."""
        if key in self.result_error:
            raise self.result_error[key]
        return self.result[key]

    def raise_for_errors(self) -> None:
        for error in self.result_error.values():
            raise error


def chunks(commands: Sequence[tuple[str, Command]]) -> Iterator[Sequence[tuple[str, Command]]]:
    for start in range(0, len(commands), BATCH_LIMIT):
        yield commands[start : start + BATCH_LIMIT]


def check_references(chunk: Sequence[tuple[str, str]]) -> None:
    """`$result[key]` only resolves to an earlier command of the same request."""
    seen: set[str] = set()
    for key, encoded in chunk:
        for ref in _REFERENCE.findall(encoded):
            if ref not in seen:
                raise PortalError(
                    f"batch command {key!r} refers to $result[{ref}], which is not an earlier "
                    f"command in the same batch of {BATCH_LIMIT}; reorder the commands or "
                    "split the work",
                    code="BATCH_REFERENCE",
                )
        seen.add(key)


def _by_key(part: Any) -> dict[str, Any]:
    # PHP encodes an array with keys 0..n-1 as a JSON list, and an empty one as [] not {}.
    if isinstance(part, Mapping):
        return {str(k): v for k, v in part.items()}
    if isinstance(part, list):
        return {str(i): v for i, v in enumerate(part)}
    return {}


def parse_chunk(
    answer: Any, methods: Mapping[str, str], *, portal: str, auth_kind: AuthKind
) -> BatchResult:
    """Read one batch answer (`result` of the `batch` call) for the commands in `methods`."""
    if not isinstance(answer, Mapping):
        raise ServerError(
            f"{portal} answered batch with a {type(answer).__name__} instead of per-command "
            "results; try again later",
            code="BATCH_ANSWER",
            method="batch",
        )
    keys = list(methods)
    out = BatchResult()
    out.result = _by_key(answer.get("result"))
    for key, err in _by_key(answer.get("result_error")).items():
        code = str(err.get("error") or "") if isinstance(err, Mapping) else ""
        description = str(err.get("error_description") or "") if isinstance(err, Mapping) else ""
        method = methods.get(key, "batch")
        error = failure_from_code(
            code, description, status=None, method=method, portal=portal, auth_kind=auth_kind
        ).error()
        if not isinstance(error, MethodError):
            # Keep one type per key; the classified sentence stays the message.
            error = MethodError(code, description, method, message=str(error))
        out.result_error[key] = error
    out.result_total = {
        k: int(v) for k, v in _by_key(answer.get("result_total")).items() if _is_int(v)
    }
    out.result_next = {
        k: int(v) for k, v in _by_key(answer.get("result_next")).items() if _is_int(v)
    }
    out.result_time = {
        k: v for k, v in _by_key(answer.get("result_time")).items() if isinstance(v, Mapping)
    }
    out.skipped = [k for k in keys if k not in out.result and k not in out.result_error]
    return out


def merge(into: BatchResult, part: BatchResult) -> None:
    into.result.update(part.result)
    into.result_error.update(part.result_error)
    into.result_total.update(part.result_total)
    into.result_next.update(part.result_next)
    into.result_time.update(part.result_time)
    into.skipped.extend(part.skipped)


def _is_int(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)
