"""How well a folder of `.bpt` templates imports: `python -m compiler.importer.measure DIR`.

Each `NAME.bpt` may have a `NAME.json` next to it with what a `.bpt` does not hold and a
portal row does: `name`, `document_type` ([module, entity, type]) and `auto_execute`. Every
template is imported, the written `.bpl` is compiled on its own, and the result is compared
with the template in `plan`'s canonical form, header included; this check is the measure's
own, independent of what the import report claims. Printed: one line per template, then
the templates imported equivalent, the statements left in the generic form and the references
to activities the templates do not have.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from compiler.bitrix.canonical import from_compiled
from compiler.catalog import load_catalog
from compiler.deploy.read import from_portal
from compiler.importer.importer import Importer, ImportError_
from compiler.importer.source import TemplateSource, read_bpt
from compiler.importer.verify import compile_text, errors


@dataclass
class Measured:
    source: str
    statements: int = 0
    generic: int = 0
    equivalent: bool = False
    claimed: bool = False  # what the import report said
    dangling: int = 0  # references to activities the template does not have
    differences: list[str] = field(default_factory=list)


@dataclass
class Measure:
    templates: list[Measured] = field(default_factory=list)

    @property
    def equivalent(self) -> int:
        return sum(1 for t in self.templates if t.equivalent)

    @property
    def statements(self) -> int:
        return sum(t.statements for t in self.templates)

    @property
    def generic(self) -> int:
        return sum(t.generic for t in self.templates)

    @property
    def dangling(self) -> int:
        return sum(t.dangling for t in self.templates)

    def lines(self) -> list[str]:
        out = []
        for t in self.templates:
            state = "equivalent" if t.equivalent else "NOT equivalent"
            claim = "" if t.claimed == t.equivalent else \
                f" (the report says {'equivalent' if t.claimed else 'not equivalent'})"
            out.append(f"{t.source}: {state}{claim}; {t.generic}/{t.statements} statements "
                       "generic")
            out += [f"  {d}" for d in t.differences]
        out.append(f"templates imported equivalent: {self.equivalent}/{len(self.templates)}")
        out.append(f"statements in the generic form: {self.generic}/{self.statements}")
        out.append(f"dangling references: {self.dangling}")
        return out


def source_at(path: Path) -> TemplateSource:
    """The `.bpt` at `path` with what its `.json` sidecar says (BptError when unreadable)."""
    source = read_bpt(path)
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return source
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    document = meta.get("document_type")
    return replace(source, name=meta.get("name"),
                   document_type=tuple(document) if document else None,
                   auto_execute=int(meta.get("auto_execute") or 0))


def measure_one(importer: Importer, source: TemplateSource, origin: str) -> Measured:
    out = Measured(origin)
    try:
        result = importer.run(source)
    except ImportError_ as error:
        out.differences.append(f"import failed: {error}")
        return out
    out.statements, out.generic = result.report.statements, result.report.generic
    out.claimed = result.report.equivalent
    out.dangling = result.report.count("dangling")
    built = compile_text(result.text, result.workflow)
    problems = errors(built)
    if problems:
        out.differences += [f"compile error {d.code}: {d.message}" for d in problems]
        return out
    normaliser = importer.normaliser
    old = from_portal(source.row(), normaliser)
    new = from_compiled(built.templates[0], normaliser)
    out.differences += _differences(old.body(), new.body())
    if old.header() != new.header():
        out.differences.append(f"header: {old.header()} != {new.header()}")
    out.equivalent = not out.differences
    return out


def _differences(old: dict[str, object], new: dict[str, object]) -> list[str]:
    return [f"{key} differs" for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)]


def measure(folder: Path, importer: Importer | None = None) -> Measure:
    importer = importer or Importer(load_catalog())
    result = Measure()
    for path in sorted(folder.glob("*.bpt")):
        result.templates.append(measure_one(importer, source_at(path), path.name))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m compiler.importer.measure",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of .bpt files (and .json sidecars)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 2
    for line in measure(args.folder, Importer()).lines():
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
