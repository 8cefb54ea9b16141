"""The library parts of `bpl lsp` that need no client: positions in the client's code units,
the text scanner, the quick fix's range, recovery, and the keywords completion offers."""

from __future__ import annotations

import re
from pathlib import Path

from lsp_support import make_project
from lsprotocol import types as lsp

from compiler.diagnostics import Diagnostic, Severity
from compiler.diagnostics.model import did_you_mean_help
from compiler.lsp.analysis import analyse
from compiler.lsp.completion import HEADERS, ITEMS, ROBOT_ITEMS, STATEMENT_OPTIONS, TYPE_CALLS
from compiler.lsp.positions import UTF8, UTF16, UTF32, Text
from compiler.lsp.project import project_of
from compiler.lsp.reports import replaced_span
from compiler.lsp.scan import close_blocks, inside_string_or_comment, open_blocks
from compiler.source import Span

ROOT = Path(__file__).resolve().parents[2]


def test_columns_are_counted_in_the_clients_code_units() -> None:
    text = 'log "😀 é {doc.TITLE}"\n'
    column = text.index("doc") + 1  # characters, 1-based
    assert Text.of(text, UTF32).position(1, column) == lsp.Position(0, 10)
    assert Text.of(text, UTF16).position(1, column) == lsp.Position(0, 11)  # 😀 is two units
    assert Text.of(text, UTF8).position(1, column) == lsp.Position(0, 14)  # and four bytes
    for encoding in (UTF8, UTF16, UTF32):
        chars = Text.of(text, encoding)
        assert chars.offset(chars.position(1, column)) == column - 1


def test_positions_past_the_end_are_clamped() -> None:
    text = Text.of("a\nbc")
    assert text.offset(lsp.Position(7, 0)) == 4
    assert text.offset(lsp.Position(1, 99)) == 4


def test_blocks_open_at_the_cursor_skip_strings_and_comments() -> None:
    text = 'workflow w for crm.deal {\n    approve "}{" by x { // }\n        vo'
    blocks = open_blocks(text, len(text))
    assert [b.head for b in blocks] == ["workflow w for crm.deal", 'approve "}{" by x']
    assert close_blocks(text).endswith("\n}\n}")


def test_strings_and_comments_at_the_cursor() -> None:
    text = 'log "a {doc.'
    token = inside_string_or_comment(text, len(text))
    assert token is not None and token.kind == "open_string"
    assert inside_string_or_comment('log "a" ', 8) is None
    assert inside_string_or_comment("x // note", 9) is not None


def _diagnostic(span: Span, suggestion: str) -> Diagnostic:
    return Diagnostic("E100", Severity.ERROR, "unknown", span, help=did_you_mean_help(suggestion))


def test_the_suggestion_is_read_back_from_the_help() -> None:
    span = Span("x", 1, 1, 1, 2)
    assert _diagnostic(span, "TITLE").suggestion == "TITLE"
    assert Diagnostic("E100", Severity.ERROR, "m", span, help="declare it").suggestion is None


def test_the_quick_fix_replaces_the_part_that_was_misspelt() -> None:
    text = Text.of("log param.limt & doc.CONTACT.NAM & vot1.Comments\n")
    for written, suggestion, replaced in (("param.limt", "limit", "limt"),
                                          ("doc.CONTACT.NAM", "CONTACT.NAME", "CONTACT.NAM"),
                                          ("vot1.Comments", "vote1", "vot1")):
        start = text.text.index(written)
        span = text.span_at(start, start + len(written))
        found = replaced_span(text, span, suggestion)
        assert found is not None
        assert text.text[text.offset_of(found.line, found.column):
                         text.offset_of(found.end_line, found.end_column)] == replaced
    far = text.span_at(0, 3)
    assert replaced_span(text, far, "completely_different") is None
    # A misspelt statement is reported at the token after it.
    typo = Text.of('    lgo "text"\n')
    found = replaced_span(typo, typo.span_at(8, 14), "log")
    assert found is not None and (found.column, found.end_column) == (5, 8)


def test_recovery_keeps_the_rest_of_a_half_typed_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    text = ("workflow w for crm.deal {\n    var x: int\n    log doc.\n    log \"{var.x}\"\n"
            "    approve \"A\" by doc.ASSIGNED_BY_ID as a {\n")
    path = project / "w.bpl"
    analysis = analyse(path, text, 1, project_of(path), {})
    assert analysis.diagnostics[0].code in ("E001", "E003")
    assert analysis.recovered
    (checked,) = analysis.checked
    assert set(checked.decls) == {"x"} and set(checked.labels) == {"a"}


def test_the_keywords_offered_are_the_grammars() -> None:
    grammar = (ROOT / "grammar" / "bpl.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z_]+)"', grammar))
    for group in re.findall(r"/\(\?:([a-z_|]+)\)", grammar):
        keywords |= set(group.split("|"))
    keywords |= set(re.findall(r"/([a-z_]+)\(\?!", grammar))
    # internalselect(…) and type(…) are names the checker reads (semantics/typerefs.py).
    for word in (*HEADERS, *ITEMS, *STATEMENT_OPTIONS, *ROBOT_ITEMS, TYPE_CALLS[0]):
        assert word in keywords, word


THREE = """\
workflow first for crm.deal {
    var x: int
    log "{var.x}"
}

workflow second for crm.deal {
    var y: int
    if var.y > 1 {
        log "big"
    }
    log "{var.y}"
}

workflow third for crm.lead {
    log doc.TITLE as last
}
"""


def test_recovery_finds_a_brace_left_open_in_the_middle_of_a_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    path = project / "three.bpl"
    for typed in ('    approve "x" by doc.ASSIGNED_BY_ID {', "    }", "    if var.y >"):
        text = THREE.replace('        log "big"', f'        log "big"\n{typed}')
        analysis = analyse(path, text, 1, project_of(path), {})
        assert analysis.recovered, typed
        assert [c.workflow.name for c in analysis.checked] == ["first", "second", "third"]
        assert set(analysis.workflow("third").labels) == {"last"}  # type: ignore[union-attr]
