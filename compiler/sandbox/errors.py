"""The error shape of the Bitrix REST server, and the signal that drops a connection."""

from __future__ import annotations

import httpx


class RestError(Exception):
    """An answer `{"error": code, "error_description": description}` with an HTTP status.

    `code` may be "" — Bitrix answers that way for a RestException raised without a code.
    """

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.code, "error_description": self.description}


class PhpFatal(RestError):
    """A PHP Error (TypeError…) that nothing catches: Bitrix answers 500, and inside a batch the
    whole request dies with it."""

    def __init__(self) -> None:
        super().__init__("INTERNAL_SERVER_ERROR", "Internal server error", 500)


def access_denied(detail: str = "") -> RestError:
    # Bitrix's AccessException prefixes every message with "Access denied!".
    text = "Access denied!" + (f" {detail}" if detail else "")
    return RestError("ACCESS_DENIED", text, 403)


def app_context_required() -> RestError:
    return access_denied("Application context required")


def method_not_found() -> RestError:
    return RestError("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)


class ConnectionDropped(httpx.RemoteProtocolError, ConnectionResetError):
    """Raised in-process where a real server would close the socket without answering.

    It is both an httpx transport error and a ConnectionResetError, so a client catching either
    sees it exactly where it would see a dropped connection under uvicorn.
    """

    def __init__(self, message: str = "Server disconnected without sending a response.") -> None:
        super().__init__(message)
