"""`auth[application_token]`: the secret an installed app checks to know a call to its handler
really comes from its portal. One per app, made on first use and kept in the database."""

from __future__ import annotations

import secrets
import sqlite3


def application_token(conn: sqlite3.Connection, app_id: int) -> str:
    row = conn.execute(
        "SELECT token FROM application_tokens WHERE app_id = ?", (app_id,)
    ).fetchone()
    if row is not None:
        return str(row["token"])
    token = secrets.token_hex(16)
    conn.execute("INSERT INTO application_tokens(app_id, token) VALUES (?, ?)", (app_id, token))
    return token
