"""The formatter: one canonical layout for .bpl source, comments kept, meaning unchanged.

`format_text` parses a file, prints its syntax tree with the file's comments and blank lines,
and checks that the result parses to the same tree (ignoring positions) before returning it;
`format_module` prints a generated tree (the importer's) without any source.
"""

from __future__ import annotations

from compiler.diagnostics import Diagnostics
from compiler.format.comments import scan_comments
from compiler.format.expressions import ExpressionPrinter
from compiler.format.module import ModulePrinter
from compiler.format.strings import Unprintable
from compiler.format.writer import Writer
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module
from compiler.syntax.shape import shape

__all__ = ["FormatError", "SyntaxProblem", "Unprintable", "format_module", "format_text"]


class SyntaxProblem(Exception):
    """The file does not parse; `diagnostics` say why (it is left as it is)."""

    def __init__(self, source: SourceFile, diagnostics: Diagnostics) -> None:
        super().__init__(f"{source.name}: syntax errors")
        self.source = source
        self.diagnostics = diagnostics


class FormatError(Exception):
    """The formatter could not keep the meaning of this file; it is left as it is."""


def normalise_newlines(text: str) -> str:
    """What the compiler reads: a leading BOM dropped, any line break a `\\n`."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse(source: SourceFile) -> ast.Module:
    diagnostics = Diagnostics()
    module = parse_module(source, diagnostics)
    if module is None or diagnostics.has_errors:
        raise SyntaxProblem(source, diagnostics)
    return module


def format_text(text: str, name: str = "<text>") -> str:
    """The canonical form of `text`. Raises SyntaxProblem or FormatError."""
    try:
        return _format(text, name)
    except RecursionError:
        raise FormatError(f"{name}: blocks or expressions nest too deeply to format; "
                          "left unchanged") from None


def _format(text: str, name: str) -> str:
    source = SourceFile.from_text(name, normalise_newlines(text))
    module = parse(source)
    writer = Writer(scan_comments(source.text), source.text.split("\n"))
    try:
        ModulePrinter(writer, ExpressionPrinter()).module(module)
    except Unprintable as error:  # pragma: no cover - parsed trees are always printable
        raise FormatError(f"{name}: {error}") from None
    result = writer.render()
    try:
        again = parse(SourceFile.from_text(name, result))
    except SyntaxProblem:
        raise FormatError(f"{name}: the formatted text does not parse; left unchanged") from None
    if shape(again) != shape(module):
        raise FormatError(f"{name}: formatting would change the meaning; left unchanged")
    return result


def format_module(module: ast.Module) -> str:
    """Source text of a generated syntax tree. Raises Unprintable for a tree that no source
    spells."""
    writer = Writer()
    ModulePrinter(writer, ExpressionPrinter()).module(module)
    return writer.render()
