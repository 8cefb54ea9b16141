"""One call of a robot or action handler, read from the payload Bitrix POSTs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.handler.forms import FormError, nest


class PayloadError(ValueError):
    """The request is not a robot/action call the kit can answer."""


@dataclass(frozen=True)
class Invocation:
    workflow_id: str
    code: str
    document_id: tuple[str, ...]
    document_type: tuple[str, ...]
    event_token: str
    properties: Mapping[str, Any]
    use_subscription: bool
    timeout_duration: int
    ts: int
    auth: Mapping[str, Any] = field(repr=False)  # tokens: never printed

    @property
    def access_token(self) -> str:
        return str(self.auth.get("access_token", ""))

    @property
    def application_token(self) -> str:
        return str(self.auth.get("application_token", ""))

    @property
    def client_endpoint(self) -> str:
        """The portal's REST address (`https://<portal>/rest/`) to answer through."""
        endpoint = str(self.auth.get("client_endpoint", ""))
        if not endpoint and self.auth.get("domain"):
            endpoint = f"https://{self.auth['domain']}/rest/"
        return endpoint

    @property
    def user_id(self) -> int | None:
        try:
            return int(self.auth.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _int(value: Any) -> int:
    try:
        return int(str(value or 0))
    except ValueError:
        return 0


def parse(form: Mapping[str, Any] | Sequence[tuple[str, str]]) -> Invocation:
    try:
        data = nest(form)
    except FormError as error:
        raise PayloadError(str(error)) from None
    code = str(data.get("code") or "")
    if not code:
        raise PayloadError("the request names no robot (no `code` field)")
    auth = data.get("auth")
    properties = data.get("properties")
    return Invocation(
        workflow_id=str(data.get("workflow_id") or ""),
        code=code,
        document_id=_strings(data.get("document_id")),
        document_type=_strings(data.get("document_type")),
        event_token=str(data.get("event_token") or ""),
        properties=properties if isinstance(properties, Mapping) else {},
        # Bitrix: only an explicit N means the workflow does not wait.
        use_subscription=str(data.get("use_subscription", "Y")).upper() != "N",
        timeout_duration=_int(data.get("timeout_duration")),
        ts=_int(data.get("ts")),
        auth=auth if isinstance(auth, Mapping) else {},
    )
