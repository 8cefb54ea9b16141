"""Labels, shapes and escaping of single constructs, and the test checker's own strictness."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_support import GRAPHVIZ_MISSING, catalog, compile_text
from mermaid_check import MermaidError, parse

from compiler.graph import build_graph, render
from compiler.graph.dot import GraphvizMissing, render_image, source_digest, stamped_digest
from compiler.graph.model import END, START

AWKWARD = 'A "quoted" <b>bold</b> #1 | `tick` & more'


def draw(tmp_path: Path, body: str, fmt: str = "mermaid") -> str:
    template = compile_text(tmp_path, "workflow w for crm.deal {\n" + body + "\n}\n")
    return render(build_graph(template, catalog()), fmt).decode("utf-8")


def test_titles_with_quotes_html_and_pipes_stay_text(tmp_path: Path) -> None:
    chart = parse(draw(tmp_path, f'log "x" title "{AWKWARD.replace(chr(34), chr(92) + chr(34))}"'))
    assert AWKWARD in [text for _, text in chart.nodes.values()]
    dot = draw(tmp_path, f'log "x" title "{AWKWARD.replace(chr(34), chr(92) + chr(34))}"', "dot")
    assert 'A \\"quoted\\" <b>bold</b> #1 | `tick` & more' in dot


def test_disabled_activity_is_drawn_and_passed_through(tmp_path: Path) -> None:
    chart = parse(draw(tmp_path, 'log "a" title "First"\nlog "b" title "Off" disabled\n'
                                 'log "c" title "Last"'))
    off = next(i for i, (_, text) in chart.nodes.items() if text.startswith("Off"))
    assert chart.text(off) == "Off (disabled)"
    assert off in chart.classes["disabled"]
    assert [e[1] for e in chart.out_edges(off)] == [
        next(i for i, (_, t) in chart.nodes.items() if t == "Last")]


def test_terminate_ends_the_flow_where_it_stands(tmp_path: Path) -> None:
    chart = parse(draw(tmp_path, 'if doc.OPPORTUNITY > 10 {\n terminate "Too big"\n}\n'
                                 'log "after" title "After"'))
    stop = next(i for i, (_, t) in chart.nodes.items() if t == "Terminate")
    assert [e[1] for e in chart.out_edges(stop)] == [END]
    after = next(i for i, (_, t) in chart.nodes.items() if t == "After")
    # Only the "otherwise" way reaches the log after the if.
    assert [e[2] for e in chart.edges if e[1] == after] == ["Otherwise"]


def test_if_without_else_goes_on_when_no_branch_holds(tmp_path: Path) -> None:
    chart = parse(draw(tmp_path, 'if doc.OPPORTUNITY > 10 {\n log "big"\n}'))
    decision = next(i for i, (shape, _) in chart.nodes.items() if shape == "{}")
    labels = [e[2] for e in chart.out_edges(decision)]
    assert labels == ["Yes: doc.OPPORTUNITY > 10", "Otherwise"]


def test_parallel_branches_fork_and_join(tmp_path: Path) -> None:
    chart = parse(draw(tmp_path, 'parallel title "Both" {\n branch title "One" { log "1" }\n'
                                 ' branch title "Two" { }\n}\nlog "z" title "Z"'))
    fork = next(i for i, (_, t) in chart.nodes.items() if t == "Both")
    join = next(i for i, (_, t) in chart.nodes.items() if t == "all done")
    assert [e[2] for e in chart.out_edges(fork)] == ["One", "Two"]
    assert len([e for e in chart.edges if e[1] == join]) == 2  # the log, and the empty branch
    assert chart.subgraphs[next(iter(chart.subgraphs))][0] == "One"
    assert chart.out_edges(join)[0][1] != START


def test_checker_rejects_what_mermaid_rejects() -> None:
    good = 'flowchart TB\n    a["x"]\n    b["y"]\n    a --> b\n'
    assert parse(good).edges == [("a", "b", "", "-->")]
    for bad in ['flowchart TB\n    end["x"]\n',  # a keyword as an id
                'flowchart TB\n    a["say "hi""]\n',  # a raw quote
                'flowchart TB\n    a["x"]\n    a --> b\n',  # an undeclared node
                'flowchart TB\n    subgraph s ["S"]\n    a["x"]\n',  # an open subgraph
                'flowchart TB\n    a["#1"]\n',  # '#' that is no entity
                'graph\n    a["x"]\n']:
        with pytest.raises(MermaidError):
            parse(bad)


def test_svg_records_the_digest_of_its_dot_source(tmp_path: Path) -> None:
    if GRAPHVIZ_MISSING is not None:
        pytest.skip(GRAPHVIZ_MISSING)
    dot = draw(tmp_path, 'log "x"', "dot")
    svg = render_image(dot, "svg").decode("utf-8")
    assert stamped_digest(svg) == source_digest(dot)


def test_without_dot_svg_says_how_to_install_graphviz(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    with pytest.raises(GraphvizMissing) as error:
        render_image("digraph { a }", "svg")
    assert "apt-get install graphviz" in str(error.value)
    assert "--format mermaid" in str(error.value)
