"""What a diagram holds, whatever it is written as: nodes, edges and clusters.

Builders (`flow`, `states`) make a `Graph` from a template's activity tree; writers
(`mermaid`, `dot`) turn it into text. Nothing here knows Bitrix or a file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# start/end: where the workflow starts and ends; action: one activity; task: an activity that
# gives people a task (approvals, questions, tasks); wait: an activity that waits for an event
# or a time; robot: an app robot's activity; decision: if/else and approval outcomes; fork and
# join: parallel branches; listen: the first of several events; loop: while / for each;
# terminate: ends the workflow; state: a state of a state machine.
NodeKind = Literal["start", "end", "action", "task", "wait", "robot", "decision", "fork",
                   "join", "listen", "loop", "terminate", "state"]
# How a node differs from the portal's template in a plan (None: unchanged, or not a plan).
Mark = Literal["added", "changed", "moved", "removed"]
EdgeKind = Literal["flow", "back"]  # back: a loop's return to its test
Direction = Literal["TB", "LR"]
# Ids of the start and end nodes (`end` itself is a Mermaid keyword).
START = "wf_start"
END = "wf_end"


@dataclass(frozen=True)
class Link:
    """Where a node comes from: a .bpl file and line (the path as the compiler saw it)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class GraphNode:
    id: str
    kind: NodeKind
    label: str  # the activity's title, as written
    detail: list[str] = field(default_factory=list)  # more lines: task subject, delay, …
    link: Link | None = None
    activity: str = ""  # the Bitrix activity Name ("" for start/end/join)
    disabled: bool = False  # Activated 'N': kept in the template, skipped when it runs
    mark: Mark | None = None
    # Shown, not run: a coverage report's verdict (None: no report given).
    covered: bool | None = None


@dataclass
class GraphEdge:
    source: str
    target: str
    label: str = ""
    kind: EdgeKind = "flow"


@dataclass
class Cluster:
    """A box around the nodes of a branch or a loop body."""

    id: str
    label: str
    nodes: list[str] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


@dataclass
class Graph:
    title: str
    kind: Literal["flowchart", "states"]
    direction: Direction = "TB"
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)

    def node(self, node_id: str) -> GraphNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def by_activity(self) -> dict[str, GraphNode]:
        return {n.activity: n for n in self.nodes if n.activity}

    def clustered(self) -> set[str]:
        """Ids of nodes inside some cluster (at any depth)."""
        found: set[str] = set()

        def visit(cluster: Cluster) -> None:
            found.update(cluster.nodes)
            for inner in cluster.clusters:
                visit(inner)

        for cluster in self.clusters:
            visit(cluster)
        return found
