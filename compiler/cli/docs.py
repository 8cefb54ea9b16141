"""`bpl docs`: a static site documenting every workflow of the project.

    bpl docs -o site/
    bpl test --coverage-json coverage.json && bpl docs -o site/ --coverage-json coverage.json

Diagrams are drawn without an environment (env symbols stay symbolic); the values each
environment of bpl.toml gives them are listed in a table.
"""

from __future__ import annotations

from pathlib import Path

import click

from compiler.catalog import load_catalog
from compiler.cli.common import fail, project, source_paths
from compiler.cli.graph import compile_for_pictures, links
from compiler.site import CoverageError, build_site, read_coverage, scenario_names


@click.command("docs")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Folder for the site.")
@click.option("--coverage-json", "coverage_file", type=click.Path(path_type=Path),
              help="Coverage written by `bpl test --coverage-json`, shown on each page.")
@click.option("--link-base", metavar="URL",
              help="Link diagrams to URL/<path>#L<line> (a repository's web address) instead "
                   "of paths relative to the site.")
def docs_command(paths: tuple[Path, ...], out_dir: Path, coverage_file: Path | None,
                 link_base: str | None) -> None:
    """Write a documentation site: an index and one page per workflow."""
    coverage = None
    if coverage_file is not None:
        try:
            coverage = read_coverage(coverage_file)
        except CoverageError as error:
            fail(str(error))
    proj = project()
    result = compile_for_pictures(paths, None, (), None)
    if not result.templates:
        fail("no workflow to document" + (": fix the errors above first"
                                          if result.diagnostics.has_errors else ""))
    scenarios, problems = scenario_names(source_paths(paths))
    for problem in problems:
        click.echo(f"warning: scenarios not listed: {problem}", err=True)
    environments = {name: env.values for name, env in proj.config.environments.items()}
    try:
        site = build_site(result, load_catalog(), out_dir, links(link_base, out_dir),
                          environments=environments, coverage=coverage, scenarios=scenarios,
                          project_name=proj.config.project.name or proj.root.name)
    except OSError as error:
        fail(f"cannot write the site to {out_dir}: {error.strerror or error}")
        return
    for note in site.notes:
        click.echo(f"note: {note}", err=True)
    skipped = len(result.program.workflows) - len(result.templates)
    extra = f"; {skipped} workflow(s) with errors left out" if skipped else ""
    click.echo(f"wrote {len(site.pages)} workflow page(s) and an index to {out_dir}/"
               f"index.html{extra}", err=True)
