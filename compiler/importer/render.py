"""What codegen makes of an imported expression, computed with codegen's own value lowering.

The importer offers an expression only when this rendering gives back the original value, so
a change in how codegen spells values can never make an import silently different.
"""

from __future__ import annotations

from typing import Any

from compiler.bitrix.canonical import value as canonical
from compiler.codegen.conditions import lower_condition
from compiler.codegen.values import ValueLowerer
from compiler.importer.scope import Scope
from compiler.semantics.conditions import Inexpressible, to_dnf
from compiler.syntax import ast


class Renderer:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        # The references the scope makes carry their bindings, as the binder's do.
        self.lowering = ValueLowerer()

    def _resolve(self, value: Any) -> Any:
        return self.scope.links().link(value)

    def value(self, expr: ast.Expr) -> Any:
        return self._resolve(self.lowering.value(expr))

    def text(self, expr: ast.Expr) -> str:
        result: str = self._resolve(self.lowering.text(expr))
        return result

    def users(self, expr: ast.Expr) -> list[Any]:
        result: list[Any] = self._resolve(self.lowering.users(expr))
        return result

    def condition(self, expr: ast.Expr) -> tuple[str, Any] | None:
        try:
            key, value = lower_condition(to_dnf(expr), self.lowering)
        except Inexpressible:
            return None
        return key, self._resolve(value)


def same(rendered: Any, original: Any) -> bool:
    """Equal, or equal in the canonical form `plan` compares (flags, numbers, empty arrays)."""
    return bool(rendered == original or canonical(rendered) == canonical(original))
