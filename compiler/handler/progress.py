"""`log(message)` for the user's function: a line in the workflow's log through
bizproc.activity.log, sent in the background so that neither a thread nor an event loop waits
on it, in order, and all sent before the answer that completes the activity."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from compiler.handler.client import Portal
from compiler.handler.invocation import Invocation
from compiler.portal import PortalError

log = logging.getLogger("bpl.handler")


class ProgressLog:
    def __init__(self, portal: Portal, invocation: Invocation) -> None:
        self._portal = portal
        self._invocation = invocation
        self._sent: list[Future[None]] = []
        # One worker: lines reach the workflow in the order they were written.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bpl-robot-log")

    def __call__(self, message: str) -> None:
        text = str(message).strip()
        if not text:
            return
        if not self._invocation.use_subscription:
            # Without a subscription the event token is not accepted: keep the line local.
            log.info("%s (%s): %s", self._invocation.code, self._invocation.workflow_id, text)
            return
        self._sent.append(self._executor.submit(self._send, text))

    def _send(self, text: str) -> None:
        try:
            self._portal.call("bizproc.activity.log", {
                "EVENT_TOKEN": self._invocation.event_token, "LOG_MESSAGE": text})
        except PortalError as error:
            # Progress is best effort; the answer that follows still says how the call ended.
            log.warning("%s: a progress line was not logged: %s", self._invocation.code, error)

    def flush(self) -> None:
        for future in self._sent:
            future.result()
        self._sent.clear()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
