"""The project file, bpl.toml: where the sources are and which environments (portals) exist.

Secrets are never read from this file: an environment names the environment variables (or the
token store) that hold them.

    [project]
    sources = ["samples"]
    default_environment = "sandbox"
    name = "sales"                          # optional: namespaces the deploy markers

    [environments.sandbox]
    portal = "sandbox"                      # the embedded sandbox portal

    [environments.prod]
    portal = "https://example.bitrix24.com"
    auth = "oauth"                          # oauth | webhook
    client_id = "local.65f0c0ffee.12345678" # the local application's client id (not a secret)
    client_secret_env = "BPL_PROD_CLIENT_SECRET"
    refresh_token_env = "BPL_PROD_REFRESH_TOKEN"
    token_store = "~/.config/bpl/tokens.json"
    protect = true                          # bpl apply needs an explicit --env prod

    [environments.prod.values]              # env.NAME in .bpl sources
    sales_director = "user_12"
    contracts_list = 164
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from compiler.semantics.environment import EnvValue

CONFIG_NAME = "bpl.toml"
SANDBOX = "sandbox"
SANDBOX_STATE = "sandbox.sqlite3"  # the project's sandbox portal, in its state_dir
_PROJECT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class ConfigError(ValueError):
    """bpl.toml cannot be used; the message says where and what to change."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvironmentConfig(_Model):
    portal: str = SANDBOX
    auth: Literal["oauth", "webhook"] = "oauth"
    client_id: str | None = None
    client_secret_env: str | None = None
    access_token_env: str | None = None
    refresh_token_env: str | None = None
    webhook_env: str | None = None
    token_store: str | None = None
    oauth_url: str | None = None
    limits: Literal["standard", "enterprise", "off"] = "standard"
    timeout: float = 60.0
    protect: bool = False  # refuse apply without an explicit --env (e.g. prod)
    # The numeric id of the application (SYSTEM_CODE rest_app_<id>). OAuth finds it through
    # app.info; a webhook belongs to no application, so planning through one needs it here.
    app_id: int | None = Field(default=None, ge=1)
    # Sandbox only: misbehaviour to inject (compiler.sandbox Faults.parse syntax), for trying a
    # deploy against a flaky portal, e.g. "error=0.2,drop=0.1,seed=1".
    faults: str | None = None
    values: dict[str, EnvValue] = Field(default_factory=dict)

    @property
    def is_sandbox(self) -> bool:
        return self.portal == SANDBOX

    @model_validator(mode="after")
    def _sandbox_only(self) -> EnvironmentConfig:
        if self.faults is not None and not self.is_sandbox:
            raise ValueError("faults can only be injected into the sandbox portal")
        return self


class ProjectSection(_Model):
    sources: list[str] = Field(default_factory=lambda: ["."])
    default_environment: str = SANDBOX
    state_dir: str = ".bpl"
    # Prefixes the deploy markers ([bpl:<name>/<workflow>]) so that two projects deploying
    # through one application never take (or prune) each other's templates.
    name: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not _PROJECT_NAME.fullmatch(value):
            raise ValueError("a project name is letters, digits, '_', '.' and '-', "
                             "starting with a letter or '_'")
        return value


class ProjectConfig(_Model):
    project: ProjectSection = Field(default_factory=ProjectSection)
    environments: dict[str, EnvironmentConfig] = Field(default_factory=dict)


class Project:
    """A loaded bpl.toml (or the defaults when there is none) and the folder it lives in."""

    def __init__(self, root: Path, config: ProjectConfig, path: Path | None):
        self.root = root
        self.config = config
        self.path = path

    @property
    def sources(self) -> list[Path]:
        return [self.root / s for s in self.config.project.sources]

    @property
    def state_dir(self) -> Path:
        return self.root / self.config.project.state_dir

    @property
    def sandbox_state(self) -> Path:
        """The state file of the project's sandbox portal (one per project)."""
        return self.state_dir / SANDBOX_STATE

    def environment(self, name: str | None) -> tuple[str, EnvironmentConfig]:
        chosen = name or self.config.project.default_environment
        if chosen in self.config.environments:
            return chosen, self.config.environments[chosen]
        if chosen == SANDBOX:
            return chosen, EnvironmentConfig()
        known = ", ".join(sorted(self.config.environments)) or "none"
        where = self.path or CONFIG_NAME
        raise ConfigError(f"{where}: no environment '{chosen}' (known: {known})")


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_project(start: Path | None = None) -> Project:
    start = (start or Path.cwd()).resolve()
    path = find_config(start)
    if path is None:
        return Project(start, ProjectConfig(), None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror}") from None
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(path, error)) from None
    return Project(path.parent, config, path)


def _describe(path: Path, error: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for item in error.errors()[:10]:
        where = ".".join(str(p) for p in item["loc"])
        message: Any = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key (a typo?)"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)
