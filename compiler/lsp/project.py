"""The project of an open document: the bpl.toml found upward from it, and the environments its
env symbols are resolved against (each of bpl.toml's, as `bpl check` does; none when there are
none, and then env symbols are checked for their use only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from compiler.project.config import (
    ConfigError,
    Project,
    ProjectConfig,
    find_config,
    load_project,
)
from compiler.semantics.environment import APP_CLIENT_ID, Environment, EnvValue

# What a check takes for the sandbox application's client id: nothing is written with it, so the
# sandbox's state is not opened for it (the robot types it gives are never deployed).
SANDBOX_STAND_IN = "sandbox.default.application"


@dataclass(frozen=True)
class DocumentProject:
    """A project as an open document sees it. `problem` says why bpl.toml could not be used
    (the document is then checked as if there were none)."""

    project: Project
    environments: tuple[Environment, ...]
    problem: str | None = None
    values: dict[str, dict[str, EnvValue]] = field(default_factory=dict)  # env → its values

    @property
    def config_path(self) -> Path | None:
        return self.project.path


def project_of(document: Path) -> DocumentProject:
    """The project of `document`: its bpl.toml (found upward from its folder) or the defaults."""
    start = document.parent
    try:
        project = load_project(start)
    except ConfigError as error:
        return DocumentProject(load_project_defaults(start), (Environment(),), str(error))
    values = {name: dict(config.values) for name, config in project.config.environments.items()}
    environments = tuple(_environment(name, project) for name in values) or (Environment(),)
    return DocumentProject(project, environments, None, values)


def config_stamp(document: Path) -> tuple[Path | None, float]:
    """What says whether a cached project is still current: its bpl.toml and when it changed."""
    path = find_config(document.parent.resolve())
    try:
        return path, path.stat().st_mtime if path is not None else 0.0
    except OSError:
        return path, 0.0


def load_project_defaults(start: Path) -> Project:
    return Project(start.resolve(), ProjectConfig(), None)


def _environment(name: str, project: Project) -> Environment:
    config = project.config.environments[name]
    values: dict[str, EnvValue] = dict(config.values)
    if config.client_id:
        values.setdefault(APP_CLIENT_ID, config.client_id)
    elif config.is_sandbox:
        values.setdefault(APP_CLIENT_ID, SANDBOX_STAND_IN)
    return Environment(name, values, symbolic=False)
