"""Registering, updating and deleting one robot or action, each safe to repeat.

- `add` goes through `PortalClient.create`, whose reconcile step answers "nothing found", so a
  lost answer makes the client send the add again. That cannot make a duplicate: the CODE is
  unique per application, and the portal answers ERROR_ACTIVITY_ALREADY_INSTALLED, which is
  handled by updating instead (the same fields, so the result is what was asked for).
- `update` sends every field, so sending it again after a lost answer is harmless; when the
  portal no longer has the CODE (an application update deletes them), it is added instead.
- `delete` whose answer was lost is checked against the list; ERROR_ACTIVITY_NOT_FOUND is what
  was wanted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from compiler.codegen.robots import RobotRegistration
from compiler.deploy.plan import RobotPlan
from compiler.deploy.robot_read import Kind, is_listed
from compiler.deploy.state import DeployState, Registered
from compiler.portal import MethodError, PortalClient, PortalError

ALREADY_INSTALLED = "ERROR_ACTIVITY_ALREADY_INSTALLED"
NOT_FOUND = "ERROR_ACTIVITY_NOT_FOUND"
PREFIXES: dict[Kind, str] = {"robot": "bizproc.robot", "action": "bizproc.activity"}
# Sends of an update/delete whose outcome was unknown.
WRITE_ATTEMPTS = 4


class RobotRefused(Exception):
    """The portal will not take this registration; the message says why."""


def _nothing_found() -> Any:
    # The repeated add is the check: the portal refuses a CODE it already has.
    return None


class RobotWriter:
    def __init__(self, client: PortalClient, state: DeployState | None, app_id: int) -> None:
        self.client = client
        self.state = state
        self.app_id = app_id

    def register(self, entry: RobotPlan, registration: RobotRegistration) -> str:
        """Make the portal hold `registration`; what was done, for the report."""
        done: list[str] = []
        if entry.action == "replace" and entry.previous_kind is not None:
            self.delete(entry.previous_kind, entry.code)
            done.append(f"deleted the {entry.previous_kind}")
        if entry.action == "update":
            done.append(self._update(registration, may_add=True))
        else:
            done.append(self._add(registration))
        self._record(registration)
        return ", ".join(done)

    def delete(self, kind: Kind, code: str) -> None:
        last: PortalError | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                self.client.call(f"{PREFIXES[kind]}.delete", {"CODE": code})
                break
            except MethodError as error:
                if error.code == NOT_FOUND:
                    break  # gone already: what a delete wants
                raise
            except PortalError as error:
                if not error.outcome_unknown:
                    raise
                last = error
            if not is_listed(self.client, kind, code):
                break
        else:
            assert last is not None
            raise last
        if self.state is not None:
            self.state.unregister(f"{kind}:{code}", self.app_id)

    # -- the calls ---------------------------------------------------------------------------

    def _add(self, registration: RobotRegistration) -> str:
        method = f"{PREFIXES[registration.kind]}.add"
        try:
            self.client.create(method, registration.add_params(), reconcile=_nothing_found)
        except MethodError as error:
            if error.code != ALREADY_INSTALLED:
                raise
            # Our earlier add whose answer was lost, or a registration made meanwhile.
            self._update(registration, may_add=False)
            return "registered (it was there already: updated to match)"
        return "registered"

    def _update(self, registration: RobotRegistration, *, may_add: bool) -> str:
        method = f"{PREFIXES[registration.kind]}.update"
        params = {"CODE": registration.code, "FIELDS": registration.update_fields()}
        last: PortalError | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                self.client.call(method, params)
                return "updated"
            except MethodError as error:
                if error.code != NOT_FOUND:
                    raise
                if may_add:
                    return self._add(registration)
                other = "action" if registration.kind == "robot" else "robot"
                raise RobotRefused(
                    f"the portal has the CODE {registration.code} but not as {registration.kind}:"
                    f" it is registered as {'an' if other == 'action' else 'a'} {other} of this "
                    "application; plan again to replace it") from None
            except PortalError as error:
                if not error.outcome_unknown:
                    raise
                last = error  # an update sends every field: sending it again is harmless
        assert last is not None
        raise last

    def _record(self, registration: RobotRegistration) -> None:
        if self.state is None:
            return
        self.state.register(Registered(
            kind=registration.kind, code=registration.code,
            content_hash=registration.content_hash, app_id=self.app_id,
            applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
            params=registration.params))
