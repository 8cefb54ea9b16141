"""Pictures of workflows: a template's activity tree → a graph → Mermaid, DOT, SVG or PNG.

    Template (source: the one reader of the tree)
        └─ flow / states ──▶ Graph (model) ──▶ mermaid | dot ──(Graphviz)──▶ svg | png

`changes` marks what a plan adds, changes and removes; `reader` prints conditions and texts
the way .bpl writes them (through the importer).
"""

from __future__ import annotations

from compiler.catalog import Catalog
from compiler.graph.dot import GraphvizMissing, render_image, write_dot
from compiler.graph.flow import build_flow
from compiler.graph.mermaid import write_mermaid
from compiler.graph.model import Graph, GraphEdge, GraphNode, Link
from compiler.graph.reader import Reader
from compiler.graph.source import Template, from_compiled, from_portal
from compiler.graph.states import build_states
from compiler.graph.style import Href

FORMATS = ("svg", "mermaid", "dot", "png")
TEXT_FORMATS = ("mermaid", "dot")


def build_graph(template: Template, catalog: Catalog, reader: Reader | None = None) -> Graph:
    if template.is_state_machine:
        return build_states(template, catalog, reader)
    return build_flow(template, catalog, reader)


def render(graph: Graph, fmt: str, href: Href | None = None) -> bytes:
    """The graph in `fmt` (one of FORMATS); raises GraphvizMissing for svg/png without it."""
    if fmt == "mermaid":
        return write_mermaid(graph, href).encode("utf-8")
    dot = write_dot(graph, href)
    if fmt == "dot":
        return dot.encode("utf-8")
    return render_image(dot, fmt)


__all__ = [
    "FORMATS",
    "TEXT_FORMATS",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "GraphvizMissing",
    "Href",
    "Link",
    "Reader",
    "Template",
    "build_graph",
    "from_compiled",
    "from_portal",
    "render",
    "write_dot",
    "write_mermaid",
]
