"""A sequential workflow's activity tree → a flowchart, as Bitrix runs it.

Containers become shapes: a sequence chains its children; IfElse is a decision whose edges
carry the branch titles and conditions; ParallelActivity forks into its branches and joins
them again (it ends when every branch has ended); ListenActivity forks into its event
branches (the first event wins, so nothing joins); While and ForEach are loop nodes with the
body drawn once and a back edge; an approval is a decision with its outcome branches
(Children[0] on approval, Children[1] on rejection or timeout: the catalog's notes on
ApproveActivity). TerminateActivity ends the workflow where it stands. Any other container
chains its children after its own node.
"""

from __future__ import annotations

from dataclasses import dataclass

from compiler.catalog import Catalog
from compiler.catalog.rules import REST_PREFIX
from compiler.graph.model import (
    END,
    START,
    Cluster,
    EdgeKind,
    Graph,
    GraphEdge,
    GraphNode,
    Link,
    NodeKind,
)
from compiler.graph.reader import Reader
from compiler.graph.source import Activity, Template, kind, prop

# Where the subject of a task lives, per activity type (the task's name in the task list):
# bizproc/activities/bitrix/{approve,review,requestinformation}activity and
# tasks' task2activity (Fields[TITLE]).
_SUBJECT = {"approveactivity": ("Name",), "reviewactivity": ("Name",),
            "requestinformationactivity": ("Name",),
            "requestinformationoptionalactivity": ("Name",),
            "task2activity": ("Fields", "TITLE")}
_SEQUENCES = {"sequenceactivity", "sequentialworkflowactivity"}
# Outcome titles when an approval's branches carry none.
_OUTCOMES = ("approved", "rejected")
WRAP = 42  # characters per label line


@dataclass
class Pending:
    """An edge whose source is drawn and whose target is the next thing drawn."""

    source: str
    label: str = ""
    kind: EdgeKind = "flow"


class FlowBuilder:
    def __init__(self, template: Template, catalog: Catalog, reader: Reader | None = None
                 ) -> None:
        self.template = template
        self.catalog = catalog
        self.reader = reader or Reader(template, catalog)
        self.graph = Graph(template.title or template.workflow, "flowchart", "TB")
        self._clusters: list[Cluster] = []  # the cluster being filled, innermost last

    # -- the graph ------------------------------------------------------------------------------

    def build(self) -> Graph:
        root = self.template.root
        start = GraphNode(START, "start", self.template.title or self.template.workflow)
        if root is not None:
            start.activity = root.name
            start.link = self.link(root)
        self._add(start)
        pending = [Pending(start.id)]
        if root is not None:
            pending = self.sequence(root.children, pending)
        self._add(GraphNode(END, "end", "End"))
        self._connect(pending, END)
        return self.graph

    def node(self, activity: Activity, node_kind: NodeKind, detail: list[str] | None = None,
             label: str | None = None) -> GraphNode:
        made = GraphNode(node_id(activity.ref), node_kind,
                         label if label is not None else activity.title, detail or [],
                         self.link(activity), activity.name, disabled=not activity.activated)
        self._add(made)
        return made

    def link(self, activity: Activity) -> Link | None:
        span = self.template.spans.get(activity.name)
        return Link(span.file, span.line) if span is not None else None

    def _add(self, node: GraphNode) -> None:
        self.graph.nodes.append(node)
        if self._clusters:
            self._clusters[-1].nodes.append(node.id)

    def _connect(self, pending: list[Pending], target: str) -> None:
        for item in pending:
            self.graph.edges.append(GraphEdge(item.source, target, item.label, item.kind))

    def _cluster(self, activity: Activity, label: str) -> Cluster:
        cluster = Cluster("c" + node_id(activity.ref), label)
        (self._clusters[-1].clusters if self._clusters else self.graph.clusters).append(cluster)
        return cluster

    # -- activities -----------------------------------------------------------------------------

    def sequence(self, activities: list[Activity], pending: list[Pending]) -> list[Pending]:
        for activity in activities:
            pending = self.activity(activity, pending)
        return pending

    def activity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        name = kind(activity)
        if name in _SEQUENCES:
            return self.sequence(activity.children, pending)
        handler = getattr(self, "_" + name, None)
        if handler is not None:
            result: list[Pending] = handler(activity, pending)
            return result
        made = self.node(activity, self.kind_of(activity), self.detail(activity))
        self._connect(pending, made.id)
        return self.sequence(activity.children, [Pending(made.id)])

    def kind_of(self, activity: Activity) -> NodeKind:
        spec = self.catalog.activity(activity.type)
        if spec is None:
            return "robot" if kind(activity).startswith(REST_PREFIX) else "action"
        if "TaskId" in spec.returns:
            return "task"
        if spec.event_driven or spec.category == "event":
            return "wait"
        return "action"

    def detail(self, activity: Activity) -> list[str]:
        name = kind(activity)
        path = _SUBJECT.get(name)
        if path is not None:
            value = prop(activity, path[0])
            for key in path[1:]:
                value = value.get(key) if isinstance(value, dict) else None
            return [self.reader.text(value)] if value not in (None, "") else []
        if name == "delayactivity":
            return [self.delay(activity)]
        if name.startswith(REST_PREFIX) and self.catalog.activity(activity.type) is None:
            return ["app robot"]
        return []

    def delay(self, activity: Activity) -> str:
        amount, unit = prop(activity, "TimeoutDuration"), prop(activity, "TimeoutDurationType")
        if amount not in (None, "", 0, "0"):
            text = self.reader.value(amount)
            return f"{text}{unit}" if text.isdigit() and isinstance(unit, str) else \
                f"{text} {unit or ''}".strip()
        until = prop(activity, "TimeoutTime")
        return f"until {self.reader.value(until)}" if until not in (None, "") else ""

    # -- containers (method names are the activity types in lower case) ------------------------

    def _ifelseactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        decision = self.node(activity, "decision")
        self._connect(pending, decision.id)
        out: list[Pending] = []
        otherwise = False
        for branch in activity.children:
            condition = self.reader.condition(branch.raw)
            otherwise = otherwise or condition is None
            label = branch.title if condition is None else f"{branch.title}: {condition}"
            if not branch.activated:
                label += " (disabled)"
            out.extend(self.sequence(branch.children, [Pending(decision.id, label)]))
        if not otherwise:
            # No branch holds: Bitrix goes on after the IfElse (the designer's empty branch).
            out.append(Pending(decision.id, "otherwise"))
        return out

    def _parallelactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        fork = self.node(activity, "fork")
        self._connect(pending, fork.id)
        join = GraphNode(fork.id + "_join", "join", "")
        out: list[Pending] = []
        for branch in activity.children:
            out.extend(self._branch(branch, [Pending(fork.id, branch.title)]))
        self._add(join)
        self._connect(out or [Pending(fork.id)], join.id)
        return [Pending(join.id)]

    def _listenactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        listen = self.node(activity, "listen")
        self._connect(pending, listen.id)
        out: list[Pending] = []
        for branch in activity.children:
            out.extend(self._branch(branch, [Pending(listen.id, branch.title)]))
        return out or [Pending(listen.id)]

    def _branch(self, branch: Activity, pending: list[Pending]) -> list[Pending]:
        if not branch.children:
            return pending
        self._clusters.append(self._cluster(branch, branch.title))
        try:
            return self.sequence(branch.children, pending)
        finally:
            self._clusters.pop()

    def _approveactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        task = self.node(activity, "task", self.detail(activity))
        self._connect(pending, task.id)
        out: list[Pending] = []
        for index, outcome in enumerate(activity.children):
            label = outcome.title if kind(outcome) in _SEQUENCES else ""
            if not label and index < len(_OUTCOMES):
                label = _OUTCOMES[index]
            out.extend(self.sequence(outcome.children if kind(outcome) in _SEQUENCES
                                     else [outcome], [Pending(task.id, label)]))
        return out or [Pending(task.id)]

    def _whileactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        condition = self.reader.condition(activity.raw) or "true"
        return self._loop(activity, pending, [], f"while {condition}")

    def _foreachactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        source = self._loop_source(activity)
        return self._loop(activity, pending, [f"each of {source}"] if source else [],
                          "each item")

    def _loop(self, activity: Activity, pending: list[Pending], detail: list[str],
              enter: str) -> list[Pending]:
        loop = self.node(activity, "loop", detail)
        self._connect(pending, loop.id)
        inner = [grand for child in activity.children for grand in
                 (child.children if kind(child) in _SEQUENCES else [child])]
        if inner:
            self._clusters.append(self._cluster(activity, f"{activity.title}: body"))
            try:
                back = self.sequence(inner, [Pending(loop.id, enter)])
            finally:
                self._clusters.pop()
            self._connect([Pending(p.source, p.label, "back") for p in back], loop.id)
        return [Pending(loop.id, "done")]

    def _loop_source(self, activity: Activity) -> str:
        obj, variable = prop(activity, "Object"), prop(activity, "Variable")
        if not isinstance(obj, str) or not isinstance(variable, str) or not variable:
            return ""
        ref = self.reader.scope.reference(obj, variable)
        return ref.dotted if ref is not None else f"{obj}.{variable}"

    def _terminateactivity(self, activity: Activity, pending: list[Pending]) -> list[Pending]:
        made = self.node(activity, "terminate")
        self._connect(pending, made.id)
        if not activity.activated:
            return [Pending(made.id)]  # switched off: the workflow runs on past it
        self.graph.edges.append(GraphEdge(made.id, END))
        return []


def node_id(ref: str) -> str:
    """A diagram id from an activity's position (`@0.2.1` → `n0_2_1`; removed ones `-@…`)."""
    prefix = "r" if ref.startswith("-") else "n"
    return prefix + ref.lstrip("-@").replace(".", "_")


def build_flow(template: Template, catalog: Catalog, reader: Reader | None = None) -> Graph:
    return FlowBuilder(template, catalog, reader).build()
