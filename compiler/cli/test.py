"""`bpl test`: runs workflow scenarios (*.test.toml) in the simulator, with coverage."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from compiler.cli.common import environment_options, project, resolve_environment
from compiler.semantics.environment import EnvironmentError_, EnvValue, parse_define
from compiler.simulator.report import print_coverage, print_results, write_coverage_json
from compiler.simulator.scenario import SUFFIX, find
from compiler.simulator.suite import Suite


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-k", "name_filter", metavar="TEXT",
              help="Run only scenarios whose file::name contains TEXT.")
@click.option("--coverage-json", "coverage_file", type=click.Path(path_type=Path),
              help="Also write the coverage as JSON to this file.")
@click.option("--no-coverage", is_flag=True, help="Do not print the coverage table.")
@click.option("--trace", "show_trace", is_flag=True,
              help="Print the activities run by every scenario, not only failing ones.")
@environment_options
def test_command(paths: tuple[Path, ...], name_filter: str | None, coverage_file: Path | None,
                 no_coverage: bool, show_trace: bool, env_name: str | None,
                 defines: tuple[str, ...], values_file: Path | None) -> None:
    """Run workflow scenarios (*.test.toml) in the simulator; exit 1 when any fails."""
    console = Console(highlight=False, soft_wrap=True)
    missing = [p for p in paths if not p.exists()]
    if missing:
        click.echo(f"error: no such file or folder: {', '.join(map(str, missing))}", err=True)
        sys.exit(1)
    sources = project().sources
    files = find(list(paths) if paths else sources)
    if not files:
        click.echo(f"error: no scenario files (*{SUFFIX}) found", err=True)
        sys.exit(1)
    env = resolve_environment(env_name, defines, values_file, required=True)
    overrides: dict[str, EnvValue] = {}
    try:
        for define in defines:
            key, value = parse_define(define)
            overrides[key] = value
    except EnvironmentError_ as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    suite = Suite(env, overrides, project_sources=sources, name_filter=name_filter)
    result = suite.run_files(files)
    print_results(result, console, show_trace=show_trace)
    if not no_coverage and result.coverage:
        print_coverage(result, console)
    if coverage_file is not None:
        write_coverage_json(result, coverage_file)
    sys.exit(0 if result.passed and result.outcomes else 1)
