"""The portal client layer: Bitrix24 REST method calls over httpx, with the portal's rate and
operating-time limits mirrored client-side, retries by method kind, OAuth token rotation,
batching and pagination. Everything above it talks in method calls, never HTTP.

`compiler.portal.redact` (masking secrets) is reusable on its own.
"""

from compiler.portal.auth import OAuthAuth, WebhookAuth
from compiler.portal.batch import BatchResult
from compiler.portal.client import ClientStats, PortalClient, PortalConfig, PortalResponse
from compiler.portal.clock import Clock, ManualClock, SystemClock
from compiler.portal.errors import (
    AuthError,
    MethodError,
    PortalError,
    PortalMoved,
    RateLimited,
    ServerError,
    TokenStoreError,
    Unreachable,
)
from compiler.portal.limiter import RateLimiter
from compiler.portal.tokens import Tokens, TokenStore

__all__ = [
    "AuthError",
    "BatchResult",
    "ClientStats",
    "Clock",
    "ManualClock",
    "MethodError",
    "OAuthAuth",
    "PortalClient",
    "PortalConfig",
    "PortalError",
    "PortalMoved",
    "PortalResponse",
    "RateLimited",
    "RateLimiter",
    "ServerError",
    "SystemClock",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
    "Unreachable",
    "WebhookAuth",
]
