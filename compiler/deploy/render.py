"""A plan as text: for a terminal (human), for machines (json), for a pull request (markdown).

Activities are named by their titles and the .bpl statement they come from, never by their
generated `A12345_…` names, and long values are shortened: a reviewer reads what changed,
not the template blob.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import jinja2

from compiler.deploy.plan import (
    ActivityDiff,
    EntryDiff,
    FieldDiff,
    Plan,
    RobotPlan,
    TemplatePlan,
    Unmanaged,
)

MAX_VALUE = 72
SIGNS = {"add": "+", "update": "~", "replace": "±", "delete": "-", "unchanged": "=", "keep": "!"}
ACTIVITY_SIGNS = {"added": "+", "removed": "-", "moved": "↷", "changed": "~"}
VERBS = {
    "add": "will be added",
    "update": "will be updated in place",
    "replace": "will be replaced (deleted and added again)",
    "delete": "will be deleted",
    "keep": "is kept",
    "unchanged": "is unchanged",
}
ROBOT_VERBS = {
    "add": "will be registered",
    "update": "will be updated",
    "replace": "will be registered again",
    "delete": "will be deleted",
    "keep": "is kept",
    "unchanged": "is unchanged",
}
_COLORS = {"+": "\x1b[32m", "~": "\x1b[33m", "±": "\x1b[35m", "-": "\x1b[31m", "!": "\x1b[33m",
           "↷": "\x1b[36m"}
_RESET = "\x1b[0m"
_REASONS = {
    "designer": "designer",
    "other-app": "another app",
    "other-project": "another bpl project",
    "unmarked": "this app, no marker",
}


def short(value: Any, limit: int = MAX_VALUE) -> str:
    """A value as a reviewer reads it: JSON, on one line, cut in the middle when long."""
    if value is None:
        return "(not set)"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}…{text[-half:]}"


def document(document_type: list[str]) -> str:
    return document_type[2] if len(document_type) == 3 else "/".join(document_type)


def activity_line(change: ActivityDiff) -> str:
    sign = ACTIVITY_SIGNS[change.kind]
    label = f"{change.type} \"{change.title}\""
    if change.root:
        label = f"the workflow itself ({change.type})"
    where = f" in {change.path}" if change.path else ""
    if change.kind == "moved":
        before = change.old_path or "the top"
        where = f" from {before} to {change.path or 'the top'}"
    inside = f" (and {change.inside} inside)" if change.inside else ""
    return f"{sign} {label}{where}{inside}"


def field_line(change: FieldDiff) -> str:
    return f"{change.field}: {short(change.old)} → {short(change.new)}"


def entry_line(change: EntryDiff) -> str:
    kind = change.collection.lower().rstrip("s")
    if change.kind == "added":
        return f"+ {kind} {change.ident}"
    if change.kind == "removed":
        return f"- {kind} {change.ident}"
    old, new = change.old or {}, change.new or {}
    parts = [f"{k}: {short(old.get(k))} → {short(new.get(k))}" for k in change.keys]
    return f"~ {kind} {change.ident}: " + "; ".join(parts)


def unmanaged_line(item: Unmanaged) -> str:
    return f"#{item.id} \"{item.name}\" ({document(item.document_type)}) — {item.note}"


def robot_heading(entry: RobotPlan) -> str:
    name = f" \"{entry.name}\"" if entry.name else ""
    return f"{SIGNS[entry.action]} {entry.kind} {entry.code}{name} {ROBOT_VERBS[entry.action]}"


def heading(entry: TemplatePlan) -> str:
    target = f" template {entry.template_id}" if entry.template_id is not None else ""
    return (f"{SIGNS[entry.action]} {entry.workflow} \"{entry.name}\" "
            f"({document(entry.document_type)}){target} {VERBS[entry.action]}"
            f"{duplicate_of(entry)}")


def duplicate_of(entry: TemplatePlan) -> str:
    """What sets a duplicate's delete apart from a prune: which template stays."""
    if entry.duplicate_of is None:
        return ""
    return f", a duplicate of template {entry.duplicate_of}"


# -- human ------------------------------------------------------------------------------------


def _paint(line: str, color: bool) -> str:
    if not color:
        return line
    stripped = line.lstrip()
    code = _COLORS.get(stripped[:1])
    return f"{code}{line}{_RESET}" if code else line


def _template_lines(entry: TemplatePlan) -> list[str]:
    lines = [heading(entry)]
    if entry.location is not None:
        lines.append(f"    at {entry.location}")
    for change in entry.fields:
        lines.append(f"    ~ {field_line(change)}")
    for activity in entry.activities:
        lines.append(f"    {activity_line(activity)}")
        if activity.location is not None:
            source = f"  {activity.location.source}" if activity.location.source else ""
            lines.append(f"        {activity.location}{source}")
        if activity.activated is not None:
            state = "enabled" if activity.activated[1] else "disabled"
            lines.append(f"        now {state}")
        for prop in activity.properties:
            lines.append(f"        {prop.key}: {short(prop.old)} → {short(prop.new)}")
    for declared in entry.entries:
        lines.append(f"    {entry_line(declared)}")
    for note in entry.notes:
        lines.append(f"    ! {note.message}")
    if entry.blocked and not any(n.kind == "running" for n in entry.notes):
        lines.append(f"    ! blocked: {entry.blocked}")
    return lines


def _robot_lines(entry: RobotPlan) -> list[str]:
    lines = [robot_heading(entry)]
    if entry.location is not None:
        lines.append(f"    at {entry.location}")
    lines.extend(f"    ~ {field_line(change)}" for change in entry.fields)
    lines.extend(f"    ! {note.message}" for note in entry.notes)
    if entry.blocked and not any(entry.blocked == n.message for n in entry.notes):
        lines.append(f"    ! blocked: {entry.blocked}")
    return lines


def _robots_section(plan: Plan, color: bool, verbose: bool) -> list[str]:
    if not plan.robots and not plan.foreign_robots:
        return []
    lines = ["Robots and actions (the portal lists only their CODEs; bpl compares the sources "
             "with what it registered last):"]
    for entry in plan.robots:
        if entry.action != "unchanged" or verbose:
            lines.extend(_paint(line, color) for line in _robot_lines(entry))
    unchanged = [r.subject for r in plan.robots if r.action == "unchanged"]
    if unchanged and not verbose:
        lines.append(f"= {len(unchanged)} unchanged: {', '.join(unchanged)}")
    if plan.foreign_robots:
        names = ", ".join(f"{r.kind} {r.code}" for r in plan.foreign_robots)
        lines.append(f"Registered outside bpl and not in the sources, never touched: {names}")
    return [*lines, ""]


def render_human(plan: Plan, *, color: bool = False, verbose: bool = False) -> str:
    lines = [f"Plan for environment \"{plan.environment}\" ({plan.portal}), templates of "
             f"{plan.system_code}; the portal was read in {plan.reads} call(s).", ""]
    for entry in plan.templates:
        if entry.action == "unchanged" and not verbose:
            continue
        lines.extend(_paint(line, color) for line in _template_lines(entry))
        lines.append("")
    unchanged = plan.count("unchanged")
    if unchanged and not verbose:
        names = ", ".join(t.workflow for t in plan.templates if t.action == "unchanged")
        lines.extend([f"= {unchanged} unchanged: {names}", ""])
    if plan.unmanaged:
        counts: dict[str, int] = {}
        for item in plan.unmanaged:
            counts[_REASONS[item.reason]] = counts.get(_REASONS[item.reason], 0) + 1
        detail = ", ".join(f"{n} {reason}" for reason, n in counts.items())
        lines.append(f"Not managed by bpl, never touched: {len(plan.unmanaged)} ({detail})")
        shown = plan.unmanaged if verbose else [u for u in plan.unmanaged
                                                if u.reason != "designer" or u.key]
        lines.extend(f"    {unmanaged_line(item)}" for item in shown)
        lines.append("")
    lines.extend(_robots_section(plan, color, verbose))
    summary = f"Plan: {plan.summary()}."
    lines.append(summary if plan.has_changes else f"No changes. {summary}")
    return "\n".join(lines)


# -- json / markdown --------------------------------------------------------------------------


def render_json(plan: Plan) -> str:
    return plan.to_json()


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compiler.deploy", "templates"),
        autoescape=False,  # Markdown, not HTML; values are escaped by `code` below
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(short=short, document=document, code=_code, activity=activity_line,
                       field=field_line, entry=entry_line, heading=heading,
                       unmanaged=unmanaged_line, robot=robot_heading,
                       duplicate_of=duplicate_of)
    return env


def _code(text: str) -> str:
    """Inline code that survives backticks inside the value."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


# Mermaid text of a changing template's picture (compiler.graph.changes), or None.
Diagram = Callable[[TemplatePlan], str | None]


def render_markdown(plan: Plan, diagram: Diagram | None = None) -> str:
    """A pull-request comment: a summary table, then one folded section per template (with
    `diagram`, a picture of each changing workflow)."""
    return _environment().get_template("plan.md.j2").render(
        plan=plan, signs=SIGNS, diagram=diagram or (lambda _: None))


def render(plan: Plan, fmt: str, *, color: bool = False, verbose: bool = False,
           diagram: Diagram | None = None) -> str:
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan, diagram)
    return render_human(plan, color=color, verbose=verbose)
