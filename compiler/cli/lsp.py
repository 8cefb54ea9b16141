"""`bpl lsp`: the language server, over stdin and stdout, for editors (docs/editors.md)."""

from __future__ import annotations

import importlib.util
import sys

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the default; editors "
                                            "that pass it are welcome to).")
def lsp_command(stdio: bool) -> None:
    """Start the language server an editor talks to (diagnostics, hover, completion, …)."""
    del stdio  # stdio is the only transport
    if importlib.util.find_spec("pygls") is None:
        click.echo("error: bpl lsp needs the language server libraries: "
                   "pip install 'bpl[lsp]'", err=True)
        sys.exit(1)
    from compiler.lsp.server import main

    main()
