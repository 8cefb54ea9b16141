"""Parse .bpl text into an AST. Lark LALR with positions; lark's errors become diagnostics.

The grammar is loaded once per process, from the user's cache of analysed grammars when a
trusted copy is there (syntax.grammar_cache), so a cold `bpl check` pays milliseconds, not the
grammar analysis.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from compiler.diagnostics import Diagnostics
from compiler.resources import grammar_dir
from compiler.source import SourceFile
from compiler.syntax import ast
from compiler.syntax.build import AstBuilder
from compiler.syntax.grammar_cache import cached_parser
from compiler.syntax.recovery import GluedNumber, parse_recovering

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
    "INITIAL": "initial",
    "AND_WAIT": "'and wait'",
    "WORKFLOW": "workflow",
    "$END": "the end of the file",
}

STATEMENT_KEYWORDS = (
    "set", "log", "wait", "status", "notify", "message", "mail", "approve", "review", "ask",
    "task", "start", "webhook", "create", "stage", "assign", "terminate", "goto", "parallel",
    "while", "for", "if", "activity",
)


@cache
def _parser() -> Lark:
    grammar_file = grammar_dir() / "bpl.lark"
    return cached_parser(
        grammar_file.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        start=["start", "expr"],
    )


def terminal_pattern(name: str) -> str:
    """The regular expression of one of the grammar's terminals (STRING, COMMENT, …)."""
    pattern: str = _parser().get_terminal(name).pattern.to_regexp()
    return pattern


MAX_NESTING = 100


def parse_module(source: SourceFile, diagnostics: Diagnostics) -> ast.Module | None:
    """The module's AST, or None after reporting the file's syntax errors (the parser goes
    on after an error where it can do so honestly: syntax.recovery)."""
    local = Diagnostics()
    deep = _too_deep(source.text)
    if deep is not None:
        # Every later stage walks the tree recursively; refuse absurd nesting up front.
        diagnostics.error("E001", f"blocks and parentheses are nested more than {MAX_NESTING} "
                                  "levels deep", source.span(deep, deep + 1),
                          help="split the workflow into macros or simpler conditions")
        return None
    tree = parse_recovering(_parser(), source.text,
                            lambda error: _report(error, source, 0, local))
    if tree is None:
        diagnostics.extend(local)
        return None
    builder = AstBuilder(source, local, lambda text, base: _parse_fragment(source, text, base,
                                                                          local))
    try:
        module: ast.Module = builder.transform(tree)
    except RecursionError:
        diagnostics.error("E001", "an expression is too long to compile (thousands of "
                                  "operators in a row)", source.span(0, 1),
                          help="compute it in steps through variables")
        return None
    diagnostics.extend(local)
    return module


# Strings and comments, whose brackets do not count. Each alternative matches wherever it
# starts (a string or comment left open runs to the end of its line or of the text), so that a
# scan never retries inside an unterminated string: with a failing alternative, a line of
# escaped quotes made it quadratic. The loops are possessive and unrolled ("[^"]*+(?:\\.[^"]*+)*+"
# rather than "(?:[^"]|\\.)*"): Python's re then keeps no backtracking record per character.
_SKIPPED = (r'"""[^"\\]*+(?:(?:\\[\s\S]|"(?!""))[^"\\]*+)*+(?:"""|\Z)'
            r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?'
            r'|//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)')
_NESTING_RE = re.compile(_SKIPPED + r"|[{}()\[\]]")


def _too_deep(text: str) -> int | None:
    """Offset of the first bracket opened beyond MAX_NESTING levels, if any."""
    depth = 0
    for match in _NESTING_RE.finditer(text):
        token = match.group()
        if token in "{([":
            depth += 1
            if depth > MAX_NESTING:
                return match.start()
        elif token in "})]":
            depth = max(0, depth - 1)
    return None


def parse_expression(source: SourceFile, text: str, base: int,
                     diagnostics: Diagnostics) -> ast.Expr | None:
    return _parse_fragment(source, text, base, diagnostics)


def _parse_fragment(source: SourceFile, text: str, base: int,
                    diagnostics: Diagnostics) -> ast.Expr | None:
    try:
        tree = _parser().parse(text, start="expr")
    except UnexpectedInput as error:
        _report(error, source, base, diagnostics, inside_string=True, length=len(text))
        return None
    builder = AstBuilder(source, diagnostics,
                         lambda t, b: _parse_fragment(source, t, b, diagnostics), base)
    expr: ast.Expr = builder.transform(tree)
    return expr


# ── error translation ──────────────────────────────────────────────────────────────────────


def _expected_words(expected: set[str]) -> list[str]:
    terminals = _parser().terminals
    by_name = {t.name: t for t in terminals}
    words: set[str] = set()
    for name in expected:
        if name in _WORDS:
            words.add(_WORDS[name])
            continue
        term = by_name.get(name)
        if term is not None and term.pattern.type == "str":
            words.add(f"'{term.pattern.value}'")
        else:
            words.add(name.lower())
    statement_words = {f"'{k}'" for k in STATEMENT_KEYWORDS}
    if len(words & statement_words) >= 6:
        words -= statement_words
        words.add("a statement")
    return sorted(words, key=lambda w: (not w.startswith("a "), w))


def _describe(token: Token) -> str:
    if token.type == "$END":
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


def _report(error: UnexpectedInput, source: SourceFile, base: int, diagnostics: Diagnostics,
            *, inside_string: bool = False, length: int = 0) -> None:
    where = " inside an interpolation" if inside_string else ""
    if isinstance(error, GluedNumber):
        word = source.text[base + error.start:base + error.end]
        diagnostics.error("E004", f"'{_shown(word)}' is neither a number nor a duration",
                          source.span(base + error.start, base + error.end),
                          help="a duration is a whole number and a unit with no space: 30s, "
                               "10m, 4h, 3d, 2w; a number has no letters")
        return
    if isinstance(error, UnexpectedCharacters):
        offset = base + error.pos_in_stream
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
    if isinstance(error, UnexpectedToken | UnexpectedEOF):
        token = error.token if isinstance(error, UnexpectedToken) else Token("$END", "")
        expected = _expected_words(set(error.expected or ()))
        if token.type == "$END" and not inside_string:
            _report_eof(source, diagnostics, expected)
            return
        start = base + (token.start_pos or 0) if token.type != "$END" else base + length
        span = source.span(start, start + max(1, len(token.value)))
        message = f"unexpected {_describe(token)}{where}"
        diagnostics.error("E001", message, span, help=_hint(source, start, token, expected))
        return
    diagnostics.error("E001", f"cannot parse{where}: {error}", source.span(base, base + 1))


def _report_eof(source: SourceFile, diagnostics: Diagnostics, expected: list[str]) -> None:
    """Name the innermost block left open, like jinja2 does for unclosed tags."""
    opened = _innermost_open_brace(source.text)
    end = len(source.text)
    if opened is None:
        diagnostics.error("E001", "the file ends too early", source.span(max(0, end - 1), end),
                          help=f"expected {_join(expected)}" if expected else None)
        return
    line, _ = source.position(opened)
    head = source.line_text(line).strip()
    keyword = _shown(head.split(maxsplit=1)[0]) if head else "block"
    diagnostics.error(
        "E003", f"the file ends inside a block: '{keyword}' opened here is never closed",
        source.span(opened, opened + 1),
        help="add the missing '}' (the innermost block that needs to be closed is "
             f"'{keyword}' on line {line})")


_BRACE_RE = re.compile(_SKIPPED + r"|[{}]")


def _innermost_open_brace(text: str) -> int | None:
    stack: list[int] = []
    for match in _BRACE_RE.finditer(text):
        if match.group() == "{":
            stack.append(match.start())
        elif match.group() == "}" and stack:
            stack.pop()
    return stack[-1] if stack else None


_WORD_RUN = re.compile(r"[A-Za-z0-9_]*")


def _previous_word(source: SourceFile, offset: int) -> str:
    """The name that ends right before `offset` (whitespace between allowed), or ''.

    Read backwards, from the reversed text: a regex searching text[:offset] for a word at its
    end retried from every character of a long word, quadratic in the word's length.
    """
    head = source.text[:offset].rstrip()
    word = _WORD_RUN.match(head[::-1]).group()[::-1]  # type: ignore[union-attr]
    return word.lstrip("0123456789")  # a name starts with a letter or '_'


def _hint(source: SourceFile, offset: int, token: Token, expected: list[str]) -> str | None:
    previous = _previous_word(source, offset)
    if expected == ["'for'"] and previous == "for":
        return "a workflow needs a name: workflow NAME for DOCUMENT_TYPE { … }"
    if token.value == "=" and any("comparison" in w for w in expected):
        return "use '==' to compare; '=' assigns"
    if previous and set(expected) <= {"'('", "'='", "'.'"} and previous not in STATEMENT_KEYWORDS:
        # A word far longer than any keyword is no misspelling of one (and difflib would
        # index all of it).
        close = difflib.get_close_matches(previous, STATEMENT_KEYWORDS, n=1, cutoff=0.6) \
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
