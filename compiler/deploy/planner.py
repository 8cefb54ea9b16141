"""Compiled templates + what the portal has → a `Plan`.

Decisions per workflow (identity in `identity`): no managed template → add; one whose
DOCUMENT_TYPE differs → replace (the portal cannot change it in place); one whose canonical
content differs → update (with TEMPLATE_DATA only when the tree or the parameters, variables
or constants changed, so tuned constants survive a rename); otherwise unchanged. Managed
templates whose workflow left the sources are deleted with `prune` and kept (and listed)
without it.

One workflow has one template. More than one carrying its marker can only come from adds of
this application that raced (two applies at once, see `apply`), so the lowest ID stays the
workflow's template and the others are always planned for deletion, `prune` or not: keeping
them would leave a second copy starting on the same documents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from compiler.bitrix import TemplateShapeError
from compiler.bitrix.canonical import (
    CanonicalTemplate,
    Node,
    Normaliser,
    document_type_of,
    from_compiled,
)
from compiler.codegen import CompiledTemplate
from compiler.deploy import identity
from compiler.deploy.diff import ActivityChange, TemplateDiff, diff_templates
from compiler.deploy.plan import (
    ActivityDiff,
    EntryDiff,
    FieldDiff,
    Location,
    Note,
    Plan,
    PropertyDiff,
    Send,
    TemplatePlan,
    Unmanaged,
)
from compiler.deploy.read import Snapshot, from_portal, row_id
from compiler.deploy.state import DeployState
from compiler.source import SourceFile, Span

AUTOSTART = {0: "never", 1: "on create", 2: "on edit", 3: "on create and edit"}
STARTS_WHEN = {1: "is created", 2: "is edited", 3: "is created or edited"}
PATH_SEPARATOR = " › "


@dataclass
class PlanInputs:
    environment: str
    portal: str
    namespace: str | None = None
    prune: bool = False


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def send_for(template: CompiledTemplate, key: str) -> Send:
    """What add/update send for `template` (DESCRIPTION with its identity marker)."""
    return Send(NAME=template.name,
                DESCRIPTION=identity.marked_description(template.description, key),
                AUTO_EXECUTE=str(template.auto_execute),
                DOCUMENT_TYPE=list(template.document_type))


def source_location(span: Span | None, sources: Mapping[str, SourceFile]) -> Location | None:
    if span is None:
        return None
    source = sources.get(span.file)
    text = source.line_text(span.line).strip() if source else ""
    return Location(file=span.file, line=span.line, column=span.column, source=text)


def _path(node: Node) -> str:
    titles = []
    parent = node.parent
    while parent is not None and parent.parent is not None:  # the root is the workflow itself
        titles.append(parent.title)
        parent = parent.parent
    return PATH_SEPARATOR.join(reversed(titles))


def _json(value: Any) -> Any:
    """Raw property values are JSON already; tuples (from Python) become lists."""
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return value


class Planner:
    def __init__(self, normaliser: Normaliser, sources: Mapping[str, SourceFile],
                 state: DeployState | None = None,
                 instances: Callable[[list[int]], dict[int, int]] | None = None) -> None:
        self.normaliser = normaliser
        self.sources = sources
        self.state = state
        self.instances = instances

    def plan(self, templates: Sequence[CompiledTemplate], snapshot: Snapshot,
             inputs: PlanInputs) -> Plan:
        ours = snapshot.system_code
        managed: dict[str, list[dict[str, Any]]] = {}
        plan = Plan(environment=inputs.environment, portal=inputs.portal, system_code=ours,
                    namespace=inputs.namespace, prune=inputs.prune,
                    created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    fingerprint=snapshot.fingerprint(), reads=snapshot.calls)
        for row in snapshot.rows:
            owner = identity.classify(_str(row.get("SYSTEM_CODE")), _str(row.get("DESCRIPTION")),
                                      ours, inputs.namespace)
            if owner.ownership is identity.Ownership.MANAGED:
                assert owner.key is not None
                managed.setdefault(owner.key, []).append(row)
            else:
                plan.unmanaged.append(self._unmanaged(row, owner))
        seen: set[str] = set()
        for template in templates:
            key = identity.identity_key(template.workflow, inputs.namespace)
            seen.add(key)
            rows = sorted(managed.get(key, []), key=row_id)
            plan.templates.append(self._template(template, key, rows[0] if rows else None))
            plan.templates.extend(self._duplicate(row, key, rows[0]) for row in rows[1:])
        for key, rows in sorted(managed.items()):
            if key not in seen:
                rows = sorted(rows, key=row_id)
                plan.templates.append(self._leftover(rows[0], key, inputs.prune))
                plan.templates.extend(self._duplicate(row, key, rows[0]) for row in rows[1:])
        self._check_running(plan)
        return plan

    # -- one workflow --------------------------------------------------------------------------

    def _template(self, template: CompiledTemplate, key: str,
                  row: dict[str, Any] | None) -> TemplatePlan:
        new = from_compiled(template, self.normaliser)
        entry = TemplatePlan(
            action="add", key=key, workflow=template.workflow, name=template.name,
            document_type=list(template.document_type),
            location=source_location(template.span, self.sources),
            bpt_sha256=sha256(template.bpt()), content_hash=new.content_hash,
            send=send_for(template, key),
        )
        if row is None:
            entry.notes.extend(self._add_notes(template))
            return entry
        entry.template_id = row_id(row)
        try:
            old = from_portal(row, self.normaliser)
        except TemplateShapeError as error:
            entry.action = "update"
            entry.blocked = (f"the template on the portal cannot be read ({error.sentence}), so "
                             "bpl cannot tell what applying would change; repair or delete it "
                             "on the portal, then plan again")
            return entry
        if old.content_hash == new.content_hash:
            entry.action = "unchanged"
            entry.send = None
            return entry
        changes = diff_templates(old, new)
        self._describe(entry, changes, template)
        if old.document_key() != new.document_key():
            entry.action = "replace"
            entry.notes.append(Note(kind="document-type", message=(
                f"the document type changes from {'/'.join(old.document_type)} to "
                f"{'/'.join(new.document_type)}; Bitrix cannot change it in place, so the "
                "template is deleted and added again under a new ID (settings tuned on the "
                "portal are lost)")))
            entry.notes.extend(self._add_notes(template))
        else:
            entry.action = "update"
            assert entry.send is not None
            entry.send.template_data = old.body_hash != new.body_hash
            entry.notes.extend(self._update_notes(template, old, new, entry.send.template_data))
        entry.notes.extend(self._drift(entry.template_id, row, old))
        return entry

    def _describe(self, entry: TemplatePlan, changes: TemplateDiff,
                  template: CompiledTemplate) -> None:
        entry.fields = [FieldDiff(field=c.field, old=c.old, new=c.new) for c in changes.header]
        entry.entries = [EntryDiff(collection=c.collection, ident=c.ident,  # type: ignore[arg-type]
                                   kind=c.kind, keys=c.keys, old=c.old, new=c.new)
                         for c in changes.entries]
        entry.activities = [self._activity(c, template) for c in changes.activities]

    def _activity(self, change: ActivityChange, template: CompiledTemplate) -> ActivityDiff:
        node = change.node
        span = template.spans.get(change.new.name) if change.new is not None else None
        return ActivityDiff(
            kind=change.kind, type=node.type, title=node.title, path=_path(node),
            old_path=_path(change.old) if change.kind == "moved" and change.old else None,
            location=source_location(span, self.sources),
            properties=[PropertyDiff(key=p.key, old=_json(p.old), new=_json(p.new))
                        for p in change.properties],
            activated=change.activated, inside=change.inside, root=node.parent is None,
        )

    # -- side effects --------------------------------------------------------------------------

    @staticmethod
    def _document(template: CompiledTemplate) -> str:
        return template.document_type[2]

    def _add_notes(self, template: CompiledTemplate) -> list[Note]:
        notes = []
        if template.auto_execute:
            when = STARTS_WHEN.get(template.auto_execute, "changes")
            notes.append(Note(kind="autostart", message=(
                f"starts by itself whenever a {self._document(template)} document {when}")))
        notes.extend(self._fields_note(template))
        return notes

    def _update_notes(self, template: CompiledTemplate, old: CanonicalTemplate,
                      new: CanonicalTemplate, reimport: bool) -> list[Note]:
        notes = []
        if old.auto_execute != new.auto_execute:
            notes.append(Note(kind="autostart", message=(
                f"autostart: {AUTOSTART.get(old.auto_execute, old.auto_execute)} → "
                f"{AUTOSTART.get(new.auto_execute, new.auto_execute)}"
                + (f"; it will start by itself whenever a {self._document(template)} document "
                   f"{STARTS_WHEN[new.auto_execute]}" if new.auto_execute in STARTS_WHEN
                   else "; it will no longer start by itself"))))
        if reimport:
            notes.extend(self._fields_note(template))
            for ident, spec in new.constants.items():
                before = old.constants.get(ident)
                if before is not None and before.get("Default") != spec.get("Default"):
                    notes.append(Note(kind="constants-reset", message=(
                        f"constant {ident}: the value on the portal ({before.get('Default')!r})"
                        f" is replaced by {spec.get('Default')!r}; an update re-imports the "
                        "template and values tuned in the designer are lost")))
        return notes

    def _fields_note(self, template: CompiledTemplate) -> list[Note]:
        fields = template.template.document_fields
        if not isinstance(fields, Mapping) or not fields:
            return []
        names = ", ".join(sorted(str(k) for k in fields))
        return [Note(kind="document-fields", message=(
            f"the import creates or updates document fields of {self._document(template)}: "
            f"{names}"))]

    def _drift(self, template_id: int | None, row: Mapping[str, Any],
               current: CanonicalTemplate) -> list[Note]:
        if self.state is None or template_id is None:
            return []
        applied = self.state.get(template_id)
        if applied is None or applied.content_hash == current.content_hash:
            return []
        who = f" by user {row.get('USER_ID')}" if row.get("USER_ID") else ""
        when = f" (modified {row.get('MODIFIED')}{who})" if row.get("MODIFIED") else ""
        return [Note(kind="drift", message=(
            f"edited on the portal since bpl applied it on {applied.applied_at}{when}; "
            "applying replaces those edits with the sources"))]

    # -- templates without a workflow ----------------------------------------------------------

    def _leftover(self, row: dict[str, Any], key: str, prune: bool) -> TemplatePlan:
        _, workflow = identity.split_key(key)
        message = f"the workflow {workflow} is no longer in the sources"
        message += "; bpl plan --prune deletes it" if not prune else ""
        return TemplatePlan(
            action="delete" if prune else "keep", key=key, workflow=workflow,
            name=_str(row.get("NAME")) or "", document_type=_document_type(row),
            template_id=row_id(row), notes=[Note(kind="not-in-sources", message=message)],
        )

    def _duplicate(self, row: dict[str, Any], key: str, kept: dict[str, Any]) -> TemplatePlan:
        _, workflow = identity.split_key(key)
        message = (f"template {row_id(row)} carries the marker of {workflow} as well as template "
                   f"{row_id(kept)} (two applies at the same time add a workflow twice): bpl "
                   "keeps the lowest ID and deletes the other")
        return TemplatePlan(
            action="delete", key=key, workflow=workflow, name=_str(row.get("NAME")) or "",
            document_type=_document_type(row), template_id=row_id(row),
            duplicate_of=row_id(kept), notes=[Note(kind="duplicate", message=message)],
        )

    def _check_running(self, plan: Plan) -> None:
        targets = [t for t in plan.templates
                   if t.action in ("delete", "replace") and t.template_id is not None]
        if not targets or self.instances is None:
            return
        counts = self.instances([t.template_id for t in targets if t.template_id is not None])
        for entry in targets:
            running = counts.get(entry.template_id or 0, 0)
            if running:
                entry.blocked = (f"{running} running workflow(s) use template "
                                 f"{entry.template_id}; the portal refuses to delete it until "
                                 "they finish or are stopped")
                entry.notes.append(Note(kind="running", message=entry.blocked))

    def _unmanaged(self, row: dict[str, Any], owner: identity.Owner) -> Unmanaged:
        reason = owner.ownership.value
        notes = {
            "designer": "made in the designer (no application owns it)",
            "other-app": f"belongs to {row.get('SYSTEM_CODE')}",
            "other-project": f"managed by another bpl project ([bpl:{owner.key}])",
            "unmarked": "made by this application, but its description has no bpl marker",
        }
        note = notes[reason]
        if owner.key and reason == "other-app":
            note += (f" although it carries the marker [bpl:{owner.key}] (an earlier install "
                     "of the app?); bpl cannot update it")
        if reason == "unmarked" and self.state is not None:
            applied = self.state.get(row_id(row))
            if applied is not None:
                note += (f"; bpl applied it as {applied.key}: put the line "
                         f"[bpl:{applied.key}] back at the end of its description to "
                         "manage it again")
        return Unmanaged(id=row_id(row), name=_str(row.get("NAME")) or "",
                         document_type=_document_type(row), reason=reason,  # type: ignore[arg-type]
                         system_code=_str(row.get("SYSTEM_CODE")), key=owner.key, note=note)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None if value is None else str(value)


def _document_type(row: Mapping[str, Any]) -> list[str]:
    return list(document_type_of(row))
