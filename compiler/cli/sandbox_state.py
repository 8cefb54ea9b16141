"""What the `bpl sandbox` commands share: which state file is the project's portal, opening
it, and turning the sandbox's refusals into one sentence.

One portal per project: without --data every command uses `<project>/.bpl/sandbox.sqlite3`
(the project found like bpl.toml is, from the current folder upwards) — the same file the
built-in `sandbox` environment of `bpl apply` and `bpl workflows` uses.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from compiler.cli.common import project
from compiler.ops.errors import OpsError
from compiler.project.config import Project
from compiler.sandbox import Sandbox, SandboxConfig

data_option = click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file of the portal's state (default: the project's .bpl/sandbox.sqlite3).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def project_data(proj: Project) -> Path:
    return proj.sandbox_state


def state_file(data: Path | None) -> Path:
    """--data as given, else the project's portal."""
    return data if data is not None else project_data(project())


def shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@contextmanager
def opened(data: Path, **config: Any) -> Iterator[Sandbox]:
    """The portal on `data`, closed when the command is done with it."""
    try:
        sb = Sandbox(SandboxConfig(data=data, **config))
    except ValueError as error:  # a file that is not the sandbox's database
        raise click.ClickException(str(error)) from None
    try:
        yield sb
    finally:
        sb.close()


def sandbox_errors(command: Callable[..., None]) -> Callable[..., None]:
    """The sandbox's ValueErrors (bad ids, unknown fields) and bad document spellings become
    one sentence and exit status 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except (ValueError, OpsError) as error:
            raise click.ClickException(str(error)) from None

    return run


def field_values(pairs: Sequence[str], file: Path | None) -> dict[str, Any]:
    """--fields FILE (a JSON object or a TOML table), then each --field KEY=VALUE over it."""
    values: dict[str, Any] = dict(_fields_file(file)) if file is not None else {}
    for item in pairs:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"takes KEY=VALUE, not '{item}'", param_hint="--field")
        values[key.strip()] = value
    return values


def _fields_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise click.BadParameter(f"cannot read {path}: {error.strerror}",
                                 param_hint="--fields") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise click.BadParameter(f"{path} is not valid {kind}: {error}",
                                 param_hint="--fields") from None
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path} must hold an object of FIELD: value",
                                 param_hint="--fields")
    return data
