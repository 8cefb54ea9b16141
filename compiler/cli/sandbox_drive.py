"""`bpl sandbox document|run|clock`: drive workflows on the sandbox portal by hand — edit a
document, press a state machine's command button, look inside a run, move time forward.

These act on the portal's state directly, as a user in Bitrix's web interface would: Bitrix
has no REST method for them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from compiler.cli.sandbox_state import (
    data_option,
    field_values,
    json_option,
    opened,
    sandbox_errors,
    state_file,
)
from compiler.ops.documents import parse as parse_document
from compiler.ops.documents import spelled
from compiler.simulator import dates


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# -- documents -----------------------------------------------------------------------------------


@click.group("document")
def document_group() -> None:
    """Look at or change a document's fields (as a user editing it would)."""


def _print_document(record: dict[str, Any]) -> None:
    shown = spelled(record["document_id"], record["document_type"][2])
    click.echo(f"document {shown} ({record['name']})")
    labels = record["labels"]
    for code, value in record["fields"].items():
        label = f"  ({labels[code]})" if code in labels else ""
        click.echo(f"  {code} = {_value(value)}{label}")


@document_group.command("show")
@click.argument("document")
@data_option
@json_option
@sandbox_errors
def document_show(document: str, data: Path | None, as_json: bool) -> None:
    """A document's fields, e.g. `bpl sandbox document show crm.deal:1`."""
    ref = parse_document(document)
    with opened(state_file(data)) as sb:
        record = sb.document_record(ref.id)
    if record is None:
        raise click.ClickException(f"the sandbox portal has no document {ref.spelled} "
                                   f"(bpl sandbox seed document {ref.spelled} adds it)")
    if as_json:
        _echo_json({"document": ref.spelled, "document_id": record["document_id"],
                    "document_type": record["document_type"], "name": record["name"],
                    "fields": record["fields"]})
        return
    _print_document(record)


@document_group.command("set")
@click.argument("document")
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help="A field's new value (repeatable).")
@click.option("--fields", "fields_file", type=click.Path(dir_okay=False, path_type=Path),
              help="New values from a JSON object or a TOML table (--field wins).")
@click.option("--name", help="A new title for the document.")
@data_option
@sandbox_errors
def document_set(document: str, fields: tuple[str, ...], fields_file: Path | None,
                 name: str | None, data: Path | None) -> None:
    """Change fields of a document; workflows running on it see the new values."""
    ref = parse_document(document)
    values = field_values(fields, fields_file)
    if not values and name is None:
        raise click.UsageError("give --field KEY=VALUE, --fields FILE or --name")
    with opened(state_file(data), run_workflows=True) as sb:
        if sb.document_record(ref.id) is None:
            raise click.ClickException(f"the sandbox portal has no document {ref.spelled} "
                                       f"(bpl sandbox seed document {ref.spelled} adds it)")
        changed = sb.update_document(ref.id, values, name=name)
    for code, value in changed.items():
        click.echo(f"{ref.spelled} {code} = {_value(value)}")


# -- runs ----------------------------------------------------------------------------------------


@click.group("run")
def run_group() -> None:
    """Drive and inspect one workflow instance."""


@run_group.command("command")
@click.argument("workflow_id")
@click.argument("name")
@click.option("--as", "who", default="1", show_default=True, metavar="USER",
              help="The user who presses the button (an id or a name).")
@data_option
@sandbox_errors
def run_command(workflow_id: str, name: str, who: str, data: Path | None) -> None:
    """Send a state machine the command NAME (its name or its title), as a user would press
    its button."""
    with opened(state_file(data), run_workflows=True) as sb:
        user_id = sb.find_user(who)
        try:
            sb.send_command(workflow_id, name, user_id)
        except ValueError as error:
            hint = " (--as USER sends it as another user)" if "may not send" in str(error) else ""
            raise click.ClickException(f"{error}{hint}") from None
        view = sb.run_view(workflow_id)
    assert view is not None
    state = f"{view['state']} \"{view['state_title']}\"" if view["state"] else view["status"]
    click.echo(f"Sent '{name}' to workflow {workflow_id} as user {user_id}; it is now "
               f"{view['status']}, in state {state}." if view["status"] == "running" else
               f"Sent '{name}' to workflow {workflow_id} as user {user_id}; it is now "
               f"{view['status']}.")


@run_group.command("show")
@click.argument("workflow_id")
@data_option
@json_option
@sandbox_errors
def run_show(workflow_id: str, data: Path | None, as_json: bool) -> None:
    """A workflow's state, what it waits for, its variables, document, tasks, the path it
    took and its log (finished workflows too)."""
    with opened(state_file(data), run_workflows=True) as sb:
        view = sb.run_view(workflow_id)
    if view is None:
        raise click.ClickException(f"there is no workflow {workflow_id} on the sandbox portal "
                                   "(bpl workflows list --all shows them)")
    view["document"]["spelled"] = spelled(view["document_id"], view["document_type"][2])
    if as_json:
        _echo_json(view)
        return
    _print_run(view)


def _when(text: str | None) -> str:
    if not text:
        return ""
    moment = dates.parse(text.replace("T", " ").split("+")[0])
    return text if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _print_run(view: dict[str, Any]) -> None:
    template = view["template_name"] or "?"
    click.echo(f"workflow {view['id']}: {template} (template {view['template_id']}) "
               f"on {view['document']['spelled']}")
    status = view["status"]
    if view["state"]:
        status += f", state {view['state']} \"{view['state_title']}\""
    elif view["state_title"]:
        status += f" \"{view['state_title']}\""
    click.echo(f"  status   {status}")
    click.echo(f"  started  {_when(view['started'])} by user {view['started_by']}")
    if view["error"]:
        click.echo(f"  error    {view['error']}")
    if not view["run_by_sandbox"]:
        click.echo("  (recorded only: the sandbox does not run this workflow)")
    for wait in view["waits"]:
        click.echo(f"  waits    {_wait(wait)}")
    _section("parameters", view["parameters"])
    _section("variables", view["variables"])
    _section(f"document {view['document']['spelled']}", view["document"]["fields"] or {})
    click.echo("tasks:" if view["tasks"] else "tasks: none")
    for task in view["tasks"]:
        answers = ", ".join(f"user {u['user_id']} {u['answer']}"
                            + (f" \"{u['comment']}\"" if u["comment"] else "")
                            for u in task["users"])
        click.echo(f"  {task['id']:>4}  {task['name']}  [{task['status']}]  {answers}")
    click.echo("path taken:" if view["path"] else "path taken: none")
    for step in view["path"]:
        click.echo(f"  {step['at']}  {step['title']}  ({step['type']})")
    click.echo("log:" if view["log"] else "log: empty")
    for line in view["log"]:
        click.echo(f"  {_when(line['at'])}  {line['message']}")


def _section(title: str, values: Any) -> None:
    if not values:
        click.echo(f"{title}: none")
        return
    click.echo(f"{title}:")
    for key, value in values.items():
        click.echo(f"  {key} = {_value(value)}")


def _users(ids: list[int]) -> str:
    if not ids:
        return "anyone"
    return ("user " if len(ids) == 1 else "users ") + ", ".join(str(u) for u in ids)


def _wait(wait: dict[str, Any]) -> str:
    kind = wait["kind"]
    until = f" (until {wait['until']})" if wait.get("until") else ""
    if kind == "task":
        return f"task {wait['task_id']} \"{wait['name']}\" of {_users(wait['users'])}{until}"
    if kind == "timer":
        return f"the clock to reach {wait['at']}"
    if kind == "event":
        return f"bizproc.event.send for {wait['activity']}{until}"
    return f"command \"{wait['title'] or wait['command']}\" by {_users(wait['users'])}"


# -- the clock -----------------------------------------------------------------------------------


@click.group("clock")
def clock_group() -> None:
    """The sandbox's clock: see it, move it forward so that timers fire without waiting."""


def _ahead(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    hours, rest = divmod(delta.seconds, 3600)
    return f"{delta.days}d {hours}h {rest // 60}m"


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(text: str) -> float:
    """`3d`, `2h30i`, `90 minutes`: the interval syntax of Bitrix and of test scenarios."""
    parts = dates.parse_interval(text)
    if parts is None or any(amount < 0 for amount in parts.values()):
        raise click.BadParameter(f"'{text}' is not a duration like 3d, 2h or 1h30i "
                                 "(i or min are minutes)", param_hint="DURATION")
    if parts.get("y") or parts.get("m"):
        raise click.BadParameter("months and years have no fixed length: give days (30d); "
                                 "minutes are i or min", param_hint="DURATION")
    return timedelta(weeks=parts.get("w", 0), days=parts.get("d", 0), hours=parts.get("h", 0),
                     minutes=parts.get("i", 0), seconds=parts.get("s", 0)).total_seconds()


@clock_group.command("show")
@data_option
def clock_show(data: Path | None) -> None:
    """The portal's time and how far it is ahead of this machine's."""
    with opened(state_file(data)) as sb:
        now, ahead = sb.now(), sb.ahead()
    click.echo(f"sandbox time {_stamp(now)} ({_ahead(ahead)} ahead of this machine)")


@clock_group.command("advance")
@click.argument("amount", metavar="DURATION")
@data_option
@sandbox_errors
def clock_advance(amount: str, data: Path | None) -> None:
    """Move the portal's clock forward by DURATION (3d, 2h, 1h30i); timers that fall due fire
    now, for every process using the portal (a running `serve` too)."""
    seconds = duration(amount)
    with opened(state_file(data), run_workflows=True) as sb:
        moved = sb.advance(seconds)
        now = sb.now()
    click.echo(f"sandbox time {_stamp(now)}; {moved} workflow(s) moved on")
