"""The plan: what apply will do, in terms a reviewer reads, saved as JSON between the two.

A saved plan is applied only against the portal state it was made from (`fingerprint`) and
the exact compiled templates it describes (`bpt_sha256` per template), so what was reviewed is
what runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PLAN_VERSION = 1

Action = Literal["add", "update", "replace", "delete", "unchanged", "keep"]
# Actions that write to the portal.
CHANGES: tuple[Action, ...] = ("add", "update", "replace", "delete")

NoteKind = Literal[
    "autostart",  # AUTO_EXECUTE makes the workflow start by itself, or changes
    "document-type",  # DOCUMENT_TYPE changes: delete + add
    "document-fields",  # the import creates or updates document fields
    "constants-reset",  # values tuned on the portal are replaced
    "drift",  # edited on the portal since bpl applied it
    "running",  # running workflows block a delete
    "duplicate",  # another template carries the same marker: this one is deleted
    "not-in-sources",  # managed, but its workflow is gone from the sources
    "outside",  # a declared robot the portal lists but bpl never registered
    "gone",  # a robot bpl registered that the portal no longer lists
    "in-use",  # templates that remain still call the robot
    "app-context",  # robots cannot be registered through this connection
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Location(_Model):
    file: str
    line: int
    column: int = 1
    source: str = ""  # the statement's first line, for reading the plan without the editor

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class PropertyDiff(_Model):
    key: str
    old: Any = None  # None: not stored (the default applies)
    new: Any = None


class ActivityDiff(_Model):
    kind: Literal["added", "removed", "moved", "changed"]
    type: str
    title: str
    path: str  # titles of the enclosing activities, outermost first
    old_path: str | None = None
    location: Location | None = None
    properties: list[PropertyDiff] = Field(default_factory=list)
    activated: tuple[bool, bool] | None = None
    inside: int = 0
    root: bool = False  # the template's root activity (its title is the workflow's title)


class EntryDiff(_Model):
    collection: Literal["PARAMETERS", "VARIABLES", "CONSTANTS"]
    ident: str
    kind: Literal["added", "removed", "changed"]
    keys: list[str] = Field(default_factory=list)
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


class FieldDiff(_Model):
    field: str
    old: Any = None
    new: Any = None


class Note(_Model):
    kind: NoteKind
    message: str


class Send(_Model):
    """The fields apply sends (DESCRIPTION includes the identity marker)."""

    NAME: str
    DESCRIPTION: str
    AUTO_EXECUTE: str
    DOCUMENT_TYPE: list[str]
    template_data: bool = True  # False: an update of the header fields only


class TemplatePlan(_Model):
    action: Action
    key: str  # the identity marker key
    workflow: str
    name: str
    document_type: list[str]
    template_id: int | None = None  # the portal template (None for an add)
    location: Location | None = None
    send: Send | None = None
    bpt_sha256: str | None = None  # of the compiled .bpt bytes apply will send
    content_hash: str | None = None  # canonical hash of the compiled template (state file)
    fields: list[FieldDiff] = Field(default_factory=list)
    activities: list[ActivityDiff] = Field(default_factory=list)
    entries: list[EntryDiff] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    blocked: str | None = None  # why apply will refuse this change
    duplicate_of: int | None = None  # delete: the template of the same workflow that stays

    @property
    def changes(self) -> bool:
        return self.action in CHANGES

    @property
    def subject(self) -> str:
        return self.workflow


class RobotPlan(_Model):
    """One app robot or action: registered, updated, deleted or left as it is.

    The portal cannot show a registered definition, so `fields` compare the sources with what
    bpl registered last (the state file), and are empty when that is unknown."""

    action: Action
    kind: Literal["robot", "action"]
    code: str
    name: str = ""
    location: Location | None = None
    activity_type: str | None = None  # rest_<md5(client_id@CODE)>, what templates call
    content_hash: str | None = None  # of the parameters apply sends
    previous_kind: Literal["robot", "action"] | None = None  # replace: the kind listed now
    fields: list[FieldDiff] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    blocked: str | None = None  # why apply will refuse this change
    # delete: the templates this plan changes that call it now; the delete waits for them
    used_by: list[int] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def changes(self) -> bool:
        return self.action in CHANGES

    @property
    def subject(self) -> str:
        return f"{self.kind} {self.code}"


class ForeignRobot(_Model):
    """A robot or action of this application that bpl did not register and the sources do not
    declare: listed, never touched."""

    kind: Literal["robot", "action"]
    code: str


class Unmanaged(_Model):
    id: int
    name: str
    document_type: list[str]
    reason: Literal["designer", "other-app", "other-project", "unmarked"]
    system_code: str | None = None
    key: str | None = None
    note: str = ""


class Plan(_Model):
    version: int = PLAN_VERSION
    environment: str
    portal: str
    system_code: str
    namespace: str | None = None
    prune: bool = False
    created_at: str
    fingerprint: str
    reads: int = 0  # HTTP calls the plan's read took
    templates: list[TemplatePlan] = Field(default_factory=list)
    unmanaged: list[Unmanaged] = Field(default_factory=list)
    robots: list[RobotPlan] = Field(default_factory=list)
    foreign_robots: list[ForeignRobot] = Field(default_factory=list)
    robot_listing: str | None = None  # fingerprint of the CODEs listed when planning

    @property
    def changes(self) -> list[TemplatePlan]:
        return [t for t in self.templates if t.changes]

    @property
    def robot_changes(self) -> list[RobotPlan]:
        return [r for r in self.robots if r.changes]

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or bool(self.robot_changes)

    @property
    def change_count(self) -> int:
        return len(self.changes) + len(self.robot_changes)

    @property
    def duplicates(self) -> int:
        """Templates to delete because another one of the same workflow stays."""
        return sum(1 for t in self.templates if t.duplicate_of is not None)

    def count(self, action: Action) -> int:
        return sum(1 for t in self.templates if t.action == action)

    def robot_count(self, action: Action) -> int:
        return sum(1 for r in self.robots if r.action == action)

    def summary(self) -> str:
        parts = [f"{self.count(a)} to {a}" for a in ("add", "update", "replace", "delete")]
        if self.duplicates:
            parts[-1] += f" ({self.duplicates} duplicate{'s' if self.duplicates > 1 else ''})"
        line = ", ".join(parts) + f", {self.count('unchanged')} unchanged"
        if self.count("keep"):
            line += f", {self.count('keep')} kept"
        if self.robots:
            line += "; robots and actions: " + self.robot_summary()
        return line

    def robot_summary(self) -> str:
        words: dict[Action, str] = {"add": "to register", "update": "to update",
                                    "replace": "to re-register", "delete": "to delete"}
        parts = [f"{self.robot_count(a)} {w}" for a, w in words.items()
                 if a != "replace" or self.robot_count(a)]
        line = ", ".join(parts) + f", {self.robot_count('unchanged')} unchanged"
        if self.robot_count("keep"):
            line += f", {self.robot_count('keep')} kept"
        return line

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


class PlanMismatch(Exception):
    """The plan no longer describes the portal or the sources; make a new one."""


def sources_drift(sources: Iterable[str], planned: Iterable[str]) -> str | None:
    """What is new in or gone from the sources since the plan was made (templates and robots
    word their `PlanMismatch` alike), or None when both name the same things."""
    now, then = set(sources), set(planned)
    if now == then:
        return None
    added, gone = sorted(now - then), sorted(then - now)
    return "; ".join(filter(None, [
        f"new in the sources: {', '.join(added)}" if added else "",
        f"gone from the sources: {', '.join(gone)}" if gone else ""]))


class PlanFileError(Exception):
    """A saved plan cannot be read; the message says why."""


def save_plan(plan: Plan, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plan.to_json(), encoding="utf-8")
    except OSError as error:
        raise PlanFileError(f"cannot write the plan to {path}: {error.strerror}") from None


def load_plan(path: Path) -> Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanFileError(f"no plan file {path}") from None
    except OSError as error:
        raise PlanFileError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise PlanFileError(f"{path} is not a plan (invalid JSON at line {error.lineno})") \
            from None
    if not isinstance(data, dict) or data.get("version") != PLAN_VERSION:
        raise PlanFileError(
            f"{path} is not a plan of this bpl version (expected version {PLAN_VERSION}); "
            "make it again with bpl plan --out")
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PlanFileError(f"{path} is not a valid plan ({where}: {first['msg']})") from None
