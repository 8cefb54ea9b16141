"""Declared robots and actions + the CODEs the portal lists + the state file → robot plan entries.

Per declaration: not listed → add (register); listed as the other kind → replace (a robot and
an action of one app share the CODE, so the old registration is deleted first); listed and the
state file holds the same parameter hash → unchanged; listed with another hash → update (with
the fields that change); listed but unknown to the state file → update, because the portal
cannot show what is registered and an update makes it match the sources.

A CODE the portal lists that the sources do not declare is deleted with `prune` when bpl
registered it (the state file says so), and only if no template that stays on the portal calls
it; one bpl never registered is someone else's and is only listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from compiler.codegen.robots import RobotRegistration
from compiler.deploy.plan import FieldDiff, ForeignRobot, Note, RobotPlan, TemplatePlan
from compiler.deploy.planner import source_location
from compiler.deploy.read import Snapshot, row_id
from compiler.deploy.robot_read import Kind, RobotListing
from compiler.deploy.state import DeployState, Registered
from compiler.semantics.checker import robot_activity_type
from compiler.source import SourceFile


def display_name(params: Mapping[str, Any]) -> str:
    name = params.get("NAME")
    if isinstance(name, Mapping):
        return str(name.get("en") or next(iter(name.values()), ""))
    return str(name or "")


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldDiff]:
    """What an update changes, one entry per leaf (`PROPERTIES.amount.Type`)."""
    changes: list[FieldDiff] = []

    def walk(path: str, before: Any, after: Any) -> None:
        if isinstance(before, Mapping) and isinstance(after, Mapping) and before and after:
            for key in [*before, *(k for k in after if k not in before)]:
                walk(f"{path}.{key}" if path else str(key), before.get(key), after.get(key))
        elif before != after:
            changes.append(FieldDiff(field=path, old=before, new=after))

    walk("", dict(old), dict(new))
    return changes


def calls_type(tree: Any, activity_type: str) -> bool:
    """Whether a portal row's TEMPLATE holds an activity of `activity_type` (types compare
    without case: the portal may store them either way). It reads the row as stored, not as a
    Template: any array with that Type counts, in a tree too damaged to read as well, so that a
    robot a template still calls is never deleted."""
    wanted = activity_type.lower()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            if str(item.get("Type", "")).lower() == wanted:
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class RobotPlanner:
    def __init__(self, sources: Mapping[str, SourceFile], state: DeployState | None,
                 client_id: str | None) -> None:
        self.sources = sources
        self.state = state
        self.client_id = client_id

    def plan(self, registrations: Sequence[RobotRegistration], snapshot: Snapshot,
             templates: Sequence[TemplatePlan], *,
             prune: bool) -> tuple[list[RobotPlan], list[ForeignRobot]]:
        listing = snapshot.robots or RobotListing()
        entries = [self._declared(r, listing, snapshot.app_id) for r in registrations]
        declared = {r.code for r in registrations}
        foreign: list[ForeignRobot] = []
        for kind, code in self._undeclared(listing, declared, snapshot.app_id):
            recorded = self._recorded(f"{kind}:{code}", snapshot.app_id)
            if recorded is None:
                foreign.append(ForeignRobot(kind=kind, code=code))
                continue
            entries.append(self._leftover(recorded, listing, snapshot, templates, prune=prune))
        return entries, foreign

    # -- declared --------------------------------------------------------------------------

    def _declared(self, registration: RobotRegistration, listing: RobotListing,
                  app_id: int) -> RobotPlan:
        entry = RobotPlan(
            action="add", kind=registration.kind, code=registration.code,
            name=display_name(registration.params),
            location=source_location(registration.span, self.sources),
            activity_type=self._type(registration.code),
            content_hash=registration.content_hash,
        )
        recorded = self._recorded(registration.key, app_id)
        if not listing.readable:
            return self._unreadable(entry, registration, recorded, listing)
        listed = listing.kind_of(registration.code)
        if listed is None:
            if recorded is not None:
                entry.notes.append(Note(kind="gone", message=(
                    f"bpl registered it on {recorded.applied_at}, but the portal no longer lists "
                    "it (updating or reinstalling the application deletes its robots and "
                    "actions); it is registered again")))
            return entry
        if listed != registration.kind:
            entry.action = "replace"
            entry.previous_kind = listed
            entry.notes.append(Note(kind="outside", message=(
                f"the portal has {registration.code} as {_a(listed)}, the sources declare "
                f"{_a(registration.kind)}: the {listed} is deleted and the {registration.kind} "
                "registered (templates call both by the same activity type)")))
            return entry
        if recorded is None:
            entry.action = "update"
            entry.notes.append(Note(kind="outside", message=(
                "registered outside bpl (the state file does not know it, so what the portal "
                "holds cannot be compared): the update makes it match the sources")))
            return entry
        if recorded.content_hash == registration.content_hash:
            entry.action = "unchanged"
            return entry
        entry.action = "update"
        entry.fields = field_changes(recorded.params, registration.params)
        return entry

    def _unreadable(self, entry: RobotPlan, registration: RobotRegistration,
                    recorded: Registered | None, listing: RobotListing) -> RobotPlan:
        """Through a connection that cannot list robots, the state file is all there is; any
        change is blocked, because the same connection cannot make it either."""
        if recorded is not None and recorded.content_hash == registration.content_hash:
            entry.action = "unchanged"
            return entry
        if recorded is not None:
            entry.action = "update"
            entry.fields = field_changes(recorded.params, registration.params)
        entry.blocked = listing.denied
        entry.notes.append(Note(kind="app-context", message=listing.denied or ""))
        return entry

    # -- not declared ----------------------------------------------------------------------

    def _undeclared(self, listing: RobotListing, declared: set[str],
                    app_id: int) -> Iterable[tuple[Kind, str]]:
        if listing.readable:
            for kind, codes in listing.codes.items():
                yield from ((kind, code) for code in codes if code not in declared)
            return
        # Unknown to the portal's eyes: what bpl registered may still be there.
        for recorded in (self.state.registered(app_id).values() if self.state else ()):
            if recorded.code not in declared:
                yield ("action" if recorded.kind == "action" else "robot"), recorded.code

    def _leftover(self, recorded: Registered, listing: RobotListing, snapshot: Snapshot,
                  templates: Sequence[TemplatePlan], *, prune: bool) -> RobotPlan:
        kind: Kind = "action" if recorded.kind == "action" else "robot"
        entry = RobotPlan(action="delete" if prune else "keep", kind=kind, code=recorded.code,
                          name=display_name(recorded.params),
                          activity_type=self._type(recorded.code))
        message = f"the {kind} {recorded.code} is no longer in the sources"
        entry.notes.append(Note(kind="not-in-sources", message=message + (
            "" if prune else "; bpl plan --prune deletes it")))
        if not prune:
            return entry
        if not listing.readable:
            entry.blocked = listing.denied
            return entry
        self._usage(entry, snapshot, templates)
        return entry

    def _usage(self, entry: RobotPlan, snapshot: Snapshot,
               templates: Sequence[TemplatePlan]) -> None:
        """Block a delete that would break a template staying on the portal; wait for the
        templates this plan deletes or rewrites."""
        if entry.activity_type is None:
            entry.blocked = ("bpl cannot tell which templates call it without the "
                             "application's client id (env.app_client_id)")
            return
        rewritten = {t.template_id for t in templates if t.template_id is not None and (
            t.action in ("delete", "replace")
            or (t.action == "update" and t.send is not None and t.send.template_data))}
        staying = []
        for row in snapshot.rows:
            if not calls_type(row.get("TEMPLATE"), entry.activity_type):
                continue
            if row_id(row) in rewritten:
                entry.used_by.append(row_id(row))
            else:
                staying.append(f"#{row_id(row)} \"{row.get('NAME')}\"")
        if staying:
            entry.blocked = (f"template(s) {', '.join(staying)} still call it; deleting it "
                             "would make them fail to load")
            entry.notes.append(Note(kind="in-use", message=entry.blocked))

    # -- helpers ---------------------------------------------------------------------------

    def _recorded(self, key: str, app_id: int) -> Registered | None:
        return self.state.robot(key, app_id) if self.state is not None else None

    def _type(self, code: str) -> str | None:
        return robot_activity_type(self.client_id, code) if self.client_id else None


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
