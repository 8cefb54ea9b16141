"""`bpl sandbox`: run and fill the embedded sandbox portal (a local Bitrix24 for bizproc).

`seed` and `info --show-secrets` are the only commands that print secrets, because printing
credentials is what the user asked them for.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any

import click

from compiler.sandbox import (
    DEFAULT_PORT,
    Credentials,
    Faults,
    Limits,
    Sandbox,
    SandboxConfig,
    is_loopback,
)

DEFAULT_DATA = Path(".bpl") / "sandbox.sqlite3"

_data_option = click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="SQLite file holding the portal's state (created on first use).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@contextmanager
def _opened(data: Path, **config: Any) -> Iterator[Sandbox]:
    """The portal on `data`, closed when the command is done with it."""
    try:
        sb = Sandbox(SandboxConfig(data=data, **config))
    except ValueError as error:  # a file that is not the sandbox's database
        raise click.ClickException(str(error)) from None
    try:
        yield sb
    finally:
        sb.close()


def _sandbox_errors(command: Callable[..., None]) -> Callable[..., None]:
    """Turn the sandbox's ValueErrors (bad ids, unknown types) into click usage errors."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except ValueError as error:
            raise click.ClickException(str(error)) from None

    return run


def _print_credentials(creds: Credentials, *, as_json: bool, header: str) -> None:
    data = {
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
        "app_id": creds.app_id,
        "system_code": f"rest_app_{creds.app_id}",
        "user_id": creds.user_id,
        "scope": creds.scope,
        "access_token": creds.access_token,
        "refresh_token": creds.refresh_token,
        "webhook_path": creds.webhook_path or None,
        "token_path": creds.token_path,
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(header)
    for key, value in data.items():
        if value is not None:
            click.echo(f"  {key:<14} {value}")


@click.group("sandbox")
def sandbox() -> None:
    """The sandbox portal: a local Bitrix24 REST server for business processes."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to use.")
@_data_option
@click.option(
    "--limits",
    type=click.Choice(["standard", "enterprise", "off"]),
    default="standard",
    show_default=True,
    help="Rate limits: standard (burst 50, 2/s), enterprise (250, 5/s) or off.",
)
@click.option(
    "--faults",
    default="",
    metavar="SPEC",
    help='Injected faults, e.g. "error=0.2,drop=0.1,after_commit=0.05,latency=50ms,seed=1".',
)
@click.option("--token-lifetime", type=int, default=3600, show_default=True, help="Seconds.")
@click.option("--operating-limit", type=float, help="Seconds per method per 10 minutes.")
@click.option("--cost-per-call", type=float, default=0.0, help="Seconds added to every call.")
@click.option("--allow-remote", is_flag=True, help="Allow a non-loopback --host.")
@click.option("--record-only", is_flag=True,
              help="Record started workflows without running them (tasks must be seeded).")
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    data: Path,
    limits: str,
    faults: str,
    token_lifetime: int,
    operating_limit: float | None,
    cost_per_call: float,
    allow_remote: bool,
    record_only: bool,
    log_level: str,
) -> None:
    """Serve the portal until interrupted."""
    if not allow_remote and not is_loopback(host):
        raise click.UsageError(
            f"refusing to serve on {host}: the sandbox is for this machine only "
            "(add --allow-remote to serve on other addresses)"
        )
    try:
        fault_config = Faults.parse(faults) if faults else Faults.none()
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--faults") from None
    preset = Limits.named(limits)
    overrides: dict[str, Any] = {"cost_per_call": cost_per_call}
    if operating_limit is not None:
        overrides["operating_limit"] = operating_limit
    chosen = replace(preset, **overrides)
    with _opened(data, limits=chosen, faults=fault_config, token_lifetime=token_lifetime,
                 run_workflows=not record_only) as sb:
        creds = sb.ensure_default_app()
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger("bpl.sandbox")
        logger.addHandler(handler)
        logger.setLevel(log_level.upper())
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"sandbox portal on http://{shown}:{port} (state in {data})", err=True)
        click.echo(f"  default app client_id {creds.client_id}", err=True)
        click.echo("  credentials: bpl sandbox info --show-secrets", err=True)
        if fault_config.active:
            click.echo(f"  faults: {faults}", err=True)
        sb.serve(host, port, allow_remote=allow_remote, log_level=log_level)


@sandbox.group(invoke_without_command=True)
@_data_option
@_json_option
@click.pass_context
def seed(ctx: click.Context, data: Path, as_json: bool) -> None:
    """Create portal objects; without a subcommand, the default app and its credentials."""
    ctx.obj = {"data": data, "json": as_json}
    if ctx.invoked_subcommand is None:
        with _opened(data) as sb:
            creds = sb.ensure_default_app()
        _print_credentials(creds, as_json=as_json, header=f"default app ({data})")


def _obj(ctx: click.Context) -> tuple[Path, bool]:
    return ctx.obj["data"], ctx.obj["json"]


@seed.command("user")
@click.argument("name")
@click.option("--last-name", default="")
@click.option("--email", default="")
@click.option("--admin", is_flag=True, help="A portal administrator.")
@click.option("--head", "head_id", type=int, help="The user's manager (for subordination).")
@click.option("--extranet", is_flag=True, help="An extranet (non-intranet) user.")
@click.pass_context
@_sandbox_errors
def seed_user(
    ctx: click.Context,
    name: str,
    last_name: str,
    email: str,
    admin: bool,
    head_id: int | None,
    extranet: bool,
) -> None:
    """Create a user; prints its id."""
    data, as_json = _obj(ctx)
    with _opened(data) as sb:
        user_id = sb.create_user(
            name, admin=admin, last_name=last_name, email=email, head_id=head_id, extranet=extranet
        )
    click.echo(json.dumps({"user_id": user_id}) if as_json else f"user {user_id}: {name}")


@seed.command("app")
@click.argument("name")
@click.option("--scope", default="bizproc,user", show_default=True, help="Comma-separated.")
@click.option("--user", "user_id", type=int, default=1, show_default=True, help="Token owner.")
@click.pass_context
@_sandbox_errors
def seed_app(ctx: click.Context, name: str, scope: str, user_id: int) -> None:
    """Install another app and print its credentials."""
    data, as_json = _obj(ctx)
    with _opened(data) as sb:
        creds = sb.create_app(name, scopes=scope.split(","), user_id=user_id)
    _print_credentials(creds, as_json=as_json, header=f"app {name}")


@seed.command("webhook")
@click.option("--user", "user_id", type=int, default=1, show_default=True)
@click.option("--scope", default="bizproc,user", show_default=True, help="Comma-separated.")
@click.option("--title", default="")
@click.pass_context
@_sandbox_errors
def seed_webhook(ctx: click.Context, user_id: int, scope: str, title: str) -> None:
    """Create an incoming webhook and print its path (which holds its secret)."""
    data, as_json = _obj(ctx)
    with _opened(data) as sb:
        path = sb.create_webhook(user_id, scopes=scope.split(","), title=title)
    click.echo(json.dumps({"webhook_path": path}) if as_json else f"webhook {path}")


@seed.command("document")
@click.argument("module")
@click.argument("entity")
@click.argument("document_id")
@click.option("--type", "document_type", help="Document type when the id does not carry it.")
@click.option("--name", default="")
@click.pass_context
@_sandbox_errors
def seed_document(
    ctx: click.Context,
    module: str,
    entity: str,
    document_id: str,
    document_type: str | None,
    name: str,
) -> None:
    """Create a document to start workflows on, e.g. `crm CCrmDocumentDeal DEAL_1`."""
    data, as_json = _obj(ctx)
    with _opened(data) as sb:
        created = sb.seed_document(
            [module, entity, document_id], document_type=document_type, name=name
        )
    if as_json:
        click.echo(json.dumps({"document_id": list(created[:3]), "document_type": created[3]}))
    else:
        click.echo(f"document {list(created[:3])} of type {created[3]}")


@sandbox.command()
@_data_option
@_json_option
@click.option("--show-secrets", is_flag=True, help="Print secrets instead of masking them.")
def info(data: Path, as_json: bool, show_secrets: bool) -> None:
    """Describe the portal: users, apps, webhooks, documents, templates, document fields."""
    if not data.exists():
        raise click.ClickException(f"no sandbox state at {data} (run `bpl sandbox seed`)")
    with _opened(data) as sb:
        summary = sb.info(show_secrets=show_secrets)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    _print_info(summary)


def _print_info(summary: dict[str, Any]) -> None:
    click.echo(f"member_id {summary['member_id']}")
    click.echo("users:")
    for user in summary["users"]:
        role = "admin" if user["admin"] else "user"
        click.echo(f"  {user['id']:>4}  {user['name']} ({role})")
    click.echo("apps:")
    for app in summary["apps"]:
        click.echo(
            f"  {app['app_id']:>4}  {app['name']}  {app['system_code']}  scope {app['scope']}"
        )
        for key in ("client_id", "client_secret", "access_token", "refresh_token"):
            if app[key]:
                click.echo(f"        {key:<14} {app[key]}")
        if app["access_expires"]:
            state = "expired" if app["access_expired"] else "valid"
            click.echo(f"        {'access expires':<14} {app['access_expires']} ({state})")
    click.echo("webhooks:")
    for hook in summary["webhooks"]:
        click.echo(f"  {hook['path']}  scope {hook['scope']}")
    click.echo("documents:")
    for doc in summary["documents"]:
        click.echo(f"  {doc['document_id']}  type {doc['document_type']}")
    click.echo("templates:")
    for tpl in summary["templates"]:
        owner = tpl["system_code"] or "(designer)"
        click.echo(f"  {tpl['id']:>4}  {tpl['name']}  {tpl['document_type'][2]}  {owner}")
    click.echo("robots and activities:")
    for act in summary["rest_activities"]:
        click.echo(f"  {act['kind']:<8} {act['code']}  app {act['app_id']}  {act['type']}")
    click.echo("document fields (from DOCUMENT_FIELDS):")
    for field in summary["document_fields"]:
        click.echo(
            f"  {field['document_type'][2]}.{field['code']}  template {field['template_id']}"
        )
    click.echo(f"running workflows: {summary['running_workflows']}")
