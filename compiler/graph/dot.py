"""A `Graph` → Graphviz DOT text, and DOT → SVG or PNG through the `dot` program.

The DOT text is deterministic (same template, same bytes); the SVG is whatever the installed
Graphviz makes of it, so a committed SVG records the hash of its DOT source
(`source_digest`) and a staleness check compares sources, not drawings.
"""

from __future__ import annotations

import hashlib
import re

from compiler.graph.model import Cluster, Graph, GraphEdge, GraphNode, NodeKind
from compiler.graph.style import UNCOVERED_STROKE, Href, colors, lines, wrap

WIDTH = 44
FONT = "Helvetica,Arial,sans-serif"
SHAPES: dict[NodeKind, str] = {
    "start": "oval",
    "end": "oval",
    "action": "box",
    "task": "box",
    "wait": "parallelogram",
    "robot": "component",
    "decision": "diamond",
    "fork": "trapezium",
    "join": "invtrapezium",
    "listen": "trapezium",
    "loop": "hexagon",
    "terminate": "octagon",
    "state": "box",
}
_ROUNDED = {"action", "task", "state"}
SOURCE_MARK = "bpl graph source sha256:"


class GraphvizMissing(RuntimeError):
    """SVG/PNG need Graphviz; the message says how to install it."""


INSTALL_HINT = (
    "--format {fmt} needs Graphviz: install the `dot` program (apt-get install graphviz, "
    "brew install graphviz) and the Python package "
    "(pip install 'bpl[graph]'); --format mermaid and --format dot need neither")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(parts: list[str], *, left: bool = False) -> str:
    wrapped = [piece for part in parts for piece in wrap(part, WIDTH)]
    escaped = [w.replace("\\", "\\\\").replace('"', '\\"') for w in wrapped]
    if left and len(escaped) > 1:
        # The title centred, the handler lines left-aligned under it.
        return '"' + escaped[0] + "\\n" + "".join(e + "\\l" for e in escaped[1:]) + '"'
    return '"' + "\\n".join(escaped) + '"'


def write_dot(graph: Graph, href: Href | None = None) -> str:
    out = [f"digraph {quote(graph.title)} {{",
           f"    graph [rankdir={graph.direction}, fontname={quote(FONT)}, fontsize=12, "
           "nodesep=0.35, ranksep=0.4];",
           f"    node [fontname={quote(FONT)}, fontsize=11, style=filled, "
           "margin=\"0.15,0.06\"];",
           f"    edge [fontname={quote(FONT)}, fontsize=10, color=\"#57606a\"];"]
    clustered = graph.clustered()
    nodes = {node.id: node for node in graph.nodes}
    out.extend(_node(node, href) for node in graph.nodes if node.id not in clustered)
    for cluster in graph.clusters:
        out.extend(_cluster(cluster, nodes, href, 1))
    out.extend(_edge(edge) for edge in graph.edges)
    out.append("}")
    return "\n".join(out) + "\n"


def _node(node: GraphNode, href: Href | None, depth: int = 1) -> str:
    fill, stroke = colors(node)
    styles = ["filled"]
    if node.kind in _ROUNDED:
        styles.append("rounded")
    if node.disabled or node.mark == "removed":
        styles.append("dashed")
    attrs = {
        "label": '"all done"' if node.kind == "join" else
        _label(lines(node), left=node.kind == "state"),
        "shape": SHAPES[node.kind],
        "style": quote(",".join(styles)),
        "fillcolor": quote(fill),
        "color": quote(UNCOVERED_STROKE if node.covered is False else stroke),
    }
    if node.mark is not None or node.covered is False:
        attrs["penwidth"] = "2"
    if node.kind == "join":
        attrs["fontsize"] = "9"
    if node.link is not None:
        attrs["tooltip"] = quote(str(node.link))
        target = href(node.link) if href is not None else None
        if target is not None:
            attrs["URL"] = quote(target)
            attrs["target"] = '"_top"'
    body = ", ".join(f"{key}={value}" for key, value in attrs.items())
    return f"{'    ' * depth}{node.id} [{body}];"


def _cluster(cluster: Cluster, nodes: dict[str, GraphNode], href: Href | None,
             depth: int) -> list[str]:
    pad = "    " * depth
    out = [f"{pad}subgraph cluster_{cluster.id} {{",
           f"{pad}    label={quote(cluster.label)}; style=\"rounded,dashed\"; "
           "color=\"#8c959f\"; fontsize=10;"]
    out.extend(_node(nodes[node_id], href, depth + 1) for node_id in cluster.nodes)
    for inner in cluster.clusters:
        out.extend(_cluster(inner, nodes, href, depth + 1))
    out.append(f"{pad}}}")
    return out


def _edge(edge: GraphEdge) -> str:
    attrs = []
    if edge.label:
        attrs.append(f"label={_label([edge.label])}")
    if edge.kind == "back":
        # Not a ranking constraint: the loop body stays below its loop node.
        attrs.append("style=dashed, constraint=false")
    if edge.source == edge.target:
        attrs.append("dir=forward")
    suffix = f" [{', '.join(attrs)}]" if attrs else ""
    return f"    {edge.source} -> {edge.target}{suffix};"


def source_digest(dot: str) -> str:
    return hashlib.sha256(dot.encode("utf-8")).hexdigest()


def render_image(dot: str, fmt: str) -> bytes:
    """DOT → SVG or PNG bytes; an SVG records the digest of its DOT source."""
    try:
        import graphviz  # type: ignore[import-untyped]  # optional: bpl[graph]
    except ImportError:
        raise GraphvizMissing(INSTALL_HINT.format(fmt=fmt)) from None
    try:
        data: bytes = graphviz.Source(dot).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(INSTALL_HINT.format(fmt=fmt)) from None
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz could not draw the diagram: {detail}") from None
    if fmt == "svg":
        data = _stamp(data, source_digest(dot))
    return data


def _stamp(svg: bytes, digest: str) -> bytes:
    text = svg.decode("utf-8")
    comment = f"<!-- {SOURCE_MARK} {digest} -->\n"
    match = re.search(r"<svg[\s>]", text)
    at = match.start() if match else 0
    return (text[:at] + comment + text[at:]).encode("utf-8")


def stamped_digest(svg: str) -> str | None:
    """The DOT digest an SVG made by `render_image` records, or None."""
    match = re.search(re.escape(SOURCE_MARK) + r" ([0-9a-f]{64})", svg)
    return match.group(1) if match else None
