"""The shape of a syntax tree: everything but positions, to compare a file with its formatting
(the formatter), and the conditions and bodies of an `if`'s branches with one another (flow checks).

Formatting may move a construct but never change it; the one deliberate difference is the
order of a workflow's declarations, which are grouped by kind (param, var, const).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from compiler.source import Span
from compiler.syntax import ast

_KIND_ORDER = {"param": 0, "var": 1, "const": 2}


def shape(node: Any) -> Any:
    if isinstance(node, Span):
        return None
    if isinstance(node, ast.Workflow):
        node = dataclasses.replace(node, decls=tuple(
            sorted(node.decls, key=lambda d: _KIND_ORDER.get(d.kind, 0))))
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        # Fields out of equality (what the binder records) are not part of the shape.
        return (type(node).__name__, *(shape(getattr(node, f.name))
                                       for f in dataclasses.fields(node) if f.compare))
    if isinstance(node, tuple | list):
        return tuple(shape(item) for item in node)
    return node
