"""`bpl plan` and `bpl apply`: the commands that deploy to a portal.

Each is a thin shell over `compiler.deploy`: pick the environment, connect, compile for it,
then plan / apply / list, and turn every failure into one sentence and exit status 1.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click

from compiler.catalog import load_catalog
from compiler.catalog.checks import Importer
from compiler.cli.common import connection, environment_options, fail, resolve_environment
from compiler.codegen import CompiledTemplate
from compiler.deploy import (
    DeployState,
    Normaliser,
    Plan,
    PlanInputs,
    PlanMismatch,
    apply_plan,
    load_plan,
    plan_deploy,
    save_plan,
)
from compiler.deploy.apply import ApplyReport, Outcome
from compiler.deploy.lock import LOCK_TIMEOUT, DeployLock, LockError
from compiler.deploy.plan import PlanFileError, RobotPlan, TemplatePlan
from compiler.deploy.read import NotAdmin, ReadError
from compiler.deploy.render import render, render_human
from compiler.deploy.target import Target, deploy_state
from compiler.diagnostics.render import render_human as render_diagnostics
from compiler.graph.changes import plan_diagrams
from compiler.hosts import resolve_system
from compiler.pipeline import BuildResult, build, import_rule_diagnostics
from compiler.portal import PortalError
from compiler.project.config import EnvironmentConfig, Project
from compiler.semantics.environment import APP_CLIENT_ID

EXIT_CHANGES = 2


@dataclass
class Session:
    project: Project
    name: str
    config: EnvironmentConfig
    target: Target
    result: BuildResult
    client_id: str | None = None  # the app's, which its robots' activity types are made of

    @property
    def templates(self) -> list[CompiledTemplate]:
        return self.result.templates

    def state(self) -> DeployState:
        return deploy_state(self.project, self.name, self.config)

    def inputs(self, prune: bool) -> PlanInputs:
        return PlanInputs(self.name, self.target.label, self.project.config.project.name, prune)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record (tests swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _: object) -> None:
        pass


_HANDLER = _StderrHandler()
_HANDLER.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))


@contextmanager
def _logging(verbose: bool) -> Iterator[None]:
    """Retries and reconciles are worth a line on stderr; every call only with -v. The
    portal layer's own filter masks secrets in whatever reaches the handler. Scoped to the
    command, so that a program (or a test) running it in-process keeps its own logging."""
    loggers = [logging.getLogger(name) for name in ("compiler.portal", "compiler.deploy")]
    levels = [log.level for log in loggers]
    for log in loggers:
        log.addHandler(_HANDLER)
        log.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        for log, level in zip(loggers, levels, strict=True):
            log.removeHandler(_HANDLER)
            log.setLevel(level)


@contextmanager
def session(env_name: str | None, defines: tuple[str, ...],
            values_file: Path | None) -> Iterator[Session]:
    """Connect to the environment's portal and compile the project's sources for it."""
    with connection(env_name) as (proj, name, config, target):
        env = resolve_environment(name, defines, values_file, required=True,
                                  app_client_id=target.app_client_id)
        # A portal is on the network already: its handler names are looked up as well.
        result = build(proj.sources, env, emit=True, sandbox=config.is_sandbox,
                       resolve=None if config.is_sandbox else resolve_system)
        _show_diagnostics(result)
        if result.diagnostics.has_errors:
            fail("nothing planned: fix the errors above first")
        client_id = env.get(APP_CLIENT_ID)
        yield Session(proj, name, config, target, result,
                      str(client_id) if client_id is not None else None)


def _show_admin_rules(s: Session) -> None:
    """What Bitrix's import rules refuse for a user who is not an administrator (its user id
    unknown: settings only the importer may give themselves count as someone else's)."""
    found = import_rule_diagnostics(s.templates, Importer(admin=False)).sorted()
    if found:
        click.echo(render_diagnostics(found, s.result.sources, color=sys.stderr.isatty()),
                   err=True)


def _show_diagnostics(result: BuildResult) -> None:
    items = result.diagnostics.sorted()
    if items:
        click.echo(render_diagnostics(items, result.sources, color=sys.stderr.isatty()),
                   err=True)


# -- plan -------------------------------------------------------------------------------------


@click.command()
@environment_options
@click.option("--format", "fmt", type=click.Choice(["human", "json", "markdown"]),
              default="human", show_default=True,
              help="human (terminal), json (machines), markdown (a pull-request comment).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the plan (JSON) for `bpl apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 0 without changes, 2 with changes, 1 on errors.")
@click.option("--prune", is_flag=True,
              help="Delete managed templates whose workflow left the sources.")
@click.option("-v", "--verbose", is_flag=True, help="Show unchanged templates and every call.")
def plan(env_name: str | None, defines: tuple[str, ...], values_file: Path | None, fmt: str,
         out_file: Path | None, detailed_exitcode: bool, prune: bool, verbose: bool) -> None:
    """Show what `bpl apply` would change on the environment's portal."""
    with _logging(verbose), session(env_name, defines, values_file) as s:
        try:
            made, snapshot = plan_deploy(s.target.client, s.templates, s.result.sources,
                                         s.inputs(prune), state=s.state(),
                                         app_id=s.target.app_id, robots=s.result.robots,
                                         client_id=s.client_id)
        except NotAdmin as error:
            _show_admin_rules(s)
            fail(str(error))
            return
        except (PortalError, ReadError) as error:
            fail(str(error))
            return
        diagram = plan_diagrams(made, s.templates, snapshot, load_catalog(),
                                s.result.program) if fmt == "markdown" else None
    if out_file is not None:
        try:
            save_plan(made, out_file)
        except PlanFileError as error:
            fail(str(error))
    click.echo(render(made, fmt, color=fmt == "human" and sys.stdout.isatty(), verbose=verbose,
                      diagram=diagram))
    if out_file is not None:
        click.echo(f"Saved the plan to {out_file}; apply it with: bpl apply {out_file}", err=True)
    if detailed_exitcode and made.has_changes:
        sys.exit(EXIT_CHANGES)


# -- apply ------------------------------------------------------------------------------------


class _Progress:
    """Rich progress on stderr, one line per template outcome."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.console = Console(stderr=True, highlight=False)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), console=self.console, transient=True)
        self.task = self.progress.add_task("applying", total=total)

    def __enter__(self) -> _Progress:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def started(self, entry: TemplatePlan | RobotPlan) -> None:
        self.progress.update(self.task, description=f"{entry.action} {entry.subject}")

    def finished(self, outcome: Outcome) -> None:
        self.progress.advance(self.task)
        self.console.print(_outcome_line(outcome), markup=False)


def _outcome_line(outcome: Outcome) -> str:
    entry = outcome.entry
    mark = {"applied": "✓", "failed": "✗", "not attempted": "·"}[outcome.status]
    where = f" (template {outcome.template_id})" if outcome.template_id is not None else ""
    return f"{mark} {entry.action} {entry.subject}{where}: {outcome.message}"


def _report(report: ApplyReport, s: Session) -> None:
    applied, failed = report.by_status("applied"), report.by_status("failed")
    skipped = report.by_status("not attempted")
    for outcome in report.outcomes:
        if outcome.diagnostics:
            click.echo(render_diagnostics(outcome.diagnostics, s.result.sources,
                                          color=sys.stderr.isatty()), err=True)
    for outcome in report.races:
        click.echo(f"! {_outcome_line(outcome)[2:]}", err=True)
    if report.recheck_error:
        click.echo("The templates could not be read back to check that no other apply added "
                   f"the same workflows ({report.recheck_error}); bpl plan shows any duplicate, "
                   "and bpl apply deletes it.", err=True)
    if report.ok:
        click.echo(f"Applied {len(applied)} change(s).", err=True)
        return
    _duplicates(report)
    if len(applied) == len(report.outcomes):
        click.echo(f"Applied {len(applied)} change(s).", err=True)
        sys.exit(1)
    click.echo(f"\nApplied {len(applied)} of {len(report.outcomes)} change(s).", err=True)
    for title, outcomes in (("Applied", applied), ("Not applied", [*failed, *skipped])):
        if outcomes:
            click.echo(f"{title}:", err=True)
            for outcome in outcomes:
                click.echo(f"  {_outcome_line(outcome)}", err=True)
    click.echo("Run bpl apply again to finish: it plans from what the portal has now.",
               err=True)
    sys.exit(1)


def _duplicates(report: ApplyReport) -> None:
    if not report.duplicates:
        return
    click.echo("\nRead back when this apply ended, the portal holds more than one template for:",
               err=True)
    for key, ids in report.duplicates.items():
        click.echo(f"  {key}: templates {', '.join(map(str, ids))}", err=True)
    click.echo("Another apply wrote the same workflows at the same time (an apply that loses "
               "such a race deletes its own copy when it ends). Run bpl plan: it shows what is "
               "left, and bpl apply deletes the extra ones, keeping the lowest ID.", err=True)


def _protect(config: EnvironmentConfig, name: str, explicit: bool) -> None:
    if config.protect and not explicit:
        fail(f"environment '{name}' is protected: name it with --env {name} to apply to it")


@click.command()
@click.argument("plan_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@environment_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--prune", is_flag=True,
              help="Delete managed templates whose workflow left the sources (without PLAN_FILE).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=LOCK_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="How long to wait for another bpl apply to the same portal to finish.")
@click.option("-v", "--verbose", is_flag=True, help="Show every call.")
def apply(plan_file: Path | None, env_name: str | None, defines: tuple[str, ...],
          values_file: Path | None, auto_approve: bool, prune: bool, lock_timeout: float,
          verbose: bool) -> None:
    """Apply a saved plan (PLAN_FILE), or plan afresh and apply after confirmation."""
    with _logging(verbose):
        _apply(plan_file, env_name, defines, values_file, auto_approve, prune, lock_timeout)


def _lock(s: Session, timeout: float) -> DeployLock:
    """Applies to one portal and application wait for each other (see `compiler.deploy.lock`);
    the plan is made inside, so the second plans from what the first left."""
    return DeployLock(s.target.lock_key, s.target.label, timeout=timeout,
                      project=s.project.root,
                      waiting=lambda message: click.echo(f"{message[0].upper()}{message[1:]}…",
                                                         err=True))


def _apply(plan_file: Path | None, env_name: str | None, defines: tuple[str, ...],
           values_file: Path | None, auto_approve: bool, prune: bool,
           lock_timeout: float = LOCK_TIMEOUT) -> None:
    saved: Plan | None = None
    if plan_file is not None:
        try:
            saved = load_plan(plan_file)
        except PlanFileError as error:
            fail(str(error))
            return
        if prune:
            fail("--prune decides what a plan contains: make the plan with bpl plan --prune")
        if env_name is not None and env_name != saved.environment:
            fail(f"{plan_file} was made for environment '{saved.environment}', not '{env_name}'")
    chosen = env_name or (saved.environment if saved else None)
    with session(chosen, defines, values_file) as s:
        _protect(s.config, s.name, explicit=env_name is not None)
        normaliser = Normaliser(load_catalog())
        try:
            with _lock(s, lock_timeout):
                report = _plan_and_apply(s, saved, normaliser, auto_approve, prune)
        except LockError as error:
            fail(f"{error}; nothing was applied")
            return
        if report is not None:
            _report(report, s)


def _plan_and_apply(s: Session, saved: Plan | None, normaliser: Normaliser,
                    auto_approve: bool, prune: bool) -> ApplyReport | None:
    """Plan (unless `saved`) and apply; None when there was nothing to apply."""
    state = s.state()
    try:
        if saved is not None:
            todo, snapshot = saved, None
        else:
            todo, snapshot = plan_deploy(s.target.client, s.templates, s.result.sources,
                                         s.inputs(prune), state=state,
                                         app_id=s.target.app_id, robots=s.result.robots,
                                         client_id=s.client_id)
            click.echo(render_human(todo, color=sys.stdout.isatty()))
            if not todo.has_changes:
                return None
            if not auto_approve:
                _confirm(s.name)
        with _Progress(todo.change_count) as progress:
            return apply_plan(s.target.client, todo, s.templates, normaliser=normaliser,
                              snapshot=snapshot, app_id=s.target.app_id, state=state,
                              listener=progress, robots=s.result.robots)
    except (PlanMismatch, PortalError, ReadError) as error:
        # Apply handles write failures per template; what escapes happened before any write.
        fail(f"{error}; nothing was applied")
        return None


def _confirm(name: str) -> None:
    try:
        agreed = click.confirm(f"\nApply these changes to '{name}'?", default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        fail("not applied (answer yes, or pass --auto-approve in scripts)")
