"""Diagnostics as an editor shows them: `bpl check`'s, with the code, the help and the notes in
the message, the secondary labels as related locations, a link to the code's explanation, and
the suggested name (Diagnostic.suggestion) with the range it replaces, for the quick fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from lsprotocol import types as lsp

from compiler.diagnostics import RULES, Diagnostic, Severity
from compiler.lsp.positions import Text, path_of_name
from compiler.source import Span

SOURCE = "bpl"
# The URI of a code's explanation (`bpl explain CODE`); the VS Code extension shows it.
EXPLAIN_SCHEME = "bpl-explain"

_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.NOTE: lsp.DiagnosticSeverity.Information}
_PART = re.compile(r"[A-Za-z0-9_]+")


def explain_uri(code: str) -> str:
    return f"{EXPLAIN_SCHEME}:{code}"


def to_lsp(diagnostic: Diagnostic, text: Text,
           text_of: Callable[[str], Text | None]) -> lsp.Diagnostic:
    """The editor's diagnostic for one of the document's. `text_of` gives the text of another
    file a label points into."""
    message = diagnostic.message
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    for note in diagnostic.notes:
        message += f"\nnote: {note}"
    related = []
    for label in diagnostic.labels:
        other = text if label.span.file == diagnostic.span.file else text_of(label.span.file)
        if other is not None:
            related.append(lsp.DiagnosticRelatedInformation(
                lsp.Location(path_of_name(label.span.file).as_uri(), other.range(label.span)),
                label.message))
    result = lsp.Diagnostic(
        range=text.range(diagnostic.span), message=message,
        severity=_SEVERITY.get(diagnostic.severity, lsp.DiagnosticSeverity.Error),
        code=diagnostic.code, source=SOURCE, related_information=related or None,
        code_description=lsp.CodeDescription(explain_uri(diagnostic.code))
        if diagnostic.code in RULES else None)
    suggestion = diagnostic.suggestion
    if suggestion is not None:
        replaced = replaced_span(text, diagnostic.span, suggestion)
        if replaced is not None:
            result.data = {"suggestion": suggestion,
                           "range": _range_json(text.range(replaced))}
    return result


def replaced_span(text: Text, span: Span, suggestion: str) -> Span | None:
    """The part of `span` the suggested name stands for: the run of dotted names in it most
    like the suggestion (`limt` of `param.limt`, `CONTACT.NAM` of `doc.CONTACT.NAM`); None
    when nothing there looks like it."""
    if span.line != span.end_line:
        return None
    start = text.offset_of(span.line, span.column)
    written = text.text[start:text.offset_of(span.end_line, span.end_column)]
    parts = [(m.start(), m.end()) for m in _PART.finditer(written)]
    best: tuple[float, int, int] | None = None
    for first in range(len(parts)):
        for last in range(first, len(parts)):
            begin, end = parts[first][0], parts[last][1]
            candidate = written[begin:end]
            if not re.fullmatch(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*", candidate):
                continue
            ratio = difflib.SequenceMatcher(None, candidate.upper(), suggestion.upper()).ratio()
            if best is None or ratio > best[0]:
                best = (ratio, begin, end)
    if best is None or best[0] < 0.5 or written[best[1]:best[2]] == suggestion:
        return _word_before(text, start, suggestion)
    return text.span_at(start + best[1], start + best[2])


def _word_before(text: Text, start: int, suggestion: str) -> Span | None:
    """The word right before `start` on its line, when it looks like the suggestion: the
    parser reports a misspelt statement (`lgo "text"`) at the token after it."""
    line_start = text.text.rfind("\n", 0, start) + 1
    words = list(_PART.finditer(text.text, line_start, start))
    if not words:
        return None
    word = words[-1]
    if text.text[word.end():start].strip():
        return None
    ratio = difflib.SequenceMatcher(None, word.group().upper(), suggestion.upper()).ratio()
    return text.span_at(word.start(), word.end()) if ratio >= 0.5 else None


def _range_json(r: lsp.Range) -> dict[str, dict[str, int]]:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def quick_fixes(uri: str, diagnostics: list[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """'Replace with X' for each diagnostic in the request that carries a suggestion."""
    actions = []
    for diagnostic in diagnostics:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else None
        if not data or "suggestion" not in data or "range" not in data:
            continue
        try:
            r = data["range"]
            target = lsp.Range(lsp.Position(r["start"]["line"], r["start"]["character"]),
                               lsp.Position(r["end"]["line"], r["end"]["character"]))
            suggestion = str(data["suggestion"])
        except (KeyError, TypeError):
            continue  # a client that rewrote our data: no fix rather than a wrong one
        actions.append(lsp.CodeAction(
            title=f"Replace with '{suggestion}'", kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[diagnostic], is_preferred=True,
            edit=lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(target, suggestion)]})))
    return actions


def explanation(code: str) -> str | None:
    """What `bpl explain CODE` prints."""
    rule = RULES.get(code.upper())
    if rule is None:
        return None
    return f"{rule.code} ({rule.name}): {rule.summary}\n\n{rule.explanation}"
