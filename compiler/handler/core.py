"""Answering one robot/action call: check who sent it, convert the inputs to the declared
types, run the user's function, check what it returns against the declared outputs, and
answer through bizproc.event.send.

`handle` is for synchronous code (any web framework), `handle_async` for an event loop; both
share every decision below and differ only in how they wait. A failure of the user's function
(an exception, an output of the wrong type, an input that cannot be read) is not a hang: the
activity is completed with the error in the workflow's log and, when the robot declares an
output named `error`, in that output, so the workflow can branch on it.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from compiler.handler import values
from compiler.handler.client import ClientFactory, Portal, portal_client
from compiler.handler.invocation import Invocation, PayloadError, parse
from compiler.handler.progress import ProgressLog
from compiler.handler.spec import RobotSpec
from compiler.portal import PortalError

log = logging.getLogger("bpl.handler")

ERROR_OUTPUT = "error"  # the conventional output that carries a failure to the workflow

Form = Mapping[str, Any] | Sequence[tuple[str, str]]
Outputs = Mapping[str, Any] | None


@dataclass
class RobotCall:
    """What the user's function gets: typed inputs, the document, and `log(message)`."""

    robot: RobotSpec
    inputs: dict[str, Any]
    invocation: Invocation = field(repr=False)
    log: Callable[[str], None] = field(repr=False)

    @property
    def workflow_id(self) -> str:
        return self.invocation.workflow_id

    @property
    def document_id(self) -> tuple[str, ...]:
        return self.invocation.document_id

    @property
    def document_type(self) -> tuple[str, ...]:
        return self.invocation.document_type

    @property
    def user_id(self) -> int | None:
        return self.invocation.user_id


RobotFunction = Callable[[RobotCall], Outputs | Awaitable[Outputs]]
ClientArg = Portal | ClientFactory | None


@dataclass(frozen=True)
class HandlerResult:
    """How a call ended. `status`: answered (event sent), failed (the function failed; the
    event carries the error), rejected (not a call of ours; nothing sent), unanswered (the
    event could not be sent)."""

    status: str
    http_status: int
    return_values: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "answered"

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        if self.error:
            body["error"] = self.error
        return body


def _check(form: Form, robot: RobotSpec,
           application_token: str | None) -> Invocation | HandlerResult:
    try:
        invocation = parse(form)
    except PayloadError as error:
        return HandlerResult("rejected", 400, error=str(error))
    if application_token is not None and not hmac.compare_digest(
            invocation.application_token.encode(), application_token.encode()):
        # Anyone can POST to a public handler; only the portal knows the app's token.
        return HandlerResult("rejected", 401, error="the call does not carry this app's "
                                                    "application_token")
    if invocation.code != robot.code:
        return HandlerResult("rejected", 404, error=f"this handler does not serve "
                                                    f"{invocation.code}")
    return invocation


def _portal(client: ClientArg, invocation: Invocation) -> tuple[Portal, bool]:
    """(the client to answer with, whether this call made it and must close it)."""
    if hasattr(client, "call") and not isinstance(client, type):
        return client, False  # type: ignore[return-value]
    factory = client if callable(client) else portal_client
    return factory(invocation.client_endpoint, invocation.access_token), True


def _start(form: Form, robot: RobotSpec, client: ClientArg, application_token: str | None
           ) -> tuple[Invocation, Portal, bool, ProgressLog] | HandlerResult:
    """Everything before the user's function, the same for both ways of waiting: the checked
    call, its portal client (and whether to close it) and its progress log; or why the call
    is refused."""
    checked = _check(form, robot, application_token)
    if isinstance(checked, HandlerResult):
        return checked
    try:
        portal, owned = _portal(client, checked)
    except PortalError as refused:
        return HandlerResult("rejected", 400, error=str(refused))
    return checked, portal, owned, ProgressLog(portal, checked)


def _close(portal: Portal, owned: bool) -> None:
    closer = getattr(portal, "close", None)
    if owned and callable(closer):
        closer()


def _failure(robot: RobotSpec, error: BaseException) -> str:
    if isinstance(error, values.ValueProblem):
        return str(error)
    # The traceback is for the app's developers; the workflow gets the one-line reason.
    log.error("%s raised an exception", robot.code, exc_info=error)
    return f"{type(error).__name__}: {error}"


def _answer(portal: Portal, robot: RobotSpec, invocation: Invocation,
            returned: dict[str, Any], error: str | None) -> HandlerResult:
    status = "failed" if error else "answered"
    message = ""
    if error is not None:
        returned = {ERROR_OUTPUT: error} if robot.output(ERROR_OUTPUT) else {}
        message = f"{robot.name} failed: {error}"
        log.warning("%s for workflow %s failed: %s", robot.code, invocation.workflow_id, error)
    if not invocation.use_subscription:
        return HandlerResult(status, 200, returned, error)
    params: dict[str, Any] = {"EVENT_TOKEN": invocation.event_token, "RETURN_VALUES": returned}
    if message:
        params["LOG_MESSAGE"] = message
    try:
        portal.call("bizproc.event.send", params)
    except PortalError as failure:
        log.error("%s for workflow %s: bizproc.event.send failed: %s", robot.code,
                  invocation.workflow_id, failure)
        return HandlerResult("unanswered", 502, returned,
                             f"the workflow was not answered: {failure}")
    return HandlerResult(status, 200, returned, error)


def _outputs(robot: RobotSpec, result: Any) -> tuple[dict[str, Any], str | None]:
    try:
        return values.outputs(robot.outputs, result), None
    except values.ValueProblem as problem:
        return {}, str(problem)


def handle(form: Form, robot: RobotSpec, func: RobotFunction, client: ClientArg = None, *,
           application_token: str | None = None) -> HandlerResult:
    """Answer one call synchronously. `client` is a portal client to answer with, a factory
    `(client_endpoint, access_token) → client`, or None for the kit's own client."""
    started = _start(form, robot, client, application_token)
    if isinstance(started, HandlerResult):
        return started
    checked, portal, owned, progress = started
    try:
        returned: dict[str, Any] = {}
        problem: str | None = None
        try:
            call = RobotCall(robot, values.inputs(robot.inputs, checked.properties), checked,
                             progress)
            result = func(call)
            if inspect.isawaitable(result):
                result = asyncio.run(_awaited(result))
            returned, problem = _outputs(robot, result)
        except Exception as failure:
            problem = _failure(robot, failure)
        progress.flush()
        return _answer(portal, robot, checked, returned, problem)
    finally:
        progress.close()
        _close(portal, owned)


async def _awaited(result: Awaitable[Outputs]) -> Outputs:
    return await result


async def handle_async(form: Form, robot: RobotSpec, func: RobotFunction,
                       client: ClientArg = None, *,
                       application_token: str | None = None) -> HandlerResult:
    """Answer one call on an event loop: async functions are awaited, plain ones and every
    portal call run in worker threads, so the loop keeps serving other calls."""
    started = _start(form, robot, client, application_token)
    if isinstance(started, HandlerResult):
        return started
    checked, portal, owned, progress = started
    try:
        returned: dict[str, Any] = {}
        problem: str | None = None
        try:
            call = RobotCall(robot, values.inputs(robot.inputs, checked.properties), checked,
                             progress)
            if inspect.iscoroutinefunction(func):
                result = await func(call)
            else:
                result = await asyncio.to_thread(func, call)
                if inspect.isawaitable(result):
                    result = await result
            returned, problem = _outputs(robot, result)
        except Exception as failure:
            problem = _failure(robot, failure)
        await asyncio.to_thread(progress.flush)
        return await asyncio.to_thread(_answer, portal, robot, checked, returned, problem)
    finally:
        progress.close()
        await asyncio.to_thread(_close, portal, owned)
