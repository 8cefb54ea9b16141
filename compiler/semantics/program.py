"""Load a project: the given files or folders, their imports, and the declarations they hold."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from compiler.diagnostics import Diagnostics, Label
from compiler.record import record
from compiler.resources import stdlib_dir
from compiler.source import MAX_FILE_BYTES, MAX_FILE_TEXT, SourceFile, Span, collect_files
from compiler.syntax import ast, parse_module


@record(frozen=False, slots=False)
class Program:
    sources: dict[str, SourceFile] = field(default_factory=dict)
    modules: list[ast.Module] = field(default_factory=list)
    workflows: list[ast.Workflow] = field(default_factory=list)
    robots: dict[str, ast.RobotDecl] = field(default_factory=dict)
    macros: dict[str, ast.MacroDecl] = field(default_factory=dict)
    # Files named on the command line (their workflows are compiled); imports only lend
    # declarations.
    roots: set[str] = field(default_factory=set)
    # Files the program tried to read and could not (a missing import): a result depends on
    # them too, should they appear.
    unread: list[Path] = field(default_factory=list)


def load_program(paths: list[Path], diagnostics: Diagnostics,
                 overlay: Mapping[Path, str] | None = None) -> Program:
    """The files under `paths` and their imports. `overlay` holds texts that stand for files
    (by resolved path): an editor's unsaved documents."""
    program = Program()
    queue: list[tuple[Path, Span | None]] = [(p, None) for p in collect_files(paths)]
    loaded: set[Path] = set()
    root_files = {p.resolve() for p, _ in queue}
    while queue:
        path, imported_at = queue.pop(0)
        resolved = path.resolve()
        if resolved in loaded:
            continue
        loaded.add(resolved)
        text = overlay.get(resolved) if overlay else None
        source = _read(path, imported_at, diagnostics) if text is None else \
            _from_text(path, text, imported_at, diagnostics)
        if source is None:
            program.unread.append(path)
            continue
        program.sources[source.name] = source
        if resolved in root_files:
            program.roots.add(source.name)
        module = parse_module(source, diagnostics)
        if module is None:
            continue
        program.modules.append(module)
        for item in module.items:
            if isinstance(item, ast.Import):
                queue.append((_import_path(path, item.path), item.span))
    _collect_declarations(program, diagnostics)
    return program


def _read(path: Path, imported_at: Span | None, diagnostics: Diagnostics) -> SourceFile | None:
    code, what = ("E010", "imported file") if imported_at else ("E011", "file")
    span = imported_at or Span.unknown(str(path))
    try:
        with path.open("rb") as handle:
            # Read up to the limit, whatever the file claims: a device or a pipe has no size.
            raw = handle.read(MAX_FILE_BYTES + 1)
        return _decode(path, raw, imported_at, diagnostics)
    except FileNotFoundError:
        diagnostics.error(code, f"{what} {path} does not exist", span,
                          help="import paths are relative to the importing file; "
                               "'stdlib/…' names the standard library")
    except IsADirectoryError:
        diagnostics.error(code, f"{what} {path} is a folder, not a .bpl file", span)
    except OSError as error:
        diagnostics.error(code, f"cannot read {what} {path}: {error.strerror}", span)
    return None


def _from_text(path: Path, text: str, imported_at: Span | None,
               diagnostics: Diagnostics) -> SourceFile | None:
    return _decode(path, text.encode("utf-8", errors="replace"), imported_at, diagnostics)


def _decode(path: Path, raw: bytes, imported_at: Span | None,
            diagnostics: Diagnostics) -> SourceFile | None:
    if len(raw) > MAX_FILE_BYTES:
        code, what = ("E010", "imported file") if imported_at else ("E011", "file")
        diagnostics.error(code, f"{what} {path} is larger than {MAX_FILE_TEXT}, the limit "
                                "for a .bpl file", imported_at or Span.unknown(str(path)),
                          help="split the workflows over several files (import shares "
                               "macros and robots between them)")
        return None
    return SourceFile.decode(path, raw)


def _import_path(importer: Path, target: str) -> Path:
    if target.startswith("stdlib/"):
        return stdlib_dir() / target.removeprefix("stdlib/")
    return importer.parent / target


def _collect_declarations(program: Program, diagnostics: Diagnostics) -> None:
    names: dict[str, Span] = {}
    for module in program.modules:
        for item in module.items:
            if isinstance(item, ast.Workflow):
                if module.span.file not in program.roots:
                    continue  # an imported file lends robots and macros, not workflows
                _unique(names, item.name, item.name_span, "workflow", diagnostics)
                program.workflows.append(item)
            elif isinstance(item, ast.RobotDecl):
                first = program.robots.get(item.code)
                if first is None:
                    program.robots[item.code] = item
                elif first.span != item.span and first.kind != item.kind:
                    _shared_code(item, first, diagnostics)
                elif first.span != item.span:
                    _duplicate(item.code, item.code_span, first.code_span, item.kind,
                               diagnostics)
            elif isinstance(item, ast.MacroDecl):
                if item.name in program.macros:
                    _duplicate(item.name, item.name_span, program.macros[item.name].name_span,
                               "macro", diagnostics)
                    continue
                program.macros[item.name] = item


def _unique(names: dict[str, Span], name: str, span: Span, what: str,
            diagnostics: Diagnostics) -> None:
    if name in names:
        _duplicate(name, span, names[name], what, diagnostics)
    else:
        names[name] = span


def _shared_code(item: ast.RobotDecl, first: ast.RobotDecl, diagnostics: Diagnostics) -> None:
    """A robot and an action with one CODE: to the author two different things, so reported as
    the registration the portal refuses (E304, the code of semantics.robots' checks) rather
    than as a name declared twice. Reported here, while collecting, so that the handler kit's
    load_robots, which runs no robot checks, refuses it too."""
    diagnostics.error("E304", f"{item.kind} '{item.code}' has the CODE of {first.kind} "
                              f"'{first.code}'", item.code_span,
                      labels=(Label(first.code_span, f"the {first.kind}"),),
                      help="robots and actions of one app share their CODEs (the portal "
                           "answers 'already installed'); rename one of them")


def _duplicate(name: str, span: Span, first: Span, what: str, diagnostics: Diagnostics) -> None:
    diagnostics.error("E101", f"{what} '{name}' is declared twice", span,
                      labels=(Label(first, "first declared here"),),
                      help=f"rename one of them; {what} names are unique in a project")
