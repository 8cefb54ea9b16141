"""The parse stage: .bpl text → AST with spans."""

from compiler.syntax.parser import parse_expression, parse_module

__all__ = ["parse_expression", "parse_module"]
