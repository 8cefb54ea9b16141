"""The handler of the `erp_invoice` robot declared in robots.bpl, written with bpl's handler
kit: the kit checks the call, hands over typed inputs and answers the workflow.

    ROBOT_APP_TOKEN=<the app's application_token> \\
        uvicorn --factory samples.robot_app.handler:build_app --port 8765

The application token is what the portal puts in `auth[application_token]` of every call
(for the sandbox: `bpl sandbox info --json --show-secrets`, apps[].application_token).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from compiler.handler import RobotCall, create_handler_app, load_robots

ROBOTS = load_robots(Path(__file__).with_name("robots.bpl"))


def create_invoice(call: RobotCall) -> dict[str, Any]:
    """Stands in for the ERP: an invoice number made from the deal and the amount."""
    amount: float = call.inputs["amount"]
    if amount <= 0:
        # Becomes the robot's `error` output and a line in the workflow's log.
        raise ValueError(f"an invoice needs a positive amount, not {amount:g}")
    client = call.inputs["client"] or "an unnamed client"
    call.log(f"Creating the ERP invoice of {amount:g} for {client}")
    deal = call.document_id[2] if len(call.document_id) == 3 else "?"
    return {"erp_id": f"INV-{deal}-{int(amount)}"}


def build_app(application_token: str | None = None, **options: Any) -> Starlette:
    token = application_token or os.environ.get("ROBOT_APP_TOKEN", "")
    return create_handler_app({"erp_invoice": (ROBOTS["erp_invoice"], create_invoice)},
                              application_token=token, **options)
