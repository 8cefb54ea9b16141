"""Scenario files (`*.test.toml`): what a workflow is given and what it must do.

    workflow = "deal_approval"          # default workflow for every scenario of the file
    sources = ["deal_approval.bpl"]     # default: the .bpl of the same name, else the project
    [env]                               # env.NAME values for compiling (CLI --define wins)
    [users]                             # 12 = "Olga Head" or 12 = { name, groups, head }
    [groups]                            # hr = [5, 6]
    [types]                             # document field types the catalog does not know
    [document]                          # fields shared by every scenario
    [documents]                         # the portal's other documents: "CONTACT_3" = { … }

    [[scenario]]
    name = "…"
    start = "2025-03-03 09:00"  user = 1  seed = 0
    document = { … }  parameters = { … }  constants = { … }  modified = ["…"]
    documents = { "DEAL_7" = { … } }    global_variables = { … }  global_constants = { … }
    [[scenario.tasks]]     task = "glob" | order = N, by = 12 | [12, 13] | "all",
                           action = "approve|reject|ok|close|cancel|timeout",
                           comment = "…", fields = { … }, after = "2h"
    [[scenario.commands]]  command = "Title or Name", by = 12, after = "1d" | at = "…",
                           refused = true (the workflow must refuse it)
    [[scenario.changes]]   document = { FIELD = value }, after = "2d" | at = "…",
                           id = "DEAL_7" (another document than the workflow's)
    [[scenario.robots]]    robot = "Title, Name or type", returns = { … },
                           after = "5m", timeout = true, log = "…"
    [[scenario.activities]] activity = "Title, Name or type", returns = { … }
    [scenario.expect]      see compiler.simulator.assertions
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from compiler.simulator import dates
from compiler.simulator.store import split_key

SUFFIX = ".test.toml"
_TASK_ACTIONS = {"approve", "yes", "reject", "no", "ok", "review", "done", "close", "cancel",
                 "timeout", "answer"}


class ScenarioError(Exception):
    """A scenario file that cannot be used; the message names the file and the place."""


@dataclass
class TaskScript:
    match: str | None = None
    order: int | None = None
    by: list[int] | str | None = None  # None: the task's first user; "all": every user
    action: str = "approve"
    comment: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    after: timedelta = timedelta(0)
    used: bool = False


@dataclass
class CommandScript:
    command: str
    by: int
    after: timedelta | None = None  # after the previous step
    at: str | None = None  # absolute, or "+2d" from the start
    refused: bool = False  # the scenario expects the workflow to refuse this command


@dataclass
class ChangeScript:
    """A document edit made outside the workflow while it runs."""

    fields: dict[str, Any]
    after: timedelta | None = None  # after the previous step
    at: str | None = None  # absolute, or "+2d" from the start
    document: str | None = None  # another document's key (DEAL_7); None: the workflow's own


@dataclass
class ActivityScript:
    """What an activity returns instead of what the simulator would give (every time a
    matching activity closes; the first matching script applies)."""

    match: str
    returns: dict[str, Any]
    where: str  # "file: scenario 'x', activity 2", for messages about this script


@dataclass
class RobotScript:
    match: str
    returns: dict[str, Any] = field(default_factory=dict)
    after: timedelta = timedelta(0)
    timeout: bool = False
    log: str = ""


@dataclass
class Scenario:
    name: str
    workflow: str
    file: Path
    index: int
    start: str = "2025-01-06 09:00:00"
    user: int = 1
    seed: int = 0
    document: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    global_variables: dict[str, Any] = field(default_factory=dict)
    global_constants: dict[str, Any] = field(default_factory=dict)
    modified: list[str] | None = None
    tasks: list[TaskScript] = field(default_factory=list)
    commands: list[CommandScript] = field(default_factory=list)
    robots: list[RobotScript] = field(default_factory=list)
    activities: list[ActivityScript] = field(default_factory=list)
    changes: list[ChangeScript] = field(default_factory=list)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)
    horizon: timedelta = timedelta(days=366)  # how far the clock may jump looking for timers

    @property
    def label(self) -> str:
        return f"{self.file.name}::{self.name}"


@dataclass
class ScenarioFile:
    path: Path
    sources: list[Path]
    env: dict[str, Any]
    users: dict[str, Any]
    groups: dict[str, Any]
    types: dict[str, Any]
    scenarios: list[Scenario]


def find(paths: list[Path]) -> list[Path]:
    """Scenario files under the given files or folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.rglob("*" + SUFFIX)))
        elif path.name.endswith(SUFFIX):
            found.append(path)
    return sorted(dict.fromkeys(found))


def load(path: Path, project_sources: list[Path] | None = None) -> ScenarioFile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: {error}") from None
    where = str(path)
    default_workflow = _str(data.get("workflow", ""), where, "workflow")
    sources = [path.parent / s for s in _list(data.get("sources", []), where, "sources")]
    if not sources:
        sibling = path.with_name(path.name[: -len(SUFFIX)] + ".bpl")
        sources = [sibling] if sibling.exists() else list(project_sources or [path.parent])
    shared_document = _table(data.get("document", {}), where, "document")
    shared_documents = _documents(data.get("documents", {}), where)
    raw = data.get("scenario", [])
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(f"{where}: no [[scenario]] tables")
    scenarios = [_scenario(item, path, index, default_workflow, shared_document,
                           shared_documents) for index, item in enumerate(raw)]
    names = [s.name for s in scenarios]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ScenarioError(f"{where}: scenario names repeat: {', '.join(duplicates)}")
    return ScenarioFile(path, sources, _table(data.get("env", {}), where, "env"),
                        _table(data.get("users", {}), where, "users"),
                        _table(data.get("groups", {}), where, "groups"),
                        _table(data.get("types", {}), where, "types"), scenarios)


def _scenario(item: Any, path: Path, index: int, workflow: str,
              shared_document: dict[str, Any],
              shared_documents: dict[str, dict[str, Any]]) -> Scenario:
    where = f"{path}: scenario {index + 1}"
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: must be a table")
    name = _str(item.get("name", f"scenario {index + 1}"), where, "name")
    where = f"{path}: scenario '{name}'"
    known = {"name", "workflow", "start", "user", "seed", "document", "parameters", "constants",
             "global_variables", "global_constants", "modified", "tasks", "commands", "robots",
             "changes", "expect", "horizon", "documents", "activities"}
    unknown = sorted(set(item) - known)
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {', '.join(unknown)}")
    start = str(item.get("start", "2025-01-06 09:00:00"))
    if dates.parse(start) is None:
        raise ScenarioError(f"{where}: start {start!r} is not a date")
    scenario = Scenario(
        name=name, workflow=_str(item.get("workflow", workflow), where, "workflow"),
        file=path, index=index, start=start, user=_user(item.get("user", 1), where, "user"),
        seed=int(item.get("seed", 0)),
        document={**shared_document, **_table(item.get("document", {}), where, "document")},
        parameters=_table(item.get("parameters", {}), where, "parameters"),
        constants=_table(item.get("constants", {}), where, "constants"),
        global_variables=_table(item.get("global_variables", {}), where, "global_variables"),
        global_constants=_table(item.get("global_constants", {}), where, "global_constants"),
        modified=list(item["modified"]) if "modified" in item else None,
        tasks=[_task(t, f"{where}, task {i + 1}") for i, t in enumerate(item.get("tasks", []))],
        commands=[_command(c, f"{where}, command {i + 1}")
                  for i, c in enumerate(item.get("commands", []))],
        robots=[_robot(r, f"{where}, robot {i + 1}") for i, r in enumerate(item.get("robots", []))],
        changes=[_change(c, f"{where}, change {i + 1}")
                 for i, c in enumerate(_list_of(item.get("changes", []), where, "changes"))],
        activities=[_activity(a, f"{where}, activity {i + 1}") for i, a in
                    enumerate(_list_of(item.get("activities", []), where, "activities"))],
        documents={**shared_documents, **_documents(item.get("documents", {}), where)},
        expect=_table(item.get("expect", {}), where, "expect"),
        horizon=_duration(item.get("horizon", "366d"), where, "horizon"),
    )
    if not scenario.workflow:
        raise ScenarioError(f"{where}: which workflow? Set `workflow` in the file or scenario")
    return scenario


def _task(item: Any, where: str) -> TaskScript:
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: must be a table")
    action = str(item.get("action", "approve")).lower()
    if action not in _TASK_ACTIONS:
        raise ScenarioError(f"{where}: action {action!r} is not one of "
                            f"{', '.join(sorted(_TASK_ACTIONS))}")
    by = item.get("by")
    users: list[int] | str | None
    if by is None:
        users = None
    elif isinstance(by, str) and by.lower() == "all":
        users = "all"
    elif isinstance(by, list):
        users = [_user(u, where, "by") for u in by]
    else:
        users = [_user(by, where, "by")]
    order = item.get("order")
    return TaskScript(match=str(item["task"]) if "task" in item else None,
                      order=int(order) if order is not None else None, by=users,
                      action=action, comment=str(item.get("comment", "")),
                      fields=_table(item.get("fields", {}), where, "fields"),
                      after=_duration(item.get("after", "0s"), where, "after"))


def _command(item: Any, where: str) -> CommandScript:
    if not isinstance(item, Mapping) or "command" not in item:
        raise ScenarioError(f"{where}: needs `command`")
    at = item.get("at")
    if at is not None and not str(at).startswith("+") and dates.parse(at) is None:
        raise ScenarioError(f"{where}: at {at!r} is neither a date nor +interval")
    after = item.get("after")
    return CommandScript(str(item["command"]), _user(item.get("by", 1), where, "by"),
                         _duration(after, where, "after") if after is not None else None,
                         str(at) if at is not None else None, bool(item.get("refused", False)))


def _change(item: Any, where: str) -> ChangeScript:
    if not isinstance(item, Mapping) or "document" not in item:
        raise ScenarioError(f"{where}: needs `document` (the fields that change)")
    unknown = sorted(set(item) - {"document", "after", "at", "id"})
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {', '.join(unknown)} (known: document, "
                            "after, at, id)")
    at = item.get("at")
    if at is not None and not str(at).startswith("+") and dates.parse(at) is None:
        raise ScenarioError(f"{where}: at {at!r} is neither a date nor +interval")
    after = item.get("after")
    document = item.get("id")
    if document is not None:
        document = _document_key(document, where, "id")
    return ChangeScript(_table(item["document"], where, "document"),
                        _duration(after, where, "after") if after is not None else None,
                        str(at) if at is not None else None, document)


_ACTIVITY_KEYS = ("activity", "returns")


def _activity(item: Any, where: str) -> ActivityScript:
    if not isinstance(item, Mapping):
        raise ScenarioError(f"{where}: must be a table")
    unknown = sorted(set(item) - set(_ACTIVITY_KEYS))
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {', '.join(unknown)} (known: "
                            f"{', '.join(_ACTIVITY_KEYS)})")
    if "activity" not in item:
        raise ScenarioError(f"{where}: needs `activity` (its title, Name or type)")
    match = _str(item["activity"], where, "activity")
    if not match.strip():
        raise ScenarioError(f"{where}: activity must not be empty")
    return ActivityScript(match, _table(item.get("returns", {}), where, "returns"), where)


def _document_key(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or split_key(value) is None:
        raise ScenarioError(f"{where}: {key} {value!r} is not a document key like DEAL_7, "
                            "CONTACT_3, DYNAMIC_128_5, ELEMENT_12 or TASK_4")
    return value.upper()


def _documents(value: Any, where: str) -> dict[str, dict[str, Any]]:
    """`documents`: document key → its fields."""
    table = _table(value, where, "documents")
    return {_document_key(key, where, "documents key"): _table(fields, where, f"documents.{key}")
            for key, fields in table.items()}


def _list_of(value: Any, where: str, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: {key} must be an array of tables ([[scenario.{key}]])")
    return value


def _robot(item: Any, where: str) -> RobotScript:
    if not isinstance(item, Mapping) or "robot" not in item:
        raise ScenarioError(f"{where}: needs `robot` (its title, Name or type)")
    return RobotScript(str(item["robot"]), _table(item.get("returns", {}), where, "returns"),
                       _duration(item.get("after", "0s"), where, "after"),
                       bool(item.get("timeout", False)), str(item.get("log", "")))


def _duration(value: Any, where: str, key: str) -> timedelta:
    parts = dates.parse_interval(str(value).lstrip("+"))
    if parts is None or parts.get("y") or parts.get("m"):
        raise ScenarioError(f"{where}: {key} {value!r} is not a duration like 2h, 3d, 1h30i")
    return timedelta(weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
                     minutes=parts.get("i", 0), seconds=parts.get("s", 0))


def _user(value: Any, where: str, key: str) -> int:
    from compiler.simulator.directory import user_id_of

    user = user_id_of(value)
    if user is None:
        raise ScenarioError(f"{where}: {key} {value!r} is not a user (12 or 'user_12')")
    return user


def _str(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key} must be a string")
    return value


def _list(value: Any, where: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: {key} must be a list of strings")
    return value


def _table(value: Any, where: str, key: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{where}: {key} must be a table")
    return dict(value)
