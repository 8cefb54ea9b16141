"""A stand-in for the portal client and Bitrix-shaped call payloads."""

from __future__ import annotations

from typing import Any

from compiler.portal import MethodError

TOKEN = "app-token-123456"


class FakePortal:
    """Records calls; `fail` makes bizproc.event.send answer like a refused token."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail
        self.closed = False
        self.made_with: tuple[str, str] | None = None

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.calls.append((method, dict(params or {})))
        if self.fail and method == "bizproc.event.send":
            raise MethodError("ACCESS_DENIED", "Access denied!", method, http_status=403)
        return True

    def close(self) -> None:
        self.closed = True

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    def factory(self, endpoint: str, token: str) -> FakePortal:
        self.made_with = (endpoint, token)
        return self


def form(code: str = "erp_invoice", **overrides: str) -> dict[str, str]:
    """A flat PHP-style form as Bitrix POSTs it."""
    fields = {
        "workflow_id": "66e0ab800fab2b.95425214",
        "code": code,
        "document_id[0]": "crm",
        "document_id[1]": "CCrmDocumentDeal",
        "document_id[2]": "DEAL_7",
        "document_type[0]": "crm",
        "document_type[1]": "CCrmDocumentDeal",
        "document_type[2]": "DEAL",
        "event_token": "66e0ab800fab2b.95425214|A1|abc.sig",
        "properties[amount]": "1500.50",
        "properties[client]": "ACME",
        "use_subscription": "Y",
        "timeout_duration": "0",
        "ts": "1726000000",
        "auth[access_token]": "access-token-abcdef",
        "auth[application_token]": TOKEN,
        "auth[client_endpoint]": "http://127.0.0.1:9/rest/",
        "auth[domain]": "127.0.0.1:9",
        "auth[member_id]": "m1",
        "auth[user_id]": "1",
    }
    fields.update(overrides)
    return fields
