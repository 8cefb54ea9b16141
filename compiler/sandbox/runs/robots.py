"""A run reached an app robot or action (`rest_<md5>`): issue its EVENT_TOKEN, build the
payload Bitrix POSTs to the registered HANDLER, record it and queue the call.

The payload carries Bitrix's field names (reference "Handler payload"): the evaluated values of
the registered PROPERTIES, the document, the token, the timeout and an `auth` block with an
access token of the app for the activity's user, the app's `application_token` and the portal
endpoints — but no refresh token, as Bitrix does not send one to handlers.
"""

from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import urlsplit

from compiler.php.values import format_float
from compiler.sandbox import eventtoken
from compiler.sandbox.apptokens import application_token
from compiler.sandbox.auth import TokenPair, issue_tokens
from compiler.sandbox.credentials import random_alnum
from compiler.sandbox.runs.context import Ctx
from compiler.sandbox.runs.record import Stored
from compiler.sandbox.seed import current_tokens
from compiler.sandbox.store import dumps, loads, one
from compiler.simulator import Run
from compiler.simulator.activities.registry import duration
from compiler.simulator.directory import user_id_of

# Keys of `auth` a handler may see in the recorded payload; the tokens stay out of it.
_PUBLIC_AUTH = ("user_id", "member_id", "domain", "client_endpoint", "server_endpoint",
                "scope", "status")


def externalize(value: Any) -> Any:
    """Values as PHP would print them in a form: 1500.0 → 1500, True → 1, lists kept."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):
        return [externalize(item) for item in value]
    if isinstance(value, dict):
        return {key: externalize(item) for key, item in value.items()}
    return "" if value is None else value


def write_log(ctx: Ctx, workflow_id: str, activity: str, message: str) -> None:
    ctx.conn.execute(
        "INSERT INTO workflow_log(workflow_id, activity_name, message, created_at) "
        "VALUES (?, ?, ?, ?)",
        (workflow_id, activity, message, ctx.now),
    )


def _auth_user(props: dict[str, Any], registered: sqlite3.Row, run: Run) -> int:
    """The activity's AuthUserId, else the registered AUTH_USER_ID, else who started it."""
    chosen = user_id_of(run.evaluator.value(props.get("AuthUserId", "")))
    if chosen is not None:
        return chosen
    if int(registered["auth_user_id"] or 0) > 0:
        return int(registered["auth_user_id"])
    return int(run.runtime.user)


def _tokens(ctx: Ctx, app_id: int, user_id: int) -> TokenPair:
    pair = current_tokens(ctx.conn, app_id, user_id, ctx.now)
    if pair is not None:
        return pair
    config = ctx.portal.config
    return issue_tokens(ctx.conn, app_id, user_id, ctx.now, config.token_lifetime,
                        config.refresh_token_lifetime)


def _timeout_seconds(run: Run, props: dict[str, Any]) -> int:
    amount = run.evaluator.value(props.get("TimeoutDuration", 0))
    return int(duration(amount, props.get("TimeoutDurationType", "s")).total_seconds())


def payload(ctx: Ctx, stored: Stored, record: dict[str, Any],
            registered: sqlite3.Row) -> dict[str, Any]:
    run = stored.run
    name = str(record.get("activity"))
    props = Run.props(run.nodes[name])  # the robot's record names one of the run's activities
    declared = loads(registered["properties"])
    inputs = record.get("properties") or {}
    subscribed = bool(record.get("wait"))
    event_id = random_alnum(16)
    token = eventtoken.sign(ctx.portal.signing_key, stored.workflow_id, name, event_id)
    if subscribed:
        ctx.conn.execute(
            "INSERT INTO events(event_id, workflow_id, activity_name, activity_type, issued_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (event_id, stored.workflow_id, name, str(record.get("type")), ctx.now),
        )
    app_id = int(registered["app_id"])
    user_id = _auth_user(props, registered, run)
    pair = _tokens(ctx, app_id, user_id)
    app = one(ctx.conn, "SELECT scopes FROM apps WHERE id = ?", (app_id,))
    base = ctx.portal.base_url
    module, entity, _kind = run.runtime.document_type
    return {
        "workflow_id": stored.workflow_id,
        "code": registered["code"],
        "document_id": [module, entity, run.runtime.document_id],
        "document_type": list(run.runtime.document_type),
        "event_token": token,
        # Only what the app registered, as Bitrix sends the registered PROPERTIES.
        "properties": {code: externalize(inputs.get(code))
                       for code in (declared if isinstance(declared, dict) else {})},
        "use_subscription": "Y" if subscribed else "N",
        "timeout_duration": _timeout_seconds(run, props),
        "ts": int(ctx.now),
        "auth": {
            "access_token": pair.access_token,
            "expires_in": max(int(pair.expires_at - ctx.now), 0),
            "scope": app["scopes"] if app is not None else "",
            "domain": urlsplit(base).netloc,
            # The OAuth server's REST (app.info); the sandbox is its own OAuth server.
            "server_endpoint": f"{base}/rest/",
            "client_endpoint": f"{base}/rest/",
            "member_id": ctx.portal.member_id,
            "status": "L",
            "application_token": application_token(ctx.conn, app_id),
            "user_id": user_id,
        },
    }


def call(ctx: Ctx, stored: Stored, record: dict[str, Any]) -> None:
    """Queue the handler call of one robot the run just started."""
    activity_type = str(record.get("type", ""))
    name = str(record.get("activity"))
    registered = one(ctx.conn, "SELECT * FROM rest_activities WHERE internal_code = ?",
                     (activity_type[5:].lower(),))
    if registered is None:
        # Deleted after the template was imported: Bitrix cannot load the activity either.
        write_log(ctx, stored.workflow_id, name,
                  f"The application activity {activity_type} is not registered on the portal; "
                  "no handler was called")
        return
    form = payload(ctx, stored, record, registered)
    public = {**form, "handler": registered["handler"],
              "auth": {k: form["auth"][k] for k in _PUBLIC_AUTH}}
    ctx.conn.execute("INSERT INTO handler_calls(workflow_id, payload) VALUES (?, ?)",
                     (stored.workflow_id, dumps(public)))
    ctx.portal.deliveries.enqueue(
        ctx.conn, workflow_id=stored.workflow_id, activity_name=name,
        handler=registered["handler"], form=form,
        timeout_duration=int(form["timeout_duration"]), now=ctx.now)


def call_new(ctx: Ctx, stored: Stored) -> None:
    """Every robot the run started since the portal last looked."""
    seen = stored.synced.get("records", 0)
    for record in stored.run.records[seen:]:
        if record.get("kind") == "robot":
            call(ctx, stored, record)
    stored.synced["records"] = len(stored.run.records)
