"""Which parts of a workflow the scenarios ran: activities, and the branch points — if
branches, approve outcomes, loop bodies and state events.

A branch point is counted as covered when its node appears in a run's trace; an empty
"otherwise" branch is a real path through the workflow, so it counts too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.bitrix import Template

_CONTAINERS = ("SequenceActivity", "SequentialWorkflowActivity", "StateMachineWorkflowActivity")


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
    # Activities that ran without the simulator carrying them out as Bitrix would (declared
    # or scripted results, a document the scenario does not give …): their log notes say why.
    not_simulated: set[str] = field(default_factory=set)

    def add_run(self, names: Iterable[str], noted: Iterable[str] = ()) -> None:
        self.covered.update(names)
        self.not_simulated.update(noted)
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
            "not_simulated": sorted(self.not_simulated),
            "points": [point(p) for p in self.branches],
            "uncovered_activities": [point(p) for p in self.missing_activities()],
        }


def points(template: Template, workflow: str = "") -> WorkflowCoverage:
    """The activities and branch points of the switched-on part of the tree (a switched-off
    activity never runs, so it cannot be covered), in document order."""
    coverage = WorkflowCoverage(workflow)
    parents = template.parents()
    for node in template.walk(active_only=True):
        parent = parents[id(node)].title if id(node) in parents else ""
        title, children = node.title, node.active_children
        if not node.is_type(*_CONTAINERS):
            coverage.activities.append(Point(node.name, "activity", title, parent))
        labels: Iterable[str]
        if node.is_type("IfElseActivity"):
            labels = ["branch"] * len(children)
        elif node.is_type("ApproveActivity"):
            labels = ("approved", "rejected")
        elif node.is_type("WhileActivity", "ForEachActivity"):
            labels = ("loop body",)  # the first child is the body
        elif node.is_type("ListenActivity"):
            labels = ["event"] * len(children)
        elif node.is_type("StateActivity"):
            coverage.branches.append(Point(node.name, "state", title, parent))
            children = [child for child in children if child.is_type("EventDrivenActivity")]
            labels = ["event"] * len(children)
        else:
            continue
        coverage.branches.extend(Point(child.name, label, child.title, title)
                                 for label, child in zip(labels, children, strict=False))
    return coverage
