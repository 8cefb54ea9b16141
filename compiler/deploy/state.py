"""`.bpl/state-<env>.json`: what bpl last applied to each template of one environment, and
what it last registered as each robot and action.

For templates it is only a cache, for drift detection: "this template's content is no longer
what bpl applied, so someone edited it on the portal". Identity never depends on it (see
`identity`), so a lost or stale file costs only that warning, and a damaged one is ignored
rather than fatal.

For robots and actions it is the only record of their definition: the portal lists their CODEs
and nothing else. Without it, a declared robot the portal lists is updated to be sure it
matches (an update is harmless), and an undeclared one is treated as registered outside bpl.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger("compiler.deploy")

STATE_VERSION = 1


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


class DeployState:
    def __init__(self, path: Path, templates: dict[int, Applied] | None = None,
                 robots: dict[str, Registered] | None = None) -> None:
        self.path = path
        self.templates: dict[int, Applied] = templates or {}
        self.robots: dict[str, Registered] = robots or {}

    @classmethod
    def for_environment(cls, state_dir: Path, environment: str) -> DeployState:
        return cls.load(state_dir / f"state-{environment}.json")

    @classmethod
    def load(cls, path: Path) -> DeployState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            current = data.get("version") == STATE_VERSION
            entries = data["templates"] if current else {}
            templates = {int(k): Applied(**v) for k, v in entries.items()}
            # Files written before robots were deployed have no such section.
            robots = {k: Registered(**v) for k, v in data.get("robots", {}).items()} \
                if current else {}
        except FileNotFoundError:
            templates, robots = {}, {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            logger.warning("ignoring %s: it cannot be read; drift detection restarts from the "
                           "next apply", path)
            templates, robots = {}, {}
        return cls(path, templates, robots)

    def get(self, template_id: int) -> Applied | None:
        return self.templates.get(template_id)

    def record(self, template_id: int, applied: Applied) -> None:
        self.templates[template_id] = applied

    def forget(self, template_id: int) -> None:
        self.templates.pop(template_id, None)

    def robot(self, key: str, app_id: int) -> Registered | None:
        """What bpl registered as `key` ("robot:CODE") for application `app_id`."""
        found = self.robots.get(key)
        return found if found is not None and found.app_id == app_id else None

    def register(self, registered: Registered) -> None:
        self.robots[registered.key] = registered

    def unregister(self, key: str) -> None:
        self.robots.pop(key, None)

    def save(self) -> None:
        data: dict[str, Any] = {
            "version": STATE_VERSION,
            "templates": {str(k): asdict(v) for k, v in sorted(self.templates.items())},
        }
        if self.robots:
            data["robots"] = {k: asdict(v) for k, v in sorted(self.robots.items())}
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
