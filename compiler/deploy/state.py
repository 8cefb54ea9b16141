"""`.bpl/state-<env>.json`: what bpl last applied to each template of one environment.

Only a cache, for drift detection: "this template's content is no longer what bpl applied, so
someone edited it on the portal". Identity never depends on it (see `identity`), so a lost or
stale file costs only that warning, and a damaged one is ignored rather than fatal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger("compiler.deploy")

STATE_VERSION = 1


@dataclass(frozen=True)
class Applied:
    key: str  # the identity marker key
    content_hash: str
    applied_at: str  # ISO-8601, local clock


class DeployState:
    def __init__(self, path: Path, templates: dict[int, Applied] | None = None) -> None:
        self.path = path
        self.templates: dict[int, Applied] = templates or {}

    @classmethod
    def for_environment(cls, state_dir: Path, environment: str) -> DeployState:
        return cls.load(state_dir / f"state-{environment}.json")

    @classmethod
    def load(cls, path: Path) -> DeployState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["templates"] if data.get("version") == STATE_VERSION else {}
            templates = {int(k): Applied(**v) for k, v in entries.items()}
        except FileNotFoundError:
            templates = {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            logger.warning("ignoring %s: it cannot be read; drift detection restarts from the "
                           "next apply", path)
            templates = {}
        return cls(path, templates)

    def get(self, template_id: int) -> Applied | None:
        return self.templates.get(template_id)

    def record(self, template_id: int, applied: Applied) -> None:
        self.templates[template_id] = applied

    def forget(self, template_id: int) -> None:
        self.templates.pop(template_id, None)

    def save(self) -> None:
        data = {
            "version": STATE_VERSION,
            "templates": {str(k): asdict(v) for k, v in sorted(self.templates.items())},
        }
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
