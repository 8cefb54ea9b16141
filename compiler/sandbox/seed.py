"""Creating portal objects outside REST: users, apps, webhooks, documents, tasks, templates."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.bitrix import Activity
from compiler.sandbox import credentials
from compiler.sandbox.auth import TokenPair
from compiler.sandbox.doctypes import document_entity, document_type, type_from_id
from compiler.sandbox.store import dumps, one

DEFAULT_APP_NAME = "bpl"
DEFAULT_SCOPES = ("bizproc", "user")


@dataclass(frozen=True)
class Credentials:
    """What a client needs to talk to the sandbox; URLs are relative to the portal base URL."""

    client_id: str
    client_secret: str
    app_id: int
    access_token: str
    refresh_token: str
    webhook_path: str
    user_id: int = 1
    expires_at: float = 0.0
    scope: str = ",".join(DEFAULT_SCOPES)

    @property
    def rest_path(self) -> str:
        return "/rest/"

    @property
    def token_path(self) -> str:
        return "/oauth/token/"


def _scopes(scopes: Iterable[str]) -> str:
    return ",".join(dict.fromkeys(s.strip().lower() for s in scopes if s.strip()))


def create_user(
    conn: sqlite3.Connection,
    name: str,
    *,
    admin: bool = False,
    last_name: str = "",
    email: str = "",
    head_id: int | None = None,
    extranet: bool = False,
    user_id: int | None = None,
) -> int:
    cursor = conn.execute(
        "INSERT INTO users(id, name, last_name, email, is_admin, head_id, is_extranet) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, name, last_name, email, int(admin), head_id, int(extranet)),
    )
    return int(cursor.lastrowid or 0)


def user_row(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return one(conn, "SELECT * FROM users WHERE id = ?", (user_id,))


def find_user(conn: sqlite3.Connection, who: str) -> int:
    """A user by id ("2", "user_2") or by name ("Ann", "Ann Smith", any case); ValueError
    when there is none or the name is ambiguous."""
    text = who.strip()
    bare = text[5:] if text.lower().startswith("user_") else text
    if bare.isdigit():
        if user_row(conn, int(bare)) is None:
            raise ValueError(f"there is no user {bare} on the sandbox portal "
                             "(bpl sandbox seed user NAME adds one)")
        return int(bare)
    wanted = text.lower()
    rows = conn.execute("SELECT id, name, last_name FROM users ORDER BY id").fetchall()
    matches = [int(r["id"]) for r in rows if wanted in (
        str(r["name"]).lower(), f"{r['name']} {r['last_name']}".strip().lower())]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"more than one user is called '{who}' (users "
                         f"{', '.join(map(str, matches))}): give the id")
    raise ValueError(f"there is no user called '{who}' on the sandbox portal "
                     "(bpl sandbox info lists them)")


AS_USER_TITLE = "bpl --as"  # the webhook the sandbox issues to act as a user


def webhook_for(conn: sqlite3.Connection, user_id: int, scopes: Iterable[str]) -> str:
    """The user's webhook for acting as them, made on first use and reused after."""
    row = one(conn, "SELECT secret FROM webhooks WHERE user_id = ? AND title = ? AND "
                    "expires_at IS NULL ORDER BY id LIMIT 1", (user_id, AS_USER_TITLE))
    if row is not None:
        return webhook_path(user_id, row["secret"])
    return create_webhook(conn, user_id, scopes, title=AS_USER_TITLE)


def ensure_admin(conn: sqlite3.Connection) -> int:
    if conn.execute("SELECT 1 FROM users WHERE id = 1").fetchone() is None:
        create_user(conn, "Admin", admin=True, email="admin@sandbox.local", user_id=1)
    return 1


def create_app(
    conn: sqlite3.Connection, name: str, scopes: Iterable[str], now: float, *, default: bool = False
) -> sqlite3.Row:
    code = name.strip().lower().replace(" ", "_") or "app"
    cursor = conn.execute(
        "INSERT INTO apps(client_id, client_secret, code, name, scopes, is_default, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            credentials.client_id(),
            credentials.client_secret(),
            code,
            name,
            _scopes(scopes),
            int(default),
            now,
        ),
    )
    row = one(conn, "SELECT * FROM apps WHERE id = ?", (cursor.lastrowid,))
    assert row is not None
    return row


def app_by_client_id(conn: sqlite3.Connection, client_id: str) -> sqlite3.Row | None:
    return one(conn, "SELECT * FROM apps WHERE client_id = ?", (client_id,))


def create_webhook(
    conn: sqlite3.Connection,
    user_id: int,
    scopes: Iterable[str],
    *,
    title: str = "",
    expires_at: float | None = None,
    default: bool = False,
) -> str:
    secret = credentials.webhook_secret()
    conn.execute(
        "INSERT INTO webhooks(user_id, secret, scopes, title, expires_at, is_default) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, secret, _scopes(scopes), title, expires_at, int(default)),
    )
    return webhook_path(user_id, secret)


def webhook_path(user_id: int, secret: str) -> str:
    return f"/rest/{user_id}/{secret}/"


def current_tokens(
    conn: sqlite3.Connection, app_id: int, user_id: int, now: float
) -> TokenPair | None:
    """The newest pair whose access token still works and whose refresh token is unspent."""
    row = conn.execute(
        "SELECT * FROM tokens WHERE app_id = ? AND user_id = ? AND access_expires_at > ? "
        "AND refresh_spent = 0 ORDER BY issued_at DESC, rowid DESC LIMIT 1",
        (app_id, user_id, now),
    ).fetchone()
    if row is None:
        return None
    return TokenPair(
        row["access_token"], row["refresh_token"], row["access_expires_at"], app_id, user_id
    )


def seed_document(
    conn: sqlite3.Connection,
    document_id: Sequence[str],
    *,
    doc_type: str | None = None,
    name: str = "",
    fields: dict[str, Any] | None = None,
) -> tuple[str, str, str, str]:
    """Create (or replace) a document; its type is taken from a CRM id (DEAL_5 → DEAL) when not
    given. Raises ValueError for an unknown entity or type."""
    if len(document_id) != 3:
        raise ValueError("a document id is [module, entity, id]")
    entity = document_entity(document_id[0], document_id[1])
    if entity is None:
        raise ValueError(f"unknown document entity {document_id[0]}/{document_id[1]}")
    kind = doc_type or type_from_id(*entity, document_id[2])
    if kind is None:
        raise ValueError(f"give the document type of {document_id[2]} (e.g. iblock_22)")
    bound = document_type([*entity, kind])
    if bound is None:
        raise ValueError(f"'{kind}' is not a document type of {entity[1]}")
    conn.execute(
        "INSERT OR REPLACE INTO documents(module, entity, document_id, document_type, name, fields)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (*entity, document_id[2], bound[2], name or document_id[2], dumps(fields or {})),
    )
    return (*entity, document_id[2], bound[2])


def seed_task(
    conn: sqlite3.Connection,
    workflow_id: str,
    users: Sequence[int],
    now: float,
    *,
    activity: str = "ApproveActivity",
    activity_name: str = "A10000_10000_10000_10000",
    name: str = "Task",
    description: str = "",
    parameters: dict[str, Any] | None = None,
    approve_type: str = "any",
    delegation_type: int = 0,
    overdue_date: float | None = None,
    document_name: str = "",
) -> int:
    if conn.execute("SELECT 1 FROM workflows WHERE id = ?", (workflow_id,)).fetchone() is None:
        raise ValueError(f"no workflow {workflow_id}")
    if not users:
        raise ValueError("a task needs at least one user")
    cursor = conn.execute(
        "INSERT INTO tasks(workflow_id, activity, activity_name, name, description, parameters, "
        "modified, overdue_date, document_name, approve_type, delegation_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            workflow_id,
            activity,
            activity_name,
            name,
            description,
            dumps(parameters or {}),
            now,
            overdue_date,
            document_name,
            approve_type,
            delegation_type,
        ),
    )
    task_id = int(cursor.lastrowid or 0)
    for user in dict.fromkeys(users):
        conn.execute("INSERT INTO task_users(task_id, user_id) VALUES (?, ?)", (task_id, user))
    return task_id


def seed_template(
    conn: sqlite3.Connection,
    doc_type: Sequence[str],
    name: str,
    now: float,
    *,
    template: list[Any] | None = None,
    parameters: Any = None,
    auto_execute: int = 0,
    system_code: str | None = None,
    user_id: int = 1,
) -> int:
    """A template as if made in the designer (no SYSTEM_CODE) or by automation (AUTO_EXECUTE 8)."""
    bound = document_type(list(doc_type))
    if bound is None:
        raise ValueError(f"unknown document type {list(doc_type)}")
    empty = Activity("SequentialWorkflowActivity", "Template", {"Title": name})
    tree = template or [empty.to_php()]
    cursor = conn.execute(
        "INSERT INTO templates(module_id, entity, document_type, auto_execute, name, template, "
        "parameters, modified, user_id, system_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            *bound,
            auto_execute,
            name,
            dumps(tree),
            dumps(parameters or []),
            now,
            user_id,
            system_code,
        ),
    )
    return int(cursor.lastrowid or 0)
