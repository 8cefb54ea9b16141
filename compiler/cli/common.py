"""Options and helpers shared by commands: environment selection, source paths, error exits."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from compiler.project.config import ConfigError, EnvironmentConfig, Project, load_project
from compiler.semantics.environment import (
    APP_CLIENT_ID,
    Environment,
    EnvironmentError_,
    EnvValue,
    load_values_file,
    parse_define,
)

if TYPE_CHECKING:
    from compiler.deploy.target import Target

F = TypeVar("F", bound=Callable[..., Any])


def environment_options(function: F) -> F:
    """--env, --define and --values, in that order of precedence (later wins)."""

    @click.option("--env", "env_name", metavar="NAME",
                  help="Environment of bpl.toml whose values env.NAME takes.")
    @click.option("--define", "-D", "defines", multiple=True, metavar="NAME=VALUE",
                  help="Give env.NAME a value (repeatable).")
    @click.option("--values", "values_file", type=click.Path(path_type=Path),
                  help="A TOML file of NAME = VALUE pairs for env.NAME.")
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def fail(message: str) -> None:
    """Stop with a user-facing error (exit 1), never a traceback."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)


def project() -> Project:
    try:
        return load_project()
    except ConfigError as error:
        fail(str(error))
        raise  # unreachable; keeps type checkers content


@contextmanager
def quiet_portal() -> Iterator[None]:
    """Refusals reach the user as the command's sentence; the client's own warning lines
    about them would only repeat it (Python prints unhandled warnings on stderr). Scoped to
    the command, so a program running it in-process keeps its logging as it was."""
    import logging  # only commands that reach a portal load it

    handler = logging.NullHandler()
    loggers = [logging.getLogger(name) for name in ("compiler.portal", "bpl.sandbox")]
    for log in loggers:
        log.addHandler(handler)
    try:
        yield
    finally:
        for log in loggers:
            log.removeHandler(handler)


@contextmanager
def connection(env_name: str | None) -> Iterator[tuple[Project, str, EnvironmentConfig, Target]]:
    """The environment's portal, connected (closed again on the way out)."""
    # The HTTP stack loads only for commands that connect (`bpl check` does not pay for it).
    from compiler.cli.targets import open_target
    from compiler.portal import PortalError

    proj = project()
    try:
        name, config = proj.environment(env_name)
        target = open_target(proj, name, config)
    except (ConfigError, PortalError) as error:
        fail(str(error))
        raise
    try:
        yield proj, name, config, target
    finally:
        target.close()


def resolve_environment(env_name: str | None, defines: tuple[str, ...],
                        values_file: Path | None, *, required: bool,
                        app_client_id: str | None = None) -> Environment:
    """The environment a command compiles for.

    `bpl check` without --env/--define/--values checks env symbols symbolically; compiling
    needs every value, taken from the chosen (or default) environment of bpl.toml.
    `app_client_id`: the application's client id when the caller is connected already (else
    bpl.toml's client_id, or the sandbox's default application).
    """
    explicit = bool(env_name or defines or values_file)
    proj = project()
    values: dict[str, EnvValue] = {}
    name = "(none)"
    if required or explicit:
        try:
            name, config = proj.environment(env_name)
        except ConfigError as error:
            fail(str(error))
            raise
        values = _values(proj, config, app_client_id)
    try:
        if values_file is not None:
            values.update(load_values_file(values_file))
        for define in defines:
            key, value = parse_define(define)
            values[key] = value
    except EnvironmentError_ as error:
        fail(str(error))
    return Environment(name, values, symbolic=not (required or explicit))


def _values(proj: Project, config: EnvironmentConfig, app_client_id: str | None, *,
            stand_in: bool = False) -> dict[str, EnvValue]:
    """An environment's values, with the application's client id. `stand_in`: a sandbox
    environment's client id is not looked up (that opens the sandbox's state); a stand-in
    takes its place, for commands that write no template."""
    values: dict[str, EnvValue] = dict(config.values)
    client_id = app_client_id or config.client_id
    if client_id:
        values.setdefault(APP_CLIENT_ID, client_id)
    elif config.is_sandbox and APP_CLIENT_ID not in values:
        values[APP_CLIENT_ID] = SANDBOX_STAND_IN if stand_in else _sandbox_client_id(proj)
    return values


# What `bpl check` takes for the sandbox application's client id: it only checks, so the
# robot types it derives from it are never written anywhere.
SANDBOX_STAND_IN = "sandbox.default.application"


def check_environments(env_name: str | None, defines: tuple[str, ...],
                       values_file: Path | None) -> list[Environment]:
    """The environments `bpl check` resolves env symbols against: the one chosen with --env
    (or the default one, with --define/--values), else every environment of bpl.toml, so a
    symbol missing or misspelt in any of them is found before `compile` or `plan` fails.
    Without environments in bpl.toml, env symbols are checked only for their use."""
    if env_name or defines or values_file:
        return [resolve_environment(env_name, defines, values_file, required=False)]
    proj = project()
    return [Environment(name, _values(proj, config, None, stand_in=True), symbolic=False)
            for name, config in proj.config.environments.items()] or [Environment()]


def _sandbox_client_id(proj: Project) -> str:
    from compiler.cli.sandbox_files import sandbox_client_id

    try:
        return sandbox_client_id(proj)
    except ConfigError as error:
        fail(str(error))
        raise


def source_paths(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        missing = [p for p in paths if not p.exists()]
        if missing:
            fail(f"no such file or folder: {', '.join(str(p) for p in missing)}")
        return list(paths)
    return project().sources
