"""The robot app end to end on this machine, in one process:

    python samples/robot_app/demo.py

A sandbox portal that runs workflows, the handler of handler.py (both on free loopback
ports), the robot registered with bizproc.robot.add, robots.bpl compiled for the sandbox's
app and deployed, and the workflow started on a deal: the portal calls the handler, the
handler answers, and the deal's comment shows the invoice number.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import uvicorn

from compiler.bitrix.bpt import encode_template_data
from compiler.handler import load_robots, registration
from compiler.pipeline import build
from compiler.portal import OAuthAuth, PortalClient, PortalConfig
from compiler.sandbox import Limits, Sandbox, SandboxConfig
from compiler.semantics.environment import APP_CLIENT_ID, Environment

HERE = Path(__file__).resolve().parent
DEAL = ["crm", "CCrmDocumentDeal", "DEAL"]
DEAL_42 = ["crm", "CCrmDocumentDeal", "DEAL_42"]


def _handler_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("robot_app_handler", HERE / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def _serve(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _bpt(client_id: str) -> bytes:
    # The robot's activity type is rest_ + md5(client id@CODE): compile for this app.
    env = Environment("sandbox", {APP_CLIENT_ID: client_id}, symbolic=False)
    result = build([HERE / "robots.bpl"], env)
    if result.diagnostics.has_errors or len(result.templates) != 1:
        raise SystemExit("robots.bpl does not compile")
    return result.templates[0].bpt()


def main(amount: float = 1500) -> str:
    """Runs the demo; returns the deal's comment when the workflow has finished."""
    data = Path(tempfile.mkdtemp()) / "sandbox.sqlite3"
    sandbox = Sandbox(SandboxConfig(data=data, limits=Limits.off(), run_workflows=True))
    creds = sandbox.ensure_default_app()
    sandbox.seed_document(DEAL_42, name="Deal 42",
                          fields={"TITLE": "ACME", "OPPORTUNITY": amount})
    handler = _handler_module().build_app(sandbox.application_token(creds.client_id))
    try:
        with sandbox.running() as portal, _serve(handler) as robot_url:
            auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                             creds.refresh_token, oauth_url=f"{portal}/oauth/token/")
            with PortalClient(PortalConfig(portal, auth, limits="off")) as client:
                spec = load_robots(HERE / "robots.bpl")["erp_invoice"]
                client.call("bizproc.robot.add", registration(spec, f"{robot_url}/robot"))
                template_id = client.call("bizproc.workflow.template.add", {
                    "DOCUMENT_TYPE": DEAL, "NAME": "Invoice the deal in the ERP",
                    "TEMPLATE_DATA": ["invoice.bpt",
                                      encode_template_data(_bpt(creds.client_id))]})
                workflow_id = client.call("bizproc.workflow.start", {
                    "TEMPLATE_ID": template_id, "DOCUMENT_ID": DEAL_42})
            sandbox.deliver()  # the handler call, and the handler's answer, are done
            state = sandbox.workflow(workflow_id) or {}
            for _, line in state.get("log", []):
                print(f"log: {line}")
            comment = str((sandbox.document(DEAL_42) or {}).get("COMMENTS", ""))
            print(f"workflow {workflow_id}: {state.get('status')}; deal comment: {comment}")
            return comment
    finally:
        sandbox.close()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1500)
