"""The run of one workflow: its data, its clock, the activity stack, and the public API.

`Runtime(template, document, parameters, …).start()` gives a `Run`. The run executes
activities until every branch waits (for people, a timer, a robot or a command) or the
workflow ends; then the host answers tasks, sends events and commands, or moves the clock,
and the run goes on. The clock is virtual: nothing sleeps, time jumps.

Persistence: a run is deterministic given its start inputs and the inputs that followed, so
`to_json()` stores those (plus a snapshot of what can be seen) and `Run.from_json()` replays
them. Randomness comes from a seeded generator kept with the inputs. The template is stored as
its package data and read back (`Template.from_package`); everything else a run keeps refers to
activities by Name.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity, Field, Template
from compiler.catalog.models import APP_ACTIVITY_PREFIX
from compiler.php.values import to_str
from compiler.simulator import classes, dates, returns
from compiler.simulator import formulas as _formulas  # noqa: F401  (registers the calculator)
from compiler.simulator.activities.closing import finish
from compiler.simulator.conditions import ConditionError, condition_of, evaluate
from compiler.simulator.directory import Directory, user_id_of
from compiler.simulator.expressions import Evaluator, Lookup
from compiler.simulator.model import (
    ANSWERS,
    Answer,
    RejectedInput,
    SimulationError,
    Task,
    Terminated,
    TraceEntry,
)
from compiler.simulator.store import DocumentStore, document_key
from compiler.simulator.types import FieldInfo, convert, info_of_value
from compiler.simulator.waits import YIELD, AnyOf, CommandWait, EventWait, Wait

if TYPE_CHECKING:
    from compiler.simulator.activities import Handler

MAX_STEPS = 2_000_000  # activity executions per run: a guard against endless state loops


def _info(spec: Mapping[str, Any]) -> FieldInfo:
    """A document field's type as the host describes it ({Type, Multiple, Options})."""
    multiple = str(spec.get("Multiple", "0")).lower() in ("1", "y", "true")
    return FieldInfo(str(spec.get("Type", "string")), multiple, spec.get("Options"))


def _declared(field: Field) -> FieldInfo:
    return FieldInfo(field.type, field.multiple, field.options)


@dataclass
class Runtime:
    """Everything a run starts from. `template` is the template that is deployed."""

    template: Template
    document: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    clock: datetime | str = "2025-01-06 09:00:00"
    user: int = 1  # who starts the workflow
    document_type: list[str] = field(default_factory=lambda: ["crm", "CCrmDocumentDeal", "DEAL"])
    document_id: str = "1"
    field_types: Mapping[str, Any] = field(default_factory=dict)  # code → type or spec
    directory: Directory = field(default_factory=Directory)
    global_variables: Mapping[str, Any] = field(default_factory=dict)
    global_constants: Mapping[str, Any] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)  # overrides of Default
    # The portal's other documents by key (compiler.simulator.store): DEAL_15, ELEMENT_7 …
    documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # What activities return instead of what they would: [{"activity": pattern, "returns":
    # {...}}], the first whose pattern matches an activity's title, Name or type applies.
    scripted: list[Mapping[str, Any]] = field(default_factory=list)
    modified_fields: list[str] | None = None
    workflow_id: str = "sim-1"
    template_id: int = 1  # which template runs (kept with the run; no token reads it)
    seed: int = 0
    host_url: str = "https://sandbox.bpl.local"

    def start(self) -> Run:
        run = Run(self)
        run.journal.append({"op": "start"})
        run.begin()
        return run

    def to_json(self) -> dict[str, Any]:
        return {
            "package": self.template.to_package(), "document": dict(self.document),
            "parameters": dict(self.parameters), "clock": str(self.clock), "user": self.user,
            "document_type": list(self.document_type), "document_id": self.document_id,
            "field_types": dict(self.field_types), "directory": self.directory.to_json(),
            "global_variables": dict(self.global_variables),
            "global_constants": dict(self.global_constants), "constants": dict(self.constants),
            "documents": {k: dict(v) for k, v in self.documents.items()},
            "scripted": [dict(s) for s in self.scripted],
            "modified_fields": self.modified_fields, "workflow_id": self.workflow_id,
            "template_id": self.template_id, "seed": self.seed, "host_url": self.host_url,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Runtime:
        values = dict(data)
        values["template"] = Template.from_package(values.pop("package"))
        values["directory"] = Directory.from_json(values.get("directory", {}))
        return cls(**values)


class Run:
    def __init__(self, runtime: Runtime):
        from compiler.simulator.activities import HANDLERS  # registers every activity kind

        self.runtime = runtime
        self.handlers = HANDLERS
        self._handler_of: dict[str, Handler | None] = {}  # by Type: the lineage is walked once
        self.journal: list[dict[str, Any]] = []
        template = runtime.template
        if not template.roots:
            raise SimulationError("the template has no root activity")
        self.root: Activity = template.root
        self.nodes: dict[str, Activity] = {node.name: node for node in self.root.walk()}
        moment = dates.parse(runtime.clock)
        if moment is None:
            raise SimulationError(f"cannot read the start time {runtime.clock!r}")
        self.clock: datetime = moment
        self.started = moment
        # A copy: activities (AbsenceActivity) change it, and the runtime must stay the start.
        self.directory = copy.deepcopy(runtime.directory)
        self.evaluator = Evaluator(self)
        self._rng = random.Random(runtime.seed)

        self.parameter_info = {k: _declared(v) for k, v in template.parameters.items()}
        self.parameter_info.setdefault("TargetUser", FieldInfo("user"))
        self.variable_info = {k: _declared(v) for k, v in template.variables.items()}
        self.constant_info = {k: _declared(v) for k, v in template.constants.items()}
        self.field_info: dict[str, FieldInfo] = {}
        for code, spec in runtime.field_types.items():
            self.field_info[code] = _info(spec) if isinstance(spec, Mapping) else \
                FieldInfo(str(spec))

        self.document: dict[str, Any] = {k: self._field_value(k, v)
                                         for k, v in copy.deepcopy(dict(runtime.document)).items()}
        self.parameters: dict[str, Any] = {}
        for name, declared in template.parameters.items():
            # A parameter the start did not give holds its Default as stored, unconverted
            # (CBPRuntime::createWorkflow, modules/bizproc/classes/general/runtime.php): a
            # designer's printed 'Author;' stays that text, which names no one.
            self.parameters[name] = convert(runtime.parameters[name], self.parameter_info[name]) \
                if name in runtime.parameters else declared.default
        for name, raw in runtime.parameters.items():
            self.parameters.setdefault(name, raw)
        self.parameters["TargetUser"] = f"user_{runtime.user}"
        self.variables: dict[str, Any] = {
            name: convert(declared.default, self.variable_info[name])
            for name, declared in template.variables.items()}
        self.constants: dict[str, Any] = {}
        for name, declared in template.constants.items():
            raw = runtime.constants.get(name, declared.default)
            self.constants[name] = convert(raw, self.constant_info[name])
        self.global_variables: dict[str, Any] = copy.deepcopy(dict(runtime.global_variables))
        self.store = DocumentStore(copy.deepcopy(dict(runtime.documents)),
                                   document_key(runtime.document_type, runtime.document_id),
                                   self.document)

        self.results: dict[str, dict[str, Any]] = {}
        self.status = "running"
        self.error: str | None = None
        self.error_activity: str | None = None
        self.state: str | None = None  # state machines: the current StateActivity Name
        self.next_state: str | None = None
        self.state_title = ""
        self.log: list[dict[str, Any]] = []
        self.tasks: list[Task] = []
        self.messages: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []  # webhooks, started workflows, documents …
        self.trace: list[TraceEntry] = []
        self.events: dict[str, dict[str, Any]] = {}  # robot Name → delivered return values
        self.commands: list[dict[str, Any]] = []  # commands sent, not yet handled
        self.modified: list[str] = []
        self.counters: dict[str, int] = {}
        self.storage: dict[str, Any] = {}  # what activities keep between executions
        self.parallel_depth = 0
        self.steps = 0
        self._stamp: tuple[datetime | None, str] = (None, "")
        self._generator: Iterator[Wait] | None = None
        self._wait: Wait | None = None

    # ── structure ────────────────────────────────────────────────────────────────────────
    @staticmethod
    def props(node: Activity) -> dict[str, Any]:
        """The node's properties as its activity holds them: where the template leaves one
        out, the catalog default (the class's constructor value)."""
        return classes.properties(node)

    # ── Sources (what expressions read) ──────────────────────────────────────────────────
    def now(self) -> datetime:
        return self.clock

    def rng(self) -> random.Random:
        return self._rng

    def document_path(self) -> str:
        """The document's page on the portal, without the host (getDocumentAdminPage)."""
        module, _entity, kind = ([*list(self.runtime.document_type), "", "", ""])[:3]
        return f"/{module}/{kind.lower()}/{self.runtime.document_id}/"

    def document_name(self) -> str:
        """The document's name as the document service gives it: its TITLE."""
        found = self.document_field("TITLE")
        return "" if found is None else to_str(found.value)

    def host_url(self) -> str:
        return self.runtime.host_url

    def lookup(self, obj: str, field_name: str) -> Lookup | None:
        kind = obj.lower()
        if kind == "document":
            return self.document_field(field_name) or Lookup("", FieldInfo("string"))
        if kind in ("template", "parameter"):
            return self._declared(self.parameters, self.parameter_info, field_name)
        if kind == "variable":
            return self._declared(self.variables, self.variable_info, field_name)
        if kind == "constant":
            return self._declared(self.constants, self.constant_info, field_name)
        if kind == "globalvar":
            return self._from(self.global_variables, {}, field_name)
        if kind == "globalconst":
            return self._from(dict(self.runtime.global_constants), {}, field_name)
        if kind == "workflow":  # any field is the workflow's ID (activity.php)
            return Lookup(self.runtime.workflow_id, FieldInfo("string"))
        if kind == "user":
            return Lookup(f"user_{self.runtime.user}", FieldInfo("user"))
        if kind == "system":
            return self._system(field_name)
        return self._activity_value(obj, field_name)

    @staticmethod
    def _declared(values: Mapping[str, Any], infos: Mapping[str, FieldInfo],
                  name: str) -> Lookup:
        """A parameter, variable or constant by its exact name; one not declared reads as
        null (CBPActivity::__get, getVariable, getConstant in
        modules/bizproc/classes/general/activity.php: PHP array keys are case-sensitive)."""
        if name in values:
            return Lookup(values[name], infos.get(name, FieldInfo("string")))
        return Lookup(None, FieldInfo("string"))

    def _from(self, values: Mapping[str, Any], infos: Mapping[str, FieldInfo],
              name: str) -> Lookup | None:
        if name in values:
            return Lookup(values[name], infos.get(name, FieldInfo("string")))
        lowered = name.lower()
        for key, value in values.items():
            if key.lower() == lowered:
                return Lookup(value, infos.get(key, FieldInfo("string")))
        return None

    def _system(self, name: str) -> Lookup | None:
        key = name.lower()
        if key in ("now", "nowlocal"):
            return Lookup(dates.format_datetime(self.clock), FieldInfo("datetime"))
        if key == "date":
            return Lookup(dates.format_date(self.clock), FieldInfo("date"))
        if key == "eol":
            return Lookup("\n", FieldInfo("string"))
        if key == "hosturl":
            return Lookup(self.runtime.host_url, FieldInfo("string"))
        return None

    def _activity_value(self, name: str, field_name: str) -> Lookup | None:
        node = self.nodes.get(name)
        if node is None:
            lowered = name.lower()
            node = next((n for k, n in self.nodes.items() if k.lower() == lowered), None)
            if node is None:
                return None
        results = self.results.get(node.name, {})
        lowered = field_name.lower()
        for key, value in results.items():
            if key.lower() == lowered:
                declared = returns.return_spec(node.type, key)
                return Lookup(value, returns.info(declared) if declared is not None
                              else info_of_value(value))
        for key, value in self.props(node).items():
            if key.lower() == lowered:
                return Lookup(value, info_of_value(value))
        return Lookup("", FieldInfo("string"))

    # ── ConditionSources ─────────────────────────────────────────────────────────────────
    def document_field(self, code: str) -> Lookup | None:
        if code.upper().endswith("_PRINTABLE"):
            found = self.document_field(code[: -len("_PRINTABLE")])
            if found is None:
                return None
            return self.evaluator.apply_modifiers(found, ["printable"])
        if code in self.document:
            return Lookup(self.document[code], self.field_info.get(code, FieldInfo("")))
        upper = code.upper()
        for key, value in self.document.items():
            if key.upper() == upper:
                return Lookup(value, self.field_info.get(key, FieldInfo("")))
        if code in self.field_info:
            return Lookup("", self.field_info[code])
        return None

    def document_value(self, code: str) -> tuple[Any, FieldInfo | None]:
        """A field as a condition reads it: the stored value (None when unset) and type."""
        return self.document.get(code), self.field_info.get(code)

    def extract_users(self, value: Any) -> list[int]:
        """CBPHelper::extractUsers: user ids of tokens, groups and roles, each once."""
        return self.directory.extract(value, self.roles())

    def parameter_or_variable(self, name: str) -> Lookup | None:
        return (self._from(self.parameters, self.parameter_info, name)
                or self._from(self.variables, self.variable_info, name))

    def modified_fields(self) -> list[str] | None:
        return self.runtime.modified_fields

    # ── values and people ────────────────────────────────────────────────────────────────
    def _field_value(self, code: str, value: Any) -> Any:
        info = self.field_info.get(code)
        return convert(value, info) if info is not None and info.type else value

    def set_field(self, code: str, value: Any, merge: bool = False) -> None:
        info = self.field_info.get(code)
        if merge and info is not None and info.multiple:
            current = self.document.get(code) or []
            value = list(current if isinstance(current, list) else [current]) + (
                value if isinstance(value, list) else [value])
        self.document[code] = self._field_value(code, value)
        if code not in self.modified:
            self.modified.append(code)

    def set_variable(self, name: str, value: Any) -> None:
        info = self.variable_info.get(name)
        self.variables[name] = convert(value, info) if info is not None else value

    def roles(self) -> dict[str, list[int]]:
        """Document roles: `author` is the responsible of a CRM item, the creator elsewhere."""
        module = str(self.runtime.document_type[0]).lower() if self.runtime.document_type else ""
        author_field = "ASSIGNED_BY_ID" if module == "crm" else "CREATED_BY"
        author = user_id_of(_single(self.document.get(author_field)))
        if author is None:
            author = user_id_of(_single(self.document.get("CREATED_BY"))) or self.runtime.user
        roles = {"author": [author]}
        responsible = user_id_of(_single(self.document.get("ASSIGNED_BY_ID")))
        head = self.directory.heads.get(responsible) if responsible is not None else None
        roles["responsible_head"] = [head] if head is not None else []
        return roles

    def users(self, raw: Any) -> list[int]:
        """A users property (tokens, expressions, groups, roles) → user ids."""
        return self.directory.extract(self.evaluator.value(raw), self.roles())

    # ── records ──────────────────────────────────────────────────────────────────────────
    def stamp(self) -> str:
        # Formatting the time dominates long loops; the clock only moves between waits.
        if self._stamp[0] != self.clock:
            self._stamp = (self.clock, dates.format_datetime(self.clock))
        return self._stamp[1]

    def set_result(self, node: Activity, values: Mapping[str, Any]) -> None:
        self.results.setdefault(node.name, {}).update(values)

    def record(self, kind: str, node: Activity, **data: Any) -> dict[str, Any]:
        entry = {"kind": kind, "activity": node.name, "title": node.title, "at": self.stamp(),
                 **data}
        self.records.append(entry)
        return entry

    def write_log(self, node: Activity, text: str) -> None:
        self.log.append({"at": self.stamp(), "activity": node.name, "title": node.title,
                         "text": text})

    def note(self, node: Activity, text: str) -> None:
        """The simulator's own word in the log: what it did not run as Bitrix would. Notes are
        no report lines (the `log` expectation and LogActivity's Report leave them out)."""
        self.log.append({"at": self.stamp(), "activity": node.name, "title": node.title,
                         "text": f"[simulator] {node.type} '{node.title}': {text}",
                         "note": True})

    def report_lines(self) -> list[str]:
        """The log as the workflow wrote it, without the simulator's notes."""
        return [entry["text"] for entry in self.log if not entry.get("note")]

    def next_id(self, counter: str, start: int = 1) -> int:
        value = self.counters.get(counter, start - 1) + 1
        self.counters[counter] = value
        return value

    def new_task(self, node: Activity, kind: str, name: str, users: list[int],
                 due: datetime | None, **extra: Any) -> Task:
        task = Task(id=self.next_id("task"), activity=node.name,
                    title=node.title, kind=kind, name=name, users=users,
                    created=self.stamp(), due=dates.format_datetime(due) if due else None,
                    **extra)
        self.tasks.append(task)
        return task

    def task(self, task_id: int) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise RejectedInput(f"no task {task_id}")

    # ── executing activities ─────────────────────────────────────────────────────────────
    def execute(self, node: Activity) -> Iterator[Wait]:
        if not node.activated:
            return  # Bitrix closes a deactivated activity without running it
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise SimulationError("the run executed too many activities (endless loop?)",
                                  node.name)
        self.trace_node(node)
        handler = self.handler(node.type)
        if handler is None:
            raise SimulationError(f"cannot simulate activity {node.type} '{node.title}'",
                                  node.name)
        result = handler(self, node)
        if result is not None:
            yield from result
        finish(self, node)

    def handler(self, kind: str) -> Handler | None:
        """What runs an activity of this Type: its own handler or its nearest ancestor's."""
        if kind in self._handler_of:
            return self._handler_of[kind]
        handler = next((self.handlers[k.lower()] for k in classes.lineage(kind)
                        if k.lower() in self.handlers), None)
        if handler is None and kind.lower().startswith(APP_ACTIVITY_PREFIX):
            handler = self.handlers.get(APP_ACTIVITY_PREFIX)
        self._handler_of[kind] = handler
        return handler

    def trace_node(self, node: Activity) -> None:
        self.trace.append(TraceEntry(node.name, node.type, node.title, self.stamp()))

    def run_children(self, node: Activity) -> Iterator[Wait]:
        """A sequential container's children, one after another."""
        interleave = self.parallel_depth > 0
        for child in node.children:
            yield from self.execute(child)
            if interleave:
                yield YIELD  # let the other parallel branches take their turn

    def condition(self, node: Activity) -> bool | None:
        """The node's condition; None when it has none."""
        found = condition_of(self.props(node))
        if found is None:
            return None
        try:
            return evaluate(found[0], found[1], self)
        except ConditionError as error:
            raise SimulationError(str(error), node.name) from error

    def terminate(self, title: str | None = None) -> None:
        if title:
            self.state_title = title
        raise Terminated()

    # ── the scheduler ────────────────────────────────────────────────────────────────────
    def begin(self) -> None:
        self._generator = self.execute(self.root)
        self._wait = None
        self._pump()

    def _pump(self) -> None:
        generator = self._generator
        while self.status == "running" and generator is not None:
            wait = self._wait
            if wait is not None and not wait.ready(self):
                return
            try:
                self._wait = next(generator)
            except StopIteration:
                self.status = "completed"
            except Terminated:
                self.status = "terminated"
            except SimulationError as error:
                self.status = "error"
                self.error = str(error)
                self.error_activity = error.activity
            except RecursionError:
                self.status = "error"
                self.error = "the template nests too deeply to run"
        if self.status != "running":
            self._generator = None
            self._wait = None

    @property
    def waiting_for(self) -> list[Wait]:
        if self._wait is None:
            return []
        return self._wait.leaves() if isinstance(self._wait, AnyOf) else [self._wait]

    def next_timer(self) -> datetime | None:
        return self._wait.due() if self._wait is not None and self.status == "running" else None

    # ── inputs from outside ──────────────────────────────────────────────────────────────
    @property
    def waiting_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.waiting]

    def complete_task(self, task_id: int, user: int | str, status: str = "yes",
                      comment: str = "", fields: Mapping[str, Any] | None = None) -> None:
        """A user answers a task (bizproc.task.complete): yes/no/ok/cancel, or closed for a
        Tasks-module task."""
        task = self.task(task_id)
        user_id = user_id_of(user)
        answer = ANSWERS.get(str(status).lower())
        if user_id is None:
            raise RejectedInput(f"not a user: {user!r}")
        if answer is None:
            raise RejectedInput(f"incorrect status {status!r}")
        if not task.waiting:
            raise RejectedInput(f"task {task_id} is already completed")
        if task.kind != "task" and user_id not in task.users:
            raise RejectedInput(f"task {task_id} is not assigned to user {user_id}")
        if task.kind != "task" and task.answered_by(user_id):
            raise RejectedInput(f"user {user_id} already answered task {task_id}")
        rule = str(task.fields.get("comment_required", "N")) if task.kind == "approve" else "N"
        if not comment.strip() and (rule == "Y" or (rule == "YA" and answer == "yes")
                                    or (rule == "YR" and answer != "yes")):
            raise RejectedInput(f"task {task_id} needs a comment for this answer")
        if task.kind == "request" and answer != "cancel":
            from compiler.simulator.activities.tasks import missing_required

            missing = missing_required(task, dict(fields or {}))
            if missing:
                raise RejectedInput(f"required fields are empty: {', '.join(missing)}")
        self.journal.append({"op": "complete_task", "task": task_id, "user": user_id,
                             "status": answer, "comment": comment,
                             "fields": dict(fields or {}), "at": self.stamp()})
        task.answers.append(Answer(user_id, answer, comment, dict(fields or {}), self.stamp()))
        self._pump()

    def send_event(self, activity: str, return_values: Mapping[str, Any] | None = None,
                   log_message: str = "") -> None:
        """bizproc.event.send for an app robot waiting under the Name `activity`."""
        waiting = [w for w in self.waiting_for if isinstance(w, EventWait)]
        target = next((w for w in waiting if w.activity == activity), None)
        if target is None:
            raise RejectedInput(f"no robot {activity} is waiting for an event")
        self.journal.append({"op": "event", "activity": activity,
                             "return_values": dict(return_values or {}),
                             "log_message": log_message, "at": self.stamp()})
        self.events[activity] = {"values": dict(return_values or {}), "log": log_message}
        self._pump()

    def send_command(self, command: str, user: int | str) -> None:
        """A state-machine command (HandleExternalEventActivity), by its Name or Title."""
        user_id = user_id_of(user)
        if user_id is None:
            raise RejectedInput(f"not a user: {user!r}")
        handlers = [w for w in self.waiting_for if isinstance(w, CommandWait)]
        target = next((w for w in handlers if w.matches(command)), None)
        if target is None:
            offered = ", ".join(w.event.title for w in handlers) or "none"
            raise RejectedInput(f"command '{command}' is not offered now (offered: {offered})")
        if target.allowed and user_id not in target.allowed:
            raise RejectedInput(f"user {user_id} may not send command '{command}'")
        self.journal.append({"op": "command", "command": command, "user": user_id,
                             "at": self.stamp()})
        self.commands.append({"command": command, "user": user_id})
        self._pump()

    def advance_to(self, moment: datetime | str) -> None:
        """Move the clock forward; timers due on the way fire in order."""
        target = dates.parse(moment)
        if target is None:
            raise RejectedInput(f"cannot read the time {moment!r}")
        if target < self.clock:
            return
        self.journal.append({"op": "clock", "to": dates.format_datetime(target)})
        self._advance(target)

    def advance(self, delta: timedelta) -> None:
        self.advance_to(self.clock + delta)

    def _advance(self, target: datetime) -> None:
        while self.status == "running":
            due = self.next_timer()
            if due is None or due > target:
                break
            self.clock = max(self.clock, due)
            self._pump()
        self.clock = target
        self._pump()

    def update_document(self, fields: Mapping[str, Any], key: str | None = None) -> None:
        """A document was edited outside the workflow (a user, another workflow): the
        workflow's own, or the one under `key` in the store."""
        entry = {"op": "document", "fields": dict(fields), "at": self.stamp()}
        if key is not None and key.upper() != self.store.current:
            entry["key"] = key
            target = self.store.get(key)
            if target is None:
                raise RejectedInput(f"no document {key}")
            self.journal.append(entry)
            target.update(fields)
        else:
            self.journal.append(entry)
            for code, value in fields.items():
                self.document[code] = self._field_value(code, value)
        self._pump()

    def terminate_by_host(self, status_title: str = "") -> None:
        """bizproc.workflow.terminate."""
        self.journal.append({"op": "terminate", "title": status_title})
        if self.status == "running":
            self.status = "terminated"
            if status_title:
                self.state_title = status_title
            self._generator = None
            self._wait = None

    # ── persistence ──────────────────────────────────────────────────────────────────────
    def to_json(self) -> dict[str, Any]:
        return {"runtime": self.runtime.to_json(), "journal": self.journal,
                "snapshot": self.snapshot()}

    def snapshot(self) -> dict[str, Any]:
        """What the run shows now, for hosts that list runs without replaying them."""
        return {
            "status": self.status, "error": self.error, "state": self.state,
            "state_title": self.state_title, "clock": self.stamp(),
            "document": self.document, "variables": self.variables,
            "tasks": [t.to_json() for t in self.tasks], "log": self.log,
            "messages": self.messages, "records": self.records,
            "global_variables": self.global_variables, "documents": self.store.to_json(),
            "next_timer": dates.format_datetime(t) if (t := self.next_timer()) else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        run = Run(Runtime.from_json(data["runtime"]))
        for entry in data.get("journal", []):
            run.replay(entry)
        return run

    def replay(self, entry: Mapping[str, Any]) -> None:
        op = entry.get("op")
        if op == "start":
            self.journal.append({"op": "start"})
            self.begin()
        elif op == "clock":
            self.advance_to(entry["to"])
        elif op == "complete_task":
            self._at(entry)
            self.complete_task(entry["task"], entry["user"], entry["status"],
                               entry.get("comment", ""), entry.get("fields"))
        elif op == "event":
            self._at(entry)
            self.send_event(entry["activity"], entry.get("return_values"),
                            entry.get("log_message", ""))
        elif op == "command":
            self._at(entry)
            self.send_command(entry["command"], entry["user"])
        elif op == "document":
            self._at(entry)
            self.update_document(entry.get("fields", {}), entry.get("key"))
        elif op == "terminate":
            self.terminate_by_host(entry.get("title", ""))

    def _at(self, entry: Mapping[str, Any]) -> None:
        moment = dates.parse(entry.get("at"))
        if moment is not None and moment > self.clock:
            self._advance(moment)


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
