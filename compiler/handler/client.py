"""The portal client a handler answers with: the portal's REST address and the access token
that came with the call (Bitrix sends no refresh token to handlers, so none is kept)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from compiler.portal import OAuthAuth, PortalClient, PortalConfig


class Portal(Protocol):
    """What the kit needs of a client: `PortalClient` fits, and so does a test double."""

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any: ...


ClientFactory = Callable[[str, str], Portal]


def portal_client(client_endpoint: str, access_token: str) -> PortalClient:
    # No client id or secret: the token cannot be refreshed, and does not need to be within
    # the minutes a handler works on one call.
    auth = OAuthAuth("", "", access_token=access_token)
    return PortalClient(PortalConfig(client_endpoint, auth, timeout=30.0, retries=2))
