"""`bpl workflows`, `bpl tasks` and `bpl templates`: a portal's running business from the
command line. Thin shells over `compiler.ops`: pick the environment, connect, call, print a
table (or JSON with --json), and turn every refusal into one sentence and exit status 1.

They work through whatever credentials the environment has — a webhook too, except deleting
a template, which Bitrix allows only in an application's context. On the sandbox portal
`--as USER` acts as any of its users, through the webhook the sandbox issues to that user.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import click
import httpx

from compiler.cli.common import connection, fail, project, quiet_portal
from compiler.cli.sandbox_state import opened, project_data, shown_path
from compiler.cli.targets import SANDBOX_URL
from compiler.deploy.target import Target, deploy_state
from compiler.ops import OpsError, document_id, tasks, templates, workflows
from compiler.ops.documents import spelled
from compiler.portal import PortalClient, PortalConfig, WebhookAuth
from compiler.project.config import ConfigError, EnvironmentConfig, Project
from compiler.sandbox import Limits, Sandbox, SandboxConfig

F = TypeVar("F", bound=Callable[..., Any])


def _env_option(function: F) -> F:
    return click.option("--env", "env_name", metavar="NAME",
                        help="Environment of bpl.toml (default: the project's default).")(function)


def _json_option(function: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(function)


def _as_option(function: F) -> F:
    return click.option("--as", "as_user", metavar="USER",
                        help="Sandbox portal only: act as this user (an id or a name), through "
                             "the webhook the sandbox issues to them.")(function)


def _sentences(function: F) -> F:
    """An OpsError anywhere in the command ends it with its sentence, never a traceback."""

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except OpsError as error:
            fail(str(error))

    return run  # type: ignore[return-value]


@contextmanager
def connected(env_name: str | None,
              as_user: str | None = None) -> Iterator[tuple[Project, str, Target]]:
    if as_user is None:
        with quiet_portal(), connection(env_name) as (proj, name, _, target):
            yield proj, name, target
        return
    proj, name, is_sandbox = _environment(env_name)
    if not is_sandbox:
        fail(f"--as works on the sandbox portal only: on '{name}' bpl acts as the user whose "
             "credentials the environment has")
    _, config = proj.environment(name)
    try:
        target = as_user_target(proj, name, config, as_user)
    except ValueError as error:
        fail(str(error))
        raise
    with quiet_portal():
        try:
            yield proj, name, target
        finally:
            target.close()


def as_user_target(proj: Project, name: str, config: EnvironmentConfig, who: str) -> Target:
    """The project's sandbox portal, reached through the webhook the sandbox issues to user
    `who` (an id or a name): every call is made as that user."""
    sandbox = Sandbox(SandboxConfig(data=project_data(proj), limits=Limits.named(config.limits),
                                    run_workflows=True))
    try:
        user_id = sandbox.find_user(who)
        hook = sandbox.webhook_for(user_id)
        creds = sandbox.ensure_default_app()
    except ValueError:
        sandbox.close()
        raise
    client = PortalClient(
        PortalConfig(SANDBOX_URL, WebhookAuth(f"{SANDBOX_URL}{hook}"), timeout=config.timeout,
                     limits=config.limits),
        transport=httpx.ASGITransport(app=sandbox.asgi_app),
    )
    label = f"the embedded sandbox portal, {shown_path(project_data(proj))}, as user {user_id}"
    return Target(name, config, client, label, creds.client_id, creds.app_id, [sandbox])


def _environment(env_name: str | None) -> tuple[Project, str, bool]:
    proj = project()
    try:
        name, config = proj.environment(env_name)
    except ConfigError as error:
        fail(str(error))
        raise
    return proj, name, config.is_sandbox


def _protect(target: Target, name: str, explicit: bool, action: str) -> None:
    if target.config.protect and not explicit:
        fail(f"environment '{name}' is protected: name it with --env {name} to {action}")


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"{option} takes NAME=VALUE, not '{item}'")
        pairs[key.strip()] = value
    return pairs


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    Console(highlight=False).print(table)


def _confirm(question: str, refused: str) -> None:
    try:
        agreed = click.confirm(question, default=False, err=True)
    except click.Abort:
        agreed = False
    if not agreed:
        fail(refused)


# -- workflows ----------------------------------------------------------------------------------


@click.group(name="workflows")
def workflows_group() -> None:
    """Start workflows, list the running ones, terminate or kill them."""


@workflows_group.command("start")
@click.argument("template")
@click.option("--document", "-d", "document", required=True, metavar="TYPE:ID",
              help="The document: crm.deal:123, crm.dynamic(147):5, lists.element(42):7.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for a template parameter (repeatable).")
@_env_option
@_as_option
@_json_option
@_sentences
def start_workflow(template: str, document: str, params: tuple[str, ...],
                   env_name: str | None, as_user: str | None, as_json: bool) -> None:
    """Start a template on a document; prints the new workflow's id. TEMPLATE is its id, the
    name of the bpl workflow it was deployed from, or its name on the portal."""
    target_document = document_id(document)
    values = _pairs(params, "-p")
    template_id = None if not template.strip().isdigit() else int(template)
    if template_id is None and as_user is not None:
        # Listing templates takes an administrator; the environment's own credentials find
        # the template, the user starts it.
        with connected(env_name) as (proj, _, target):
            template_id = templates.resolve(target.client, template, app_id=target.app_id,
                                            namespace=proj.config.project.name)
    with connected(env_name, as_user) as (proj, _, target):
        if template_id is None:
            template_id = templates.resolve(target.client, template, app_id=target.app_id,
                                            namespace=proj.config.project.name)
        workflow_id = workflows.start(target.client, template_id, target_document, values)
    if as_json:
        _print_json({"id": workflow_id, "template_id": template_id,
                     "document_id": target_document})
        return
    click.echo(workflow_id)
    click.echo(f"Started workflow {workflow_id} from template {template_id} on "
               f"{spelled(target_document)}.", err=True)


@workflows_group.command("list")
@click.option("--template", "template_id", type=int, help="Only those of this template.")
@click.option("--all", "everything", is_flag=True,
              help="Sandbox portal only: finished workflows too (Bitrix lists running ones).")
@_env_option
@_as_option
@_json_option
@_sentences
def list_workflows(template_id: int | None, everything: bool, env_name: str | None,
                   as_user: str | None, as_json: bool) -> None:
    """The running workflows (Bitrix lists no finished ones; the sandbox does with --all)."""
    if everything:
        _list_all_workflows(template_id, env_name, as_user, as_json)
        return
    with connected(env_name, as_user) as (_, _, target):
        rows = workflows.running(target.client, template_id)
    if as_json:
        _print_json([row.to_json() for row in rows])
        return
    if not rows:
        click.echo(f"No running workflows on {target.label}.")
        return
    _table(f"Running workflows on {target.label}",
           ["ID", "TEMPLATE", "DOCUMENT", "STARTED", "BY"],
           [(r.id, r.template_id, spelled(r.document), r.started, r.started_by) for r in rows])


def _list_all_workflows(template_id: int | None, env_name: str | None, as_user: str | None,
                        as_json: bool) -> None:
    """Every instance the sandbox keeps, read from its state (no REST method lists them)."""
    proj, name, is_sandbox = _environment(env_name)
    if not is_sandbox:
        fail(f"--all works on the sandbox portal only: Bitrix lists running workflows alone "
             f"(bizproc.workflow.instances), and '{name}' is a Bitrix24 portal")
    if as_user is not None:
        fail("--all reads the sandbox's own records, as no user: drop --as")
    with opened(project_data(proj)) as sb:
        rows = [r for r in sb.workflows(include_finished=True)
                if template_id is None or r["template_id"] == template_id]
    for row in rows:
        row["document"] = spelled(row["document_id"], row["document_type"][2])
    if as_json:
        _print_json(rows)
        return
    if not rows:
        click.echo("No workflows on the sandbox portal.")
        return
    _table("Workflows on the sandbox portal",
           ["ID", "TEMPLATE", "DOCUMENT", "STATUS", "STARTED", "BY"],
           [(r["id"], f"{r['template_id']} {r['template_name'] or ''}".strip(), r["document"],
             r["status"] + (f": {r['state_title']}" if r["state_title"] else ""), r["started"],
             r["started_by"]) for r in rows])


@workflows_group.command("terminate")
@click.argument("workflow_id")
@click.option("--status", help="The status text the workflow keeps.")
@_env_option
@_as_option
@_sentences
def terminate_workflow(workflow_id: str, status: str | None, env_name: str | None,
                       as_user: str | None) -> None:
    """Stop a running workflow; its record and log stay."""
    with connected(env_name, as_user) as (_, _, target):
        workflows.terminate(target.client, workflow_id, status)
    click.echo(f"Terminated workflow {workflow_id}.", err=True)


@workflows_group.command("kill")
@click.argument("workflow_id")
@click.option("--yes", is_flag=True, help="Kill without asking.")
@_env_option
@_as_option
@_sentences
def kill_workflow(workflow_id: str, yes: bool, env_name: str | None,
                  as_user: str | None) -> None:
    """Stop a workflow and delete everything about it (its log, its tasks)."""
    with connected(env_name, as_user) as (_, name, target):
        _protect(target, name, env_name is not None, "kill workflows on it")
        if not yes:
            _confirm(f"Kill workflow {workflow_id} on '{name}' and delete its data?",
                     "not killed")
        workflows.kill(target.client, workflow_id)
    click.echo(f"Killed workflow {workflow_id}.", err=True)


# -- tasks --------------------------------------------------------------------------------------


@click.group(name="tasks")
def tasks_group() -> None:
    """List the tasks of running workflows, answer them, delegate them."""


@tasks_group.command("list")
@click.option("--user", "user_id", type=int, help="Only this user's tasks.")
@click.option("--all", "everything", is_flag=True, help="Answered tasks too.")
@_env_option
@_as_option
@_json_option
@_sentences
def list_tasks(user_id: int | None, everything: bool, env_name: str | None,
               as_user: str | None, as_json: bool) -> None:
    """Tasks waiting for an answer (an administrator's credentials see everyone's)."""
    with connected(env_name, as_user) as (_, _, target):
        rows = tasks.listed(target.client, user_id, waiting_only=not everything)
    if as_json:
        _print_json([row.to_json() for row in rows])
        return
    if not rows:
        click.echo(f"No tasks waiting on {target.label}." if not everything
                   else f"No tasks on {target.label}.")
        return
    _table(f"Tasks on {target.label}",
           ["ID", "TASK", "KIND", "USER", "STATUS", "ANSWER WITH", "DOCUMENT"],
           [(r.id, r.name, r.kind, r.user_id, r.user_status,
             " ".join(f"--{a}" for a in r.answers) if r.user_status == "waiting" else "",
             r.document_name or spelled(r.document)) for r in rows])


@tasks_group.command("complete")
@click.argument("task_id", type=int)
@click.option("--approve", "answers", flag_value="approve", multiple=True,
              help="Approve (approvals).")
@click.option("--reject", "answers", flag_value="reject", multiple=True,
              help="Reject (approvals).")
@click.option("--ok", "answers", flag_value="ok", multiple=True,
              help="Done (reviews, information requests).")
@click.option("--cancel", "answers", flag_value="cancel", multiple=True,
              help="Cancel (information requests that allow it).")
@click.option("--comment", default="", help="The comment of the answer.")
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE",
              help="An answer to an information request's field (repeatable).")
@_env_option
@_as_option
@_json_option
@_sentences
def complete_task(task_id: int, answers: tuple[str, ...], comment: str,
                  fields: tuple[str, ...], env_name: str | None, as_user: str | None,
                  as_json: bool) -> None:
    """Answer task TASK_ID as the user of the environment's credentials (or --as a user of
    the sandbox portal): Bitrix takes an answer only from a user the task waits for."""
    if len(answers) != 1:
        fail("give one answer: --approve, --reject, --ok or --cancel")
    values = _pairs(fields, "--field")
    with connected(env_name, as_user) as (proj, _, target):
        try:
            tasks.complete(target.client, task_id, answers[0], comment, values)
        except tasks.TaskNotWaiting as error:
            if not target.config.is_sandbox:
                raise
            raise OpsError(_whose_task(proj, task_id, answers[0]) or str(error)) from None
    if as_json:
        _print_json({"task": task_id, "answer": answers[0]})
        return
    click.echo(f"Answered task {task_id}: {answers[0]}.", err=True)


def _whose_task(proj: Project, task_id: int, answer: str) -> str | None:
    """On the sandbox: whom the task waits for, and the command that answers as them."""
    with opened(project_data(proj)) as sb:
        found = sb.task(task_id)
    if found is None:
        return f"there is no task {task_id} on the sandbox portal (bpl tasks list shows them)"
    waiting = [u for u in found["users"] if u["answer"] == "waiting"]
    if found["status"] != "running" or not waiting:
        return f"task {task_id} is already completed"
    names = ", ".join(f"user {u['user_id']}" + (f" ({u['user_name']})" if u["user_name"] else "")
                      for u in waiting)
    return (f"task {task_id} waits for {names}, not for the user of these credentials: "
            f"answer as them with bpl tasks complete {task_id} --{answer} "
            f"--as {waiting[0]['user_id']}")


@tasks_group.command("delegate")
@click.argument("task_ids", type=int, nargs=-1, required=True)
@click.option("--from", "from_user", type=int, required=True, help="The user who has them.")
@click.option("--to", "to_user", type=int, required=True, help="The user who gets them.")
@_env_option
@_as_option
@_sentences
def delegate_tasks(task_ids: tuple[int, ...], from_user: int, to_user: int,
                   env_name: str | None, as_user: str | None) -> None:
    """Hand tasks of one user to another (as the task settings allow): the user may hand
    their own tasks, an administrator anyone's."""
    with connected(env_name, as_user) as (_, _, target):
        tasks.delegate(target.client, task_ids, from_user, to_user)
    listed = ", ".join(str(t) for t in task_ids)
    click.echo(f"Delegated task(s) {listed} from user {from_user} to user {to_user}.", err=True)


# -- templates ----------------------------------------------------------------------------------


@click.group(name="templates")
def templates_group() -> None:
    """List the portal's templates, or delete one of bpl's application."""


@templates_group.command("list")
@click.option("--all", "everything", is_flag=True,
              help="Every template, not only this application's.")
@_env_option
@_as_option
@_json_option
@_sentences
def list_templates(everything: bool, env_name: str | None, as_user: str | None,
                   as_json: bool) -> None:
    """This application's templates and which workflow each one is."""
    with connected(env_name, as_user) as (proj, _, target):
        rows = templates.listed(target.client, app_id=target.app_id,
                                namespace=proj.config.project.name, include_all=everything)
    if as_json:
        _print_json([row.to_json() for row in rows])
        return
    if not rows:
        click.echo(f"No templates on {target.label}.")
        return
    _table(f"Templates on {target.label}", ["ID", "NAME", "DOCUMENT", "OWNER", "MODIFIED"],
           [(r.id, r.name, r.document_type[2] if len(r.document_type) == 3 else "",
             f"bpl: {r.managed_as}" if r.managed_as else r.ownership, r.modified)
            for r in rows])


@templates_group.command("delete")
@click.argument("template_id", type=int)
@click.option("--yes", is_flag=True, help="Delete without asking.")
@_env_option
@_as_option
@_sentences
def delete_template(template_id: int, yes: bool, env_name: str | None,
                    as_user: str | None) -> None:
    """Delete one template of this application (not while workflows run on it)."""
    with connected(env_name, as_user) as (proj, name, target):
        _protect(target, name, env_name is not None, "delete templates on it")
        namespace = proj.config.project.name
        row = templates.find(target.client, template_id, app_id=target.app_id,
                             namespace=namespace) \
            if target.client.config.auth.kind != "webhook" else None
        if not yes and row is not None:
            _confirm(f"Delete template {template_id} \"{row.name}\" from '{name}'?",
                     "not deleted")
        templates.delete(target.client, template_id, app_id=target.app_id, namespace=namespace)
    state = deploy_state(proj, name, target.config)
    state.forget(template_id)
    state.save()
    click.echo(f"Deleted template {template_id}.", err=True)
