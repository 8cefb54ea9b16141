"""`bpl check`, `bpl compile`, `bpl explain`: the offline commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from compiler import __version__
from compiler.buildcache import BuildCache, CachedRun, RunKey
from compiler.cli.common import (
    check_environments,
    environment_options,
    project,
    resolve_environment,
    source_paths,
)
from compiler.diagnostics import RULES, Diagnostic, Diagnostics, Severity
from compiler.diagnostics.render import render_github, render_human, render_json, render_sarif
from compiler.source import collect_files, display_path

if TYPE_CHECKING:
    from compiler.pipeline import BuildResult
    from compiler.semantics.environment import Environment

# Bitrix's import rules depend on who imports; offline, bpl cannot know who that will be.
IMPORTER_NOTE = ("note: Bitrix's import rules are checked for a portal administrator importing "
                 "the templates (bpl check does not connect to a portal); bpl plan checks them "
                 "for the environment's own user")


def _report(result: CachedRun, fmt: str) -> None:
    diagnostics = result.diagnostics.sorted()
    if fmt == "json":
        text = render_json(diagnostics)
    elif fmt == "github":
        text = render_github(diagnostics)
    elif fmt == "sarif":
        text = render_sarif(diagnostics, version=__version__)
    else:
        text = render_human(diagnostics, result.sources, color=sys.stderr.isatty())
    if text:
        click.echo(text, err=fmt == "human")
    if fmt == "human":
        errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        notes = sum(1 for d in diagnostics if d.severity is Severity.NOTE)
        warnings = len(diagnostics) - errors - notes
        dropped = result.diagnostics.dropped
        files = len(result.sources)
        summary = f"{files} file(s), {result.workflows} workflow(s): " \
                  f"{errors + dropped} error(s), {warnings} warning(s)"
        if notes:
            summary += f", {notes} note(s)"
        if dropped:
            summary += f" ({dropped} errors not shown)"
        click.echo(summary, err=True)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["human", "json", "github", "sarif"]),
              default="human", show_default=True, help="How to print diagnostics.")
@environment_options
@click.option("-v", "--verbose", is_flag=True, help="Say what the check assumes.")
@click.option("--no-cache", is_flag=True,
              help="Check everything afresh, neither reading nor writing .bpl/cache/.")
def check(paths: tuple[Path, ...], fmt: str, env_name: str | None, defines: tuple[str, ...],
          values_file: Path | None, verbose: bool, no_cache: bool) -> None:
    """Check .bpl files (or folders) for errors; exit 1 when there are any.

    env symbols are resolved in every environment of bpl.toml (or the one of --env). A
    re-check of files that did not change replays the last result (docs/cache.md)."""
    environments = check_environments(env_name, defines, values_file)
    if verbose:
        click.echo(IMPORTER_NOTE, err=True)
    sources = source_paths(paths)
    cache, key = _cache_key("check", sources, environments, use=not no_cache)
    run = cache.read(key) if cache and key else None
    if run is None:
        from compiler.pipeline import build  # a replayed check loads no compiler

        memo = cache.memo("check", keep_bpt=False) if cache and key else None
        results = [build(sources, env, emit=True, memo=memo) for env in environments]
        result = results[0]
        for other in results[1:]:
            result.diagnostics.extend(other.diagnostics)  # one report of what all share
        result.diagnostics = once_per_symbol(result.diagnostics)
        run = _run(result)
        if cache and key and memo:
            cache.write(key, run)
            cache.save_memo("check", memo)
    _report(run, fmt)
    sys.exit(1 if run.diagnostics.has_errors else 0)


def _cache_key(command: str, sources: list[Path], environments: Sequence[Environment], *,
               use: bool) -> tuple[BuildCache | None, RunKey | None]:
    """The project's result cache and the entry of this run (none with --no-cache)."""
    if not use:
        return None, None
    cache = BuildCache.open(project().state_dir / "cache")
    if cache is None:
        return None, None
    return cache, cache.key(command, collect_files(sources), environments)


def _outputs(result: BuildResult) -> dict[str, bytes]:
    """The .bpt of every workflow produced, lowered now or replayed, in the program's order."""
    lowered = {t.workflow: t for t in result.templates}
    outputs = {}
    for workflow in result.program.workflows:
        if workflow.name in lowered:
            outputs[workflow.name] = lowered[workflow.name].bpt()
        elif workflow.name in result.replayed:
            outputs[workflow.name] = result.replayed[workflow.name]
    return outputs


def _run(result: BuildResult, outputs: dict[str, bytes] | None = None) -> CachedRun:
    return CachedRun(result.diagnostics, result.sources, len(result.program.workflows),
                     outputs or {}, [display_path(p) for p in result.program.unread])


def once_per_symbol(diagnostics: Diagnostics) -> Diagnostics:
    """One E600 per env symbol and environment, at its first use; the other uses are named
    in a note, so a misspelt symbol read ten times is one error, not ten."""
    out = Diagnostics(limit=diagnostics.limit, dropped=diagnostics.dropped)
    uses: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics.sorted():
        if diagnostic.code == "E600":
            uses.setdefault(diagnostic.message, []).append(diagnostic)
    for diagnostic in diagnostics:
        same = uses.get(diagnostic.message) if diagnostic.code == "E600" else None
        if same is None:
            out.add(diagnostic)
        elif same[0] is diagnostic and len(same) > 1:
            places = ", ".join(f"{d.span.line}:{d.span.column}" if d.span.file ==
                               diagnostic.span.file else str(d.span) for d in same[1:6])
            more = f" and {len(same) - 6} more" if len(same) > 6 else ""
            out.add(replace(diagnostic, notes=(*diagnostic.notes,
                                               f"also read at {places}{more}")))
        elif same[0] is diagnostic:
            out.add(diagnostic)
    return out


@click.command("compile")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("out"),
              show_default=True, help="Folder for the .bpt files.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the template data as JSON instead of writing .bpt files.")
@click.option("--format", "fmt", type=click.Choice(["human", "json", "github", "sarif"]),
              default="human", show_default=True, help="How to print diagnostics.")
@environment_options
@click.option("--no-cache", is_flag=True,
              help="Compile everything afresh, neither reading nor writing .bpl/cache/.")
def compile_command(paths: tuple[Path, ...], out_dir: Path, as_json: bool, fmt: str,
                    env_name: str | None, defines: tuple[str, ...],
                    values_file: Path | None, no_cache: bool) -> None:
    """Compile workflows to Bitrix24 template files (.bpt), one per workflow."""
    env = resolve_environment(env_name, defines, values_file, required=True)
    sources = source_paths(paths)
    # --json prints the template data, which the cache does not keep.
    cache, key = _cache_key("compile", sources, [env], use=not (no_cache or as_json))
    run = cache.read(key) if cache and key else None
    result = None
    if run is None:
        from compiler.pipeline import build  # a replayed compile loads no compiler

        memo = cache.memo("compile", keep_bpt=True) if cache and key else None
        result = build(sources, env, emit=True, memo=memo)
        result.diagnostics = once_per_symbol(result.diagnostics)
        run = _run(result, _outputs(result)
                   if not (as_json or result.diagnostics.has_errors) else None)
        if cache and key and memo:
            cache.write(key, run)
            cache.save_memo("compile", memo)
    if run.diagnostics.items or run.diagnostics.dropped:
        _report(run, fmt)
    if run.diagnostics.has_errors:
        click.echo("nothing written: fix the errors above first", err=True)
        sys.exit(1)
    if as_json and result is not None:
        payload = {t.workflow: {"name": t.name, "document_type": t.document_type,
                                "auto_execute": t.auto_execute,
                                "template": t.template.to_package()}
                   for t in result.templates}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for workflow, data in run.outputs.items():
            (out_dir / f"{workflow}.bpt").write_bytes(data)
    except OSError as error:
        click.echo(f"error: cannot write to {out_dir}: {error.strerror}", err=True)
        sys.exit(1)
    click.echo(f"compiled {len(run.outputs)} workflow(s) into {out_dir}/", err=True)


@click.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code (E100, W402, …)."""
    rule = RULES.get(code.upper())
    if rule is None:
        click.echo(f"error: no rule {code}; known codes: {', '.join(sorted(RULES))}", err=True)
        sys.exit(1)
    click.echo(f"{rule.code} ({rule.name}): {rule.summary}\n\n{rule.explanation}")
