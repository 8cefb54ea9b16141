"""Entry point of the `bpl` command. Each command group lives in its own module of this package."""

from __future__ import annotations

import importlib

import click

from compiler import __version__

# module name → attribute holding a click command or group; loaded lazily so that
# `bpl check` does not pay for importing the HTTP stack.
COMMANDS: dict[str, tuple[str, str]] = {
    "catalog": ("compiler.cli.catalog", "catalog_command"),
    "check": ("compiler.cli.build", "check"),
    "compile": ("compiler.cli.build", "compile_command"),
    "explain": ("compiler.cli.build", "explain"),
    "docs": ("compiler.cli.docs", "docs_command"),
    "fmt": ("compiler.cli.fmt", "fmt"),
    "graph": ("compiler.cli.graph", "graph_command"),
    "import": ("compiler.cli.importer", "import_command"),
    "lsp": ("compiler.cli.lsp", "lsp_command"),
    "sandbox": ("compiler.cli.sandbox", "sandbox"),
    "test": ("compiler.cli.test", "test_command"),
    "plan": ("compiler.cli.deploy", "plan"),
    "apply": ("compiler.cli.deploy", "apply"),
    "templates": ("compiler.cli.ops", "templates_group"),
    "workflows": ("compiler.cli.ops", "workflows_group"),
    "tasks": ("compiler.cli.ops", "tasks_group"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module = importlib.import_module(target[0])
        command: click.Command = getattr(module, target[1])
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bpl")
def main() -> None:
    """bpl: Bitrix24 workflows as code."""


if __name__ == "__main__":
    main()
