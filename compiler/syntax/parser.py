"""Parse .bpl text into an AST; the parser's errors become diagnostics.

The parse tables come from the user's cache of analysed grammars when a trusted copy is there
(syntax.tables), so a cold `bpl check` pays milliseconds, not the grammar analysis; the AST is
built while parsing (syntax.lalr, syntax.reduce, syntax.build).
"""

from __future__ import annotations

import difflib
from functools import cache

from compiler.diagnostics import Diagnostics
from compiler.source import SourceFile
from compiler.syntax import ast
from compiler.syntax.build import AstBuilder
from compiler.syntax.grammar import (
    name_pattern,
    not_a_reference,
    parser,
    simple_reference,
    statement_keywords,
)
from compiler.syntax.lalr import (
    END,
    MAX_NESTING,
    GluedNumber,
    Reducer,
    Token,
    TooDeep,
    UnexpectedCharacters,
    UnexpectedToken,
)
from compiler.syntax.recovery import Refusal, parse_recovering
from compiler.syntax.reduce import reducers
from compiler.syntax.strings import TextReader
from compiler.syntax.tables import tables

# Terminal names as words, for "expected …" messages.
_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "NUMBER": "a number",
    "SIGNED_NUMBER": "a number",
    "DURATION": "a duration (3d, 4h, 30m, 10s)",
    "DURATION_UNIT": "a unit (seconds, minutes, hours, days)",
    "COMPARE_OP": "a comparison (==, !=, <, >, <=, >=)",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*' or '/'",
    "SCOPE": "param, var or const",
    "ROBOT_KIND": "robot or action",
    "IO_KIND": "input or output",
    "ASSIGN_MODE": "random, first or queue",
    "MULTIPLE": "'[]'",
    "REQUIRED": "required",
    "ASKED": "asked",
    "INITIAL": "initial",
    "AND_WAIT": "'and wait'",
    "WORKFLOW": "workflow",
    END: "the end of the file",
}


@cache
def _reducers() -> list[Reducer | None]:
    """The reductions of the grammar's rules into AstBuilder's methods (one per rule or alias;
    builder methods of other names are helpers)."""
    return reducers(tables(), lambda name: None if name.startswith("_") else
                    getattr(AstBuilder, name, None))


class _FileParser:
    """Parses one file and the interpolations of its strings, into one diagnostics list."""

    def __init__(self, source: SourceFile, diagnostics: Diagnostics) -> None:
        self.source = source
        self.diagnostics = diagnostics
        texts = TextReader(source, diagnostics, self.fragment, simple_reference().match,
                           not_a_reference())
        self.builder = AstBuilder(source, diagnostics, self.fragment, texts)

    def module(self) -> ast.Module | None:
        """The file's AST, or None after reporting its syntax errors (then alone: what the
        strings read before the first one said is dropped, as they are not read as written).
        The parser goes on after an error where it can do so honestly: syntax.recovery."""
        reports = Diagnostics()
        module: ast.Module | None = parse_recovering(
            parser(), self.source.text, _reducers(), self.builder,
            lambda error: _report(error, self.source, 0, reports))
        if module is None:
            self.diagnostics.items.clear()
            self.diagnostics.dropped = 0
            self.diagnostics.extend(reports)
        return module

    def fragment(self, text: str, base: int) -> ast.Expr | None:
        """The expression `text`, which stands at offset `base` of the file."""
        line, column = self.source.position(base)
        try:
            expr: ast.Expr = parser().parse(text, "expr", _reducers(), self.builder,
                                            offset=base, line=line, column=column)
        except (UnexpectedCharacters, UnexpectedToken, TooDeep) as error:
            _report(error, self.source, base, self.diagnostics, inside_string=True,
                    length=len(text))
            return None
        return expr


def parse_module(source: SourceFile, diagnostics: Diagnostics) -> ast.Module | None:
    """The module's AST, or None after reporting the file's syntax errors."""
    local = Diagnostics()
    module = _FileParser(source, local).module()
    diagnostics.extend(local)
    return module


def parse_expression(source: SourceFile, text: str, base: int,
                     diagnostics: Diagnostics) -> ast.Expr | None:
    """The expression `text`, which stands at offset `base` of `source`."""
    return _FileParser(source, diagnostics).fragment(text, base)


# ── error translation ──────────────────────────────────────────────────────────────────────


def _expected_words(expected: frozenset[str]) -> list[str]:
    literals = tables().literals
    words: set[str] = set()
    for name in expected:
        if name in _WORDS:
            words.add(_WORDS[name])
        elif name in literals:
            words.add(f"'{literals[name]}'")
        else:
            words.add(name.lower())
    statement_words = {f"'{k}'" for k in statement_keywords()}
    if len(words & statement_words) >= 6:
        words -= statement_words
        words.add("a statement")
    return sorted(words, key=lambda w: (not w.startswith("a "), w))


def _describe(token: Token) -> str:
    if token.type == END:
        return "end of text"
    if token.type in ("STRING", "LONG_STRING"):
        return "string"
    if token.type in ("NUMBER", "SIGNED_NUMBER", "DURATION"):
        return f"number '{_shown(token.value)}'"
    return f"'{_shown(token.value)}'"


def _shown(text: str) -> str:
    """A word as a message quotes it: a word of thousands of characters is cut short (the
    span still covers all of it)."""
    return text if len(text) <= 40 else text[:40] + "…"


def _report(error: Refusal, source: SourceFile, base: int, diagnostics: Diagnostics, *,
            inside_string: bool = False, length: int = 0) -> None:
    where = " inside an interpolation" if inside_string else ""
    if isinstance(error, GluedNumber):
        word = source.text[error.start:error.end]
        diagnostics.error("E004", f"'{_shown(word)}' is neither a number nor a duration",
                          source.span(error.start, error.end),
                          help="a duration is a whole number and a unit with no space: 30s, "
                               "10m, 4h, 3d, 2w; a number has no letters")
        return
    if isinstance(error, TooDeep):
        start = error.token.start
        diagnostics.error("E001", f"blocks and parentheses are nested more than {MAX_NESTING} "
                                  f"levels deep{where}", source.span(start, start + 1),
                          help="split the workflow into macros or simpler conditions")
        return
    if isinstance(error, UnexpectedCharacters):
        offset = base + error.pos
        char = source.text[offset:offset + 1] if offset < len(source.text) else ""
        span = source.span(offset, offset + 1)
        if char == '"' or char == "'":
            help = ("strings are written in double quotes and end on the same line; use "
                    '"""…""" for text over several lines' if char == '"' else
                    "strings are written in double quotes")
            diagnostics.error("E002", f"unterminated or misplaced string{where}", span, help=help)
            return
        diagnostics.error(
            "E002", f"unexpected character {char!r}{where}", span,
            help="names use letters, digits and '_'; strings are written in double quotes")
        return
    token = error.token
    expected = _expected_words(error.expected)
    if token.type == END and not inside_string:
        _report_eof(source, diagnostics, expected, error.open_brace)
        return
    start = token.start if token.type != END else base + length
    span = source.span(start, start + max(1, len(token.value)))
    message = f"unexpected {_describe(token)}{where}"
    diagnostics.error("E001", message, span,
                      help=_hint(token, error.previous, expected))


def _report_eof(source: SourceFile, diagnostics: Diagnostics, expected: list[str],
                opened: Token | None) -> None:
    """Name the innermost block left open, like jinja2 does for unclosed tags."""
    end = len(source.text)
    if opened is None:
        diagnostics.error("E001", "the file ends too early", source.span(max(0, end - 1), end),
                          help=f"expected {_join(expected)}" if expected else None)
        return
    head = source.line_text(opened.line).strip()
    keyword = _shown(head.split(maxsplit=1)[0]) if head else "block"
    diagnostics.error(
        "E003", f"the file ends inside a block: '{keyword}' opened here is never closed",
        source.span(opened.start, opened.start + 1),
        help="add the missing '}' (the innermost block that needs to be closed is "
             f"'{keyword}' on line {opened.line})")


def _previous_word(previous: Token | None) -> str:
    """The token before the unexpected one when it is a word (a name or a keyword), or ''."""
    if previous is None:
        return ""
    return previous.value if name_pattern().fullmatch(previous.value) else ""


def _hint(token: Token, previous_token: Token | None, expected: list[str]) -> str | None:
    previous = _previous_word(previous_token)
    statements = statement_keywords()
    if expected == ["'for'"] and previous == "for":
        return "a workflow needs a name: workflow NAME for DOCUMENT_TYPE { … }"
    if token.value == "=" and any("comparison" in w for w in expected):
        return "use '==' to compare; '=' assigns"
    if previous and set(expected) <= {"'('", "'='", "'.'"} and previous not in statements:
        # A word far longer than any keyword is no misspelling of one (and difflib would
        # index all of it).
        close = difflib.get_close_matches(previous, statements, n=1, cutoff=0.6) \
            if len(previous) <= 20 else []
        if close:
            return f"'{_shown(previous)}' is not a statement; did you mean '{close[0]}'?"
        return (f"'{_shown(previous)}' is not a statement; a call needs parentheses "
                f"({_shown(previous)}(…)) and an assignment needs '='")
    if token.type == "NAME" and "'{'" in expected:
        return f"expected {_join(expected)}; did you forget '{{' before '{_shown(token.value)}'?"
    if token.type in ("STRING", "LONG_STRING") and "a name" in expected and "a string" not in \
            expected:
        return f"expected {_join(expected)}; names are written without quotes"
    if expected:
        return f"expected {_join(expected)}"
    return None


def _join(words: list[str]) -> str:
    if len(words) > 8:
        words = [*words[:8], "…"]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]
