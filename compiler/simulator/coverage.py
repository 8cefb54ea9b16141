"""Which parts of a workflow the scenarios ran: activities, and the branch points — if
branches, approve outcomes, loop bodies and state events.

A branch point is counted as covered when its node appears in a run's trace; an empty
"otherwise" branch is a real path through the workflow, so it counts too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_CONTAINERS = {"sequenceactivity", "sequentialworkflowactivity",
               "statemachineworkflowactivity"}


@dataclass(frozen=True)
class Point:
    name: str  # the activity Name
    kind: str  # activity | branch | approved | rejected | loop body | event
    title: str
    parent_title: str


@dataclass
class WorkflowCoverage:
    workflow: str
    activities: list[Point] = field(default_factory=list)
    branches: list[Point] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    scenarios: int = 0

    def add_run(self, names: Iterable[str]) -> None:
        self.covered.update(names)
        self.scenarios += 1

    @staticmethod
    def _ratio(done: int, total: int) -> float:
        return 100.0 if total == 0 else done * 100 / total

    @property
    def activities_done(self) -> int:
        return sum(1 for p in self.activities if p.name in self.covered)

    @property
    def branches_done(self) -> int:
        return sum(1 for p in self.branches if p.name in self.covered)

    @property
    def activity_percent(self) -> float:
        return self._ratio(self.activities_done, len(self.activities))

    @property
    def branch_percent(self) -> float:
        return self._ratio(self.branches_done, len(self.branches))

    def missing(self) -> list[Point]:
        return [p for p in self.branches if p.name not in self.covered]

    def missing_activities(self) -> list[Point]:
        return [p for p in self.activities if p.name not in self.covered]

    def to_json(self, spans: Mapping[str, str] | None = None) -> dict[str, Any]:
        where = spans or {}
        def point(p: Point) -> dict[str, Any]:
            return {"name": p.name, "kind": p.kind, "title": p.title,
                    "parent": p.parent_title, "at": where.get(p.name),
                    "covered": p.name in self.covered}
        return {
            "workflow": self.workflow, "scenarios": self.scenarios,
            "activities": {"covered": self.activities_done, "total": len(self.activities),
                           "percent": round(self.activity_percent, 1)},
            "branches": {"covered": self.branches_done, "total": len(self.branches),
                         "percent": round(self.branch_percent, 1)},
            "points": [point(p) for p in self.branches],
            "uncovered_activities": [point(p) for p in self.missing_activities()],
        }


def points(package: Mapping[str, Any], workflow: str = "") -> WorkflowCoverage:
    coverage = WorkflowCoverage(workflow)
    for root in package.get("TEMPLATE") or []:
        _walk(root, coverage, "")
    return coverage


def _title(node: Mapping[str, Any]) -> str:
    return str((node.get("Properties") or {}).get("Title", node.get("Type", "")))


def _walk(node: Mapping[str, Any], coverage: WorkflowCoverage, parent: str) -> None:
    if node.get("Activated", "Y") == "N":
        return  # never runs, so it cannot be covered
    kind = str(node.get("Type", "")).lower()
    name, title = str(node.get("Name", "")), _title(node)
    children = [c for c in node.get("Children") or [] if c.get("Activated", "Y") != "N"]
    if kind not in _CONTAINERS:
        coverage.activities.append(Point(name, "activity", title, parent))
    if kind == "ifelseactivity":
        for child in children:
            coverage.branches.append(Point(str(child.get("Name")), "branch", _title(child),
                                           title))
    elif kind == "approveactivity":
        for label, child in zip(("approved", "rejected"), children, strict=False):
            coverage.branches.append(Point(str(child.get("Name")), label, _title(child), title))
    elif kind in ("whileactivity", "foreachactivity") and children:
        coverage.branches.append(Point(str(children[0].get("Name")), "loop body",
                                       _title(children[0]), title))
    elif kind == "listenactivity":
        for child in children:
            coverage.branches.append(Point(str(child.get("Name")), "event", _title(child),
                                           title))
    elif kind == "stateactivity":
        coverage.branches.append(Point(name, "state", title, parent))
        for child in children:
            if str(child.get("Type", "")).lower() == "eventdrivenactivity":
                coverage.branches.append(Point(str(child.get("Name")), "event", _title(child),
                                               title))
    for child in children:
        _walk(child, coverage, title)
