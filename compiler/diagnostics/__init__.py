"""One diagnostic type for every stage, one registry of rule codes, one renderer per output."""

from compiler.diagnostics.codes import RULES, Rule, rule
from compiler.diagnostics.model import (
    CompileError,
    Diagnostic,
    Diagnostics,
    Label,
    Severity,
)

__all__ = [
    "RULES",
    "CompileError",
    "Diagnostic",
    "Diagnostics",
    "Label",
    "Rule",
    "Severity",
    "rule",
]
