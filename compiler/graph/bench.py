"""Diagram figures: `python -m compiler.graph.bench [--runs N]`.

Compiles samples/ once, then draws every workflow N times and prints, per workflow, the
median time to build the graph (reading conditions included) and to write Mermaid, DOT and
(with Graphviz) SVG.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from compiler.catalog import load_catalog
from compiler.graph import GraphvizMissing, build_graph, from_compiled, render
from compiler.pipeline import build
from compiler.semantics.environment import Environment

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("paths", nargs="*", type=Path, default=[SAMPLES])
    args = parser.parse_args()
    catalog = load_catalog()
    result = build(args.paths, Environment("(none)", {}, symbolic=True))
    svg = True
    print(f"{'workflow':<24}{'activities':>11}{'graph ms':>10}{'mermaid ms':>12}"
          f"{'dot ms':>8}{'svg ms':>8}")
    for compiled in result.templates:
        template = from_compiled(compiled, catalog, result.program)
        graph = build_graph(template, catalog)
        row = [_median_ms(partial(build_graph, template, catalog), args.runs),
               _median_ms(partial(render, graph, "mermaid"), args.runs),
               _median_ms(partial(render, graph, "dot"), args.runs)]
        svg_ms = "-"
        if svg:
            try:
                svg_ms = f"{_median_ms(partial(render, graph, 'svg'), max(1, args.runs // 4)):.1f}"
            except GraphvizMissing:
                svg = False
        print(f"{compiled.workflow:<24}{len(template.activities()) - 1:>11}"
              + "".join(f"{value:>{w}.2f}" for value, w in zip(row, (10, 12, 8), strict=True))
              + f"{svg_ms:>8}")
    if not svg:
        print("svg: Graphviz is not installed")


if __name__ == "__main__":
    main()
