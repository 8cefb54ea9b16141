"""Syntax errors past the first one: the LALR parser resynchronised at block boundaries.

A file is parsed at full speed (syntax.lalr) until its first error; only then does recovery
start, so it costs nothing on a file without one. After an error the parser drops back to the
innermost block still open (a parser state that accepts '}': a statement list, an option block,
a map; or the file's top level), and the text is skipped, brackets balanced, up to the first
place where that block can go on: a line beginning with a token the block accepts (a statement,
a setting, a declaration, a workflow), or the '}' that closes it. What was skipped is never
read, so it cannot cause a later report. When the line the parser went on at begins with
something that may also continue the line before (a name, a string, `for`, `by`…), an error in
the item it begins is not reported: most likely it is the same mistake seen once more. So every
report stands on text the parser read as written, and a file shows several mistakes at once
rather than one per run.

A tree is returned only when there was no error at all: a tree with holes would make the
checker report what is missing from the holes. After the first error the parser goes on one
token at a time (Parser.token_at, Parser.feed) and builds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from compiler.record import record
from compiler.syntax.lalr import (
    END,
    MAX_NESTING,
    GluedNumber,
    ParseError,
    Parser,
    Reducer,
    Token,
    TooDeep,
    UnexpectedCharacters,
    UnexpectedToken,
    glued_end,
)

MAX_ERRORS = 20  # then the file is hopeless; the first ones say enough
# Keywords that also go on with a statement begun on the line before.
_CONTINUING = frozenset({"for", "by", "from", "with", "until", "to", "subject", "body", "as",
                         "title", "comment", "disabled", "else", "approved", "rejected", "do",
                         "and", "or", "not", "in", "is", "between", "contains", "changed"})
_NUMBERS = frozenset({"NUMBER", "SIGNED_NUMBER"})
# Strings and comments, whose brackets do not count (the parser's scan for nesting), then
# brackets and line breaks.
_SCAN = re.compile(r'"""[^"\\]*+(?:(?:\\[\s\S]|"(?!""))[^"\\]*+)*+(?:"""|\Z)'
                   r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"?'
                   r"|//[^\n]*|/\*[\s\S]*?(?:\*/|\Z)"
                   r"|[{}()\[\]\n]")
_LINE_START = re.compile(r"[ \t\f\r]*")
Refusal = UnexpectedCharacters | UnexpectedToken | GluedNumber | TooDeep


def parse_recovering(parser: Parser, text: str, reducers: Sequence[Reducer | None],
                     builder: Any, report: Callable[[Refusal], None]) -> Any:
    """The value the reducers make of the file `text` read from the start rule; None when
    there was any error, after every error worth reporting went to `report`."""
    try:
        return parser.parse(text, "start", reducers, builder, whole_numbers=True)
    except (UnexpectedCharacters, UnexpectedToken, GluedNumber, TooDeep) as first:
        error: Refusal = first
    # Brackets nested too deep are the one report: every later stage would refuse the file.
    deep = error if isinstance(error, TooDeep) else _too_deep(text)
    if deep is not None:
        report(deep)
        return None
    steps = _Steps(parser, text, error.states, error.values)
    errors = 0
    balanced: bool | None = None  # the text's braces, counted at the first error
    restart: _Restart | None = None
    while True:
        error = _as_glued(error, text)
        if restart is None or restart.sure or restart.complete:
            report(error)
            errors += 1
        if balanced is None:
            balanced = _balanced(text)
        if errors >= MAX_ERRORS or _at_end(error) or not balanced:
            return None  # with a brace missing or extra, no later block is where it seems
        restart = steps.resynchronise(_after(error, text, parser))
        if restart is None:
            return None
        try:
            steps.run(restart)
            return None
        except (UnexpectedCharacters, UnexpectedToken, GluedNumber) as refused:
            error = refused


class _Steps:
    """The parser after an error, one token at a time, from the stacks the error left."""

    def __init__(self, parser: Parser, text: str, states: list[int],
                 values: list[Any]) -> None:
        self.parser, self.text = parser, text
        self.states, self.values = states, values
        self.at = _Place(0, 1, 0)

    def run(self, restart: _Restart) -> None:
        """Parse on from `self.at` to the end of the text (or the next error, raised)."""
        parser, text, states, values = self.parser, self.text, self.states, self.values
        previous: Token | None = None
        while True:
            at = self.at
            token = parser.token_at(text, at.position, at.line, at.line_start, states[-1],
                                    previous)
            if token.type in _NUMBERS:
                glued = glued_end(text, token.end)
                if glued:
                    raise GluedNumber(token, glued)
            if parser.feed(token, "start", states, values, previous):
                return
            self.at = _Place(token.end, token.end_line, token.end - token.end_column + 1)
            previous = token
            if not restart.complete:
                restart.fed += 1
                restart.complete = restart.fed > 1 and len(states) <= restart.floor + 2 and \
                    _shifts_close(parser, states[-2])

    def resynchronise(self, start: _Place) -> _Restart | None:
        """Drop the parser back to its innermost open block and move on to where that block
        can go on; None when nothing after `start` fits."""
        depth = self.parser.open_height(self.values)
        stack = self.states[:depth + 1]
        values = self.values[:depth]
        for place in _places(self.text, start, closes=depth > 0):
            token = self._fits(place, stack, values)
            if token is not None:
                self.states[:] = stack
                self.values[:] = values
                self.at = place
                return _Restart(len(stack), _begins_surely(token, self.parser))
        return None

    def _fits(self, place: _Place, states: list[int], values: list[Any]) -> Token | None:
        """The token at `place`, if the block whose parser stacks are these takes it."""
        trial_states, trial_values = list(states), list(values)
        try:
            token = self.parser.token_at(self.text, place.position, place.line,
                                         place.line_start, trial_states[-1], None)
            if token.type == END:
                return None
            self.parser.feed(token, "start", trial_states, trial_values, None)
        except ParseError:
            return None
        return token


@record(frozen=False, slots=False)
class _Restart:
    """Where parsing went on after an error: the block it went on in (the height of the
    parser's stack there) and whether the token it went on at surely begins an item. The item
    begun there is complete once a later token is taken right into the block, as the next item
    or its '}'."""

    floor: int
    sure: bool
    fed: int = 0
    complete: bool = False


def _shifts_close(parser: Parser, state: int) -> bool:
    """A block's own parser state shifts its '}'; other states merely reduce on one."""
    return parser.tables.actions[state].get(parser.brace_close, -1) >= 0


def _begins_surely(token: Token, parser: Parser) -> bool:
    """A keyword that only ever begins an item (a statement, a declaration, a workflow), or
    the '}' closing the block. A name, a string or a keyword that also continues a statement
    (`for`, `by`, `from`…) may be the rest of the line before."""
    if token.type == parser.brace_close:
        return True
    return token.value.isalpha() and token.type == token.value.upper() and \
        token.value not in _CONTINUING


def _as_glued(error: Refusal, text: str) -> Refusal:
    """A number the parser refused where it runs into letters (`wait 10min`) is that number."""
    if isinstance(error, UnexpectedToken) and error.token.type in _NUMBERS:
        end = glued_end(text, error.token.end)
        if end:
            return GluedNumber(error.token, end)
    return error


def _too_deep(text: str) -> TooDeep | None:
    """The first bracket opened beyond MAX_NESTING levels, if any (the parser counts them as
    it reads, but not past an error)."""
    depth = 0
    for match in _SCAN.finditer(text):
        bracket = match.group()
        if bracket in "{([":
            depth += 1
            if depth > MAX_NESTING:
                at = match.start()
                line = text.count("\n", 0, at) + 1
                column = at - (text.rfind("\n", 0, at) + 1) + 1
                return TooDeep(Token(bracket, bracket, at, at + 1, line, column, line,
                                     column + 1))
        elif bracket in "})]":
            depth = max(0, depth - 1)
    return None


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


def _at_end(error: Refusal) -> bool:
    return isinstance(error, UnexpectedToken) and error.token.type == END


def _after(error: Refusal, text: str, parser: Parser) -> _Place:
    """Where the skipping starts: after the token the parser refused, or after the character
    no token starts with. A refused bracket is where the skipping starts: an opening one must
    be balanced by what is skipped, and a '}' closes the block the parser drops back to."""
    if isinstance(error, GluedNumber):
        return _place(text, error.end, error.token.line, error.start - error.token.column + 1)
    if isinstance(error, UnexpectedToken):
        token = error.token
        line_start = token.start - token.column + 1
        if token.type in parser.openers or token.type in parser.closers:
            return _Place(token.start, token.line, line_start)
        return _place(text, max(token.end, token.start + 1), token.line, line_start)
    if isinstance(error, UnexpectedCharacters):
        return _Place(error.pos + 1, error.line, error.pos - error.column + 1)
    return _Place(len(text), text.count("\n") + 1, text.rfind("\n") + 1)


def _place(text: str, position: int, line: int, line_start: int) -> _Place:
    """`position`, counting the line breaks between `line_start` and it (a token may span
    lines: a long string)."""
    breaks = text.count("\n", line_start, position)
    if breaks:
        line += breaks
        line_start = text.rfind("\n", line_start, position) + 1
    return _Place(position, line, line_start)


@record(slots=False)
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


