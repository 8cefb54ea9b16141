"""Carrying out a plan: exactly its changes, each one safe to repeat.

- A saved plan runs only against the portal state it was made from (its fingerprint) and the
  compiled templates it describes (their hashes); anything else is `PlanMismatch`.
- `template.add` goes through `PortalClient.create` with a reconcile step that looks for the
  template by identity, so a lost answer never leaves a duplicate.
- Another apply may run at the same time (on another machine: on this one, `lock` makes them
  wait for each other). Right before each add, the portal is asked again for a template with
  the workflow's marker; if one appeared since the plan was read, it is updated instead of
  adding a second one. Two adds of one workflow can still cross between that check and the
  add, so apply ends by reading the application's templates back: where it added a template
  and another apply added the same workflow with a lower ID, it deletes its own and makes the
  lower one hold the sources (every racer does the same, so the lowest ID is the one that
  stays). Any workflow still with more than one template is reported; the next plan deletes
  the extras (see `planner`).
- An update or delete whose answer was lost is checked on the portal (does the template now
  hold what we sent? is it gone?) and sent again only if it did not happen, a bounded number
  of times.
- A template the portal refuses (import validation, ownership) fails alone; a failure of the
  connection or the credentials stops the run, and the rest is reported as not attempted.
  Either way the report says exactly what was and was not applied, and running apply again
  converges.
- Robots and actions are registered before the templates (an import fails on an unknown
  `rest_` type) and deleted after them (`robot_apply`); a template calling a robot that could
  not be registered is not attempted, and a robot is not deleted while a template whose change
  failed still calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Literal, Protocol

from compiler.bitrix import TemplateShapeError
from compiler.bitrix.bpt import encode_template_data
from compiler.bitrix.canonical import Normaliser, from_compiled
from compiler.codegen import CompiledTemplate
from compiler.codegen.robots import RobotRegistration
from compiler.deploy import identity
from compiler.deploy.plan import Plan, PlanMismatch, RobotPlan, TemplatePlan, sources_drift
from compiler.deploy.planner import send_for, sha256
from compiler.deploy.read import (
    LIST,
    Snapshot,
    from_portal,
    read_portal,
    read_template,
    row_id,
    running_instances,
)
from compiler.deploy.rejections import diagnostics_for, is_import_error
from compiler.deploy.robot_apply import RobotRefused, RobotWriter
from compiler.deploy.robot_verify import verify_robots
from compiler.deploy.state import Applied, DeployState
from compiler.diagnostics import Diagnostic
from compiler.portal import MethodError, PortalClient, PortalError

ADD = "bizproc.workflow.template.add"
UPDATE = "bizproc.workflow.template.update"
DELETE = "bizproc.workflow.template.delete"
# Attempts of an update/delete whose outcome was unknown (each preceded by a check).
WRITE_ATTEMPTS = 4

Status = Literal["applied", "failed", "not attempted"]


@dataclass
class Outcome:
    entry: TemplatePlan | RobotPlan
    status: Status
    template_id: int | None = None
    message: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fatal: bool = False  # the connection or the credentials failed: the run stops here


@dataclass
class ApplyReport:
    outcomes: list[Outcome] = field(default_factory=list)
    # Read back at the end: workflows (marker keys) with more than one template, and their IDs.
    duplicates: dict[str, list[int]] = field(default_factory=dict)
    recheck_error: str | None = None  # why that read failed, when it did
    # Adds that crossed another apply's add of the same workflow, settled at the end.
    races: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every change applied, and the read-back found one template per workflow."""
        return all(o.status == "applied" for o in self.outcomes) and not self.duplicates \
            and self.recheck_error is None

    def by_status(self, status: Status) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


class Listener(Protocol):
    def started(self, entry: TemplatePlan | RobotPlan) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...


class _Refused(Exception):
    """This template cannot be changed now (the reason is the message); others can."""


class _Quiet:
    def started(self, entry: TemplatePlan | RobotPlan) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass


def verify(plan: Plan, templates: Sequence[CompiledTemplate], snapshot: Snapshot,
           packed: Mapping[str, bytes] | None = None) -> None:
    """Raise `PlanMismatch` unless `plan` still describes `snapshot` and `templates`
    (`packed`: their .bpt bytes by workflow, when already made)."""
    if snapshot.system_code != plan.system_code:
        raise PlanMismatch(
            f"the plan was made for the templates of {plan.system_code}, but this portal "
            f"connection is {snapshot.system_code}; make the plan again with bpl plan")
    if snapshot.fingerprint() != plan.fingerprint:
        raise PlanMismatch(
            f"the portal changed since the plan was made ({plan.created_at}): templates of this "
            "application were added, edited or deleted; make the plan again with bpl plan")
    compiled = {t.workflow: t for t in templates}
    planned = {t.workflow for t in plan.templates if t.action not in ("delete", "keep")}
    detail = sources_drift(compiled, planned)
    if detail is not None:
        raise PlanMismatch(f"the sources changed since the plan was made ({detail}); make "
                           "the plan again with bpl plan")
    for entry in plan.changes:
        template = compiled.get(entry.workflow)
        if entry.send is None or template is None:
            continue
        expected = send_for(template, entry.key).model_copy(
            update={"template_data": entry.send.template_data})
        data = packed[entry.workflow] if packed else template.bpt()
        if sha256(data) != entry.bpt_sha256 or expected != entry.send:
            raise PlanMismatch(
                f"{entry.workflow} compiles differently from the plan (its sources or the "
                "environment values changed since); make the plan again with bpl plan")


class Applier:
    def __init__(self, client: PortalClient, normaliser: Normaliser,
                 state: DeployState | None = None, listener: Listener | None = None) -> None:
        self.client = client
        self.normaliser = normaliser
        self.state = state
        self.listener: Listener = listener or _Quiet()
        self._packed: dict[str, bytes] = {}
        self._added: list[int] = []  # templates this run added (the checks skip them)
        self._stop: str | None = None  # set by a failure that ends the run

    def apply(self, plan: Plan, templates: Sequence[CompiledTemplate], snapshot: Snapshot,
              robots: Sequence[RobotRegistration] = ()) -> ApplyReport:
        self._packed = {t.workflow: t.bpt() for t in templates}
        verify(plan, templates, snapshot, self._packed)
        verify_robots(plan, robots, snapshot)
        compiled = {t.workflow: t for t in templates}
        registrations = {r.key: r for r in robots}
        writer = RobotWriter(self.client, self.state, snapshot.app_id)
        report = ApplyReport()
        self._stop = None
        self._added = []
        unregistered: list[RobotPlan] = []
        for robot in plan.robot_changes:
            if robot.action == "delete":
                continue
            outcome = self._run(report, robot, partial(self._register, writer, robot,
                                                       registrations.get(robot.key)))
            if outcome.status != "applied":
                unregistered.append(robot)
        for entry in plan.changes:
            missing = _calls_any(compiled.get(entry.workflow), unregistered)
            if missing is not None:
                report.outcomes.append(Outcome(entry, "not attempted", entry.template_id,
                                               f"not attempted: it calls {missing}, which "
                                               "was not registered"))
                continue
            self._run(report, entry, partial(self._one, entry, compiled.get(entry.workflow),
                                             snapshot))
        failed = {o.entry.template_id for o in report.outcomes
                  if isinstance(o.entry, TemplatePlan) and o.status != "applied"}
        for robot in plan.robot_changes:
            if robot.action == "delete":
                self._run(report, robot, partial(self._unregister, writer, robot, failed))
        if plan.changes and self._stop is None:
            self._recheck(report, plan, compiled)
        if self.state is not None:
            self._forget_unlisted(snapshot, plan)
            self.state.save()
        return report

    def _run(self, report: ApplyReport, entry: TemplatePlan | RobotPlan,
             do: Callable[[], Outcome]) -> Outcome:
        """One change, unless an earlier failure stopped the run."""
        if self._stop is not None:
            outcome = Outcome(entry, "not attempted",
                              entry.template_id if isinstance(entry, TemplatePlan) else None,
                              self._stop)
        else:
            self.listener.started(entry)
            outcome = do()
            self.listener.finished(outcome)
            if outcome.fatal:
                self._stop = "not attempted: the run stopped at the failure above"
        report.outcomes.append(outcome)
        return outcome

    # -- one robot or action -------------------------------------------------------------------

    def _register(self, writer: RobotWriter, entry: RobotPlan,
                  registration: RobotRegistration | None) -> Outcome:
        if entry.blocked:
            return Outcome(entry, "failed", message=f"refused: {entry.blocked}")
        assert registration is not None  # verify_robots checked the plan against the sources
        return self._robot_call(entry, lambda: writer.register(entry, registration))

    def _unregister(self, writer: RobotWriter, entry: RobotPlan,
                    failed: set[int | None]) -> Outcome:
        if entry.blocked:
            return Outcome(entry, "failed", message=f"refused: {entry.blocked}")
        waiting = [tid for tid in entry.used_by if tid in failed]
        if waiting:
            return Outcome(entry, "failed", message=(
                f"refused: template(s) {', '.join(map(str, waiting))} still call it, because "
                "their change above failed"))

        def delete() -> str:
            writer.delete(entry.kind, entry.code)
            return "deleted"

        return self._robot_call(entry, delete)

    @staticmethod
    def _robot_call(entry: RobotPlan, do: Callable[[], str]) -> Outcome:
        try:
            return Outcome(entry, "applied", message=do())
        except RobotRefused as refused:
            return Outcome(entry, "failed", message=str(refused))
        except MethodError as error:
            return Outcome(entry, "failed", message=str(error))
        except PortalError as error:
            return Outcome(entry, "failed", message=str(error), fatal=True)

    def _forget_unlisted(self, snapshot: Snapshot, plan: Plan) -> None:
        """Registrations the portal had already dropped (and the sources no longer declare)."""
        listing = snapshot.robots
        if self.state is None or listing is None or not listing.readable:
            return
        planned = {r.key for r in plan.robots}
        for key, recorded in self.state.registered(snapshot.app_id).items():
            if key not in planned and not listing.has(recorded.kind, recorded.code):
                self.state.unregister(key, snapshot.app_id)

    def _recheck(self, report: ApplyReport, plan: Plan,
                 compiled: Mapping[str, CompiledTemplate]) -> None:
        """Read the application's templates back; settle the adds of this run that crossed
        another apply's, and note every workflow that still has more than one template."""
        try:
            found = self._managed(plan)
            for outcome in report.outcomes:
                entry = outcome.entry
                ids = found.get(entry.key, []) if isinstance(entry, TemplatePlan) else []
                if outcome.status == "applied" and isinstance(entry, TemplatePlan) \
                        and entry.action in ("add", "replace") and outcome.template_id in ids[1:]:
                    self._settle(outcome, entry, compiled.get(entry.workflow), ids)
                    report.races.append(outcome)
        except PortalError as error:
            report.recheck_error = str(error)
            return
        report.duplicates = {key: ids for key, ids in found.items() if len(ids) > 1}

    def _managed(self, plan: Plan) -> dict[str, list[int]]:
        """The IDs of this project's templates on the portal, by marker key, lowest first."""
        rows = self.client.list_all(LIST, {"SELECT": ["ID", "DESCRIPTION"],
                                           "FILTER": {"SYSTEM_CODE": plan.system_code},
                                           "ORDER": {"ID": "ASC"}})
        found: dict[str, list[int]] = {}
        for row in rows:
            if not isinstance(row, dict):
                continue
            description = row.get("DESCRIPTION")
            owner = identity.classify(plan.system_code,
                                      description if isinstance(description, str) else None,
                                      plan.system_code, plan.namespace)
            if owner.ownership is identity.Ownership.MANAGED and owner.key is not None:
                found.setdefault(owner.key, []).append(row_id(row))
        return {key: sorted(ids) for key, ids in sorted(found.items())}

    def _settle(self, outcome: Outcome, entry: TemplatePlan,
                template: CompiledTemplate | None, ids: list[int]) -> None:
        """This run added `outcome.template_id`, and another apply added the same workflow
        with a lower ID at the same moment: delete ours, make the lower one hold the sources."""
        ours, kept = outcome.template_id, ids[0]
        assert ours is not None and template is not None
        crossed = f"; another apply added it at the same moment as template {kept}"
        try:
            self._delete(ours)
        except (_Refused, MethodError) as error:
            outcome.message += f"{crossed}, and template {ours} could not be deleted: {error}"
            return
        ids.remove(ours)
        if self.state is not None:
            self.state.forget(ours)
        try:
            done = self._adopt(entry, template, kept)
        except (_Refused, MethodError) as error:
            outcome.message += f"{crossed}: deleted template {ours}; then: {error}"
            outcome.status = "failed"
            return
        self._record(kept, entry)
        outcome.template_id = kept
        outcome.message += f"{crossed}: kept that one ({done}) and deleted template {ours}"

    # -- one template --------------------------------------------------------------------------

    def _one(self, entry: TemplatePlan, template: CompiledTemplate | None,
             snapshot: Snapshot) -> Outcome:
        done: list[str] = []
        try:
            if entry.action in ("delete", "replace"):
                assert entry.template_id is not None
                self._delete(entry.template_id)
                if self.state is not None:
                    self.state.forget(entry.template_id)
                done.append(f"deleted template {entry.template_id}")
                if entry.action == "delete":
                    return Outcome(entry, "applied", entry.template_id, "deleted")
            assert template is not None and entry.send is not None
            if entry.action == "update":
                assert entry.template_id is not None
                self._update(entry, template, entry.template_id, entry.send.template_data)
                self._record(entry.template_id, entry)
                return Outcome(entry, "applied", entry.template_id, "updated")
            new_id, what = self._add(entry, template, snapshot)
            self._record(new_id, entry)
            return Outcome(entry, "applied", new_id, ", ".join([*done, what]))
        except _Refused as refused:
            return Outcome(entry, "failed", entry.template_id, str(refused))
        except MethodError as error:
            diagnostics = diagnostics_for(error, template) \
                if template is not None and is_import_error(error) else []
            return Outcome(entry, "failed", entry.template_id, _partial(done, str(error)),
                           diagnostics)
        except PortalError as error:
            # The connection or the credentials failed: later calls would fail alike.
            return Outcome(entry, "failed", entry.template_id, _partial(done, str(error)),
                           fatal=True)

    def _record(self, template_id: int, entry: TemplatePlan) -> None:
        if self.state is not None and entry.content_hash is not None:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            self.state.record(template_id, Applied(entry.key, entry.content_hash, now))

    def _add(self, entry: TemplatePlan, template: CompiledTemplate,
             snapshot: Snapshot) -> tuple[int, str]:
        """Add the workflow's template, or update the one another apply added since the plan
        was read; (its ID, what was done)."""
        send = entry.send
        assert send is not None
        params = {
            "DOCUMENT_TYPE": send.DOCUMENT_TYPE,
            "NAME": send.NAME,
            "DESCRIPTION": send.DESCRIPTION,
            # The server's check is `$flag === (string)(int)$flag`: only a string passes.
            "AUTO_EXECUTE": send.AUTO_EXECUTE,
            "TEMPLATE_DATA": self._template_data(template),
        }
        # Templates added since the snapshot have higher IDs; leaving out the ones this run
        # added keeps the answer to one page. A negated array is NOT IN (CBPHelper::PrepareSql,
        # modules/bizproc/classes/general/helper.php; `!` is among the operations
        # RestService::getFilter lets through, modules/bizproc/lib/restservice.php).
        where: dict[str, object] = {"SYSTEM_CODE": snapshot.system_code, ">ID": snapshot.max_id}
        if self._added:
            where["!ID"] = list(self._added)

        def find() -> int | None:
            rows = self.client.list_all(LIST, {
                "SELECT": ["ID", "DESCRIPTION"], "FILTER": where, "ORDER": {"ID": "ASC"},
            })
            for row in rows:
                description = row.get("DESCRIPTION")
                if identity.read_marker(description if isinstance(description, str) else None
                                        )[0] == entry.key:
                    return row_id(row)
            return None

        meanwhile = find()
        if meanwhile is not None:
            done = self._adopt(entry, template, meanwhile)
            return meanwhile, f"another apply added it meanwhile as template {meanwhile}; {done}"
        added = int(self.client.create(ADD, params, reconcile=find))
        self._added.append(added)
        return added, "added"

    def _adopt(self, entry: TemplatePlan, template: CompiledTemplate, template_id: int) -> str:
        """Make a template of this workflow that another apply added hold the sources, instead
        of keeping a second one; what that took."""
        row = read_template(self.client, template_id)
        if row is None:
            raise _Refused(f"another apply added template {template_id} for {entry.workflow} "
                           "and deleted it again while this one ran; run bpl apply again")
        try:
            there = from_portal(row, self.normaliser)
        except TemplateShapeError as error:
            raise _Refused(f"another apply added template {template_id} for {entry.workflow}, "
                           f"and it cannot be read ({error.sentence}); run bpl apply again "
                           "to plan from what the portal has now") from None
        if there.content_hash == entry.content_hash:
            return "it holds the sources"
        if there.document_key() != from_compiled(template, self.normaliser).document_key():
            raise _Refused(f"another apply added template {template_id} for {entry.workflow} "
                           "with another document type; run bpl apply again to plan from what "
                           "the portal has now")
        self._update(entry, template, template_id, with_data=True)
        return "updated to the sources"

    def _update(self, entry: TemplatePlan, template: CompiledTemplate, template_id: int,
                with_data: bool) -> None:
        send = entry.send
        assert send is not None
        fields: dict[str, object] = {"NAME": send.NAME, "DESCRIPTION": send.DESCRIPTION,
                                     "AUTO_EXECUTE": send.AUTO_EXECUTE}
        if with_data:
            fields["TEMPLATE_DATA"] = self._template_data(template)

        def landed() -> bool:
            row = read_template(self.client, template_id)
            try:
                return row is not None and \
                    from_portal(row, self.normaliser).content_hash == entry.content_hash
            except TemplateShapeError:
                return False  # not what was sent, whatever it is

        self._write(UPDATE, {"ID": template_id, "FIELDS": fields}, landed)

    def _delete(self, template_id: int) -> None:
        running = running_instances(self.client, [template_id]).get(template_id, 0)
        if running:
            raise _Refused(f"refused: {running} running workflow(s) use template {template_id}; "
                           "the portal cannot delete it until they finish or are stopped")
        try:
            self._write(DELETE, {"ID": template_id},
                        lambda: read_template(self.client, template_id) is None)
        except MethodError as error:
            if error.code != "ERROR_TEMPLATE_NOT_FOUND":  # already gone: what we wanted
                raise

    def _template_data(self, template: CompiledTemplate) -> list[str]:
        data = self._packed.get(template.workflow) or template.bpt()
        return [f"{template.workflow}.bpt", encode_template_data(data)]

    def _write(self, method: str, params: Mapping[str, object],
               landed: Callable[[], bool]) -> None:
        last: PortalError | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                self.client.call(method, params)
                return
            except PortalError as error:
                if not error.outcome_unknown:
                    raise
                last = error
            if landed():
                return
        assert last is not None
        raise last


def _partial(done: list[str], error: str) -> str:
    return f"{', '.join(done)}, then: {error}" if done else error


def _calls_any(template: CompiledTemplate | None, robots: Sequence[RobotPlan]) -> str | None:
    """The first of `robots` that `template` calls, as "robot CODE"."""
    if template is None:
        return None
    for robot in robots:
        if robot.activity_type is not None and any(
                activity.is_type(robot.activity_type) for activity in template.template.walk()):
            return robot.subject
    return None


def apply_plan(client: PortalClient, plan: Plan, templates: Sequence[CompiledTemplate], *,
               normaliser: Normaliser, snapshot: Snapshot | None = None,
               app_id: int | None = None, state: DeployState | None = None,
               listener: Listener | None = None,
               robots: Sequence[RobotRegistration] = ()) -> ApplyReport:
    """Apply `plan`. Without `snapshot` (a saved plan) the portal is read again first."""
    if snapshot is None:
        snapshot = read_portal(client, app_id=app_id, robots=True)
    return Applier(client, normaliser, state, listener).apply(plan, templates, snapshot, robots)
