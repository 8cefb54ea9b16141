"""A state machine's activity tree → a state diagram.

Each StateActivity is a state; its handlers are listed inside it (what `enter`, `exit` and
each event run) and its SetStateActivity targets become transitions labelled with what fires
them: a command's button title (HandleExternalEventActivity), a delay (DelayActivity), or
`enter` for a state that moves on by itself. A handler without a target leaves the workflow
in its state: a transition back to the state. TerminateActivity ends the workflow.
"""

from __future__ import annotations

from compiler.catalog import Catalog
from compiler.graph.flow import FlowBuilder, node_id
from compiler.graph.model import END, START, Graph, GraphEdge, GraphNode
from compiler.graph.reader import Reader
from compiler.graph.source import Activity, Template, kind, prop

_PREFIX = {"stateinitializationactivity": "enter", "statefinalizationactivity": "exit"}


class StateBuilder:
    def __init__(self, template: Template, catalog: Catalog, reader: Reader | None = None
                 ) -> None:
        self.template = template
        # Labels (kinds, delays, links) are read as in a flowchart.
        self.flow = FlowBuilder(template, catalog, reader)
        self.graph = Graph(template.title or template.workflow, "states", "LR")
        self.flow.graph = self.graph
        self.ids: dict[str, str] = {}  # state Name → node id

    def build(self) -> Graph:
        root = self.template.root
        start = GraphNode(START, "start", self.template.title or self.template.workflow)
        if root is not None:
            start.activity = root.name
            start.link = self.flow.link(root)
        self.graph.nodes.append(start)
        states = [c for c in root.children if kind(c) == "stateactivity"] if root else []
        for state in states:
            self.ids[state.name] = node_id(state.ref)
        for state in states:
            self._state(state)
        initial = prop(root, "InitialStateName") if root is not None else None
        first = self.ids.get(str(initial)) if initial else None
        if first is None and states:
            first = self.ids[states[0].name]
        if first is not None:
            self.graph.edges.insert(0, GraphEdge(start.id, first))
        if any(e.target == END for e in self.graph.edges):
            self.graph.nodes.append(GraphNode(END, "end", "End"))
        return self.graph

    def _state(self, state: Activity) -> None:
        node = GraphNode(self.ids[state.name], "state", state.title, [],
                         self.flow.link(state), state.name, disabled=not state.activated)
        self.graph.nodes.append(node)
        for handler in state.children:
            trigger, body = self._trigger(handler)
            if not handler.activated:
                trigger += " (disabled)"
            titles = [a.title for child in body for a in child.walk()
                      if kind(a) != "sequenceactivity"]
            node.detail.append(f"{trigger}: {' · '.join(titles)}" if titles else trigger)
            targets = self._targets(body)
            if not targets and kind(handler) == "eventdrivenactivity":
                targets = [node.id]  # handled, and the workflow stays in this state
            for target in targets:
                self.graph.edges.append(GraphEdge(node.id, target, trigger))

    def _trigger(self, handler: Activity) -> tuple[str, list[Activity]]:
        name = kind(handler)
        if name in _PREFIX:
            # The handler's own title ("Enter"), and which handler it is when it says not.
            title = handler.title if handler.raw.get("Title") else _PREFIX[name]
            if title.lower() != _PREFIX[name]:
                title = f"{title} ({_PREFIX[name]})"
            return title, handler.children
        if name != "eventdrivenactivity" or not handler.children:
            return handler.title, handler.children
        event, body = handler.children[0], handler.children[1:]
        if kind(event) == "delayactivity":
            what = f"after {self.flow.delay(event)}".rstrip()
        else:
            what = event.title
        if handler.title not in (what, event.title):
            what = f"{handler.title} ({what})"
        return what, body

    def _targets(self, body: list[Activity]) -> list[str]:
        targets: list[str] = []
        for activity in (a for child in body for a in child.walk()):
            if not activity.activated:
                continue
            if kind(activity) == "setstateactivity":
                target = self.ids.get(str(prop(activity, "TargetStateName")))
                if target is not None and target not in targets:
                    targets.append(target)
            elif kind(activity) == "terminateactivity" and END not in targets:
                targets.append(END)
        return targets


def build_states(template: Template, catalog: Catalog, reader: Reader | None = None) -> Graph:
    return StateBuilder(template, catalog, reader).build()
