"""Shared by the handler kit's tests and the sandbox's runtime tests: real servers on free
loopback ports (bounded start and stop), compiling `.bpl` text for the sandbox, and the
sample robot app loaded from its file."""

from __future__ import annotations

import hashlib
import importlib.util
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import uvicorn

from compiler.bitrix.bpt import encode_template_data, pack_package
from compiler.pipeline import build
from compiler.portal import OAuthAuth, PortalClient, PortalConfig
from compiler.sandbox import Credentials
from compiler.semantics.environment import Environment

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "samples" / "robot_app"
DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app under uvicorn on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(32)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def oauth_client(base_url: str, creds: Credentials) -> PortalClient:
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url=f"{base_url}/oauth/token/")
    return PortalClient(PortalConfig(base_url, auth, limits="off", retries=0))


def compile_bpl(source: str | Path, client_id: str = "", **values: Any) -> dict[str, Any]:
    """The package of the single workflow of a .bpl file or text (app_client_id given)."""
    env = Environment("test", {"app_client_id": client_id, **values}, symbolic=False)
    if isinstance(source, Path):
        result = build([source], env)
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "flow.bpl"
            path.write_text(source, encoding="utf-8")
            result = build([path], env)
    errors = [str(d) for d in result.diagnostics.sorted() if d.severity.name == "ERROR"]
    assert not errors, errors
    assert len(result.templates) == 1
    return result.templates[0].template.to_package()


def template_data(package: dict[str, Any]) -> list[str]:
    return ["flow.bpt", encode_template_data(pack_package(package))]


def robot_type(client_id: str, code: str) -> str:
    return "rest_" + hashlib.md5(f"{client_id}@{code}".encode()).hexdigest()


def nodes(package: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack = list(package["TEMPLATE"])
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("Children") or [])


def robot_node(package: dict[str, Any], client_id: str, code: str) -> dict[str, Any]:
    wanted = robot_type(client_id, code)
    return next(n for n in nodes(package) if n["Type"] == wanted)


def load_example_handler() -> ModuleType:
    """samples/robot_app/handler.py, loaded from its file (samples/ is not installed)."""
    spec = importlib.util.spec_from_file_location("robot_app_handler", EXAMPLE / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
