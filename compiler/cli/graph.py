"""`bpl graph`: a picture of a workflow as Bitrix runs it.

    bpl graph samples/deal_approval.bpl                       # Mermaid on stdout
    bpl graph samples/ --workflow deal_approval -o deal.svg   # SVG (needs Graphviz)
    bpl graph samples/ -o diagrams/ --format svg              # every workflow, one file each

Without --env, --define or --values, env symbols stay symbolic (`env.sales_head`), as in
`bpl check`: the picture is the same for every portal.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.catalog import load_catalog
from compiler.cli.common import (
    environment_options,
    fail,
    project,
    resolve_environment,
    source_paths,
)
from compiler.diagnostics.render import render_human
from compiler.graph import FORMATS, GraphvizMissing, build_graph, from_compiled, render
from compiler.graph.style import Href, prefixed_links, relative_links
from compiler.pipeline import BuildResult, build

SUFFIXES = {"svg": ".svg", "png": ".png", "dot": ".dot", "mermaid": ".mmd"}
_BY_SUFFIX = {suffix: fmt for fmt, suffix in SUFFIXES.items()} | {".gv": "dot", ".md": "mermaid"}


def compile_for_pictures(paths: tuple[Path, ...], env_name: str | None,
                         defines: tuple[str, ...], values_file: Path | None) -> BuildResult:
    """Compile like `bpl check` (symbolic env unless one is chosen); diagnostics on stderr."""
    env = resolve_environment(env_name, defines, values_file, required=False)
    result = build(source_paths(paths), env, emit=True)
    problems = [d for d in result.diagnostics.sorted()]
    if result.diagnostics.has_errors and problems:
        click.echo(render_human(problems, result.sources, color=sys.stderr.isatty()), err=True)
    return result


def links(base_url: str | None, out_dir: Path) -> Href:
    if base_url:
        return prefixed_links(base_url, project().root)
    return relative_links(out_dir)


@click.command("graph")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--workflow", "workflow", metavar="NAME", help="The workflow to draw.")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="svg and png need Graphviz; mermaid and dot need nothing. "
                   "[default: from the -o suffix, else mermaid]")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path),
              help="A file, or a folder for one file per workflow; without it, stdout.")
@click.option("--link-base", metavar="URL",
              help="Link nodes to URL/<path>#L<line> (a repository's web address) instead "
                   "of paths relative to the output.")
@environment_options
def graph_command(paths: tuple[Path, ...], workflow: str | None, fmt: str | None,
                  out: Path | None, link_base: str | None, env_name: str | None,
                  defines: tuple[str, ...], values_file: Path | None) -> None:
    """Draw workflows: flowcharts, and state diagrams for state machines."""
    to_folder = out is not None and (out.is_dir() or (not out.suffix and workflow is None))
    if fmt is None:
        fmt = _BY_SUFFIX.get(out.suffix, "mermaid") if out is not None and not to_folder \
            else "mermaid"
    result = compile_for_pictures(paths, env_name, defines, values_file)
    templates = result.templates
    names = [t.workflow for t in templates]
    if workflow is not None:
        templates = [t for t in templates if t.workflow == workflow]
        if not templates:
            known = ", ".join(names) or "none"
            broken = any(w.name == workflow for w in result.program.workflows)
            fail(f"workflow {workflow} has errors (shown above); nothing drawn" if broken
                 else f"no workflow {workflow} in the sources (compiled: {known})")
    if not templates:
        fail("no workflow to draw" + (": fix the errors above first"
                                      if result.diagnostics.has_errors else ""))
    if len(templates) > 1 and not to_folder:
        fail(f"{len(templates)} workflows ({', '.join(names)}): choose one with --workflow, "
             "or give -o FOLDER for one file each")
    catalog = load_catalog()
    written: list[Path] = []
    for template in templates:
        target = out / f"{template.workflow}{SUFFIXES[fmt]}" if to_folder and out else out
        href = links(link_base, target.parent if target is not None else Path.cwd())
        graph = build_graph(from_compiled(template, catalog, result.program), catalog)
        try:
            data = render(graph, fmt, href)
        except GraphvizMissing as error:
            fail(str(error))
            return
        except RuntimeError as error:
            fail(str(error))
            return
        if target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            fail(f"cannot write {target}: {error.strerror}")
        written.append(target)
    if written:
        where = written[0] if len(written) == 1 else f"{out}/"
        click.echo(f"drew {len(written)} workflow(s) into {where}", err=True)
