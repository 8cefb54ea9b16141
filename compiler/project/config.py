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

import dataclasses
import re
import tomllib
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from compiler.record import record
from compiler.semantics.environment import EnvValue

CONFIG_NAME = "bpl.toml"
SANDBOX = "sandbox"
SANDBOX_STATE = "sandbox.sqlite3"  # the project's sandbox portal, in its state_dir
_PROJECT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class ConfigError(ValueError):
    """bpl.toml cannot be used; the message says where and what to change."""


@record(slots=False)
class EnvironmentConfig:
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
    app_id: int | None = None
    # Sandbox only: misbehaviour to inject (compiler.sandbox Faults.parse syntax), for trying a
    # deploy against a flaky portal, e.g. "error=0.2,drop=0.1,seed=1".
    faults: str | None = None
    values: dict[str, EnvValue] = field(default_factory=dict)

    @property
    def is_sandbox(self) -> bool:
        return self.portal == SANDBOX


@record(slots=False)
class ProjectSection:
    sources: list[str] = field(default_factory=lambda: ["."])
    default_environment: str = SANDBOX
    state_dir: str = ".bpl"
    # Prefixes the deploy markers ([bpl:<name>/<workflow>]) so that two projects deploying
    # through one application never take (or prune) each other's templates.
    name: str | None = None


@record(slots=False)
class ProjectConfig:
    project: ProjectSection = field(default_factory=ProjectSection)
    environments: dict[str, EnvironmentConfig] = field(default_factory=dict)


# ── reading bpl.toml ───────────────────────────────────────────────────────────────────────
# Checked by hand rather than by a validation library: every command reads bpl.toml, and
# loading one costs more than a `bpl check` of a small project.

_Problems = list[tuple[str, str]]  # (where, what)


def _text(value: object) -> str | None:
    return None if isinstance(value, str) else "Input should be a valid string"


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _choice(*choices: str) -> Any:
    def check(value: object) -> str | None:
        if value in choices:
            return None
        listed = ", ".join(f"'{c}'" for c in choices[:-1]) + f" or '{choices[-1]}'"
        return f"Input should be {listed}"
    return check


def _number(value: object) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    return None if ok else "Input should be a valid number"


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "Input should be a valid boolean"


def _app_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return "Input should be a valid integer"
    return None if value >= 1 else "Input should be greater than or equal to 1"


def _texts(value: object) -> str | None:
    ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    return None if ok else "Input should be a list of strings"


def _name(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return "Input should be a valid string"
    if not _PROJECT_NAME.fullmatch(value):
        return ("Value error, a project name is letters, digits, '_', '.' and '-', starting "
                "with a letter or '_'")
    return None


_ENVIRONMENT_FIELDS: dict[str, Any] = {
    "portal": _text, "auth": _choice("oauth", "webhook"), "client_id": _optional_text,
    "client_secret_env": _optional_text, "access_token_env": _optional_text,
    "refresh_token_env": _optional_text, "webhook_env": _optional_text,
    "token_store": _optional_text, "oauth_url": _optional_text,
    "limits": _choice("standard", "enterprise", "off"), "timeout": _number, "protect": _flag,
    "app_id": _app_id, "faults": _optional_text,
}
_PROJECT_FIELDS: dict[str, Any] = {
    "sources": _texts, "default_environment": _text, "state_dir": _text, "name": _name,
}


def _table(data: object, where: str, problems: _Problems) -> dict[str, Any] | None:
    if isinstance(data, dict):
        return data
    problems.append((where, "Input should be a valid dictionary"))
    return None


def _fields(data: dict[str, Any], checks: dict[str, Any], where: str,
            problems: _Problems, *, more: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keys of `data` that pass their check; the others are problems."""
    good = {}
    for key, value in data.items():
        at = f"{where}.{key}" if where else key
        if key in more:
            continue
        check = checks.get(key)
        if check is None:
            problems.append((at, "unknown key (a typo?)"))
            continue
        problem = check(value)
        if problem is None:
            good[key] = value
        else:
            problems.append((at, problem))
    return good


def _environment(data: object, where: str, problems: _Problems) -> EnvironmentConfig:
    table = _table(data, where, problems)
    if table is None:
        return EnvironmentConfig()
    fields = _fields(table, _ENVIRONMENT_FIELDS, where, problems, more=("values",))
    values: dict[str, EnvValue] = {}
    raw = _table(table.get("values", {}), f"{where}.values", problems)
    for key, value in (raw or {}).items():
        if isinstance(value, str | int | float | bool):
            values[key] = value
        else:
            problems.append((f"{where}.values.{key}",
                             "Input should be a string, a number or a boolean"))
    if "timeout" in fields:
        fields["timeout"] = float(fields["timeout"])
    config = EnvironmentConfig(**fields, values=values)
    if config.faults is not None and not config.is_sandbox:
        problems.append((where, "Value error, faults can only be injected into the sandbox "
                                "portal"))
    return config


def parse_config(data: dict[str, Any]) -> tuple[ProjectConfig, _Problems]:
    """bpl.toml's tables as the configuration, and what is wrong in them."""
    problems: _Problems = []
    for key in data:
        if key not in ("project", "environments"):
            problems.append((key, "unknown key (a typo?)"))
    project = ProjectSection()
    section = _table(data.get("project", {}), "project", problems)
    if section is not None:
        project = dataclasses.replace(
            project, **_fields(section, _PROJECT_FIELDS, "project", problems))
    environments: dict[str, EnvironmentConfig] = {}
    tables = _table(data.get("environments", {}), "environments", problems)
    for name, table in (tables or {}).items():
        environments[name] = _environment(table, f"environments.{name}", problems)
    return ProjectConfig(project, environments), problems


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
    config, problems = parse_config(data)
    if problems:
        raise ConfigError("\n".join([f"{path}: invalid configuration",
                                     *(f"  {where}: {what}" for where, what in problems[:10])]))
    return Project(path.parent, config, path)
