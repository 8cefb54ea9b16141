"""The portal's import errors, pointed back at the .bpl statement they are about.

Bitrix validates a template on import and answers with one flat text: messages of
`ValidateChild` rules are prefixed "Action '<Title>': " and joined with "."; messages of
`ValidateProperties` are joined as "msg. msg. " with no title at all (reference §6 and §7).
`template.add` reports them with an empty error code or ERROR_TEMPLATE_VALIDATION_FAILURE,
`template.update` (which does not catch the import's exception) with ERROR_ARGUMENT,
ERROR_CORE or the validation exception's number. Titles are matched against the compiled
activities, whose names map to source spans; a message without a title is looked up among
the violations the catalog's copy of the same rules finds locally.
"""

from __future__ import annotations

from compiler.catalog import Catalog, load_catalog
from compiler.catalog.rules import property_violations
from compiler.codegen import CompiledTemplate
from compiler.diagnostics import Diagnostic, Severity
from compiler.portal import MethodError
from compiler.source import Span

CODE = "E700"
IMPORT_ERROR_CODES = frozenset(
    {"", "ERROR_TEMPLATE_VALIDATION_FAILURE", "ERROR_ARGUMENT", "ERROR_CORE", "10010"})
_PREFIX = "Action '{}': "


def is_import_error(error: MethodError) -> bool:
    return (error.code or "") in IMPORT_ERROR_CODES


def _titles(template: CompiledTemplate) -> dict[str, list[str]]:
    """Activity Title → the Names of the activities that carry it, in tree order."""
    found: dict[str, list[str]] = {}
    for activity in template.template.walk():
        title = activity.properties.get("Title")
        if isinstance(title, str) and title:
            found.setdefault(title, []).append(activity.name)
    return found


def _segments(text: str, titles: dict[str, list[str]]) -> list[tuple[str | None, str]]:
    """(title or None, message) parts of the portal's text, in order."""
    hits: list[tuple[int, int, str]] = []
    # Longest titles first, so "Approve deal" is not read as "Approve" + "deal".
    for title in sorted(titles, key=len, reverse=True):
        prefix = _PREFIX.format(title)
        start = text.find(prefix)
        while start >= 0:
            if not any(s <= start < e for s, e, _ in hits):
                hits.append((start, start + len(prefix), title))
            start = text.find(prefix, start + 1)
    hits.sort()
    if not hits:
        return [(None, text.strip())]
    parts: list[tuple[str | None, str]] = []
    if text[: hits[0][0]].strip(" ."):
        parts.append((None, text[: hits[0][0]].strip()))
    for index, (_, end, title) in enumerate(hits):
        stop = hits[index + 1][0] if index + 1 < len(hits) else len(text)
        parts.append((title, text[end:stop].strip().rstrip(" .")))
    return parts


def _untitled(text: str, template: CompiledTemplate,
              catalog: Catalog) -> list[tuple[Span, str]]:
    """Spans of the local property violations whose message the portal's text contains."""
    found = []
    roots = [root.to_php() for root in template.template.roots]  # what the rules read today
    for violation in property_violations(catalog, roots):
        message = violation.message.rstrip(" .")
        if message and message in text:
            span = template.spans.get(str(violation.node.get("Name")), template.span)
            found.append((span, message))
    return found or [(template.span, text.strip().rstrip(" ."))]


def diagnostics_for(error: MethodError, template: CompiledTemplate,
                    catalog: Catalog | None = None) -> list[Diagnostic]:
    """One diagnostic per message of the portal's import error, at the statement it names
    (or at the workflow when none can be found)."""
    titles = _titles(template)
    help_text = "the portal refused to import the template; nothing of it was changed"
    out: list[Diagnostic] = []
    for title, message in _segments(error.description or str(error), titles):
        if title is None:
            for span, text in _untitled(message, template, catalog or load_catalog()):
                out.append(Diagnostic(CODE, Severity.ERROR, f"portal: {text}", span,
                                      help=help_text))
            continue
        names = titles.get(title, [])
        span = template.spans.get(names[0], template.span) if names else template.span
        notes: tuple[str, ...] = ()
        if len(names) > 1:
            notes = (f"{len(names)} activities are titled '{title}'; this is the first of them",)
        out.append(Diagnostic(CODE, Severity.ERROR, f"portal: Action '{title}': {message}",
                              span, notes=notes, help=help_text))
    return out
