"""Every sample drawn as Mermaid and as SVG: the output is valid, and it shows the workflow.

"Shows" is checked against the compiled template itself, not against the graph builder: every
activity's title is in the drawing, every if-branch, approval outcome and parallel branch has
its edge, every loop its way back, every state transition its arrow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from graph_support import REPO, catalog, needs_graphviz, sample_templates
from mermaid_check import Flowchart, parse

from compiler.graph import Template, build_graph, render
from compiler.graph.flow import node_id
from compiler.graph.model import END, START
from compiler.graph.source import Activity, kind
from compiler.graph.style import relative_links

TEMPLATES = sample_templates()
NAMES = sorted(TEMPLATES)
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
# Containers whose own title is structure, not a step: a branch of a parallel block or an
# approval outcome is shown on its edge; a loop's body sequence is the loop itself.
LABELLED_SEQUENCES = {"parallelactivity", "approveactivity"}


def mermaid(template: Template, base: Path = REPO) -> str:
    graph = build_graph(template, catalog())
    return render(graph, "mermaid", relative_links(base)).decode("utf-8")


def shown_activities(template: Template) -> Iterator[Activity]:
    """The activities whose titles a diagram must show."""
    for activity in template.activities():
        if activity.parent is None:
            continue  # the root: its title is the start node's, checked on its own
        parent = kind(activity.parent)
        if kind(activity) == "sequenceactivity" and parent not in LABELLED_SEQUENCES:
            continue
        if template.is_state_machine and parent == "eventdrivenactivity" \
                and activity is activity.parent.children[0] \
                and kind(activity) == "delayactivity":
            continue  # a state's delay event is shown as "after 3d" on its transition
        yield activity


def all_text(chart: Flowchart) -> str:
    texts = [text for _, text in chart.nodes.values()]
    texts += [label for label, _ in chart.subgraphs.values()]
    texts += [edge[2] for edge in chart.edges]
    return "\n".join(texts)


def reachable(chart: Flowchart, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for _, target, _, _ in chart.out_edges(todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("name", NAMES)
def test_mermaid_of_every_sample_parses_and_shows_every_title(name: str) -> None:
    template = TEMPLATES[name]
    chart = parse(mermaid(template))
    text = all_text(chart)
    assert chart.text(START) == template.title
    missing = [f"{a.type} {a.title!r}" for a in shown_activities(template)
               if a.title not in text]
    assert missing == []
    assert reachable(chart, START) == set(chart.nodes), "every node is reachable from the start"


@pytest.mark.parametrize("name", [n for n in NAMES if not TEMPLATES[n].is_state_machine])
def test_mermaid_flowchart_has_an_edge_for_every_branch(name: str) -> None:
    template = TEMPLATES[name]
    chart = parse(mermaid(template))
    assert END in reachable(chart, START)
    for activity in template.activities():
        own = node_id(activity.ref)
        labels = [edge[2] for edge in chart.out_edges(own)]
        match kind(activity):
            case "ifelseactivity":
                for branch in activity.children:
                    assert any(label.startswith(branch.title) for label in labels), \
                        (activity.title, branch.title, labels)
            case "approveactivity" | "parallelactivity" | "listenactivity":
                assert [c.title for c in activity.children] == labels[:len(activity.children)]
            case "whileactivity" | "foreachactivity":
                back = [e for e in chart.edges if e[1] == own and e[3] == "-.->"]
                assert back, f"loop {activity.title} has no way back"
                assert "done" in labels
            case "terminateactivity":
                assert labels == [""] and chart.out_edges(own)[0][1] == END


def test_conditions_are_written_as_bpl_on_their_edges() -> None:
    chart = parse(mermaid(TEMPLATES["deal_approval"]))
    labels = {edge[2] for edge in chart.edges}
    assert "Yes: doc.OPPORTUNITY changed and doc.OPPORTUNITY > param.limit and " \
           "doc.CLOSED != true" in labels
    # An approval's result is read through the label the source gives it.
    assert "Yes: head_vote.IsTimeout == 1" in labels
    loop = parse(mermaid(TEMPLATES["invoice_reminder"]))
    assert any(e[2] == "while doc.STAGE_ID != const.paid_stage and var.reminders < "
               "param.max_reminders" for e in loop.edges)


def test_state_machine_draws_states_commands_delays_and_targets() -> None:
    template = TEMPLATES["vacation_request"]
    chart = parse(mermaid(template))
    states = {a.name: node_id(a.ref) for a in template.activities()
              if kind(a) == "stateactivity"}
    title = {a.name: a.title for a in template.activities() if kind(a) == "stateactivity"}
    edges = {(a, b, label) for a, b, label, _ in chart.edges}
    by_title = {title[name]: node for name, node in states.items()}
    assert (START, by_title["Draft"], "") in edges
    assert (by_title["Draft"], by_title["Waiting for approval"], "Submit for approval") in edges
    assert (by_title["Waiting for approval"], by_title["Approved"], "Approve") in edges
    assert (by_title["Waiting for approval"], by_title["Rejected"], "Reject") in edges
    assert (by_title["Waiting for approval"], by_title["Waiting for approval"],
            "Reminder (after 3d)") in edges
    assert (by_title["Approved"], END, "Enter") in edges
    # Every SetState of the template is an arrow between its state and the target.
    for state in (a for a in template.activities() if kind(a) == "stateactivity"):
        for activity in state.walk():
            if kind(activity) == "setstateactivity":
                target = states[str(activity.raw["TargetStateName"])]
                assert any(a == states[state.name] and b == target for a, b, _ in edges)


@pytest.mark.parametrize("name", NAMES)
def test_every_node_links_to_its_source_line(name: str) -> None:
    template = TEMPLATES[name]
    chart = parse(mermaid(template))
    for activity in template.activities():
        own = START if activity.parent is None else node_id(activity.ref)
        span = template.spans.get(activity.name)
        if own not in chart.nodes or span is None:
            continue
        url, tip = chart.clicks[own]
        assert tip == f"{span.file}:{span.line}"
        path, _, line = url.partition("#L")
        assert (REPO / path).is_file() and line == str(span.line)


@needs_graphviz
@pytest.mark.parametrize("name", NAMES)
def test_svg_of_every_sample_is_valid_and_shows_every_title(name: str, tmp_path: Path) -> None:
    template = TEMPLATES[name]
    graph = build_graph(template, catalog())
    svg = render(graph, "svg", relative_links(tmp_path))
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    groups = {g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g")
              if g.get("class") == "node"}
    assert set(groups) == {node.id for node in graph.nodes}
    text = "\n".join(" ".join(t.text or "" for t in g.iter(f"{SVG}text"))
                     for g in groups.values())
    edges = [g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]
    text += "\n" + "\n".join(" ".join(t.text or "" for t in g.iter(f"{SVG}text"))
                             for g in edges)
    assert len(edges) == len(graph.edges)
    missing = [a.title for a in shown_activities(template) if a.title not in text]
    assert missing == []
    anchors = [a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")]
    linked = [node for node in graph.nodes if node.link is not None]
    assert len([a for a in anchors if a and "#L" in a]) == len(linked)
    for href in anchors:
        if href and "#L" in href:
            assert (tmp_path / href.partition("#L")[0]).resolve().is_file()


def _mmdc() -> str | None:
    return os.environ.get("BPL_MMDC") or shutil.which("mmdc")


@pytest.mark.skipif(_mmdc() is None, reason="@mermaid-js/mermaid-cli (mmdc) is not installed; "
                    ".ci/run installs it and sets BPL_MMDC")
def test_mermaid_cli_renders_every_sample(tmp_path: Path) -> None:
    """Mermaid's own parser and renderer (in Chromium) accept every diagram."""
    blocks = [f"```mermaid\n{mermaid(TEMPLATES[name])}```\n" for name in NAMES]
    source = tmp_path / "all.md"
    source.write_text("\n".join(blocks), encoding="utf-8")
    config = tmp_path / "puppeteer.json"
    config.write_text('{"executablePath": "/usr/bin/chromium", "args": ["--headless", '
                      '"--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", '
                      '"--disable-background-networking", "--disable-component-update", '
                      '"--disable-sync"]}', encoding="utf-8")
    mmdc = _mmdc()
    assert mmdc is not None
    done = subprocess.run([mmdc, "-q", "-p", str(config), "-i", str(source), "-o",
                           str(tmp_path / "out.md")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    drawn = sorted(tmp_path.glob("out-*.svg"))
    assert len(drawn) == len(NAMES)
    for path in drawn:
        assert ET.fromstring(path.read_text(encoding="utf-8")).tag == f"{SVG}svg"
