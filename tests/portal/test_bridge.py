"""The synchronous client over an asynchronous transport (httpx.ASGITransport)."""

from __future__ import annotations

import json

import httpx

from compiler.portal import ManualClock, OAuthAuth, PortalClient, PortalConfig


async def tiny_portal(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    echoed = json.loads(body)
    payload = json.dumps({"result": {"path": scope["path"], "echo": echoed["X"]}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def test_asgi_transport_serves_the_sync_client() -> None:
    auth = OAuthAuth("app", "app-secret-xyz", "access-abcdef", "refresh-abcdef")
    config = PortalConfig(base_url="https://sandbox.local", auth=auth, limits="off")
    transport = httpx.ASGITransport(app=tiny_portal)
    with PortalClient(config, transport=transport, clock=ManualClock()) as client:
        for n in range(3):
            assert client.call("profile", {"X": n}) == {"path": "/rest/profile", "echo": n}
