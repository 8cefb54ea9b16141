"""The LALR(1) parser of .bpl: lark's tables (syntax.tables), run by one loop that lexes, shifts
and reduces, and builds the syntax tree as it reduces.

Lark would build a parse tree, give every node its position (propagate_positions, 40% of its
parse time), and the AST would then be made from that tree in a second walk. Here each
reduction calls the AST builder directly (syntax.reduce); a `?rule` that stands for its only
child costs no call at all. The text is read as lark's contextual lexer reads it, and errors
are lark's (the unexpected token and what the parser state expected), so messages are unchanged.

The lexer: in each parser state lark's contextual lexer tries the terminals the state accepts,
in a fixed global order of preference, and a name that spells a keyword the state accepts
becomes that keyword. One regular expression of every terminal in that global order finds the
first terminal matching at a position; when the state accepts it, it is the state's answer too
(every terminal tried before it failed), so only when it does not are the state's remaining
terminals tried one by one. Nothing is compiled per state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

from compiler.syntax.tables import Tables

# The deepest nesting of brackets accepted: every later stage walks the tree recursively.
MAX_NESTING = 100
END = "$END"


class Token(NamedTuple):
    """A token with absolute positions in the source file (1-based lines and columns, end
    exclusive), as lark's Token has them."""

    type: str
    value: str
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int


_new_token = tuple.__new__


class ParseError(Exception):
    """A text the parser refuses. `states` and `values` are the parser's stacks where it
    stopped (set as the error leaves `Parser.parse`): where recovery goes on from."""

    states: list[int]
    values: list[Any]


class UnexpectedCharacters(ParseError):
    """No terminal the parser state accepts starts at `pos` (an offset into the parsed text),
    on `line` at `column` of the file."""

    def __init__(self, pos: int, allowed: frozenset[str], line: int = 1,
                 column: int = 1) -> None:
        super().__init__(f"no token at offset {pos}")
        self.pos = pos
        self.allowed = allowed
        self.line = line
        self.column = column


class UnexpectedToken(ParseError):
    """A token the parser state does not accept. `expected` names the terminals it would have;
    `previous` is the token before; at the end of the text, `open_brace` is the innermost '{'
    still open."""

    def __init__(self, token: Token, expected: frozenset[str], previous: Token | None,
                 open_brace: Token | None = None) -> None:
        super().__init__(f"unexpected {token.type} at offset {token.start}")
        self.token = token
        self.expected = expected
        self.previous = previous
        self.open_brace = open_brace


class GluedNumber(ParseError):
    """A number run into letters (`2x`, `10min`, `3.5d`): neither a number nor a duration.
    Read as a number and a name, it would put the error on whatever follows. `start` and `end`
    are the offsets of the number and its letters in the file."""

    def __init__(self, token: Token, end: int) -> None:
        super().__init__(f"malformed number {token.value!r}")
        self.token = token
        self.start, self.end = token.start, end


class TooDeep(ParseError):
    """A bracket opened beyond MAX_NESTING levels."""

    def __init__(self, token: Token) -> None:
        super().__init__(f"nested too deep at offset {token.start}")
        self.token = token


_NUMBERS = frozenset({"NUMBER", "SIGNED_NUMBER"})
_WORD_TAIL = re.compile(r"[A-Za-z0-9_.]*")


def glued_end(text: str, end: int) -> int:
    """The end of the letters a number ending at `end` runs into, or 0 when it runs into
    none."""
    if end >= len(text) or not (text[end].isalpha() or text[end] == "_"):
        return 0
    return _WORD_TAIL.match(text, end).end()  # type: ignore[union-attr]


# A rule's reduction: (the builder of the file, the values of the rule's symbols) → its value.
Reducer = Callable[[Any, list[Any]], Any]


class _StateLexer:
    """The terminals one group of parser states accepts, and the keywords names become there."""

    __slots__ = ("_after", "_lexer", "accepts", "allowed", "keywords")

    def __init__(self, lexer: Lexer, terminals: tuple[str, ...],
                 keywords: dict[str, dict[str, str]], ignore: frozenset[str]) -> None:
        self.accepts = frozenset(terminals)
        # What an error says the state expected (lark names the end of the text when the
        # state expects nothing but layout).
        self.allowed = self.accepts - ignore or frozenset({"<END-OF-FILE>"})
        self.keywords = keywords
        self._after: dict[str | None, tuple[tuple[str, re.Pattern[str]], ...]] = {}
        self._lexer = lexer

    def fallback(self, text: str, pos: int, first: str | None) -> tuple[str | None, str]:
        """The state's terminal at `pos` when the first terminal matching there overall,
        `first`, is not one it accepts: the next of its own terminals that matches."""
        candidates = self._after.get(first)
        if candidates is None:
            candidates = self._after[first] = self._lexer.candidates_after(first, self.accepts)
        for name, pattern in candidates:
            found = pattern.match(text, pos)
            if found is not None:
                return name, found.group()
        return None, ""


class Lexer:
    """The contextual lexer over the tables (see the module's docstring)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.order = {name: index for index, name in enumerate(tables.order)}
        self.master = re.compile("|".join(f"(?P<{name}>{tables.patterns[name]})"
                                          for name in tables.order))
        self._single: dict[str, re.Pattern[str]] = {}
        by_scanner = [_StateLexer(self, s.terminals, s.keywords, tables.ignore)
                      for s in tables.scanners]
        self.states = [by_scanner[index] for index in tables.state_scanner]
        self.root = by_scanner[tables.root_scanner]

    def candidates_after(self, first: str | None,
                         accepts: frozenset[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
        if first is None:  # no terminal at all matches here
            return ()
        rank = self.order[first]
        names = sorted((n for n in accepts if self.order[n] > rank), key=self.order.__getitem__)
        return tuple((name, self._pattern(name)) for name in names)

    def _pattern(self, name: str) -> re.Pattern[str]:
        if name not in self._single:
            self._single[name] = re.compile(self.tables.patterns[name])
        return self._single[name]


class Parser:
    """The tables, compiled once per process; `parse` is reentrant (an interpolation inside a
    string is parsed while the file around it is)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.lexer = Lexer(tables)
        self.rule_shapes = [(rule.origin, len(rule.expansion)) for rule in tables.rules]
        literal = {value: name for name, value in tables.literals.items()}
        self.openers = frozenset(literal[b] for b in "{([" if b in literal)
        self.closers = frozenset(literal[b] for b in "})]" if b in literal)
        self.brace = literal.get("{", "")
        self.brace_close = literal.get("}", "")
        # The tokens the loop looks at twice: brackets (nesting), and numbers when it must
        # refuse one run into letters. One test per token finds them.
        self._brackets = self.openers | self.closers
        self._brackets_and_numbers = self._brackets | (_NUMBERS & set(tables.patterns))

    def parse(self, text: str, start: str, reducers: Sequence[Reducer | None], builder: Any, *,
              offset: int = 0, line: int = 1, column: int = 1,
              whole_numbers: bool = False) -> Any:
        """The value the reducers make of `text` read from the rule `start`, each given
        `builder`. The text stands at `offset` (line, column) of its file: tokens carry
        positions in the file. With `whole_numbers`, a number run into letters is refused
        (GluedNumber) where lark would read a number and a name.

        A refusal raises a ParseError that carries the parser's stacks (for syntax.recovery);
        lark's own errors otherwise. `token_at` and `feed` are the same steps one at a time."""
        tables = self.tables
        actions = tables.actions
        shapes = self.rule_shapes
        ignore = tables.ignore
        multiline = tables.multiline
        state_lexers = self.lexer.states
        match = self.lexer.master.match
        openers = self.openers
        looked_at = self._brackets_and_numbers if whole_numbers else self._brackets
        states = [tables.start_states[start]]
        end_state = tables.end_states[start]
        values: list[Any] = []
        pos = 0
        size = len(text)
        line_start = offset - (column - 1)  # offset in the file of the current line's start
        depth = 0
        previous: Token | None = None
        try:
            while True:
                # ── the next token, as the contextual lexer reads it in the current state
                if pos < size:
                    lexer = state_lexers[states[-1]]
                    found = match(text, pos)
                    kind = found.lastgroup if found is not None else None
                    if kind in lexer.accepts:
                        value = found.group()  # type: ignore[union-attr]
                    else:
                        kind, value = lexer.fallback(text, pos, kind)
                        if kind is None:
                            self._unlexable(text, pos, offset, line, line_start, lexer,
                                            previous)
                    if kind in ignore:
                        if kind in multiline:
                            breaks = value.count("\n")
                            if breaks:
                                line += breaks
                                line_start = offset + pos + value.rindex("\n") + 1
                        pos += len(value)
                        continue
                    keywords = lexer.keywords.get(kind)  # type: ignore[arg-type]
                    if keywords is not None:
                        kind = keywords.get(value, kind)
                    start_offset = offset + pos
                    first_line, first_column = line, start_offset - line_start + 1
                    if kind in multiline:
                        breaks = value.count("\n")
                        if breaks:
                            line += breaks
                            line_start = start_offset + value.rindex("\n") + 1
                    pos += len(value)
                    token = _new_token(Token, (kind, value, start_offset, offset + pos,
                                               first_line, first_column, line,
                                               offset + pos - line_start + 1))
                    if kind in looked_at:
                        if kind in openers:
                            depth += 1
                            if depth > MAX_NESTING:
                                raise TooDeep(token)
                        elif kind in _NUMBERS:
                            glued = glued_end(text, pos)
                            if glued:
                                raise GluedNumber(token, offset + glued)
                        elif depth:
                            depth -= 1
                    at_end = False
                else:
                    token = _new_token(Token, (END, "", offset + pos, offset + pos, line,
                                               offset + pos - line_start + 1, line,
                                               offset + pos - line_start + 1))
                    kind = END
                    at_end = True
                # ── shift it, after the reductions it calls for
                while True:
                    action = actions[states[-1]].get(kind)  # type: ignore[arg-type]
                    if action is None:
                        raise UnexpectedToken(token, tables.expected(states[-1]), previous,
                                              self._open_brace(values) if at_end else None)
                    if action >= 0:
                        states.append(action)
                        values.append(token)
                        break
                    origin, length = shapes[~action]
                    reduce = reducers[~action]
                    if reduce is None:  # a `?rule` standing for its one child: nothing to build
                        states.pop()
                    else:
                        if length:
                            children = values[-length:]
                            del values[-length:]
                            del states[-length:]
                        else:
                            children = []
                        values.append(reduce(builder, children))
                    states.append(actions[states[-1]][origin])
                    if at_end and states[-1] == end_state:
                        return values[-1]
                previous = token
        except ParseError as error:
            # Exceptions cost nothing in Python until raised: the stacks are handed over here
            # rather than at each place that raises.
            error.states, error.values = states, values
            raise

    # ── one step at a time (syntax.recovery): what `parse` does inline, for a whole file

    def start_state(self, start: str) -> int:
        return self.tables.start_states[start]

    def token_at(self, text: str, pos: int, line: int, line_start: int, state: int,
                 previous: Token | None) -> Token:
        """The token at `pos` of a file's `text` (layout skipped), on `line` that starts at
        `line_start`, as `parse` reads it in parser `state`; END past the last one. Raises
        what `parse` raises, without the stacks."""
        lexer = self.lexer.states[state]
        ignore, multiline = self.tables.ignore, self.tables.multiline
        while pos < len(text):
            found = self.lexer.master.match(text, pos)
            first = found.lastgroup if found is not None else None
            if found is not None and first in lexer.accepts:
                kind, value = str(first), found.group()
            else:
                fallback, value = lexer.fallback(text, pos, first)
                if fallback is None:
                    self._unlexable(text, pos, 0, line, line_start, lexer, previous)
                kind = str(fallback)
            first_line, first_column = line, pos - line_start + 1
            if kind in multiline and "\n" in value:
                line += value.count("\n")
                line_start = pos + value.rindex("\n") + 1
            if kind in ignore:
                pos += len(value)
                continue
            keywords = lexer.keywords.get(kind)
            if keywords is not None:
                kind = keywords.get(value, kind)
            end = pos + len(value)
            return Token(kind, value, pos, end, first_line, first_column, line,
                         end - line_start + 1)
        return Token(END, "", pos, pos, line, pos - line_start + 1, line, pos - line_start + 1)

    def feed(self, token: Token, start: str, states: list[int], values: list[Any],
             previous: Token | None) -> bool:
        """Shift `token` after the reductions it calls for, building nothing (a reduction's
        value is None); True when it is the END that completes the rule `start`. A token the
        state refuses raises UnexpectedToken and leaves the stacks as `parse` would."""
        actions = self.tables.actions
        end_state = self.tables.end_states[start]
        at_end = token.type == END
        while True:
            action = actions[states[-1]].get(token.type)
            if action is None:
                raise UnexpectedToken(token, self.tables.expected(states[-1]), previous,
                                      self._open_brace(values) if at_end else None)
            if action >= 0:
                states.append(action)
                values.append(token)
                return False
            origin, length = self.rule_shapes[~action]
            if length:
                del values[-length:]
                del states[-length:]
            values.append(None)
            states.append(actions[states[-1]][origin])
            if at_end and states[-1] == end_state:
                return True

    def _unlexable(self, text: str, pos: int, offset: int, line: int, line_start: int,
                   lexer: _StateLexer, previous: Token | None) -> NoReturn:
        """Raise the error lark's contextual lexer raises: a token of the wrong kind when some
        terminal of the grammar matches here, else characters no terminal starts with."""
        found = self.lexer.master.match(text, pos)
        kind = found.lastgroup if found is not None else None
        root = self.lexer.root
        if kind in root.accepts:
            value = found.group()  # type: ignore[union-attr]
        else:
            kind, value = root.fallback(text, pos, kind)
        start = offset + pos
        if kind is None:
            raise UnexpectedCharacters(pos, lexer.allowed, line, start - line_start + 1)
        keywords = root.keywords.get(kind)
        if keywords is not None:
            kind = keywords.get(value, kind)
        end_line = line + value.count("\n")
        end_column = (start + len(value) - (start + value.rindex("\n") + 1) + 1 if "\n" in value
                      else start + len(value) - line_start + 1)
        token = _new_token(Token, (kind, value, start, start + len(value), line,
                                   start - line_start + 1, end_line, end_column))
        raise UnexpectedToken(token, lexer.allowed, previous)

    def _open_brace(self, values: list[Any]) -> Token | None:
        height = self.open_height(values)
        return values[height - 1] if height else None

    def open_height(self, values: list[Any]) -> int:
        """The height of the value stack just after the innermost '{' not closed yet (0 when
        there is none). Reduced rules hold their braces in pairs, so it is the last '{' on the
        stack that no '}' after it on the stack closes (a block closed at the very end may wait
        there for what could follow it, as `else`)."""
        closed = 0
        for index in range(len(values) - 1, -1, -1):
            value = values[index]
            if type(value) is Token:
                if value.type == self.brace_close:
                    closed += 1
                elif value.type == self.brace:
                    if not closed:
                        return index + 1
                    closed -= 1
        return 0
