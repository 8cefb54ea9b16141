"""Formulas a .bpl file carries as Bitrix text, read the way Bitrix's calc parser reads them.

The compiler writes formulas from .bpl expressions, which are well-formed. Two kinds of value
reach the portal as written instead: Bitrix's own inline formulas in a string
(`"Total {{=…}}"`) and a text that starts with `=` (Bitrix takes the whole value for a
formula) — both what `bpl import` keeps of a formula it cannot translate. Bitrix tolerates
broken syntax in them: `1 +` is 1, `* 2` is 0, `1; 2` is [1, 2]; and a formula it cannot
read stays text. W305 says so at compile time, with the same parser the simulator runs
(compiler.simulator.calcsyntax).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compiler.catalog import Catalog
from compiler.syntax import ast

if TYPE_CHECKING:
    from compiler.simulator.calcsyntax import Functions

# An interpolated .bpl expression becomes a `{=…}` token (or an inline formula); for the
# syntax of the surrounding formula any token will do.
_PLACEHOLDER = "{=Variable:x}"


def functions_of(catalog: Catalog) -> Functions:
    """Calc function name → whether Bitrix's parser hands it arguments (true() and false()
    take none: their catalog entries allow no argument)."""
    return {name: spec.max_args != 0 for name, spec in catalog.functions.items()}


def formula_of(expr: ast.Expr) -> str | None:
    """The formula Bitrix will read in a verbatim value, or None when there is none."""
    if isinstance(expr, ast.RawBitrix):
        text = expr.text.strip()
        return text if text.startswith("{{=") and text.endswith("}}") else None
    if isinstance(expr, ast.Text) and expr.parts and isinstance(expr.parts[0], str) \
            and expr.parts[0].lstrip().startswith("="):
        return "".join(part if isinstance(part, str) else
                       part.text if isinstance(part, ast.RawBitrix) else _PLACEHOLDER
                       for part in expr.parts)
    return None


def formula_problems(expr: ast.Expr, functions: Functions) -> list[str]:
    formula = formula_of(expr)
    if formula is None:
        return []
    # The calc parser (and the simulator's evaluator under it) loads for a verbatim formula
    # only: most workflows have none, and a cold `bpl check` need not import it.
    from compiler.simulator.calcsyntax import problems

    return problems(formula, functions)
