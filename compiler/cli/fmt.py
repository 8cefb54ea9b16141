"""`bpl fmt`: rewrite .bpl files in the canonical layout, or (`--check`) say which are not."""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from compiler.cli.common import source_paths
from compiler.diagnostics.render import render_human
from compiler.format import FormatError, SyntaxProblem, format_text
from compiler.semantics.program import MAX_FILE_BYTES, MAX_FILE_TEXT, collect_files
from compiler.source import display_path


@dataclass
class Outcome:
    changed: int = 0
    unchanged: int = 0
    failed: int = 0


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True,
              help="Change nothing; print a diff and exit 1 when a file is not formatted.")
def fmt(paths: tuple[Path, ...], check: bool) -> None:
    """Format .bpl files (or folders; `-` reads standard input and writes standard output).

    Without paths, the project's sources (bpl.toml) are formatted. A file with syntax errors
    is reported and left as it is.
    """
    if paths == (Path("-"),):
        sys.exit(_stdin(check))
    outcome = Outcome()
    for path in collect_files(source_paths(paths)):
        _one(path, check, outcome)
    total = outcome.changed + outcome.unchanged + outcome.failed
    verb = "would be reformatted" if check else "reformatted"
    summary = f"{outcome.changed} of {total} file(s) {verb}"
    if outcome.failed:
        summary += f", {outcome.failed} could not be formatted"
    click.echo(summary, err=True)
    sys.exit(1 if outcome.failed or (check and outcome.changed) else 0)


def _one(path: Path, check: bool, outcome: Outcome) -> None:
    name = display_path(path)
    original = _read(path, name)
    if original is None:
        outcome.failed += 1
        return
    formatted = _format(original, name)
    if formatted is None:
        outcome.failed += 1
        return
    if formatted == original:
        outcome.unchanged += 1
        return
    outcome.changed += 1
    if check:
        click.echo(_diff(original, formatted, name), nl=False)
        return
    try:
        _write(path, formatted)
    except OSError as error:
        click.echo(f"error: cannot write {name}: {error.strerror}", err=True)
        outcome.changed -= 1
        outcome.failed += 1
        return
    click.echo(f"reformatted {name}", err=True)


def _read(path: Path, name: str) -> str | None:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            click.echo(f"error: {name} is larger than {MAX_FILE_TEXT}; not formatted", err=True)
            return None
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        click.echo(f"error: {name} is not UTF-8 text; not formatted", err=True)
    except OSError as error:
        click.echo(f"error: cannot read {name}: {error.strerror}", err=True)
    return None


def _format(text: str, name: str) -> str | None:
    try:
        return format_text(text, name)
    except SyntaxProblem as problem:
        rendered = render_human(problem.diagnostics.sorted(), {name: problem.source},
                                color=sys.stderr.isatty())
        click.echo(rendered, err=True)
        click.echo(f"{name}: not formatted (syntax errors)", err=True)
    except FormatError as error:
        click.echo(f"error: {error}", err=True)
    return None


def _diff(original: str, formatted: str, name: str) -> str:
    lines = difflib.unified_diff(original.splitlines(keepends=True),
                                 formatted.splitlines(keepends=True),
                                 fromfile=f"{name} (original)", tofile=f"{name} (formatted)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so an interrupted run never leaves half a file."""
    mode = path.stat().st_mode
    fd, temp = tempfile.mkstemp(prefix=".bpl-fmt-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temp, mode & 0o7777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _stdin(check: bool) -> int:
    text = sys.stdin.read(MAX_FILE_BYTES + 1)
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        click.echo(f"error: the standard input is larger than {MAX_FILE_TEXT}; not formatted",
                   err=True)
        return 1
    formatted = _format(text, "<stdin>")
    if formatted is None:
        return 1
    if check:
        if formatted != text:
            click.echo(_diff(text, formatted, "<stdin>"), nl=False)
            return 1
        return 0
    click.echo(formatted, nl=False)
    return 0
