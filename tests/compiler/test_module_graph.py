"""Every module of compiler/ imports, and no modules import each other in a circle: imports
are read with `ast`, those inside functions included.

Imports under `if TYPE_CHECKING:` are left out. They run only for the type checker, and one
circle needs them: the simulator's activity handlers take the Run that dispatches to them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

COMPILER = Path(__file__).resolve().parents[2] / "compiler"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(COMPILER.rglob("*.py")):
        parts = list(path.relative_to(COMPILER.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _type_checking_only(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of compiler/ that `path` imports (a package for `from package import x`
    unless x is a module of its own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                     else node.module for a in node.names]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_imports() -> None:
    modules = _modules()
    assert len(modules) > 150
    for name in modules:
        importlib.import_module(name)


def test_modules_import_each_other_in_no_circle() -> None:
    modules = _modules()
    graph = {name: imports(path, modules) - {name} for name, path in modules.items()}
    assert sum(len(targets) for targets in graph.values()) > 500
    assert cycles(graph) == []


def test_the_cycle_search_finds_a_circle_through_a_function_level_import(
        tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import compiler.b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from compiler.a import x\n",
                                   encoding="utf-8")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    import compiler.a\n", encoding="utf-8")
    modules = {"compiler.a": tmp_path / "a.py", "compiler.b": tmp_path / "b.py",
               "compiler.c": tmp_path / "c.py"}
    graph = {name: imports(path, modules) for name, path in modules.items()}
    assert graph == {"compiler.a": {"compiler.b"}, "compiler.b": {"compiler.a"},
                     "compiler.c": set()}
    assert cycles(graph) == [["compiler.a", "compiler.b"]]
