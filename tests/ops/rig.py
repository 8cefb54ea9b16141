"""A sandbox portal that runs workflows, with clients of its default app and of webhooks,
and the workflows the ops tests start."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from compiler.bitrix.bpt import encode_template_data, pack_package
from compiler.pipeline import build
from compiler.portal import OAuthAuth, PortalClient, PortalConfig, WebhookAuth
from compiler.sandbox import Credentials, Sandbox
from compiler.semantics.environment import Environment

BASE = "http://sandbox.bpl"
DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
DEAL_1 = ["crm", "CCrmDocumentDeal", "DEAL_1"]

APPROVAL = """\
workflow approval_flow for crm.deal {
    title "Approval flow"
    param reason: string = "none" "Reason"
    approve "Approve {doc.TITLE}" by user(1) {
        delegation all
    } approved {
        doc.COMMENTS = "approved ({param.reason})"
    } rejected {
        doc.COMMENTS = "rejected"
    }
}
"""
REVIEW = """\
workflow review_flow for crm.deal {
    title "Review flow"
    review "Read {doc.TITLE}" by user(1) {
        delegation none
    }
}
"""


def package(source: str, tmp_path: Any) -> dict[str, Any]:
    path = tmp_path / "flow.bpl"
    path.write_text(source, encoding="utf-8")
    result = build([path], Environment("test", {}, symbolic=False))
    assert not result.diagnostics.has_errors
    (template,) = result.templates
    return template.template.to_package()


@dataclass
class Rig:
    sandbox: Sandbox
    creds: Credentials
    app: PortalClient  # the default application's OAuth token (user 1, admin)
    hook: PortalClient  # user 1's webhook

    def client_of(self, webhook_path: str) -> PortalClient:
        return client_for(self.sandbox, WebhookAuth(f"{BASE}{webhook_path}"))

    def add(self, source: str, tmp_path: Any, name: str = "T") -> int:
        data = ["t.bpt", encode_template_data(pack_package(package(source, tmp_path)))]
        return int(self.app.call("bizproc.workflow.template.add", {
            "DOCUMENT_TYPE": DEAL, "NAME": name, "TEMPLATE_DATA": data}))

    def comments(self) -> Any:
        return (self.sandbox.document(DEAL_1) or {}).get("COMMENTS")


def client_for(sandbox: Sandbox, auth: OAuthAuth | WebhookAuth) -> PortalClient:
    return PortalClient(PortalConfig(BASE, auth, limits="off", retries=0),
                        transport=httpx.ASGITransport(app=sandbox.asgi_app))
