"""The importer: Bitrix24 templates (.bpt files, portal rows) → formatted .bpl workflows.

`Importer.run` writes one workflow per template with the language's own statements where
they give the template back, the generic `activity` form elsewhere, and proves the result by
compiling it and comparing it with the template in `plan`'s canonical form.
"""

from compiler.importer.document import Document, DocumentError, from_option, from_triple
from compiler.importer.importer import Importer, ImportError_, ImportResult
from compiler.importer.report import Finding, Report
from compiler.importer.source import TemplateSource, from_row, read_bpt

__all__ = [
    "Document",
    "DocumentError",
    "Finding",
    "ImportError_",
    "ImportResult",
    "Importer",
    "Report",
    "TemplateSource",
    "from_option",
    "from_row",
    "from_triple",
    "read_bpt",
]
