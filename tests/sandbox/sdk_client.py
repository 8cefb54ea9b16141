"""A Bitrix24 app written with a public SDK, as its author would, run against the sandbox by
test_sdk_clients.py: `python sdk_client.py b24pysdk|fast_bitrix24 PLAN.json`.

Nothing here knows it talks to a sandbox: the SDK gets the portal's host:port (or REST URL)
and the app's token from the plan, and trusts the sandbox's CA only through the
SSL_CERT_FILE / REQUESTS_CA_BUNDLE lines `bpl sandbox serve --tls` printed. The app serves
its robot's handler on loopback, answers the robot call with bizproc.event.send, and prints
one JSON object: each call's name and whether it did what the docs say.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


class Robot:
    """The robot's handler: keeps the last call's form (event_token & co)."""

    def __init__(self, port: int) -> None:
        self.calls: list[dict[str, str]] = []
        self.arrived = threading.Event()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                robot.calls.append(dict(parse_qsl(self.rfile.read(length).decode())))
                robot.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, within: float = 15.0) -> dict[str, str]:
        if not self.arrived.wait(within):
            raise TimeoutError("the portal never called the robot's handler")
        return self.calls[-1]


def steps(call: Callable[[str, dict[str, Any]], Any], plan: dict[str, Any],
          robot: Robot) -> dict[str, Any]:
    """The same app for every SDK: `call(method, params)` returns the method's result."""
    seen: dict[str, Any] = {}
    seen["bizproc.robot.add"] = call("bizproc.robot.add", plan["robot"])
    template = call("bizproc.workflow.template.add", {
        "DOCUMENT_TYPE": plan["document_type"], "NAME": plan["name"],
        "TEMPLATE_DATA": plan["template_data"]})
    seen["bizproc.workflow.template.add"] = isinstance(template, int)
    listed = call("bizproc.workflow.template.list", {"SELECT": ["ID", "NAME"]})
    seen["bizproc.workflow.template.list"] = [int(row["ID"]) for row in listed
                                              if row["NAME"] == plan["name"]] == [template]
    workflow = call("bizproc.workflow.start", {"TEMPLATE_ID": template,
                                               "DOCUMENT_ID": plan["document_id"]})
    seen["bizproc.workflow.start"] = isinstance(workflow, str)
    tasks = call("bizproc.task.list", {"SELECT": ["ID", "NAME", "WORKFLOW_ID"],
                                       "FILTER": {"WORKFLOW_ID": workflow}})
    seen["bizproc.task.list"] = [task["NAME"] for task in tasks]
    seen["bizproc.task.complete"] = call("bizproc.task.complete",
                                         {"TASK_ID": int(tasks[0]["ID"]), "STATUS": 1})
    form = robot.wait()
    seen["bizproc.event.send"] = call("bizproc.event.send", {
        "EVENT_TOKEN": form["event_token"],
        "RETURN_VALUES": {"verdict": f"ok {form['properties[amount]']}"}})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the event is applied after event.send answers
        running = call("bizproc.workflow.instances", {"SELECT": ["ID"]})
        if workflow not in [row["ID"] for row in running]:
            break
        time.sleep(0.05)
    seen["finished"] = workflow not in [row["ID"] for row in running]
    seen["workflow"] = workflow
    return seen


def with_b24pysdk(plan: dict[str, Any], robot: Robot) -> dict[str, Any]:
    from b24pysdk import BitrixApp, BitrixToken, Client

    app = BitrixApp(client_id=plan["client_id"], client_secret=plan["client_secret"])
    client = Client(BitrixToken(domain=plan["domain"], auth_token=plan["access_token"],
                                refresh_token=plan["refresh_token"], bitrix_app=app))
    bizproc = client.bizproc
    robot_params = plan["robot"]

    def call(method: str, params: dict[str, Any]) -> Any:
        # The SDK's typed methods, as its documentation shows them.
        if method == "bizproc.robot.add":
            return bizproc.robot.add(
                robot_params["CODE"], robot_params["HANDLER"], robot_params["NAME"],
                auth_user_id=int(robot_params.get("AUTH_USER_ID", 1)),
                use_subscription=robot_params.get("USE_SUBSCRIPTION") == "Y",
                properties=robot_params.get("PROPERTIES"),
                return_properties=robot_params.get("RETURN_PROPERTIES")).result
        if method == "bizproc.workflow.template.add":
            return bizproc.workflow.template.add(params["DOCUMENT_TYPE"], params["NAME"],
                                                 params["TEMPLATE_DATA"]).result
        if method == "bizproc.workflow.template.list":
            return bizproc.workflow.template.list(select=params["SELECT"]).result
        if method == "bizproc.workflow.start":
            return bizproc.workflow.start(params["TEMPLATE_ID"], params["DOCUMENT_ID"]).result
        if method == "bizproc.task.list":
            return bizproc.task.list(select=params["SELECT"], filter=params["FILTER"]).result
        if method == "bizproc.task.complete":
            return bizproc.task.complete(params["TASK_ID"], params["STATUS"]).result
        if method == "bizproc.event.send":
            return bizproc.event.send(params["EVENT_TOKEN"], params["RETURN_VALUES"]).result
        if method == "bizproc.workflow.instances":
            return bizproc.workflow.instances(select=params["SELECT"]).result
        raise AssertionError(method)

    return steps(call, plan, robot)


def with_fast_bitrix24(plan: dict[str, Any], robot: Robot) -> dict[str, Any]:
    from fast_bitrix24 import BitrixAsync

    async def token() -> str:
        return str(plan["access_token"])

    # An app's calls: the portal's REST URL, the token from token_func.
    bitrix = BitrixAsync(plan["rest_url"], token_func=token, verbose=False)
    loop = asyncio.new_event_loop()

    def call(method: str, params: dict[str, Any]) -> Any:
        if method in ("bizproc.workflow.template.list", "bizproc.task.list",
                      "bizproc.workflow.instances"):
            return loop.run_until_complete(bitrix.get_all(method, params))
        # call() sends single calls in a batch, with the parameters as a query string.
        return loop.run_until_complete(bitrix.call(method, params))

    try:
        return steps(call, plan, robot)
    finally:
        loop.close()


def main() -> None:
    sdk, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as handle:
        plan = json.load(handle)
    robot = Robot(int(plan["handler_port"]))
    try:
        run = with_b24pysdk if sdk == "b24pysdk" else with_fast_bitrix24
        print(json.dumps(run(plan, robot)))
    finally:
        robot.server.shutdown()


if __name__ == "__main__":
    main()
