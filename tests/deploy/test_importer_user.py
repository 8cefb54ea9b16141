"""The importing user: plan asks the portal whether the credential's user is an administrator
(in the batch it sends anyway) and, for one who is not, says why nothing can be planned and
which statements would need an administrator besides."""

from __future__ import annotations

import random

import httpx
import pytest

from compiler.catalog.checks import Importer
from compiler.deploy import PlanInputs, plan_deploy
from compiler.deploy.read import NotAdmin
from compiler.pipeline import import_rule_diagnostics
from compiler.portal import OAuthAuth, PortalClient, PortalConfig

from .rig import BASE, DEAL, PROJECT, Rig


def test_plan_learns_the_user_is_an_admin_in_its_first_and_only_request(
    sandbox_rig: Rig
) -> None:
    result = sandbox_rig.compile(PROJECT)
    client = sandbox_rig.client()
    _, snapshot = sandbox_rig.plan(client, result)
    assert snapshot.admin is True
    assert client.stats.http_requests == 1
    assert client.stats.calls_by_method["batch"] == 1


def test_a_non_admin_credential_is_refused_with_a_sentence(sandbox_rig: Rig) -> None:
    result = sandbox_rig.compile({"deal.bpl": DEAL})
    user = sandbox_rig.sandbox.create_user("Bob")
    creds = sandbox_rig.sandbox.tokens_for(sandbox_rig.creds.client_id, user)
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url=f"{BASE}/oauth/token/")
    transport = httpx.ASGITransport(app=sandbox_rig.sandbox.asgi_app)
    client = PortalClient(PortalConfig(BASE, auth, limits="off", timeout=10), transport,
                          clock=sandbox_rig.clock, rng=random.Random(7))
    sandbox_rig.clients.append(client)
    with pytest.raises(NotAdmin, match="not a portal administrator"):
        plan_deploy(client, result.templates, result.sources, PlanInputs("test", BASE))
    assert client.stats.http_requests == 1


def test_admin_only_rules_are_checked_for_a_non_admin(sandbox_rig: Rig) -> None:
    # The deal workflow notifies from the template's user: only an administrator may import
    # a notification sent as someone else (IMNotifyActivity ValidateProperties).
    result = sandbox_rig.compile({"deal.bpl": DEAL})
    assert not import_rule_diagnostics(result.templates, Importer(admin=True)).items
    found = import_rule_diagnostics(result.templates, Importer(admin=False)).items
    assert {d.code for d in found} == {"E300"}
    assert any("IMNotifyActivity" in d.message and "MessageUserFrom" in d.message
               for d in found)
    assert all(d.span is not None and d.span.file.endswith("deal.bpl") for d in found)
