"""Calls of app robot/action handlers: queued in the database when a run reaches the activity,
POSTed form-encoded (Bitrix's field names) to handlers on this machine only, each with a
timeout, and what became of each call recorded beside the workflow's log.

The queue is drained after the answer to the request that filled it (under uvicorn the event
loop stays free, so a handler may call `bizproc.event.send` before it answers) and by
`Sandbox.deliver()`, which also waits for calls in flight: tests know when a call is over.
A failed call never closes the activity: as on Bitrix, the workflow waits for the event until
the activity's timeout (then `IsTimeout = 1`), or for ever without one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from compiler.hosts import is_loopback
from compiler.php.forms import php_query
from compiler.sandbox.clock import Clock
from compiler.sandbox.store import Store, dumps, loads

log = logging.getLogger("bpl.sandbox")

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass(frozen=True)
class Job:
    id: int
    workflow_id: str
    activity_name: str
    handler: str
    form: dict[str, Any]
    timeout_duration: int


@dataclass(frozen=True)
class Result:
    state: str  # delivered | failed | refused
    outcome: str  # for people: "HTTP 200", "timed out after 2 s", …
    log_line: str | None = None  # the workflow log line of a call that did not get through


def shown(url: str) -> str:
    """The handler address without query or fragment, which may carry an app's own secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _waiting(job: Job) -> str:
    if job.form.get("use_subscription") != "Y":
        return ""
    if job.timeout_duration > 0:
        return (f"; the action keeps waiting for bizproc.event.send until its timeout "
                f"({job.timeout_duration} s)")
    return "; the action keeps waiting for bizproc.event.send (it has no timeout)"


def _failed(job: Job, outcome: str, what: str, state: str = "failed") -> Result:
    return Result(state, outcome, f"The application's handler {shown(job.handler)} {what}"
                                  f"{_waiting(job)}")


def refusal(job: Job) -> Result | None:
    host = urlsplit(job.handler).hostname or ""
    if is_loopback(host):
        return None
    log.warning("not calling the handler %s: the sandbox calls handlers on loopback "
                "addresses only", shown(job.handler))
    return _failed(job, f"refused: {host} is not this machine",
                   "was not called: the sandbox only calls handlers on this machine "
                   "(127.0.0.1, ::1, localhost)", "refused")


def judge(job: Job, response: httpx.Response | None, error: Exception | None,
          timeout: float) -> Result:
    if isinstance(error, httpx.TimeoutException):
        return _failed(job, f"timed out after {timeout:g} s",
                       f"did not answer within {timeout:g} s")
    if error is not None:
        reason = str(error) or type(error).__name__
        return _failed(job, f"unreachable: {reason}", f"could not be reached ({reason})")
    assert response is not None
    if 200 <= response.status_code < 300:
        return Result("delivered", f"HTTP {response.status_code}")
    return _failed(job, f"HTTP {response.status_code}",
                   f"answered HTTP {response.status_code}")


def _request(job: Job) -> dict[str, Any]:
    return {"content": php_query(job.form), "headers": _FORM}


class Deliveries:
    def __init__(self, store: Store, clock: Clock, timeout: float) -> None:
        self._store = store
        self._clock = clock
        self.timeout = timeout
        with store.transaction() as conn:
            row = conn.execute("SELECT 1 FROM deliveries WHERE state = 'pending' LIMIT 1")
            # A hint, so that requests skip the queue when nothing waits in it.
            self._pending = row.fetchone() is not None

    @property
    def pending(self) -> bool:
        return self._pending

    def enqueue(self, conn: Any, *, workflow_id: str, activity_name: str, handler: str,
                form: dict[str, Any], timeout_duration: int, now: float) -> None:
        conn.execute(
            "INSERT INTO deliveries(workflow_id, activity_name, handler, form, "
            "timeout_duration, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (workflow_id, activity_name, handler, dumps(form), timeout_duration, now),
        )
        self._pending = True

    def _claim(self) -> list[Job]:
        with self._store.transaction(write=True) as conn:
            rows = conn.execute(
                "SELECT * FROM deliveries WHERE state = 'pending' ORDER BY id"
            ).fetchall()
            conn.execute("UPDATE deliveries SET state = 'sending' WHERE state = 'pending'")
            self._pending = False
        return [Job(int(r["id"]), r["workflow_id"], r["activity_name"], r["handler"],
                    loads(r["form"]), int(r["timeout_duration"])) for r in rows]

    def _client_options(self) -> dict[str, Any]:
        # No proxies from the environment: a loopback handler must not be sent elsewhere.
        return {"timeout": self.timeout, "trust_env": False, "follow_redirects": False}

    def send(self) -> int:
        """Send every queued call now, one after another (blocking); returns how many."""
        sent = 0
        with httpx.Client(**self._client_options()) as http:
            while jobs := self._claim():
                for job in jobs:
                    result = refusal(job)
                    if result is None:
                        try:
                            result = self._judge(job, http.post(job.handler, **_request(job)))
                        except httpx.HTTPError as error:
                            result = judge(job, None, error, self.timeout)
                    self._finish(job, result)
                    sent += 1
        return sent

    async def send_async(self) -> int:
        """The same without blocking the event loop: the handler may call the portal back."""
        sent = 0
        async with httpx.AsyncClient(**self._client_options()) as http:
            while jobs := self._claim():
                for job in jobs:
                    result = refusal(job)
                    if result is None:
                        try:
                            response = await http.post(job.handler, **_request(job))
                            result = self._judge(job, response)
                        except httpx.HTTPError as error:
                            result = judge(job, None, error, self.timeout)
                    self._finish(job, result)
                    sent += 1
        return sent

    def _judge(self, job: Job, response: httpx.Response) -> Result:
        return judge(job, response, None, self.timeout)

    def wait_idle(self, within: float) -> bool:
        """Wait (wall time) until no call is queued or in flight; False if `within` ran out."""
        deadline = time.monotonic() + within
        while True:
            with self._store.transaction() as conn:
                busy = conn.execute(
                    "SELECT 1 FROM deliveries WHERE state IN ('pending', 'sending') LIMIT 1"
                ).fetchone()
            if busy is None:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def _finish(self, job: Job, result: Result) -> None:
        now = self._clock.now()
        log.info("handler call %d for %s/%s: %s", job.id, job.workflow_id, job.activity_name,
                 result.outcome)
        with self._store.transaction(write=True) as conn:
            conn.execute(
                "UPDATE deliveries SET state = ?, outcome = ?, finished_at = ? WHERE id = ?",
                (result.state, result.outcome, now, job.id),
            )
            exists = conn.execute(
                "SELECT 1 FROM workflows WHERE id = ?", (job.workflow_id,)
            ).fetchone()
            if result.log_line and exists is not None:
                conn.execute(
                    "INSERT INTO workflow_log(workflow_id, activity_name, message, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (job.workflow_id, job.activity_name, result.log_line, now),
                )
