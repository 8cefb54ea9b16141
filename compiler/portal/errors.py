"""The failures of the portal layer. Each `str()` is one sentence a user can act on; secrets are
masked when the exception is built, so no later print, log or traceback can leak them."""

from __future__ import annotations

from compiler.portal.redact import redact


class PortalError(Exception):
    """Base of every failure raised by `compiler.portal`.

    `code` is the portal's own error code (`QUERY_LIMIT_EXCEEDED`, `expired_token`, ...) when
    there was one; `outcome_unknown` is true when a write may or may not have been applied.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        method: str | None = None,
        http_status: int | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.message = redact(message)
        self.code = code
        self.method = method
        self.http_status = http_status
        self.outcome_unknown = outcome_unknown
        super().__init__(self.message)

    def __repr__(self) -> str:
        fields = [repr(self.message)]
        for name in ("code", "method", "http_status"):
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value!r}")
        if self.outcome_unknown:
            fields.append("outcome_unknown=True")
        return f"{type(self).__name__}({', '.join(fields)})"


class AuthError(PortalError):
    """The portal or the OAuth server refused who we are or what we may do: bad, expired or
    revoked credentials, a missing scope, a webhook where an app is needed, an unpaid plan."""


class RateLimited(PortalError):
    """The portal kept refusing for load (rate or operating-time limit) after every retry."""


class Unreachable(PortalError):
    """No answer from the portal: DNS, refused or dropped connections, TLS, timeouts."""


class ServerError(PortalError):
    """The portal answered, but not with a usable REST answer (5xx, HTML pages, bad JSON)."""


class PortalMoved(PortalError):
    """The portal answered with a redirect: its address changed."""

    def __init__(
        self,
        message: str,
        *,
        location: str,
        method: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, method=method, http_status=http_status)
        self.location = redact(location)


class MethodError(PortalError):
    """The method ran and reported an error of its own (validation, not found, not owner...)."""

    def __init__(
        self,
        code: str,
        description: str,
        method: str,
        *,
        http_status: int | None = None,
        message: str | None = None,
    ) -> None:
        self.description = redact(description)
        label = code or "error"
        text = message or f"{method} failed: {label}: {description or 'no description'}"
        super().__init__(text, code=code, method=method, http_status=http_status)


class TokenStoreError(PortalError):
    """The token store file cannot be read or written."""
