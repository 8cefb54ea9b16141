"""Building template packages and calling the sandbox in-process from synchronous tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from compiler.bitrix.bpt import encode_template_data, pack_package

DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
LEAD = ["crm", "CCrmDocumentLead", "LEAD"]


def node(
    type_: str,
    name: str,
    props: dict[str, Any] | None = None,
    children: list[Any] | None = None,
    activated: str = "Y",
) -> dict[str, Any]:
    return {
        "Type": type_,
        "Name": name,
        "Activated": activated,
        "Properties": props if props is not None else {"Title": name},
        "Children": children or [],
    }


def log_action(name: str = "A1", text: str = "hello") -> dict[str, Any]:
    return node("LogActivity", name, {"Title": f"Log {name}", "Text": text})


def package(children: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    root = node(
        "SequentialWorkflowActivity",
        "Template",
        {"Title": "Root", "Permission": []},
        children if children is not None else [log_action()],
    )
    data: dict[str, Any] = {
        "VERSION": 2,
        "TEMPLATE": [root],
        "PARAMETERS": [],
        "VARIABLES": [],
        "CONSTANTS": [],
        "DOCUMENT_FIELDS": [],
    }
    data.update(extra)
    return data


def template_data(
    children: list[Any] | None = None, name: str = "t.bpt", **extra: Any
) -> list[str]:
    return [name, encode_template_data(pack_package(package(children, **extra)))]


class Client:
    """A synchronous face over httpx.AsyncClient + ASGITransport (one private event loop)."""

    def __init__(self, app: Any, client_ip: str = "127.0.0.1") -> None:
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://sandbox.test")

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, path, **kwargs))

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def call(self, method: str, auth: str | None = None, /, **params: Any) -> httpx.Response:
        """POST JSON to /rest/<method>.json with `auth` in the body."""
        body = dict(params)
        if auth is not None:
            body["auth"] = auth
        return self.post(f"/rest/{method}.json", json=body)

    def hook(self, path: str, method: str, /, **params: Any) -> httpx.Response:
        return self.post(f"{path}{method}.json", json=params)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


def ok(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200, body
    assert "error" not in body, body
    return body["result"]


def error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    assert "error" in body, body
    return response.status_code, body["error"], body["error_description"]
