"""The benchmark of a realistic project, in CPU seconds (`make bench`).

The project is the samples' workflows copied until it holds 300 (each renamed, comments and
all, importing the one shared file of macros, with the repository's bpl.toml values): the
token density and the comments of workflows people write, not a dense generated text. Every
figure is CPU time (user + system, of this process or of the `bpl` process it starts), the
least and the median of several runs: on a shared machine the least is the cost, the median
shows the noise. Commands run from bytecode, as an installed bpl does (pip compiles it): the
package is compiled first, since with PYTHONDONTWRITEBYTECODE set and no bytecode every run would
also measure compiling the package. Reported side by side:

- a bare lark parse of the files (the same grammar, LALR, positions on): the yardstick;
- `bpl check` of the project in-process (parse, check, lower, import rules), and as a command
  with its start-up, without the result cache: the ratio to the bare parse;
- the same command again with the cache warm, as a ratio of the first, and after an edit of
  one workflow's file (the other workflows are not checked again);
- a cold `bpl check samples/` (a fresh process), with and without the cache;
- memory per line of one workflow of 50,000 statements (tracemalloc's peak while it is
  checked, over its lines).
"""

from __future__ import annotations

import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
WORKFLOWS = 300
_NAMED = re.compile(r"^(workflow|statemachine) (\w+)", re.MULTILINE)


@dataclass(frozen=True)
class Figure:
    """CPU seconds of several runs of one thing."""

    runs: tuple[float, ...]

    @property
    def least(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def text(self) -> str:
        return f"{self.least:7.3f} s CPU (median {self.median:.3f}, {len(self.runs)} runs)"


def cpu(action: Callable[[], object], repeat: int) -> Figure:
    """The CPU time of `action` in this process."""
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        runs.append(time.process_time() - start)
    return Figure(tuple(runs))


def command_cpu(args: list[str], cwd: Path, repeat: int) -> Figure:
    """The CPU time of a `bpl` command in a fresh process (its start-up included)."""
    runs = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "compiler.cli.main", *args], cwd=cwd,
                       capture_output=True, check=False, env=_environment())
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Figure(tuple(runs))


def edited_command_cpu(args: list[str], cwd: Path, edited: Path, repeat: int) -> Figure:
    """The CPU time of a `bpl` command run after each of `repeat` edits of one file."""
    runs: list[float] = []
    original = edited.read_text(encoding="utf-8")
    for n in range(repeat):
        edited.write_text(f"{original}// edit {n}\n", encoding="utf-8")
        runs.extend(command_cpu(args, cwd, 1).runs)
    edited.write_text(original, encoding="utf-8")
    return Figure(tuple(runs))


def _environment() -> dict[str, str]:
    # The package from this checkout, wherever the command runs.
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def realistic_project(folder: Path, workflows: int = WORKFLOWS) -> tuple[list[Path], int]:
    """The samples copied into `folder/src` until there are `workflows` workflows; the files
    and their lines (the shared file of macros included)."""
    src = folder / "src"
    src.mkdir(parents=True)
    shutil.copy(SAMPLES / "common.bpl", src / "common.bpl")
    config = (ROOT / "bpl.toml").read_text(encoding="utf-8")
    (folder / "bpl.toml").write_text(config.replace('sources = ["samples"]', 'sources = ["src"]'),
                                     encoding="utf-8")
    originals = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.bpl"))
                 if _NAMED.search(p.read_text(encoding="utf-8"))]
    files = [src / "common.bpl"]
    for n in range(workflows):
        stem, text = originals[n % len(originals)]
        copy = n // len(originals)
        path = src / f"{stem}_{copy:03d}.bpl"
        path.write_text(_NAMED.sub(rf"\1 \2_{copy:03d}", text), encoding="utf-8")
        files.append(path)
    return files, sum(p.read_text(encoding="utf-8").count("\n") for p in files)


def big_workflow(statements: int = 50_000) -> str:
    """One workflow of short statements of several kinds, under the 1 MiB limit."""
    kinds = ('log "step {i}"', "var.n = var.n + {i}", "wait 1h", 'status "s{i}"')
    body = "".join(f"    {kinds[i % len(kinds)].format(i=i)}\n" for i in range(statements))
    return f"workflow big for crm.deal {{\n    var n: int = 0\n{body}}}\n"


# Runs in a fresh process: the peak of what checking one file allocates, in bytes.
_MEASURE_MEMORY = """
import sys, tracemalloc
from pathlib import Path
from typing import Any
from compiler.catalog import load_catalog
from compiler.pipeline import build
from compiler.semantics.environment import Environment
load_catalog()
build([Path(sys.argv[1])], Environment())  # the first build loads what every build shares
tracemalloc.start()
build([Path(sys.argv[1])], Environment())
print(tracemalloc.get_traced_memory()[1])
"""


def memory_per_line(folder: Path) -> tuple[int, float]:
    path = folder / "big.bpl"
    text = big_workflow()
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _MEASURE_MEMORY, str(path)], check=True,
                          capture_output=True, text=True, env=_environment())
    lines = text.count("\n")
    return lines, int(done.stdout.split()[-1]) / lines


def report(bare_parser: Any, repeat: int = 5) -> None:
    """Print the figures; `bare_parser` is lark's own parser of the grammar (the yardstick)."""
    from compiler.pipeline import build
    from compiler.project.config import load_project
    from compiler.semantics.environment import Environment

    compileall.compile_dir(Path(__file__).resolve().parent, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, lines = realistic_project(folder)
        env = Environment("sandbox", dict(load_project(folder).config.environments["sandbox"]
                                          .values), symbolic=False)
        texts = [p.read_text(encoding="utf-8") for p in files]
        parser = bare_parser
        bare = cpu(lambda: [parser.parse(text, start="start") for text in texts], repeat)
        checked = build([folder / "src"], env)
        if checked.diagnostics.has_errors:
            raise SystemExit("the benchmark project does not check: "
                             f"{checked.diagnostics.sorted()[0]}")
        inside = cpu(lambda: build([folder / "src"], env), repeat)
        first = command_cpu(["check", "--no-cache"], folder, repeat)
        command_cpu(["check"], folder, 1)  # writes the cache entry
        warm = command_cpu(["check"], folder, repeat)
        print(f"project: {len(checked.program.workflows)} workflows, {len(files)} files, "
              f"{lines:,} lines (the samples, renamed; comments kept)")
        print(f"bare lark parse:              {bare.text()}")
        print(f"bpl check, in-process:        {inside.text()}  "
              f"= {inside.least / bare.least:.2f}x the bare parse")
        print(f"bpl check --no-cache:         {first.text()}  "
              f"= {first.least / bare.least:.2f}x the bare parse (start-up included)")
        print(f"bpl check, cache warm:        {warm.text()}  "
              f"= {warm.least / first.least:.2f}x the first check")
        edited = edited_command_cpu(["check"], folder, files[-1], repeat)
        print(f"bpl check, one file edited:   {edited.text()}  "
              f"= {edited.least / first.least:.2f}x the first check")
        # A fifth of a second each: twice the runs, as a shared machine's noise is its size.
        cold = command_cpu(["check", "--no-cache", str(SAMPLES)], ROOT, 2 * repeat)
        command_cpu(["check", str(SAMPLES)], ROOT, 1)
        cached = command_cpu(["check", str(SAMPLES)], ROOT, 2 * repeat)
        print(f"bpl check samples/, cold:     {cold.text()}")
        print(f"  the same, cache warm:       {cached.text()}")
        big_lines, per_line = memory_per_line(folder)
        print(f"memory: {per_line / 1024:.1f} KB per line (tracemalloc peak, one workflow of "
              f"50,000 statements, {big_lines:,} lines)")
