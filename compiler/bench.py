"""Compiler benchmark: `python -m compiler.bench [--repeat N] [--dense [--lines N]]`.

By default, the figures of a realistic project in CPU time (compiler/bench_project.py: bare
parse, check in-process and as a command, the warm re-check, cold start, memory per line).
With --dense, for a generated project of at least N lines (default 50,000), in wall time:
- end-to-end compile speed (parse, check, lower, import rules, pack) in lines/s,
- lark's bare parse speed on the same files (the ceiling), and the ratio of the two,
- the wall time of `bpl check samples/` in a fresh process (what a user waits for),
- with --hostile, the time and peak memory of `bpl check` on files made to hurt, at the
  size limit: a syntax error after one long word, an unterminated string of escaped quotes,
  one string of interpolations, many statements of interpolations.
Figures, not assertions: speed is measured here, never in timed tests.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from compiler.pipeline import build
from compiler.semantics.environment import Environment

_WORKFLOW = '''\
// generated workflow {i}
workflow generated_{i} for crm.deal {{
    title "Generated workflow {i}"
    description "Benchmark input"
    autostart create, edit
    param limit: double = {limit} "Amount limit"
    param approver: user required "Approver"
    var verdict: string
    var counter: int = 0
    var stage: select {{ "a": "First", "b": "Second" }} = "a"
    const owner: user = user({i}) "Owner"

    log "Start {{doc.TITLE}} with {{doc.OPPORTUNITY | printable}}"
    if doc.OPPORTUNITY > param.limit and doc.CURRENCY_ID == "USD"
            or doc.PROBABILITY between 10 and 90 {{
        approve "Approve {{doc.TITLE}}" by [param.approver, const.owner] as approval {{
            vote any
            timeout 3d
            description "Amount: {{doc.OPPORTUNITY}}"
            comment required_on_reject
        }} approved {{
            set doc.STAGE_ID = "WON"
            var.verdict = "approved by {{approval.LastApprover | friendly}}"
        }} rejected {{
            notify doc.ASSIGNED_BY_ID "Rejected: {{approval.Comments}}"
            set {{ doc.COMMENTS = "rejected", doc.SOURCE_DESCRIPTION = "bench" }}
        }}
    }} else if doc.COMMENTS is empty {{
        var.counter = var.counter + 1
        log "No comments, counter {{var.counter}}"
    }} else {{
        status "Auto-approved"
    }}
    while var.counter < 5 {{
        var.counter = var.counter + 1
        wait 1h
    }}
    parallel {{
        branch {{ log "left {{workflow.id}}" }}
        branch {{ task "Check {{doc.TITLE}}" {{
            responsible: doc.ASSIGNED_BY_ID
            deadline: dateadd(system.now, 2d)
            description "Please check"
        }} }}
    }}
    var.verdict = "Total " & round(doc.OPPORTUNITY * 1.2, 2) & " " & doc.CURRENCY_ID
    mail to doc.ASSIGNED_BY_ID subject "Done {{doc.TITLE}}" body "Verdict: {{var.verdict}}"
    terminate "Finished"
}}
'''


def generate(folder: Path, min_lines: int) -> tuple[list[Path], int]:
    files, lines, i = [], 0, 0
    while lines < min_lines:
        text = "".join(_WORKFLOW.format(i=i * 10 + k + 1, limit=1000 * (k + 1))
                       for k in range(10))
        path = folder / f"generated_{i:04d}.bpl"
        path.write_text(text, encoding="utf-8")
        files.append(path)
        lines += text.count("\n")
        i += 1
    return files, lines


def bench_compile(files: list[Path], lines: int, repeat: int) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = build(files, Environment(symbolic=True))
        for template in result.templates:
            template.bpt()
        times.append(time.perf_counter() - start)
        if result.diagnostics.has_errors:
            raise SystemExit("benchmark input does not compile: " +
                             result.diagnostics.sorted()[0].message)
        count = len(result.templates)
    return lines / statistics.median(times), count


def lark_parser() -> Any:
    """Lark's own parser of the grammar, positions on: the bare parse bpl is compared with."""
    from lark import Lark

    from compiler.resources import grammar_dir
    from compiler.syntax.tables import STARTS

    return Lark((grammar_dir() / "bpl.lark").read_text(encoding="utf-8"), parser="lalr",
                lexer="contextual", propagate_positions=True, maybe_placeholders=True,
                start=list(STARTS))


def bench_parse(files: list[Path], lines: int, repeat: int) -> float:
    texts = [f.read_text(encoding="utf-8") for f in files]
    parser = lark_parser()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            parser.parse(text, start="start")
        times.append(time.perf_counter() - start)
    return lines / statistics.median(times)


def bench_cold_check(samples: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "compiler.cli.main", "check", str(samples)],
                       capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_HOSTILE = {
    "error after a long word": ("var.x = ", "a", "- ]"),
    "unterminated escaped quotes": ('log "', '\\"', ""),
    "one string of interpolations": ('log "', "{doc.TITLE}", '"'),
    "statements of interpolations": ("", 'log "{doc.TITLE} and {doc.ID + 1}"\n    ', ""),
}

# Runs `bpl check FILE` and prints the process's peak resident memory in KB (Linux units).
_CHECK_AND_MEASURE = """
import resource, sys
from compiler.cli.main import main
try:
    main(["check", sys.argv[1]])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def bench_hostile(folder: Path) -> None:
    from compiler.semantics.program import MAX_FILE_BYTES

    head, tail = "workflow w for crm.deal {\n    ", "\n}\n"
    for name, (prefix, unit, suffix) in _HOSTILE.items():
        room = MAX_FILE_BYTES - 100 - len(head + prefix + suffix + tail)
        path = folder / "hostile.bpl"
        path.write_text(head + prefix + unit * (room // len(unit)) + suffix + tail,
                        encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _CHECK_AND_MEASURE, str(path)],
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        peak = int(done.stderr.strip().splitlines()[-1]) // 1024
        print(f"bpl check, 1 MiB, {name}: {elapsed:,.1f} s, peak {peak:,} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dense", action="store_true",
                        help="The dense generated project's figures (wall time) instead.")
    parser.add_argument("--hostile", action="store_true",
                        help="Only the figures of files made to hurt.")
    args = parser.parse_args()
    if args.hostile:
        with tempfile.TemporaryDirectory() as tmp:
            bench_hostile(Path(tmp))
        return
    if not args.dense:
        from compiler.bench_project import report

        report(lark_parser(), args.repeat)
        return
    with tempfile.TemporaryDirectory() as tmp:
        files, lines = generate(Path(tmp), args.lines)
        parse_rate = bench_parse(files, lines, args.repeat)
        compile_rate, templates = bench_compile(files, lines, args.repeat)
    print(f"project: {lines:,} lines in {len(files)} files, {templates} workflows")
    print(f"compile end to end: {compile_rate:,.0f} lines/s "
          f"({templates * compile_rate / lines:,.0f} templates/s)")
    print(f"lark bare parse:    {parse_rate:,.0f} lines/s")
    print(f"ratio:              {compile_rate / parse_rate:.2f} of bare parse speed")
    samples = Path(__file__).resolve().parent.parent / "samples"
    if samples.is_dir():
        cold = bench_cold_check(samples, args.repeat)
        print(f"bpl check samples/ (fresh process): {cold * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
