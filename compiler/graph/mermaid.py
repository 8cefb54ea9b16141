"""A `Graph` → Mermaid flowchart text (GitHub renders it in Markdown; no binary needed).

State machines are drawn as flowcharts too: Mermaid's stateDiagram has no `click` links, and
a flowchart of rounded state boxes with labelled transitions reads the same. Every label is
quoted, and the characters Mermaid would read as syntax or HTML are written as its `#…;`
entities, so any title is safe.
"""

from __future__ import annotations

from compiler.graph.model import Cluster, Graph, GraphEdge, GraphNode, NodeKind
from compiler.graph.style import MARK_COLORS, UNCOVERED_STROKE, Href, colors, lines, wrap

WIDTH = 40
# Opening and closing brackets of each node kind's shape.
SHAPES: dict[NodeKind, tuple[str, str]] = {
    "start": ("([", "])"),
    "end": ("((", "))"),
    "action": ("[", "]"),
    "task": ("[", "]"),
    "wait": ("[/", "/]"),
    "robot": ("[[", "]]"),
    "decision": ("{", "}"),
    "fork": ("[/", "\\]"),
    "join": ("[\\", "/]"),
    "listen": ("[/", "\\]"),
    "loop": ("{{", "}}"),
    "terminate": ("([", "])"),
    "state": ("(", ")"),
}
# `#` first: every other replacement writes one.
ENTITIES = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"),
            ("|", "#124;"), ("`", "#96;"), ("\n", " "))


def escape(text: str) -> str:
    for char, entity in ENTITIES:
        text = text.replace(char, entity)
    return text


def _attribute(text: str) -> str:
    """A link or tooltip: a quoted string that Mermaid takes as it is (no entities)."""
    return text.replace('"', "%22").replace("\n", " ")


def label(parts: list[str], width: int = WIDTH) -> str:
    wrapped = [piece for part in parts for piece in wrap(part, width)]
    return "<br/>".join(escape(piece) for piece in wrapped)


def write_mermaid(graph: Graph, href: Href | None = None) -> str:
    out = [f"flowchart {graph.direction}", f"    %% {escape(graph.title)}"]
    clustered = graph.clustered()
    nodes = {node.id: node for node in graph.nodes}
    out.extend(_node(node) for node in graph.nodes if node.id not in clustered)
    for cluster in graph.clusters:
        out.extend(_cluster(cluster, nodes, 1))
    out.extend(_edge(edge) for edge in graph.edges)
    if href is not None:
        for node in graph.nodes:
            target = href(node.link) if node.link is not None else None
            if target is not None:
                out.append(f'    click {node.id} href "{_attribute(target)}" '
                           f'"{_attribute(str(node.link))}"')
    out.extend(_styles(graph))
    return "\n".join(out) + "\n"


def _node(node: GraphNode, depth: int = 1) -> str:
    opening, closing = SHAPES[node.kind]
    text = label(lines(node)) if node.kind != "join" else escape("all done")
    return f'{"    " * depth}{node.id}{opening}"{text}"{closing}'


def _cluster(cluster: Cluster, nodes: dict[str, GraphNode], depth: int) -> list[str]:
    pad = "    " * depth
    out = [f'{pad}subgraph {cluster.id} ["{label([cluster.label], 60)}"]']
    out.extend(_node(nodes[node_id], depth + 1) for node_id in cluster.nodes)
    for inner in cluster.clusters:
        out.extend(_cluster(inner, nodes, depth + 1))
    out.append(f"{pad}end")
    return out


def _edge(edge: GraphEdge) -> str:
    arrow = "-.->" if edge.kind == "back" else "-->"
    text = f'|"{label([edge.label])}"|' if edge.label else ""
    return f"    {edge.source} {arrow}{text} {edge.target}"


def _styles(graph: Graph) -> list[str]:
    """One class per look (kind, mark, disabled, uncovered), applied to the nodes that have
    it; a class per look keeps the text short where many nodes share one."""
    groups: dict[str, list[str]] = {}
    definitions: dict[str, str] = {}
    for node in graph.nodes:
        fill, stroke = colors(node)
        # Suffixed: `end` is a Mermaid keyword.
        name = node.mark or ("disabled" if node.disabled else f"{node.kind}Node")
        extra = ",stroke-dasharray:4 3" if node.disabled or node.mark == "removed" else ""
        definitions[name] = f"fill:{fill},stroke:{stroke}{extra}"
        groups.setdefault(name, []).append(node.id)
        if node.covered is False:
            definitions["uncovered"] = f"stroke:{UNCOVERED_STROKE},stroke-width:3px"
            groups.setdefault("uncovered", []).append(node.id)
    out = []
    for name in [*MARK_COLORS, *sorted(n for n in definitions if n not in MARK_COLORS)]:
        if name in groups:
            out.append(f"    classDef {name} {definitions[name]}")
            out.append(f"    class {','.join(groups[name])} {name}")
    return out
