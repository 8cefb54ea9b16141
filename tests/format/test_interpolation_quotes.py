"""Escaped quotes inside `{…}` of a string are the quotes of the expression's own strings.

The formatter writes string arguments inside interpolations this way, so the parser must read
them back exactly (no padding character may end up inside the inner string).
"""

from __future__ import annotations

import pytest

from compiler.diagnostics import Diagnostics
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module


def _log_text(source: str) -> ast.Text:
    diagnostics = Diagnostics()
    module = parse_module(SourceFile.from_text("t.bpl", source), diagnostics)
    assert module is not None and not diagnostics.has_errors
    workflow = module.items[0]
    assert isinstance(workflow, ast.Workflow)
    stmt = workflow.body[0]
    assert isinstance(stmt, ast.LogStmt) and isinstance(stmt.text, ast.Text)
    return stmt.text


def _strings(expr: ast.Expr) -> list[str]:
    assert isinstance(expr, ast.Call)
    return [a.value.plain for a in expr.args if isinstance(a.value, ast.Text)]


@pytest.mark.parametrize(("written", "expected"), [
    (r'{upper(\"x\")}', ["x"]),
    (r'{f(\"a\", \"b c\")}', ["a", "b c"]),
    (r'{f(\"a\\\")}', ["a\\"]),
    (r'{f(\"\")}', [""]),
])
def test_inner_strings_keep_their_exact_text(written: str, expected: list[str]) -> None:
    text = _log_text('workflow w for crm.deal { log "' + written + '" }')
    call = next(p for p in text.parts if isinstance(p, ast.Expr))
    assert _strings(call) == expected
