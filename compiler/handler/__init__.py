"""The handler kit: the app side of robots and actions declared in `.bpl`.

A robot's handler receives Bitrix's form-encoded call, checks `auth[application_token]`,
gets its inputs in the declared Python types, runs the app's function and answers with
bizproc.event.send (outputs checked against the declaration), logging progress through
bizproc.activity.log. `handle` fits any web framework; `create_handler_app` is a ready ASGI app.

    robots = load_robots("robots.bpl")
    def create_invoice(call: RobotCall) -> dict[str, object]:
        call.log(f"invoicing {call.inputs['amount']}")
        return {"erp_id": "INV-1"}
    app = create_handler_app({"erp_invoice": (robots["erp_invoice"], create_invoice)},
                             application_token=os.environ["ROBOT_APP_TOKEN"])
"""

from compiler.handler.app import create_handler_app
from compiler.handler.client import ClientFactory, Portal, portal_client
from compiler.handler.core import (
    ERROR_OUTPUT,
    HandlerResult,
    RobotCall,
    RobotFunction,
    handle,
    handle_async,
)
from compiler.handler.invocation import Invocation, PayloadError
from compiler.handler.spec import Param, RobotSpec, SpecError, load_robots, registration
from compiler.handler.values import ValueProblem

__all__ = [
    "ERROR_OUTPUT",
    "ClientFactory",
    "HandlerResult",
    "Invocation",
    "Param",
    "PayloadError",
    "Portal",
    "RobotCall",
    "RobotFunction",
    "RobotSpec",
    "SpecError",
    "ValueProblem",
    "create_handler_app",
    "handle",
    "handle_async",
    "load_robots",
    "portal_client",
    "registration",
]
