"""Syntax errors past the first one: the LALR parser resynchronised at block boundaries.

After an error the parser drops back to the innermost block still open (a parser state that
accepts '}': a statement list, an option block, a map; or the file's top level), and the text
is skipped, brackets balanced, up to the first place where that block can go on: a line
beginning with a token the block accepts (a statement, a setting, a declaration, a workflow),
or the '}' that closes it. What was skipped is never read, so it cannot cause a later report.
When the line the parser went on at begins with something that may also continue the line
before (a name, a string, `for`, `by`…), an error in the item it begins is not reported:
most likely it is the same mistake seen once more. So every report stands on text the parser
read as written, and a file shows several mistakes at once rather than one per run.

A tree is returned only when there was no error at all: a tree with holes would make the
checker report what is missing from the holes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import LexerState, LexerThread, LineCounter
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParserState
from lark.utils import TextSlice

MAX_ERRORS = 20  # then the file is hopeless; the first ones say enough
# Keywords that also go on with a statement begun on the line before.
_CONTINUING = frozenset({"for", "by", "from", "with", "until", "to", "subject", "body", "as",
                         "title", "comment", "disabled", "else", "approved", "rejected", "do",
                         "and", "or", "not", "in", "is", "between", "contains", "changed"})

_CLOSE = "RBRACE"
_BRACKETS = frozenset({"LBRACE", "RBRACE", "LPAR", "RPAR", "LSQB", "RSQB"})
# Strings and comments, whose brackets do not count (the parser's scan for nesting), then
# brackets and line breaks.
_SCAN = re.compile(r'"""[^"\\]*+(?:(?:\\[\s\S]|"(?!""))[^"\\]*+)*+(?:"""|\Z)'
                   r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?'
                   r"|//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"
                   r"|[{}()\[\]\n]")
_LINE_START = re.compile(r"[ \t\f\r]*")


def parse_recovering(parser: Lark, text: str,
                     report: Callable[[UnexpectedInput], None]) -> Tree | None:
    """Parse `text` from the start rule; every error worth reporting goes to `report`. The
    tree, or None when there was any error."""
    interactive = parser.parse_interactive(text, start="start")
    state, thread = interactive.parser_state, interactive.lexer_thread
    errors = 0
    balanced: bool | None = None  # the text's braces, counted at the first error
    restart: _Restart | None = None
    last: Token | None = None
    while True:
        try:
            tokens = _whole_numbers(thread.lex(state), text)
            if restart is not None and not restart.sure:
                # Until the item begun at the restart is complete, an error may be the same
                # mistake again (the restart took a continued line for a new statement).
                for token in tokens:
                    state.feed_token(token)
                    last = token
                    if restart.complete(state):
                        restart = None
                        break
            for token in tokens:
                state.feed_token(token)
                last = token
            end = Token.new_borrow_pos("$END", "", last) if last is not None else \
                Token("$END", "", 0, 1, 1)
            tree: Tree = state.feed_token(end, True)
            return tree if errors == 0 else None
        except UnexpectedInput as refused:
            error = _as_glued(refused, text)
            if restart is None or restart.sure:
                report(error)
                errors += 1
            if balanced is None:
                balanced = _balanced(text)
            if errors >= MAX_ERRORS or _at_end(error) or not balanced:
                return None  # with a brace missing or extra, no later block is where it seems
            restart = _resynchronise(state, thread, text, _after(error, text))
            if restart is None:
                return None


class GluedNumber(UnexpectedInput):
    """A number run into letters (`2x`, `10min`, `3.5d`): neither a number nor a duration.
    Read as a number and a name, it would put the error on whatever follows."""

    def __init__(self, token: Token, start: int, end: int) -> None:
        super().__init__(f"malformed number {token.value!r}")
        self.token = token
        self.start, self.end = start, end


_NUMBER_TOKENS = frozenset({"NUMBER", "SIGNED_NUMBER"})
_WORD_TAIL = re.compile(r"[A-Za-z0-9_.]*")


def _whole_numbers(tokens: Iterator[Token], text: str) -> Iterator[Token]:
    for token in tokens:
        if token.type in _NUMBER_TOKENS and _glued_end(token, text):
            raise GluedNumber(token, token.start_pos or 0, _glued_end(token, text))
        yield token


def _glued_end(token: Token, text: str) -> int:
    """The end of the letters a number token runs into, or 0."""
    end = token.end_pos
    if end is None or end >= len(text) or not (text[end].isalpha() or text[end] == "_"):
        return 0
    return _WORD_TAIL.match(text, end).end()  # type: ignore[union-attr]


def _as_glued(error: UnexpectedInput, text: str) -> UnexpectedInput:
    """A number the parser refused where it runs into letters (`wait 10min`) is that number."""
    if isinstance(error, UnexpectedToken) and error.token.type in _NUMBER_TOKENS:
        end = _glued_end(error.token, text)
        if end:
            return GluedNumber(error.token, error.token.start_pos or 0, end)
    return error


def _balanced(text: str) -> bool:
    """Whether every '{' of the text (outside strings and comments) has its '}'."""
    nesting = 0
    for match in _SCAN.finditer(text):
        token = match.group()
        if token == "{":
            nesting += 1
        elif token == "}":
            nesting -= 1
            if nesting < 0:
                return False
    return nesting == 0


def _at_end(error: UnexpectedInput) -> bool:
    return isinstance(error, UnexpectedToken) and error.token.type == "$END"


def _after(error: UnexpectedInput, text: str) -> _Place:
    """Where the skipping starts: after the token the parser refused, or after the character
    no token starts with. A refused bracket is where the skipping starts: an opening one must
    be balanced by what is skipped, and a '}' closes the block the parser drops back to."""
    if isinstance(error, GluedNumber):
        return _place(text, error.end, error.token.line or 1,
                      error.start - (error.token.column or 1) + 1)
    if isinstance(error, UnexpectedToken) and error.token.start_pos is not None:
        token = error.token
        line_start = token.start_pos - (token.column or 1) + 1
        if token.type in _BRACKETS:
            return _Place(token.start_pos, token.line, line_start)
        end = max(token.end_pos or 0, token.start_pos + 1)
        return _place(text, end, token.line, line_start)
    if isinstance(error, UnexpectedCharacters) and error.pos_in_stream is not None:
        position = int(error.pos_in_stream)
        return _Place(position + 1, error.line, position - error.column + 1)
    return _Place(len(text), text.count("\n") + 1, text.rfind("\n") + 1)


def _place(text: str, position: int, line: int, line_start: int) -> _Place:
    """`position`, counting the line breaks between `line_start` and it (a token may span
    lines: a long string)."""
    breaks = text.count("\n", line_start, position)
    if breaks:
        line += breaks
        line_start = text.rfind("\n", line_start, position) + 1
    return _Place(position, line, line_start)


@dataclass
class _Restart:
    """Where parsing went on after an error: the block it went on in (the height of the
    parser's stack there) and whether the token it went on at surely begins an item."""

    floor: int
    sure: bool
    fed: int = 0

    def complete(self, state: ParserState) -> bool:
        """Whether the item begun at the restart is complete: a later token was taken right
        into the block, as the next item or its '}'."""
        self.fed += 1
        stack = state.state_stack
        return self.fed > 1 and len(stack) <= self.floor + 2 and \
            _shifts_close(state.parse_conf.states[stack[-2]])


def _shifts_close(actions: dict[str, tuple[object, object]]) -> bool:
    """A block's own parser state shifts its '}'; other states merely reduce on one."""
    return actions.get(_CLOSE, (None, None))[0] is Shift


def _resynchronise(state: ParserState, thread: LexerThread, text: str,
                   start: _Place) -> _Restart | None:
    """Drop the parser back to its innermost open block and move the lexer to where that
    block can go on; None when nothing after `start` fits."""
    depth = _innermost_open(state.value_stack)
    stack = state.state_stack[:depth + 1]
    values = state.value_stack[:depth]
    for place in _places(text, start, closes=depth > 0):
        token = _fits(state, thread, _lexer_at(text, place), stack, values)
        if token is not None:
            state.state_stack[:] = stack
            state.value_stack[:] = values
            thread.state = _lexer_at(text, place)
            return _Restart(len(stack), _begins_surely(token))
    return None


def _innermost_open(values: list[object]) -> int:
    """The height of the parser's stack just after the innermost '{' not yet closed (0, the
    top level, when there is none). What was reduced is whole, its braces balanced, so the
    tokens on the stack tell."""
    nesting = 0
    for index in range(len(values) - 1, -1, -1):
        value = values[index]
        if isinstance(value, Token) and value.type == _CLOSE:
            nesting += 1
        elif isinstance(value, Token) and value.type == "LBRACE":
            if nesting == 0:
                return index + 1
            nesting -= 1
    return 0


def _begins_surely(token: Token) -> bool:
    """A keyword that only ever begins an item (a statement, a declaration, a workflow), or
    the '}' closing the block. A name, a string or a keyword that also continues a statement
    (`for`, `by`, `from`…) may be the rest of the line before."""
    if token.type == _CLOSE:
        return True
    return token.value.isalpha() and token.type == token.value.upper() and \
        token.value not in _CONTINUING


@dataclass(frozen=True)
class _Place:
    position: int
    line: int  # 1-based, as lark counts
    line_start: int


def _places(text: str, start: _Place, *, closes: bool) -> Iterator[_Place]:
    """Where a block may go on after `start`: the first token of each line and a '}' that
    closes the block, outside strings, comments and brackets opened after `start`; the
    search ends at that '}' (at the top level, which no '}' closes, it is skipped). Lazily:
    the first place that fits ends the search."""
    nesting = 0
    line, line_start = start.line, start.line_start
    counted = start.position
    for match in _SCAN.finditer(text, start.position):
        token = match.group()
        if token == "\n":
            line += text.count("\n", counted, match.end())
            counted = line_start = match.end()
            if nesting == 0:
                begin = _LINE_START.match(text, line_start).end()  # type: ignore[union-attr]
                if begin < len(text) and text[begin] != "\n":
                    yield _Place(begin, line, line_start)
        elif token in "{([":
            nesting += 1
        elif token in "})]":
            if nesting == 0:
                if token == "}" and closes:
                    yield _place(text, match.start(), line, line_start)
                    return
                continue  # a bracket opened before the error: part of what is skipped
            nesting -= 1


def _lexer_at(text: str, place: _Place) -> LexerState:
    counter = LineCounter("\n")
    counter.char_pos, counter.line, counter.line_start_pos = \
        place.position, place.line, place.line_start
    counter.column = place.position - place.line_start + 1
    return LexerState(TextSlice(text, place.position, len(text)), counter)


def _fits(state: ParserState, thread: LexerThread, lexer_state: LexerState,
          stack: list[object], values: list[object]) -> Token | None:
    """The token at the lexer's position, if the block whose parser state is `stack` takes
    it."""
    trial = ParserState(state.parse_conf, state.lexer, list(stack), list(values))
    try:
        token: Token = next(iter(thread.lexer.lex(lexer_state, trial)))
        trial.feed_token(token)
    except (UnexpectedInput, StopIteration):
        return None
    return token
