"""The ops tests' portal: see rig.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from compiler.portal import OAuthAuth, WebhookAuth
from compiler.sandbox import Limits, Sandbox, SandboxConfig

from .rig import BASE, DEAL_1, Rig, client_for


@pytest.fixture
def rig() -> Iterator[Rig]:
    sandbox = Sandbox(SandboxConfig(limits=Limits.off(), run_workflows=True))
    creds = sandbox.ensure_default_app()
    sandbox.create_user("Ann")  # user 2
    sandbox.seed_document(DEAL_1, name="Deal #1", fields={"TITLE": "Big order"})
    app = client_for(sandbox, OAuthAuth(creds.client_id, creds.client_secret,
                                        creds.access_token, creds.refresh_token,
                                        oauth_url=f"{BASE}/oauth/token/"))
    hook = client_for(sandbox, WebhookAuth(f"{BASE}{creds.webhook_path}"))
    yield Rig(sandbox, creds, app, hook)
    app.close()
    hook.close()
    sandbox.close()
