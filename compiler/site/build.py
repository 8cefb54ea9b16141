"""The documentation site: an index and one page per workflow, as plain HTML and CSS.

Diagrams are inline SVG (Graphviz), so the pages need no JavaScript to be read; without
Graphviz a page shows the diagram's Mermaid source instead and says why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from compiler.catalog import Catalog
from compiler.graph import GraphvizMissing, build_graph, render
from compiler.graph.model import Link
from compiler.graph.style import Href
from compiler.pipeline import BuildResult
from compiler.semantics.environment import EnvValue
from compiler.site.pages import Page, PageBuilder

STYLE = "style.css"
NO_GRAPHVIZ = ("Graphviz's dot program was not found, so diagrams are shown as Mermaid "
               "source; install Graphviz (apt-get install graphviz, brew install graphviz) "
               "and pip install 'bpl[graph]', then run bpl docs again to draw them.")


@dataclass
class Site:
    pages: list[Page]
    files: list[Path] = field(default_factory=list)
    drawn: bool = True  # False: no Graphviz, diagrams are Mermaid source
    notes: list[str] = field(default_factory=list)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("compiler.site", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)


def _inline(svg: bytes) -> Markup:
    """An SVG document as an element to put in a page (without its XML prologue)."""
    text = svg.decode("utf-8")
    start = re.search(r"<svg[\s>]", text)
    return Markup(text[start.start():] if start else text)


def build_site(result: BuildResult, catalog: Catalog, out_dir: Path, href: Href, *,
               environments: Mapping[str, Mapping[str, EnvValue]],
               coverage: Mapping[str, Any] | None = None,
               scenarios: Mapping[str, list[str]] | None = None,
               project_name: str = "") -> Site:
    builder = PageBuilder(result, catalog, environments, coverage, scenarios or {})
    pages = sorted((builder.page(t) for t in result.templates), key=lambda p: p.workflow)
    site = Site(pages)
    env = _environment()
    out_dir.mkdir(parents=True, exist_ok=True)
    for page in pages:
        graph = build_graph(page.template, catalog)
        if page.coverage is not None:
            for node in graph.nodes:
                if node.activity and node.kind not in ("start", "end"):
                    node.covered = node.activity not in page.coverage.uncovered
        diagram: Markup | None = None
        mermaid = ""
        if site.drawn:
            try:
                diagram = _inline(render(graph, "svg", href))
            except GraphvizMissing:
                site.drawn = False
                site.notes.append(NO_GRAPHVIZ)
        if diagram is None:
            mermaid = render(graph, "mermaid", href).decode("utf-8")
        html = env.get_template("workflow.html.j2").render(
            page=page, diagram=diagram, mermaid=mermaid, environments=list(environments),
            source=href(_link(page)) or f"{page.file}", project=project_name,
            no_graphviz=NO_GRAPHVIZ, stylesheet=STYLE)
        site.files.append(_write(out_dir / page.href, html))
    index = env.get_template("index.html.j2").render(
        pages=pages, project=project_name, coverage=coverage is not None, stylesheet=STYLE)
    site.files.append(_write(out_dir / "index.html", index))
    style = files("compiler.site").joinpath("templates", STYLE).read_text(encoding="utf-8")
    site.files.append(_write(out_dir / STYLE, style))
    return site


def _link(page: Page) -> Link:
    return Link(page.file, page.line)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
