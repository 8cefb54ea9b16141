"""The operations REST methods perform on runs. Each loads the run, first lets its clock catch
up with the portal's (timers due on the way fire in order), applies one input, mirrors the
result into the portal's tables and stores the run again — all inside the method's
transaction, so a refused input leaves nothing behind."""

from __future__ import annotations

import copy
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from compiler.bitrix import TemplateShapeError
from compiler.sandbox.errors import RestError
from compiler.sandbox.portal import Portal
from compiler.sandbox.runs import inputs, record
from compiler.sandbox.runs.context import Ctx
from compiler.sandbox.runs.mirror import mirror
from compiler.sandbox.runs.record import Delegation, Stored
from compiler.sandbox.runs.robots import write_log
from compiler.sandbox.store import one
from compiler.simulator import RejectedInput, Run, SimulationError

log = logging.getLogger("bpl.sandbox")

# bizproc.task.complete STATUS codes → the simulator's answers.
ANSWERS = {1: "yes", 2: "no", 3: "ok", 4: "cancel"}


def _finish(ctx: Ctx, stored: Stored) -> None:
    mirror(ctx, stored)
    ctx.portal.note_timer(record.save(ctx.conn, stored))


def _step(ctx: Ctx, workflow_id: str, action: Callable[[Run], None]) -> bool:
    """Load, catch up, act, store. False when the workflow has no run."""
    stored = record.load(ctx.conn, workflow_id)
    if stored is None:
        return False
    if stored.run.status == "running":
        stored.run.advance_to(ctx.moment)
    action(stored.run)
    _finish(ctx, stored)
    return True


def start(ctx: Ctx, *, workflow_id: str, template: sqlite3.Row, document: sqlite3.Row,
          parameters: dict[str, Any], user_id: int) -> None:
    try:
        run = Run(inputs.runtime(ctx.conn, workflow_id=workflow_id, template=template,
                                 document=document, parameters=parameters, user_id=user_id,
                                 moment=ctx.moment, host_url=ctx.portal.base_url))
    except (SimulationError, TemplateShapeError) as error:
        # The template cannot even be loaded; the instance stays, stopped, with the reason.
        ctx.conn.execute("UPDATE workflows SET status = 'error' WHERE id = ?", (workflow_id,))
        write_log(ctx, workflow_id, "", f"The workflow could not start: {error}")
        return
    stored = Stored(workflow_id, run, before=copy.deepcopy(run.document))
    # Runtime.start(), split so that the document can be diffed against its converted values.
    run.journal.append({"op": "start"})
    run.begin()
    _finish(ctx, stored)


def owns_workflow(conn: sqlite3.Connection, workflow_id: str) -> bool:
    return one(conn, "SELECT 1 FROM runs WHERE workflow_id = ?", (workflow_id,)) is not None


def owns_task(conn: sqlite3.Connection, task_id: int) -> bool:
    return one(conn, "SELECT 1 FROM run_tasks WHERE task_id = ?", (task_id,)) is not None


def _mapped(conn: sqlite3.Connection, task_id: int) -> sqlite3.Row:
    row = one(conn, "SELECT workflow_id, run_task_id FROM run_tasks WHERE task_id = ?",
              (task_id,))
    if row is None:
        raise RestError("ERROR_TASK_NOT_FOUND", "Task not found")
    return row


def complete_task(ctx: Ctx, task_id: int, user_id: int, status: int, comment: str,
                  fields: dict[str, Any]) -> None:
    row = _mapped(ctx.conn, task_id)

    def answer(run: Run) -> None:
        run.complete_task(int(row["run_task_id"]), user_id, ANSWERS[status], comment, fields)

    try:
        _step(ctx, row["workflow_id"], answer)
    except RejectedInput as error:
        # The activity's own refusal, as the server passes the runtime's message on.
        raise RestError("ERROR_TASK_EXECUTION", str(error)) from None


def delegate_task(ctx: Ctx, task_id: int, from_user: int, to_user: int) -> None:
    row = _mapped(ctx.conn, task_id)
    stored = record.load(ctx.conn, row["workflow_id"])
    if stored is None:
        return
    if stored.run.status == "running":
        stored.run.advance_to(ctx.moment)
    delegation = Delegation(len(stored.run.journal), int(row["run_task_id"]), from_user, to_user)
    stored.delegations.append(delegation)
    record.reassign(stored.run, delegation)
    _finish(ctx, stored)


def send_event(ctx: Ctx, workflow_id: str, activity: str, values: dict[str, Any],
               log_message: str) -> bool:
    """Resume a waiting robot; False when the workflow has no run or the robot no longer
    waits (timed out, terminated): Bitrix drops such an event without a word."""
    accepted = True

    def deliver(run: Run) -> None:
        nonlocal accepted
        try:
            run.send_event(activity, values, log_message)
        except RejectedInput as error:
            accepted = False
            log.info("event for %s/%s dropped: %s", workflow_id, activity, error)

    return _step(ctx, workflow_id, deliver) and accepted


def send_command(ctx: Ctx, workflow_id: str, command: str, user_id: int) -> None:
    """A state machine's command (what a user's button in the workflow's state sends);
    RejectedInput when the run does not offer it to that user now."""
    if not _step(ctx, workflow_id, lambda run: run.send_command(command, user_id)):
        raise RejectedInput(f"workflow {workflow_id} is only recorded, not run, by the "
                            "sandbox (it was started with --record-only)")


def document_changed(ctx: Ctx, document_id: tuple[str, str, str],
                     fields: dict[str, Any]) -> int:
    """The document was edited by hand: the workflows running on it read the new values, as
    Bitrix's read the document itself. Returns how many runs were told."""
    rows = ctx.conn.execute(
        "SELECT w.id FROM workflows w JOIN runs r ON r.workflow_id = w.id WHERE w.status = "
        "'running' AND w.module_id = ? AND w.entity = ? AND w.document_id = ? ORDER BY w.started",
        document_id).fetchall()
    for row in rows:
        _step(ctx, str(row["id"]), lambda run: run.update_document(fields))
    return len(rows)


def terminate(ctx: Ctx, workflow_id: str, status_title: str) -> None:
    _step(ctx, workflow_id, lambda run: run.terminate_by_host(status_title))


def forget(conn: sqlite3.Connection, workflow_id: str) -> None:
    """bizproc.workflow.kill: the run and everything queued for it go with the instance."""
    for table in ("runs", "run_tasks", "deliveries"):
        conn.execute(f"DELETE FROM {table} WHERE workflow_id = ?", (workflow_id,))


def tick(portal: Portal) -> int:
    """Fire the timers that are due by the portal's clock; returns how many runs moved."""
    now = portal.clock.now()
    due = portal.next_timer
    if due is None or due > now:
        return 0
    with portal.store.transaction(write=True) as conn:
        ctx = Ctx(conn, portal, now)
        ids = [str(r["workflow_id"]) for r in conn.execute(
            "SELECT workflow_id FROM runs WHERE next_timer IS NOT NULL AND next_timer <= ? "
            "ORDER BY next_timer", (now,))]
        for workflow_id in ids:
            # One savepoint per run: a run that fails is undone alone, the others move on.
            conn.execute("SAVEPOINT tick_run")
            try:
                _step(ctx, workflow_id, lambda run: None)
                conn.execute("RELEASE tick_run")
            except Exception:
                # A run that cannot be replayed is a sandbox bug; park it instead of failing
                # every request that comes after.
                conn.execute("ROLLBACK TO tick_run")
                conn.execute("RELEASE tick_run")
                log.exception("the timers of workflow %s could not fire", workflow_id)
                conn.execute("UPDATE runs SET next_timer = NULL WHERE workflow_id = ?",
                             (workflow_id,))
                write_log(ctx, workflow_id, "", "The sandbox could not continue this workflow "
                                                "(see its log); its timers are stopped")
        earliest = conn.execute("SELECT MIN(next_timer) FROM runs").fetchone()[0]
        portal.next_timer = None if earliest is None else float(earliest)
    return len(ids)
