"""A readable summary of a portal's content for `bpl sandbox info`; secrets masked by default."""

from __future__ import annotations

from typing import Any

from compiler.sandbox.clock import iso
from compiler.sandbox.credentials import mask
from compiler.sandbox.portal import Portal
from compiler.sandbox.seed import webhook_path
from compiler.sandbox.store import loads


def portal_info(portal: Portal, *, show_secrets: bool = False) -> dict[str, Any]:
    def secret(value: str) -> str:
        return value if show_secrets else mask(value)

    now = portal.clock.now()
    with portal.store.transaction() as conn:
        users = conn.execute("SELECT * FROM users ORDER BY id").fetchall()
        apps = conn.execute("SELECT * FROM apps ORDER BY id").fetchall()
        hooks = conn.execute("SELECT * FROM webhooks ORDER BY id").fetchall()
        documents = conn.execute(
            "SELECT * FROM documents ORDER BY module, entity, document_id"
        ).fetchall()
        templates = conn.execute(
            "SELECT id, name, module_id, entity, document_type, auto_execute, system_code, "
            "modified FROM templates ORDER BY id"
        ).fetchall()
        activities = conn.execute(
            "SELECT code, is_robot, app_id, internal_code FROM rest_activities ORDER BY id"
        ).fetchall()
        fields = conn.execute(
            "SELECT * FROM document_fields ORDER BY module, entity, document_type, code"
        ).fetchall()
        running = conn.execute("SELECT COUNT(*) FROM workflows WHERE status = 'running'")
        running_count = int(running.fetchone()[0])
        app_tokens = {
            int(row["app_id"]): str(row["token"])
            for row in conn.execute("SELECT app_id, token FROM application_tokens")
        }
        tokens: dict[int, Any] = {}
        for app in apps:
            tokens[int(app["id"])] = conn.execute(
                "SELECT access_token, refresh_token, access_expires_at, user_id FROM tokens "
                "WHERE app_id = ? AND refresh_spent = 0 ORDER BY issued_at DESC, rowid DESC "
                "LIMIT 1",
                (app["id"],),
            ).fetchone()
    return {
        "member_id": portal.member_id,
        "users": [
            {
                "id": u["id"],
                "name": f"{u['name']} {u['last_name']}".strip(),
                "admin": bool(u["is_admin"]),
                "head_id": u["head_id"],
            }
            for u in users
        ],
        "apps": [
            {
                "app_id": a["id"],
                "name": a["name"],
                "client_id": a["client_id"],
                "client_secret": secret(a["client_secret"]),
                "scope": a["scopes"],
                "system_code": f"rest_app_{a['id']}",
                "access_token": secret(tokens[a["id"]]["access_token"])
                if tokens[a["id"]]
                else None,
                "refresh_token": secret(tokens[a["id"]]["refresh_token"])
                if tokens[a["id"]]
                else None,
                "token_user_id": tokens[a["id"]]["user_id"] if tokens[a["id"]] else None,
                "access_expires": iso(tokens[a["id"]]["access_expires_at"])
                if tokens[a["id"]]
                else None,
                "access_expired": bool(tokens[a["id"]])
                and tokens[a["id"]]["access_expires_at"] <= now,
                "application_token": secret(app_tokens[a["id"]])
                if a["id"] in app_tokens
                else None,
            }
            for a in apps
        ],
        "webhooks": [
            {
                "user_id": h["user_id"],
                "path": webhook_path(h["user_id"], secret(h["secret"])),
                "scope": h["scopes"],
            }
            for h in hooks
        ],
        "documents": [
            {
                "document_id": [d["module"], d["entity"], d["document_id"]],
                "document_type": d["document_type"],
                "name": d["name"],
            }
            for d in documents
        ],
        "templates": [
            {
                "id": t["id"],
                "name": t["name"],
                "document_type": [t["module_id"], t["entity"], t["document_type"]],
                "auto_execute": t["auto_execute"],
                "system_code": t["system_code"],
                "modified": iso(t["modified"]),
            }
            for t in templates
        ],
        "rest_activities": [
            {
                "code": r["code"],
                "kind": "robot" if r["is_robot"] == "Y" else "activity",
                "app_id": r["app_id"],
                "type": f"rest_{r['internal_code']}",
            }
            for r in activities
        ],
        "document_fields": [
            {
                "document_type": [f["module"], f["entity"], f["document_type"]],
                "code": f["code"],
                "definition": loads(f["definition"]),
                "template_id": f["template_id"],
            }
            for f in fields
        ],
        "running_workflows": running_count,
    }
