"""`bpl catalog`: the activity types bpl knows, their properties, results and the statement
that writes each one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, get_args

import click

from compiler.catalog import ActivitySpec, CatalogError, PropertySpec, load_catalog
from compiler.catalog.models import ActivityModule
from compiler.cli.common import fail
from compiler.semantics.checker import (
    CREATE_ACTIVITY,
    HANDLER_ACTIVITY,
    STATEMENT_ACTIVITY,
    did_you_mean,
)
from compiler.syntax import ast

# How docs/language.md writes each statement class of STATEMENT_ACTIVITY. Display text only:
# which activity a statement lowers to stays in the checker's table; a test keeps both in step.
STATEMENT_SYNTAX: dict[type[ast.Stmt], str] = {
    ast.SetStmt: "set doc.F = v",
    ast.AssignStmt: "var.x = v",
    ast.LogStmt: 'log "text"',
    ast.WaitStmt: "wait 3d / wait until DATE",
    ast.StatusStmt: 'status "text"',
    ast.MailStmt: 'mail to RECIPIENTS subject "…" body "…"',
    ast.ApproveStmt: 'approve "Task" by USERS',
    ast.ReviewStmt: 'review "Task" by USERS',
    ast.AskStmt: 'ask "Task" by USERS { field var.X }',
    ast.TaskStmt: 'task "Title" { responsible USERS }',
    ast.StartStmt: "start workflow TEMPLATE for DOCUMENT",
    ast.WebhookStmt: 'webhook "https://…"',
    ast.StageStmt: 'stage "WON"',
    ast.AssignUsersStmt: "assign USERS",
    ast.TerminateStmt: 'terminate ["status"]',
    ast.GotoStmt: "goto STATE",
    ast.ParallelStmt: "parallel { branch { … } … }",
    ast.WhileStmt: "while C { … }",
    ast.ForEachStmt: "for each x in SOURCE { … }",
    ast.IfStmt: "if C { … } else { … }",
}
# The checker picks these two by the statement's keyword rather than through its table.
NOTIFY_SYNTAX = {"IMNotifyActivity": 'notify USERS "text"',
                 "SocNetMessageActivity": 'message USERS "text"'}
HANDLER_SYNTAX = {"enter": "enter { … } (in a state)", "exit": "exit { … } (in a state)",
                  "command": "on command NAME { … } (in a state)",
                  "delay": "on delay 1h { … } (in a state)"}


def statements_for(activity_type: str) -> list[str]:
    """The statements that lower to `activity_type`, as the language reference writes them."""
    found = [STATEMENT_SYNTAX[stmt] for stmt, target in STATEMENT_ACTIVITY.items()
             if target == activity_type and stmt in STATEMENT_SYNTAX]
    found += [f"create {document} {{ … }}" for document, target in CREATE_ACTIVITY.items()
              if target == activity_type]
    if activity_type == "CreateDocumentActivity":
        found.append("create <the workflow's own document type> { … }")
    if activity_type in NOTIFY_SYNTAX:
        found.append(NOTIFY_SYNTAX[activity_type])
    found += [HANDLER_SYNTAX[kind] for kind, target in HANDLER_ACTIVITY.items()
              if target == activity_type and kind in HANDLER_SYNTAX]
    return found


@click.command(name="catalog")
@click.argument("activity_type", required=False)
@click.option("--module", "module", type=click.Choice(get_args(ActivityModule)),
              help="Only the activities of this Bitrix module.")
@click.option("--robots", is_flag=True, help="Only activities that are automation rules too.")
@click.option("--json", "as_json", is_flag=True,
              help="JSON for tools: an array of activities, or one activity's object.")
def catalog_command(activity_type: str | None, module: str | None, robots: bool,
                    as_json: bool) -> None:
    """List the activity types bpl knows, or show one (bpl catalog GetUserActivity)."""
    try:
        catalog = load_catalog()
    except CatalogError as error:
        fail(str(error))
        raise
    if activity_type is not None:
        spec = catalog.activity(activity_type)
        if spec is None:
            hint = did_you_mean(activity_type, catalog.activities)
            fail(f"no activity type '{activity_type}' in the catalog"
                 + (f"; {hint}" if hint else "; run `bpl catalog` for the list"))
            raise SystemExit(1)  # unreachable
        if as_json:
            _print_json(_as_json(spec))
        else:
            _show(spec)
        return
    specs = [spec for spec in sorted(catalog.activities.values(), key=lambda s: s.type.lower())
             if (module is None or spec.module == module) and (not robots or spec.robot)]
    if as_json:
        _print_json([_as_json(spec) for spec in specs])
        return
    _table(f"{len(specs)} activity type(s)", ("Type", "Module", "Robot", "Title"),
           [(s.type, s.module, "yes" if s.robot else "", s.title) for s in specs])


def _as_json(spec: ActivitySpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    data["statements"] = statements_for(spec.type)
    return data


def _show(spec: ActivitySpec) -> None:
    lines = [f"{spec.type}: {spec.title}", spec.summary, ""]
    facts = [("module", spec.module), ("source", spec.source), ("category", spec.category)]
    if spec.robot:
        facts.append(("automation rule", _robot(spec)))
    facts.append(("children", _children(spec)))
    if spec.first_child:
        facts.append(("first child", ", ".join(spec.first_child)))
    if spec.event_driven:
        facts.append(("event-driven", "yes: may start an EventDrivenActivity branch"))
    if spec.extends:
        facts.append(("extends", spec.extends))
    if spec.filter_include:
        facts.append(("offered for", ", ".join(spec.filter_include)))
    if spec.filter_exclude:
        facts.append(("not offered for", ", ".join(spec.filter_exclude)))
    if spec.hidden:
        facts.append(("designer", "hidden (still imported and run)"))
    if spec.admin_only:
        facts.append(("import", "administrators only"))
    if spec.non_admin_requires:
        facts.append(("non-admin import needs", spec.non_admin_requires))
    statements = statements_for(spec.type)
    facts.append(("statement", "; ".join(statements) if statements else
                  f'none: activity {spec.type} "Title" {{ … }}'))
    width = max(len(name) for name, _ in facts)
    lines += [f"  {name.ljust(width)}  {value}" for name, value in facts]
    if spec.notes:
        lines += ["", spec.notes]
    click.echo("\n".join(lines))
    _table("Properties", ("Property", "Type", "Required", "Default", "Options", "Summary"),
           [(name, _type(prop), _required(spec, name, prop), _value(prop.default),
             ", ".join(str(o) for o in prop.options or ()), prop.summary)
            for name, prop in spec.properties.items()])
    returns = [(key, ret.type + ("[]" if ret.multiple else ""), ret.summary)
               for key, ret in spec.returns.items()]
    if spec.returns_from:
        returns.append(("<field codes>", "any",
                        f"each field chosen in {', '.join(spec.returns_from)}"))
    if returns:
        _table("Returns ({=Name:Key})", ("Key", "Type", "Summary"), returns)


def _robot(spec: ActivitySpec) -> str:
    category = spec.robot_category
    text = ", ".join(category) if isinstance(category, tuple) else (category or "")
    if spec.robot_title:
        text = f'"{spec.robot_title}"' + (f" ({text})" if text else "")
    return text or "yes"


def _children(spec: ActivitySpec) -> str:
    if spec.children == "none":
        return "none"
    if spec.children == "any":
        return "any activity"
    return "only " + ", ".join(spec.children)


def _type(prop: PropertySpec) -> str:
    return prop.type + ("[]" if prop.multiple else "")


def _required(spec: ActivitySpec, name: str, prop: PropertySpec) -> str:
    if prop.required:
        return "yes"
    for condition, word in ((prop.required_if, "if"), (prop.required_unless, "unless")):
        if condition:
            return f"{word} " + ", ".join(f"{key}={value}" for key, value in condition.items())
    for group in spec.require_one_of:
        if name in group:
            return "one of " + "/".join(group)
    return ""


def _value(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        # Type and property names stay whole: they are what a reader copies into a .bpl file.
        table.add_column(column, overflow="fold", no_wrap=index == 0)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    Console(highlight=False).print(table)
