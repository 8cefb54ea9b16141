"""The portal's state: one SQLite file, schema created on first open.

All access goes through one connection guarded by a re-entrant lock, so calls from the server
thread and from test/seed code in other threads are serialized; writes use BEGIN IMMEDIATE so
a second process (`bpl sandbox seed` while `serve` runs) waits instead of failing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    is_admin INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    is_extranet INTEGER NOT NULL DEFAULT 0,
    head_id INTEGER
);
CREATE TABLE IF NOT EXISTS apps (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    access_token TEXT PRIMARY KEY,
    refresh_token TEXT NOT NULL UNIQUE,
    app_id INTEGER NOT NULL REFERENCES apps(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    issued_at REAL NOT NULL,
    access_expires_at REAL NOT NULL,
    refresh_expires_at REAL NOT NULL,
    refresh_spent INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code TEXT PRIMARY KEY,
    app_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS webhooks (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    secret TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    expires_at REAL,
    is_default INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS documents (
    module TEXT NOT NULL,
    entity TEXT NOT NULL,
    document_id TEXT NOT NULL,
    document_type TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (module, entity, document_id)
);
CREATE TABLE IF NOT EXISTS document_fields (
    module TEXT NOT NULL,
    entity TEXT NOT NULL,
    document_type TEXT NOT NULL,
    code TEXT NOT NULL,
    definition TEXT NOT NULL,
    template_id INTEGER,
    updated_at REAL NOT NULL,
    PRIMARY KEY (module, entity, document_type, code)
);
CREATE TABLE IF NOT EXISTS templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    module_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    document_type TEXT NOT NULL,
    auto_execute INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    template TEXT NOT NULL,
    parameters TEXT NOT NULL DEFAULT '[]',
    variables TEXT NOT NULL DEFAULT '[]',
    constants TEXT NOT NULL DEFAULT '[]',
    modified REAL NOT NULL,
    is_modified TEXT NOT NULL DEFAULT 'N',
    user_id INTEGER NOT NULL,
    system_code TEXT,
    active TEXT NOT NULL DEFAULT 'Y'
);
CREATE TABLE IF NOT EXISTS workflows (
    id TEXT PRIMARY KEY,
    template_id INTEGER NOT NULL,
    module_id TEXT NOT NULL,
    entity TEXT NOT NULL,
    document_id TEXT NOT NULL,
    document_type TEXT NOT NULL,
    started REAL NOT NULL,
    started_by INTEGER NOT NULL,
    modified REAL NOT NULL,
    owned_until REAL,
    status TEXT NOT NULL DEFAULT 'running',
    state_title TEXT NOT NULL DEFAULT '',
    parameters TEXT NOT NULL DEFAULT '[]',
    template TEXT NOT NULL DEFAULT '[]',
    return_values TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT NOT NULL,
    activity TEXT NOT NULL,
    activity_name TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    parameters TEXT NOT NULL DEFAULT '{}',
    status INTEGER NOT NULL DEFAULT 0,
    modified REAL NOT NULL,
    overdue_date REAL,
    document_name TEXT NOT NULL DEFAULT '',
    approve_type TEXT NOT NULL DEFAULT 'any',
    delegation_type INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS task_users (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    user_id INTEGER NOT NULL,
    status INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '{}',
    date_update REAL,
    original_user_id INTEGER,
    PRIMARY KEY (task_id, user_id)
);
CREATE TABLE IF NOT EXISTS rest_activities (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    internal_code TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    is_robot TEXT NOT NULL,
    handler TEXT NOT NULL,
    auth_user_id INTEGER NOT NULL DEFAULT 0,
    use_subscription TEXT NOT NULL DEFAULT '',
    use_placement TEXT NOT NULL DEFAULT 'N',
    placement_handler TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '""',
    properties TEXT NOT NULL DEFAULT '[]',
    return_properties TEXT NOT NULL DEFAULT '[]',
    document_type TEXT NOT NULL DEFAULT '[]',
    filter TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    activity_name TEXT NOT NULL,
    activity_type TEXT NOT NULL DEFAULT '',
    issued_at REAL NOT NULL,
    delivered_at REAL,
    return_values TEXT
);
CREATE TABLE IF NOT EXISTS handler_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS workflow_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT NOT NULL,
    activity_name TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    workflow_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    delegations TEXT NOT NULL DEFAULT '[]',
    next_timer REAL,
    synced TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS run_tasks (
    task_id INTEGER PRIMARY KEY,
    workflow_id TEXT NOT NULL,
    run_task_id INTEGER NOT NULL,
    UNIQUE (workflow_id, run_task_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT NOT NULL,
    activity_name TEXT NOT NULL,
    handler TEXT NOT NULL,
    form TEXT NOT NULL,
    timeout_duration INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    outcome TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    finished_at REAL
);
CREATE TABLE IF NOT EXISTS application_tokens (
    app_id INTEGER PRIMARY KEY,
    token TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workflows_template ON workflows(template_id, status);
CREATE INDEX IF NOT EXISTS runs_timer ON runs(next_timer);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries(state);
CREATE INDEX IF NOT EXISTS tasks_workflow ON tasks(workflow_id);
CREATE INDEX IF NOT EXISTS task_users_user ON task_users(user_id);
CREATE INDEX IF NOT EXISTS tokens_refresh ON tokens(refresh_token);
"""


class StoreError(ValueError):
    """The state file cannot be used (not SQLite, or not the sandbox's schema)."""


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def one(conn: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
    """The first row of a query, typed (sqlite3 hands back Any)."""
    row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
    return row


class Store:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        target = ":memory:" if path is None else str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        try:
            self._conn.execute("PRAGMA busy_timeout = 10000")
            if path is not None:
                # The file holds tokens and secrets: keep it private to the user.
                os.chmod(path, 0o600)
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise StoreError(f"{target} is not a sandbox database ({error})") from None
        self._depth = 0
        try:
            with self.transaction(write=True) as conn:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
        except sqlite3.DatabaseError as error:
            self._conn.close()
            raise StoreError(f"{target} is not a sandbox database ({error})") from None

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction; nested use joins the outer one (the lock is re-entrant)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._depth = 0
                self._conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self._conn.execute("COMMIT")

    def data_version(self) -> int:
        """A number that changes when another connection (another process) commits to the
        file; this connection's own commits leave it as it is (SQLite's data_version)."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def meta(self, key: str) -> str | None:
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row["value"])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
