"""`bpl catalog`: the activity types bpl knows, their properties, results and the statement
that writes each one."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from typing import Any, get_args

import click

from compiler.catalog import ActivitySpec, CatalogError, PropertySpec, load_catalog
from compiler.catalog.models import ActivityModule
from compiler.catalog.statements import (
    CREATE_ACTIVITIES,
    CREATE_DOCUMENT,
    HANDLERS,
    STATEMENTS,
)
from compiler.cli.common import fail
from compiler.semantics.suggestions import did_you_mean


def statements_for(activity_type: str) -> list[str]:
    """The statements that lower to `activity_type`, as the language reference writes them
    (the statement table's synopses)."""
    found = [row.synopsis for row in STATEMENTS.values()
             if row.activity == activity_type and row.kind != "create"]
    found += [f"create {document} {{ … }}" for document, target in CREATE_ACTIVITIES.items()
              if target == activity_type]
    if activity_type == CREATE_DOCUMENT:
        found.append("create <the workflow's own document type> { … }")
    found += [h.synopsis for h in HANDLERS.values() if h.labelled == activity_type]
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
    data = dataclasses.asdict(spec)
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
