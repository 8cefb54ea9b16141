"""A small ASGI app serving robot/action handlers: POST the call to any path, the `code` field
picks the robot. Run it with uvicorn like any ASGI app.

    app = create_handler_app({"erp_invoice": (spec, create_invoice)},
                             application_token=os.environ["ROBOT_APP_TOKEN"])
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from compiler.handler.client import ClientFactory, portal_client
from compiler.handler.core import RobotFunction, handle_async
from compiler.handler.forms import FormError, parse_form
from compiler.handler.spec import RobotSpec

MAX_BODY = 1024 * 1024  # a call is a few kilobytes; anything far bigger is not Bitrix


def create_handler_app(robots: Mapping[str, tuple[RobotSpec, RobotFunction]], *,
                       application_token: str,
                       portal_client_factory: ClientFactory = portal_client) -> Starlette:
    if not application_token:
        raise ValueError("an application_token is required: without it anyone could post "
                         "calls to the handler")
    table = dict(robots)

    async def invoke(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"status": "rejected", "error": "request too large"}, 413)
        try:
            form = parse_form(body)
        except FormError as error:
            return JSONResponse({"status": "rejected", "error": str(error)}, 400)
        entry = table.get(str(form.get("code") or ""))
        if entry is None:
            return JSONResponse({"status": "rejected", "error": "unknown robot code"}, 404)
        spec, func = entry
        result = await handle_async(form, spec, func, portal_client_factory,
                                    application_token=application_token)
        return JSONResponse(result.to_json(), result.http_status)

    async def index(request: Request) -> JSONResponse:
        return JSONResponse({"robots": sorted(table)})

    return Starlette(routes=[
        Route("/", index, methods=["GET"]),
        Route("/{path:path}", invoke, methods=["POST"]),
    ])
