"""`Sandbox`: a local Bitrix24 portal for the bizproc scope, in-process or on a loopback port."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn

from compiler.hosts import is_loopback
from compiler.sandbox import credentials, documents, eventtoken, runs, runview, seed, served
from compiler.sandbox.app import SandboxApp
from compiler.sandbox.apptokens import application_token
from compiler.sandbox.auth import issue_tokens
from compiler.sandbox.clock import ManualClock, ShiftedClock
from compiler.sandbox.config import SandboxConfig
from compiler.sandbox.delivery import shown
from compiler.sandbox.doctypes import document_entity
from compiler.sandbox.portal import Portal
from compiler.sandbox.seed import DEFAULT_APP_NAME, DEFAULT_SCOPES, Credentials
from compiler.sandbox.served import DEFAULT_PORT, Served
from compiler.sandbox.store import loads
from compiler.sandbox.summary import portal_info
from compiler.simulator import RejectedInput, Run

if TYPE_CHECKING:  # cryptography loads only when https is asked for
    from compiler.sandbox.tls import TlsFiles


class RemoteHostRefused(ValueError):
    """Serving on a non-loopback address without being asked to."""


class Sandbox:
    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.portal = Portal(self.config)
        self._app = SandboxApp(self.portal)

    @property
    def asgi_app(self) -> SandboxApp:
        return self._app

    # -- credentials --------------------------------------------------------------------------

    def _credentials(self, conn: Any, app: Any, user_id: int, webhook: str) -> Credentials:
        now = self.config.clock.now()
        pair = seed.current_tokens(conn, int(app["id"]), user_id, now)
        if pair is None:
            pair = issue_tokens(
                conn,
                int(app["id"]),
                user_id,
                now,
                self.config.token_lifetime,
                self.config.refresh_token_lifetime,
            )
        return Credentials(
            client_id=app["client_id"],
            client_secret=app["client_secret"],
            app_id=int(app["id"]),
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            webhook_path=webhook,
            user_id=user_id,
            expires_at=pair.expires_at,
            scope=app["scopes"],
        )

    def ensure_default_app(self) -> Credentials:
        """Admin user 1, the default app installed with a live token pair, and a webhook of user 1.

        Idempotent: the same app and webhook every time; the newest usable token pair (a fresh
        one when the last has expired or its refresh token was spent).
        """
        now = self.config.clock.now()
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            app = conn.execute("SELECT * FROM apps WHERE is_default = 1").fetchone()
            if app is None:
                app = seed.create_app(conn, DEFAULT_APP_NAME, DEFAULT_SCOPES, now, default=True)
            hook = conn.execute(
                "SELECT user_id, secret FROM webhooks WHERE is_default = 1"
            ).fetchone()
            if hook is None:
                path = seed.create_webhook(conn, 1, DEFAULT_SCOPES, title="bpl", default=True)
            else:
                path = seed.webhook_path(int(hook["user_id"]), hook["secret"])
            # Made now so that `bpl sandbox info --show-secrets` can show it to a handler's
            # author before any robot ran.
            application_token(conn, int(app["id"]))
            return self._credentials(conn, app, 1, path)

    def create_user(
        self,
        name: str,
        *,
        admin: bool = False,
        last_name: str = "",
        email: str = "",
        head_id: int | None = None,
        extranet: bool = False,
    ) -> int:
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            return seed.create_user(
                conn,
                name,
                admin=admin,
                last_name=last_name,
                email=email,
                head_id=head_id,
                extranet=extranet,
            )

    def create_app(
        self, name: str, *, scopes: Iterable[str] = DEFAULT_SCOPES, user_id: int = 1
    ) -> Credentials:
        """Install another app and give `user_id` a token pair for it (no webhook)."""
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            app = seed.create_app(conn, name, scopes, self.config.clock.now())
            return self._credentials(conn, app, user_id, "")

    def tokens_for(self, client_id: str, user_id: int) -> Credentials:
        """A token pair of an installed app for another user (e.g. a non-admin)."""
        with self.portal.store.transaction(write=True) as conn:
            app = seed.app_by_client_id(conn, client_id)
            if app is None:
                raise ValueError(f"no app {credentials.mask(client_id)}")
            return self._credentials(conn, app, user_id, "")

    def create_webhook(
        self,
        user_id: int = 1,
        *,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        title: str = "",
        expires_in: float | None = None,
    ) -> str:
        """A webhook of `user_id`; returns its path `/rest/<user>/<secret>/`."""
        expires = None if expires_in is None else self.config.clock.now() + expires_in
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            return seed.create_webhook(conn, user_id, scopes, title=title, expires_at=expires)

    def find_user(self, who: str) -> int:
        """A user's id from its id or name ("2", "user_2", "Ann"); ValueError if none."""
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            return seed.find_user(conn, who)

    def webhook_for(self, user_id: int) -> str:
        """A webhook path of `user_id` (made once, then reused), for acting as that user."""
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            if seed.user_row(conn, user_id) is None:
                raise ValueError(f"there is no user {user_id} on the sandbox portal")
            return seed.webhook_for(conn, user_id, DEFAULT_SCOPES)

    def issue_auth_code(self, client_id: str, user_id: int = 1) -> str:
        """An authorization code (valid 30 s) for the `authorization_code` grant."""
        code = credentials.random_alnum(32)
        with self.portal.store.transaction(write=True) as conn:
            app = seed.app_by_client_id(conn, client_id)
            if app is None:
                raise ValueError(f"no app {credentials.mask(client_id)}")
            conn.execute(
                "INSERT INTO auth_codes(code, app_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
                (code, app["id"], user_id, self.config.clock.now() + 30),
            )
        return code

    # -- portal content -----------------------------------------------------------------------

    def seed_document(
        self,
        document_id: Sequence[str],
        *,
        document_type: str | None = None,
        name: str = "",
        fields: dict[str, Any] | None = None,
        check_fields: bool = False,
    ) -> tuple[str, str, str, str]:
        """Create a document workflows can start on: (module, entity, id, type).

        With `check_fields` the field codes must be the document type's (ValueError names an
        unknown one) and values are typed as it declares them; otherwise they are stored as
        given."""
        with self.portal.store.transaction(write=True) as conn:
            created = seed.seed_document(
                conn, document_id, doc_type=document_type, name=name,
                fields=None if check_fields else fields,
            )
            if check_fields and fields:
                documents.update(conn, created[:3], fields)
            return created

    def update_document(self, document_id: Sequence[str], fields: dict[str, Any],
                        *, name: str | None = None) -> dict[str, Any]:
        """Change fields of a seeded document as a user editing it would: codes checked and
        values typed (see `seed_document`); workflows running on it see the new values.
        Returns the values as stored."""
        key = self._document_key(document_id)
        with self.portal.store.transaction(write=True) as conn:
            changed = documents.update(conn, key, fields, name)
            if changed:
                ctx = runs.Ctx(conn, self.portal, self.config.clock.now())
                runs.document_changed(ctx, key, changed)
        self.deliver()
        return changed

    def _document_key(self, document_id: Sequence[str]) -> tuple[str, str, str]:
        if len(document_id) != 3:
            raise ValueError("a document id is [module, entity, id]")
        entity = document_entity(document_id[0], document_id[1])
        if entity is None:
            raise ValueError(f"unknown document entity {document_id[0]}/{document_id[1]}")
        return entity[0], entity[1], str(document_id[2])

    def document_record(self, document_id: Sequence[str]) -> dict[str, Any] | None:
        """A seeded document: its id, type, name, fields and the names of those fields."""
        key = self._document_key(document_id)
        with self.portal.store.transaction() as conn:
            found = documents.row(conn, key)
            if found is None:
                return None
            kind = (found["module"], found["entity"], found["document_type"])
            return {"document_id": list(key), "document_type": list(kind),
                    "name": found["name"], "fields": loads(found["fields"]) or {},
                    "labels": documents.labels(conn, kind)}

    def seed_task(self, workflow_id: str, users: Sequence[int], **options: Any) -> int:
        """A task of a running workflow for `users` (see `seed.seed_task` for the options)."""
        with self.portal.store.transaction(write=True) as conn:
            return seed.seed_task(conn, workflow_id, users, self.config.clock.now(), **options)

    def seed_template(self, document_type: Sequence[str], name: str, **options: Any) -> int:
        """A template not made through REST: from the designer, another app or automation."""
        with self.portal.store.transaction(write=True) as conn:
            seed.ensure_admin(conn)
            return seed.seed_template(conn, document_type, name, self.config.clock.now(), **options)

    def issue_event_token(
        self, workflow_id: str, activity_name: str, activity_type: str = ""
    ) -> str:
        """An EVENT_TOKEN for a waiting step, as if the portal had called the handler."""
        event_id = credentials.random_alnum(16)
        with self.portal.store.transaction(write=True) as conn:
            conn.execute(
                "INSERT INTO events(event_id, workflow_id, activity_name, activity_type, issued_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, workflow_id, activity_name, activity_type, self.config.clock.now()),
            )
        return eventtoken.sign(self.portal.signing_key, workflow_id, activity_name, event_id)

    def application_token(self, client_id: str) -> str:
        """The app's `auth[application_token]`, which its handler checks calls against."""
        with self.portal.store.transaction(write=True) as conn:
            app = seed.app_by_client_id(conn, client_id)
            if app is None:
                raise ValueError(f"no app {credentials.mask(client_id)}")
            return application_token(conn, int(app["id"]))

    # -- running workflows (run_workflows=True) ------------------------------------------------

    def tick(self) -> int:
        """Fire the timers of runs that are due by the portal's clock (requests do this too)."""
        self.portal.sync()
        return runs.tick(self.portal)

    def now(self) -> float:
        """The portal's time (unix seconds): the system's plus what `advance` added."""
        self.portal.sync()
        return self.config.clock.now()

    def ahead(self) -> float:
        """Seconds the portal's clock is ahead of the system's (0 for a clock of its own)."""
        self.portal.sync()
        clock = self.config.clock
        return clock.offset if isinstance(clock, ShiftedClock) else 0.0

    def advance(self, seconds: float) -> int:
        """Move the portal's clock forward, fire what fell due and send the handler calls it
        made; returns how many runs moved. A ManualClock moves for this process; the default
        clock moves for every process using the same state file."""
        if seconds < 0:
            raise ValueError("the sandbox's clock only goes forward")
        clock = self.config.clock
        if isinstance(clock, ManualClock):
            clock.advance(seconds)
        elif isinstance(clock, ShiftedClock):
            self.portal.shift_clock(seconds)
        else:
            raise TypeError("advance() needs the default clock or a ManualClock")
        moved = self.tick()
        self.deliver()
        return moved

    def send_command(self, workflow_id: str, command: str, user_id: int = 1) -> None:
        """Press a state machine's command button as `user_id` (by the command's Name or
        Title); ValueError says why the workflow does not take it."""
        self.tick()
        with self.portal.store.transaction(write=True) as conn:
            row = conn.execute("SELECT status FROM workflows WHERE id = ?",
                               (workflow_id,)).fetchone()
            if row is None:
                raise ValueError(f"there is no workflow {workflow_id} on the sandbox portal")
            if row["status"] != "running":
                raise ValueError(f"workflow {workflow_id} is {row['status']}, not running")
            if seed.user_row(conn, user_id) is None:
                raise ValueError(f"there is no user {user_id} on the sandbox portal")
            try:
                runs.send_command(runs.Ctx(conn, self.portal, self.config.clock.now()),
                                  workflow_id, command, user_id)
            except RejectedInput as error:
                raise ValueError(str(error)) from None
        self.deliver()

    def deliver(self, wait: float = 30.0) -> int:
        """Send the queued app handler calls now and wait (up to `wait` seconds of wall time)
        for calls another thread is sending; returns how many this call sent."""
        sent = self.portal.deliveries.send()
        if not self.portal.deliveries.wait_idle(wait):
            raise TimeoutError(f"app handler calls still in flight after {wait:g} s")
        return sent

    # -- inspection -----------------------------------------------------------------------------

    def run_view(self, workflow_id: str) -> dict[str, Any] | None:
        """Everything about one instance as JSON: state, path taken, waits, variables,
        document, tasks, log (`compiler.sandbox.runview`)."""
        self.tick()
        with self.portal.store.transaction() as conn:
            return runview.describe(conn, workflow_id)

    def task(self, task_id: int) -> dict[str, Any] | None:
        """A task with its users and their answers ("waiting", "yes", …)."""
        with self.portal.store.transaction() as conn:
            return runview.task(conn, task_id)

    def workflows(self, *, include_finished: bool = True) -> list[dict[str, Any]]:
        """The workflow instances, newest first (finished ones too unless told otherwise)."""
        self.tick()
        with self.portal.store.transaction() as conn:
            return runview.workflows(conn, include_finished=include_finished)

    def run(self, workflow_id: str) -> Run | None:
        """The simulator's run of a started workflow, rebuilt from the database: variables,
        document, tasks, log, activity results (`run.results`)."""
        with self.portal.store.transaction() as conn:
            return runs.load_run(conn, workflow_id)

    def document(self, document_id: Sequence[str]) -> dict[str, Any] | None:
        """The fields of a seeded document, as workflows changed them."""
        if len(document_id) != 3:
            raise ValueError("a document id is [module, entity, id]")
        entity = document_entity(document_id[0], document_id[1])
        if entity is None:
            return None
        with self.portal.store.transaction() as conn:
            row = conn.execute(
                "SELECT fields FROM documents WHERE module = ? AND entity = ? AND document_id = ?",
                (*entity, document_id[2]),
            ).fetchone()
        return None if row is None else dict(loads(row["fields"]) or {})

    def deliveries(self, workflow_id: str | None = None) -> list[dict[str, Any]]:
        """App handler calls: handler, activity, state (pending, sending, delivered, failed,
        refused) and outcome ("HTTP 200", "timed out after 2 s", …); no secrets."""
        rows = self._rows("SELECT * FROM deliveries", workflow_id)
        return [
            {
                "workflow_id": row["workflow_id"],
                "activity": row["activity_name"],
                "handler": shown(row["handler"]),
                "state": row["state"],
                "outcome": row["outcome"],
            }
            for row in rows
        ]

    # -- inspection (state) ---------------------------------------------------------------------

    def workflow(self, workflow_id: str) -> dict[str, Any] | None:
        """State of a workflow instance: status, parameters, delivered return values, log."""
        with self.portal.store.transaction() as conn:
            row = conn.execute("SELECT * FROM workflows WHERE id = ?", (workflow_id,)).fetchone()
            if row is None:
                return None
            log = conn.execute(
                "SELECT activity_name, message FROM workflow_log WHERE workflow_id = ? ORDER BY id",
                (workflow_id,),
            ).fetchall()
        return {
            "id": row["id"],
            "template_id": row["template_id"],
            "document_id": [row["module_id"], row["entity"], row["document_id"]],
            "status": row["status"],
            "state_title": row["state_title"],
            "parameters": loads(row["parameters"]),
            "return_values": loads(row["return_values"]),
            "log": [(entry["activity_name"], entry["message"]) for entry in log],
        }

    def handler_calls(self, workflow_id: str | None = None) -> list[dict[str, Any]]:
        """The payloads the portal would have POSTed to app robot/activity handlers."""
        rows = self._rows("SELECT payload FROM handler_calls", workflow_id)
        return [loads(row["payload"]) for row in rows]

    def _rows(self, query: str, workflow_id: str | None) -> list[sqlite3.Row]:
        """The rows of `query` in the order they were written, only those of one workflow
        when `workflow_id` is given (deliveries and handler calls are kept per workflow)."""
        args: tuple[Any, ...] = ()
        if workflow_id is not None:
            query += " WHERE workflow_id = ?"
            args = (workflow_id,)
        with self.portal.store.transaction() as conn:
            return conn.execute(query + " ORDER BY id", args).fetchall()

    def document_fields(self) -> list[dict[str, Any]]:
        """Document fields created or updated by DOCUMENT_FIELDS of imported templates."""
        with self.portal.store.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM document_fields ORDER BY module, entity, document_type, code"
            ).fetchall()
        return [
            {
                "document_type": [row["module"], row["entity"], row["document_type"]],
                "code": row["code"],
                "definition": loads(row["definition"]),
                "template_id": row["template_id"],
            }
            for row in rows
        ]

    def info(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """A summary of the portal; secrets are masked unless asked for."""
        return portal_info(self.portal, show_secrets=show_secrets)

    # -- serving --------------------------------------------------------------------------------

    def _check_host(self, host: str, allow_remote: bool) -> None:
        if not allow_remote and not is_loopback(host):
            raise RemoteHostRefused(
                f"refusing to serve on {host}: the sandbox is for this machine only "
                "(pass allow_remote / --allow-remote to serve on other addresses)"
            )

    def _uvicorn(self, log_level: str, tls: TlsFiles | None) -> uvicorn.Config:
        # The access log would print webhook secrets and auth= query values; the app logs
        # every request itself with those masked.
        return uvicorn.Config(
            self.asgi_app,
            log_level=log_level,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            lifespan="on",
            ssl_certfile=str(tls.cert) if tls else None,
            ssl_keyfile=str(tls.key) if tls else None,
        )

    def _announce(self, url: str, tls: TlsFiles | None) -> None:
        """Serve from here on at `url`: handlers call back there, and `seed`/`info` in other
        processes print it."""
        self.portal.served_url = url
        if self.config.data is not None:
            served.record(self.portal.store, Served(
                url, os.getpid(), str(tls.ca) if tls else None, str(tls.bundle) if tls else None))

    def _retire(self) -> None:
        self.portal.served_url = None
        if self.config.data is not None:
            served.clear(self.portal.store, os.getpid())

    def served(self) -> Served | None:
        """Where a server (this process or another) serves this portal's file now."""
        if self.config.data is None:
            return None
        return served.live(self.portal.store)

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        allow_remote: bool = False,
        log_level: str = "info",
        tls: TlsFiles | None = None,
    ) -> None:
        """Serve until interrupted (blocking); https with `tls` (see `compiler.sandbox.tls`)."""
        self._check_host(host, allow_remote)
        config = self._uvicorn(log_level, tls)
        config.host, config.port = host, port
        self._announce(served.url_of(host, port, tls=tls is not None), tls)
        try:
            uvicorn.Server(config).run()
        finally:
            self._retire()

    @contextmanager
    def running(
        self, host: str = "127.0.0.1", port: int = 0, *, allow_remote: bool = False,
        tls: TlsFiles | None = None,
    ) -> Iterator[str]:
        """Serve in a background thread (on a free port by default); yields the base URL."""
        self._check_host(host, allow_remote)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP matters: asyncio only turns Nagle off (TCP_NODELAY) on sockets that
        # say they are TCP, and with Nagle on every answer waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        bound_port = sock.getsockname()[1]
        server = uvicorn.Server(self._uvicorn("warning", tls))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="bpl-sandbox", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        url = served.url_of(host, bound_port, tls=tls is not None)
        self._announce(url, tls)
        try:
            yield url
        finally:
            self._retire()
            server.should_exit = True
            thread.join(timeout=15)
            sock.close()

    def close(self) -> None:
        self.portal.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

