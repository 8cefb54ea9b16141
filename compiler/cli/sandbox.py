"""`bpl sandbox`: run and fill the embedded sandbox portal (a local Bitrix24 for bizproc).

`seed` and `info --show-secrets` are the only commands that print secrets, because printing
credentials is what the user asked them for.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from compiler.cli.sandbox_drive import clock_group, document_group, run_group
from compiler.cli.sandbox_state import (
    data_option,
    field_values,
    json_option,
    opened,
    sandbox_errors,
    shown_path,
    state_file,
)
from compiler.ops.documents import parse as parse_document
from compiler.ops.documents import spelled
from compiler.sandbox import (
    DEFAULT_PORT,
    Credentials,
    Faults,
    Limits,
    Sandbox,
    is_loopback,
)
from compiler.sandbox.credentials import mask
from compiler.sandbox.served import DEFAULT_HOST, Served, client_urls, exports, url_of

NOT_SERVED = ("no server runs for this portal now: the URLs are where `bpl sandbox serve` "
              "listens by default")


def _client_urls(sb: Sandbox, webhook_path: str | None) -> dict[str, Any]:
    """Full URLs for the server that serves this portal now (or would by default)."""
    served = sb.served()
    base = served.url if served is not None else url_of(DEFAULT_HOST, DEFAULT_PORT)
    urls: dict[str, Any] = dict(client_urls(base, webhook_path))
    urls["served"] = served is not None
    urls["ca_file"] = served.ca_file if served is not None else None
    urls["trust"] = _exports(served)
    return urls


def _exports(served: Served | None) -> str | None:
    if served is None or served.bundle_file is None:
        return None
    return exports(served.bundle_file)


def _print_credentials(creds: Credentials, urls: dict[str, Any], *, as_json: bool,
                       header: str) -> None:
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
        **urls,
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(header)
    for key, value in data.items():
        if value is not None and key not in ("served", "trust"):
            click.echo(f"  {key:<15} {value}")
    _print_serving_note(urls)


def _print_serving_note(urls: dict[str, Any]) -> None:
    if not urls["served"]:
        click.echo(f"  ({NOT_SERVED})")
    elif urls["trust"]:
        click.echo(f"  {urls['trust']}")


@click.group("sandbox")
def sandbox() -> None:
    """The sandbox portal: a local Bitrix24 REST server for business processes."""


sandbox.add_command(document_group)
sandbox.add_command(run_group)
sandbox.add_command(clock_group)


@sandbox.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to use.")
@data_option
@click.option("--tls", is_flag=True,
              help="Serve https with a certificate of a local CA made for the loopback names.")
@click.option("--tls-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where the CA and the certificate live (default: tls/ beside the state file;"
                   " ~/.config/bpl/tls shares one CA between projects).")
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
    data: Path | None,
    tls: bool,
    tls_dir: Path | None,
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
    path = state_file(data)
    certificates = None
    if tls:
        # cryptography loads only for --tls: every other `bpl sandbox` command starts faster.
        from compiler.sandbox import tls as sandbox_tls

        folder = tls_dir.expanduser() if tls_dir is not None else path.parent / "tls"
        try:
            certificates = sandbox_tls.ensure(folder, sandbox_tls.server_names(host))
        except OSError as error:
            raise click.ClickException(f"cannot write the certificates to {folder}: "
                                       f"{error.strerror}") from None
    with opened(path, limits=chosen, faults=fault_config, token_lifetime=token_lifetime,
                run_workflows=not record_only) as sb:
        creds = sb.ensure_default_app()
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger = logging.getLogger("bpl.sandbox")
        logger.addHandler(handler)
        logger.setLevel(log_level.upper())
        url = url_of(host, port, tls=certificates is not None)
        click.echo(f"sandbox portal on {url} (state in {shown_path(path)})", err=True)
        if certificates is not None:
            click.echo(f"  CA certificate {certificates.ca}", err=True)
            click.echo("  to trust it in Python clients (requests, httpx, aiohttp):", err=True)
            click.echo(f"  {certificates.exports()}", err=True)
        click.echo(f"  default app client_id {creds.client_id}", err=True)
        click.echo("  URLs and credentials: bpl sandbox seed", err=True)
        if fault_config.active:
            click.echo(f"  faults: {faults}", err=True)
        sb.serve(host, port, allow_remote=allow_remote, log_level=log_level, tls=certificates)


@sandbox.group(invoke_without_command=True)
@data_option
@json_option
@click.pass_context
def seed(ctx: click.Context, data: Path | None, as_json: bool) -> None:
    """Create portal objects; without a subcommand, the default app, its credentials and the
    URLs a client is configured with."""
    path = state_file(data)
    ctx.obj = {"data": path, "json": as_json}
    if ctx.invoked_subcommand is None:
        with opened(path) as sb:
            creds = sb.ensure_default_app()
            urls = _client_urls(sb, creds.webhook_path)
        _print_credentials(creds, urls, as_json=as_json,
                           header=f"default app ({shown_path(path)})")


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
@sandbox_errors
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
    with opened(data) as sb:
        user_id = sb.create_user(
            name, admin=admin, last_name=last_name, email=email, head_id=head_id, extranet=extranet
        )
    click.echo(json.dumps({"user_id": user_id}) if as_json else f"user {user_id}: {name}")


@seed.command("app")
@click.argument("name")
@click.option("--scope", default="bizproc,user", show_default=True, help="Comma-separated.")
@click.option("--user", "user_id", type=int, default=1, show_default=True, help="Token owner.")
@click.pass_context
@sandbox_errors
def seed_app(ctx: click.Context, name: str, scope: str, user_id: int) -> None:
    """Install another app and print its credentials."""
    data, as_json = _obj(ctx)
    with opened(data) as sb:
        creds = sb.create_app(name, scopes=scope.split(","), user_id=user_id)
        urls = _client_urls(sb, None)
    _print_credentials(creds, urls, as_json=as_json, header=f"app {name}")


@seed.command("webhook")
@click.option("--user", "user_id", type=int, default=1, show_default=True)
@click.option("--scope", default="bizproc,user", show_default=True, help="Comma-separated.")
@click.option("--title", default="")
@click.pass_context
@sandbox_errors
def seed_webhook(ctx: click.Context, user_id: int, scope: str, title: str) -> None:
    """Create an incoming webhook and print its URL (which holds its secret)."""
    data, as_json = _obj(ctx)
    with opened(data) as sb:
        path = sb.create_webhook(user_id, scopes=scope.split(","), title=title)
        urls = _client_urls(sb, path)
    if as_json:
        click.echo(json.dumps({"webhook_path": path, "webhook_url": urls["webhook_url"],
                               "served": urls["served"]}))
        return
    click.echo(f"webhook {urls['webhook_url']}")
    if not urls["served"]:
        click.echo(f"  ({NOT_SERVED})")


@seed.command("document")
@click.argument("document")
@click.option("--name", default="", help="The document's title as tasks show it.")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A field's value, typed as the document type declares it (repeatable).")
@click.option("--fields", "fields_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Field values from a JSON object or a TOML table (--field wins).")
@click.pass_context
@sandbox_errors
def seed_document(ctx: click.Context, document: str, name: str, fields: tuple[str, ...],
                  fields_file: Path | None) -> None:
    """Create (or replace) a document to start workflows on, e.g. `crm.deal:1` or
    `lists.element(42):7`."""
    data, as_json = _obj(ctx)
    ref = parse_document(document)
    values = field_values(fields, fields_file)
    with opened(data) as sb:
        sb.seed_document(ref.id, document_type=ref.type[2], name=name, fields=values,
                         check_fields=True)
        record = sb.document_record(ref.id)
    assert record is not None
    if as_json:
        click.echo(json.dumps({"document": ref.spelled, "document_id": ref.id,
                               "document_type": ref.type, "name": record["name"],
                               "fields": record["fields"]}, ensure_ascii=False))
        return
    click.echo(f"document {ref.spelled} ({record['name']})")
    for code, value in record["fields"].items():
        click.echo(f"  {code} = {json.dumps(value, ensure_ascii=False)}")


@sandbox.command()
@data_option
@json_option
@click.option("--show-secrets", is_flag=True, help="Print secrets instead of masking them.")
def info(data: Path | None, as_json: bool, show_secrets: bool) -> None:
    """Describe the portal: where it is served, users, apps, webhooks, documents, templates."""
    path = state_file(data)
    if not path.exists():
        raise click.ClickException(f"no sandbox state at {shown_path(path)} "
                                   "(run `bpl sandbox seed`)")
    with opened(path) as sb:
        summary = sb.info(show_secrets=show_secrets)
        hook = sb.ensure_default_app().webhook_path
        urls = _client_urls(sb, hook if show_secrets else _masked_hook(hook))
    summary["urls"] = urls
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    _print_info(summary)


def _masked_hook(path: str) -> str:
    parts = path.split("/")
    return "/".join([*parts[:3], mask(parts[3]), *parts[4:]]) if len(parts) > 4 else path


def _print_info(summary: dict[str, Any]) -> None:
    urls = summary["urls"]
    click.echo(f"portal {urls['portal_url']}" + ("" if urls["served"] else " (not served now)"))
    for key in ("rest_url", "webhook_url", "oauth_token_url", "ca_file"):
        if urls[key]:
            click.echo(f"  {key:<15} {urls[key]}")
    if urls["trust"]:
        click.echo(f"  {urls['trust']}")
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
        ident = doc["document_id"]
        click.echo(f"  {spelled(ident, doc['document_type'])}  {doc['name']}")
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
