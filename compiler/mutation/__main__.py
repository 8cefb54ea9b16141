"""`python -m compiler.mutation [ROOT] [-v]`: the mutation figures of a project (default: this
repository's samples, through its bpl.toml); exit 1 below the promised share or on a crash."""

from __future__ import annotations

import sys
from pathlib import Path

from compiler.mutation.judge import run

PROMISED = 0.95


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [a for a in argv if a != "-v"]
    root = Path(paths[0]) if paths else Path(".")
    report = run(root)
    print(report.table())
    if verbose:
        for verdict in report.missed:
            where = f"{verdict.mutant.file.name}:{verdict.mutant.start}"
            print(f"missed  {where}  {verdict.mutant.describe()}  {verdict.crash}"
                  f"{' near: ' + ','.join(verdict.codes) if verdict.codes else ''}")
        for mutant in report.excluded:
            print(f"excluded  {mutant.file.name}:{mutant.start}  {mutant.describe()}  "
                  f"({mutant.excluded})")
    total = report.total
    return 0 if total.share >= PROMISED and not total.crashed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
