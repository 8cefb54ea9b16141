"""`.bpl/state/<portal>.json`: what bpl last applied to each template of one portal, and what it
last registered as each robot and action of each application there.

For templates it is only a cache, for drift detection: "this template's content is no longer
what bpl applied, so someone edited it on the portal". Identity never depends on it (see
`identity`), so a lost or stale file costs only that warning, and a damaged one is ignored
rather than fatal.

For robots and actions it is the only record of their definition: the portal lists their CODEs
and nothing else. Without it, a declared robot the portal lists is updated to be sure it
matches (an update is harmless), and an undeclared one is treated as registered outside bpl.

What it records belongs to the portal (template IDs) and to an application on it (robots), not
to an environment of bpl.toml: two environments deploying to one portal read and write one
file, or each would take the other's robots for someone else's. Files of earlier versions were
named after the environment (`.bpl/state-<env>.json`); the environments of bpl.toml that deploy
to the same portal have theirs merged in on loading and removed once the merged file is saved.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger("compiler.deploy")

# 1: one file per environment, robots keyed "kind:CODE"; 2: per portal, robots per application.
STATE_VERSION = 2
STATE_FOLDER = "state"


@dataclass(frozen=True)
class Applied:
    key: str  # the identity marker key
    content_hash: str
    applied_at: str  # ISO-8601, local clock


@dataclass(frozen=True)
class Registered:
    """A robot or action as bpl last registered it."""

    kind: str  # robot | action
    code: str
    content_hash: str
    app_id: int  # the application it belongs to (another app's list does not have it)
    applied_at: str
    params: dict[str, Any] = field(default_factory=dict)  # to show what an update changes

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code}"


def state_path(state_dir: Path, portal: str) -> Path:
    """The state file of the portal `portal` (a file-name-safe key, see `target.portal_key`)."""
    return state_dir / STATE_FOLDER / f"{portal}.json"


class DeployState:
    def __init__(self, path: Path, templates: dict[int, Applied] | None = None,
                 robots: dict[tuple[int, str], Registered] | None = None) -> None:
        self.path = path
        self.templates: dict[int, Applied] = templates or {}
        # (application id, "kind:CODE") → what bpl registered
        self.robots: dict[tuple[int, str], Registered] = robots or {}
        self._merged: list[Path] = []  # files of earlier versions, removed by the next save

    @classmethod
    def for_portal(cls, state_dir: Path, portal: str,
                   earlier: Sequence[Path] = ()) -> DeployState:
        """The state of one portal, with the files `earlier` versions kept per environment of
        that portal merged in (the most recent record of each template and robot wins)."""
        state = cls.load(state_path(state_dir, portal))
        for path in earlier:
            if path.is_file():
                state.merge(cls.load(path))
                state._merged.append(path)
        return state

    @classmethod
    def load(cls, path: Path) -> DeployState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            version = data.get("version")
            if version not in (1, STATE_VERSION):
                return cls(path)  # a newer bpl's file: not ours to read
            templates = {int(k): Applied(**v) for k, v in data["templates"].items()}
            robots: dict[tuple[int, str], Registered] = {}
            if version == 1:  # robots keyed "kind:CODE", the application inside each
                listed = [Registered(**v) for v in data.get("robots", {}).values()]
            else:
                listed = [Registered(**v) for per_app in data.get("robots", {}).values()
                          for v in per_app.values()]
            robots = {(r.app_id, r.key): r for r in listed}
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            logger.warning("ignoring %s: it cannot be read; drift detection restarts from the "
                           "next apply", path)
            return cls(path)
        return cls(path, templates, robots)

    def merge(self, other: DeployState) -> None:
        """Take what `other` records more recently than this state (or only there)."""
        for template_id, applied in other.templates.items():
            mine = self.templates.get(template_id)
            if mine is None or applied.applied_at > mine.applied_at:
                self.templates[template_id] = applied
        for slot, registered in other.robots.items():
            known = self.robots.get(slot)
            if known is None or registered.applied_at > known.applied_at:
                self.robots[slot] = registered

    def get(self, template_id: int) -> Applied | None:
        return self.templates.get(template_id)

    def record(self, template_id: int, applied: Applied) -> None:
        self.templates[template_id] = applied

    def forget(self, template_id: int) -> None:
        self.templates.pop(template_id, None)

    def robot(self, key: str, app_id: int) -> Registered | None:
        """What bpl registered as `key` ("robot:CODE") for application `app_id`."""
        return self.robots.get((app_id, key))

    def registered(self, app_id: int) -> dict[str, Registered]:
        """Application `app_id`'s robots and actions, by "kind:CODE"."""
        return {key: r for (app, key), r in sorted(self.robots.items()) if app == app_id}

    def register(self, registered: Registered) -> None:
        self.robots[registered.app_id, registered.key] = registered

    def unregister(self, key: str, app_id: int) -> None:
        self.robots.pop((app_id, key), None)

    def save(self) -> None:
        robots: dict[str, dict[str, Any]] = {}
        for (app_id, key), registered in sorted(self.robots.items()):
            robots.setdefault(str(app_id), {})[key] = asdict(registered)
        data: dict[str, Any] = {
            "version": STATE_VERSION,
            "templates": {str(k): asdict(v) for k, v in sorted(self.templates.items())},
        }
        if robots:
            data["robots"] = robots
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(tmp, self.path)
        except OSError as error:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)
            # What was applied is applied; only the next plan's drift check loses precision.
            logger.warning("cannot write %s (%s); drift detection will be less precise",
                           self.path, error.strerror)
            return
        for earlier in self._merged:
            with contextlib.suppress(FileNotFoundError):
                earlier.unlink()
                logger.info("merged %s into %s (bpl keeps one state file per portal)", earlier,
                            self.path)
        self._merged = []
