"""Environment values: what `env.NAME` means on the chosen portal.

Values come from `--define NAME=VALUE`, a values file, or an environment of bpl.toml. Without
any environment the compiler can still check a project: env symbols are then symbolic and only
their use is checked (`bpl check`); emitting a template needs every value (`bpl compile`).
"""

from __future__ import annotations

import tomllib
from dataclasses import field
from pathlib import Path

from compiler.record import record
from compiler.semantics.suggestions import did_you_mean

EnvValue = str | int | float | bool

# Values the toolchain itself reads from the environment, not from `env.` symbols in sources.
APP_CLIENT_ID = "app_client_id"


class EnvironmentError_(ValueError):
    """A values file or a --define that cannot be used; the message is for the user."""


@record(slots=False)
class Environment:
    name: str = "(none)"
    values: dict[str, EnvValue] = field(default_factory=dict)
    symbolic: bool = True  # True: unknown values are not errors (check without an environment)

    def get(self, key: str) -> EnvValue | None:
        return self.values.get(key)


def unresolved(env: Environment, name: str, example: str = "VALUE") -> tuple[str, str]:
    """The one wording of E600 (message, help) for env.NAME without a value in `env`, with
    the symbol it may have meant: every stage that reads env symbols reports alike, so a
    symbol read in several places is one report per environment."""
    message = f"env.{name} has no value in environment '{env.name}'"
    help = f"give it with --define {name}={example}, in a values file, or under " \
           f"[environments.{env.name}.values] in bpl.toml"
    close = did_you_mean(name, env.values)
    return message, f"{close} {help}" if close else help


def parse_define(text: str) -> tuple[str, EnvValue]:
    """`NAME=VALUE`; integers stay integers so ids inline as numbers."""
    if "=" not in text:
        raise EnvironmentError_(f"--define expects NAME=VALUE, got {text!r}")
    name, _, raw = text.partition("=")
    name = name.strip()
    if name.startswith("env."):
        name = name[4:]
    if not name.isidentifier():
        raise EnvironmentError_(f"--define: {name!r} is not a valid symbol name")
    raw = raw.strip()
    value: EnvValue = int(raw) if raw.lstrip("-").isdigit() else raw
    return name, value


def load_values_file(path: Path) -> dict[str, EnvValue]:
    """A TOML file of `name = value` pairs (tables are flattened with dots)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EnvironmentError_(f"values file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise EnvironmentError_(f"cannot read values file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise EnvironmentError_(f"{path}: not valid TOML: {error}") from None
    return flatten_values(data, str(path))


def flatten_values(data: dict[str, object], where: str) -> dict[str, EnvValue]:
    values: dict[str, EnvValue] = {}
    for key, value in data.items():
        if isinstance(value, bool | int | float | str):
            values[key] = value
        else:
            raise EnvironmentError_(
                f"{where}: value of {key!r} must be a string, a number or a boolean")
    return values
