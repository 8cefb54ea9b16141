"""The simulator and the sandbox read templates through compiler.bitrix only: no module of theirs
names a node's `Children`, `Activated` or `Properties` key, so none walks the raw arrays or
decides by itself whether an activity is switched off (`Activity.walk`, `active_children` and
`Activity.activated` do)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPILER = Path(__file__).resolve().parents[2] / "compiler"
PACKAGES = ("simulator", "sandbox")
RAW_KEYS = frozenset({"Children", "Activated", "Properties"})


def raw_key_reads(source: str) -> list[tuple[int, str]]:
    """(line, key) of every string constant naming a raw node key, docstrings left out."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in RAW_KEYS
            and id(node) not in docstrings]


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (COMPILER / package).rglob("*.py"))


def test_there_are_sources_to_scan() -> None:
    assert len(_sources()) > 60


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(COMPILER)))
def test_no_raw_template_reads(path: Path) -> None:
    found = raw_key_reads(path.read_text(encoding="utf-8"))
    assert not found, (f"{path.relative_to(COMPILER.parent)} reads raw template nodes at "
                       f"{found}: read the tree through compiler.bitrix (Template.from_package, "
                       "Activity.walk / active_children / activated, Run.props)")


@pytest.mark.parametrize("snippet", [
    'kids = node.get("Children") or []',
    'kids = node["Children"]',
    'if node.get("Activated", "Y") == "N": pass',
    'props = node.get("Properties") or {}',
    'NODE = {"Type": "LogActivity", "Activated": "Y"}',
])
def test_the_scan_finds_raw_reads(snippet: str) -> None:
    assert raw_key_reads(snippet)


def test_the_scan_leaves_docstrings_and_other_keys_alone() -> None:
    source = '"""Children"""\ndef f(node):\n    """Activated"""\n    return node.get("Type")\n'
    assert raw_key_reads(source) == []
