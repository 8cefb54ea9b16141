"""`bpl import`: Bitrix24 templates (.bpt files, or templates on a portal) → .bpl files.

    bpl import deal.bpt --document crm.deal -o workflows/
    bpl import --env prod --template 12 --template 15 -o workflows/
    bpl import --env prod --all --report import.json
    bpl import deal.bpt --document crm.deal --env prod    # values back to env.NAME, robot calls

Each template becomes one formatted `<workflow>.bpl` (a name Windows reserves, such as `con`,
gets a `_`: `con_.bpl`), checked by compiling it back; the report
(printed, and as JSON with --report) lists what is written in the generic activity form,
what stays Bitrix text, and anything that does not compile back the same.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from compiler.bitrix.bpt import BptError
from compiler.catalog import load_catalog
from compiler.cli.common import (
    connection,
    fail,
    project,
    quiet_portal,
    resolve_environment,
)
from compiler.deploy.target import deploy_state
from compiler.importer import (
    Document,
    DocumentError,
    Importer,
    ImportError_,
    Report,
    TemplateSource,
    from_option,
    from_row,
    read_bpt,
)
from compiler.importer.environment import (
    ImportEnvironment,
    ProjectRobot,
    project_environment,
)
from compiler.importer.names import file_stem
from compiler.importer.registered import declarations_text, recovered_robots
from compiler.semantics.environment import Environment


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=Path("."),
              show_default=True, help="Folder for the .bpl files.")
@click.option("--document", "document", metavar="TYPE",
              help="Document type of bare .bpt files: crm.deal, lists.element(42), … "
                   "(a template read from a portal knows its own).")
@click.option("--env", "env_name", metavar="NAME",
              help="The environment (bpl.toml) whose symbols values map back to (env.NAME) "
                   "and whose app's robots become calls; with --template/--all, the portal "
                   "the templates are read from.")
@click.option("--template", "template_ids", type=int, multiple=True, metavar="ID",
              help="With --env: the template to import (repeatable).")
@click.option("--all", "all_templates", is_flag=True,
              help="With --env: every template the portal lists.")
@click.option("--report", "report_file", type=click.Path(path_type=Path),
              help="Also write the report as JSON to this file.")
@click.option("--force", is_flag=True, help="Overwrite .bpl files that exist.")
def import_command(files: tuple[Path, ...], out_dir: Path, document: str | None,
                   env_name: str | None, template_ids: tuple[int, ...], all_templates: bool,
                   report_file: Path | None, force: bool) -> None:
    """Turn Bitrix24 templates into formatted .bpl workflows."""
    if env_name is None and (template_ids or all_templates):
        fail("--template and --all read from a portal: give --env too")
    if files and (template_ids or all_templates):
        fail("give .bpt files or --template/--all, not both")
    if env_name is None and not files:
        fail("nothing to import: give .bpt files, or --env with --template ID or --all")
    if not files and not (template_ids or all_templates):
        fail("--env needs --template ID (repeatable) or --all, or .bpt files whose values "
             "map back to its symbols")
    with tempfile.TemporaryDirectory(prefix="bpl-robots-") as scratch:
        env = _environment(env_name, out_dir, Path(scratch))
        importer = Importer(env=env, out_dir=out_dir)
        chosen = _document(importer, document)
        sources = _files(files) if files else _portal(str(env_name), template_ids,
                                                      all_templates)
        reports: list[Report] = []
        written: set[str] = set()
        for source in sources:
            reports.append(_one(importer, source, chosen, out_dir, written, force))
        if env is not None and env.used:
            _write_recovered(env, out_dir, force)
    if report_file is not None:
        try:
            report_file.write_text(json.dumps([r.to_dict() for r in reports], indent=2,
                                              ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as error:
            fail(f"cannot write {report_file}: {error.strerror}")
    good = sum(1 for r in reports if r.error is None and r.equivalent)
    click.echo(f"{good} of {len(reports)} template(s) imported and equivalent", err=True)
    sys.exit(0 if reports and good == len(reports) else 1)


# Where the robots recovered from the deploy state are written, next to the imported files.
RECOVERED_ROBOTS = "app_robots.bpl"


def _environment(env_name: str | None, out_dir: Path,
                 scratch: Path) -> ImportEnvironment | None:
    """The environment's symbols, and what the project declares: its fields (by code) and,
    for the environment's app, its robots, then the robots its deploy state records (written
    to `scratch` for the import's checks). Without --env, the fields of a project whose
    bpl.toml is found (codes given as env symbols need --env)."""
    proj = project()
    if env_name is None:
        return project_environment(proj.sources, Environment()) if proj.path else None
    env = resolve_environment(env_name, (), None, required=True)
    found = project_environment(proj.sources, env)
    name, config = proj.environment(env_name)
    records = deploy_state(proj, name, config).robots.values()
    recovered = recovered_robots(records, env, load_catalog(), found.robots)
    if recovered:
        check = scratch / RECOVERED_ROBOTS
        check.write_text(declarations_text(recovered.values()), encoding="utf-8")
        found.recovered = {key: ProjectRobot(decl, check, out_dir / RECOVERED_ROBOTS)
                           for key, decl in recovered.items()}
    return found


def _write_recovered(env: ImportEnvironment, out_dir: Path, force: bool) -> None:
    """The recovered robots the imported files call, in one file they import."""
    path = out_dir / RECOVERED_ROBOTS
    decls = [env.recovered[key].decl for key in sorted(env.used)]
    if path.exists() and not force:
        click.echo(f"{path} exists; not overwritten (use --force): the imported files "
                   "import the robots it should declare", err=True)
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(declarations_text(decls), encoding="utf-8")
    except OSError as error:
        fail(f"cannot write {path}: {error.strerror}")
    click.echo(f"robots recovered from the deploy state → {path}", err=True)


def _document(importer: Importer, text: str | None) -> Document | None:
    if text is None:
        return None
    try:
        return from_option(importer.catalog, text)
    except DocumentError as error:
        fail(str(error))
        raise


def _files(files: tuple[Path, ...]) -> Iterator[TemplateSource | Report]:
    for path in files:
        try:
            yield read_bpt(path)
        except BptError as error:
            yield Report(source=str(path), error=str(error))


def _portal(env_name: str, ids: tuple[int, ...],
            everything: bool) -> Iterator[TemplateSource | Report]:
    from compiler.deploy.read import LIST, SELECT
    from compiler.portal import PortalError

    # `connection` turns a bad environment (a malformed webhook URL, a corrupt token store, an
    # unusable sandbox) into its sentence, as for every other command taking --env.
    with quiet_portal(), connection(env_name) as (_, name, _, target):
        try:
            if everything:
                rows = target.client.list_all(LIST, {"SELECT": SELECT, "ORDER": {"ID": "ASC"}})
            else:
                rows = target.client.list_all(LIST, {"SELECT": SELECT,
                                                     "FILTER": {"ID": list(ids)}})
        except PortalError as error:
            fail(f"cannot read the templates of '{name}': {error}")
            return
    found = {_row_id(r): r for r in rows if isinstance(r, dict)}
    for template_id in ids:
        if template_id not in found:
            yield Report(source=f"template {template_id}", error=f"no template {template_id} "
                                                                   f"on '{name}'")
    for template_id in sorted(found):
        if everything or template_id in ids:
            yield from_row(found[template_id], f"template {template_id}")


def _row_id(row: dict[str, object]) -> int:
    try:
        return int(str(row.get("ID") or 0))
    except ValueError:
        return 0


def _one(importer: Importer, source: TemplateSource | Report, document: Document | None,
         out_dir: Path, written: set[str], force: bool) -> Report:
    if isinstance(source, Report):
        _show(source)
        return source
    try:
        result = importer.run(source, document)
    except (ImportError_, DocumentError) as error:
        report = Report(source=source.origin, error=str(error))
        _show(report)
        return report
    except RecursionError:
        report = Report(source=source.origin, error="the template nests too deeply to import")
        _show(report)
        return report
    except Exception as error:  # one bad template must not stop the others
        report = Report(source=source.origin,
                        error=f"internal error while importing ({type(error).__name__}: "
                              f"{error}); please report it with the template")
        _show(report)
        return report
    report = result.report
    name = result.workflow
    counter = 2
    # Names and file names compare case-insensitively, as Windows and macOS compare files.
    while name.casefold() in written or file_stem(name).casefold() in written:
        name = f"{result.workflow}_{counter}"
        counter += 1
    path = out_dir / f"{file_stem(name)}.bpl"
    text = result.text if name == result.workflow else result.text.replace(
        f"workflow {result.workflow} ", f"workflow {name} ", 1).replace(
        f"statemachine {result.workflow} ", f"statemachine {name} ", 1)
    if path.exists() and not force:
        report.error = f"{path} exists; not overwritten (use --force)"
    else:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.update({name.casefold(), file_stem(name).casefold()})
            report.workflow = name
        except OSError as error:
            report.error = f"cannot write {path}: {error.strerror}"
    _show(report, path if report.error is None else None)
    return report


def _show(report: Report, path: Path | None = None) -> None:
    lines = report.lines()
    if path is not None:
        lines[0] += f" → {path}"
    click.echo("\n".join(lines), err=True)
