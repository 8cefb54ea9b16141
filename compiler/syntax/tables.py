"""The parse tables of grammar/bpl.lark: lark analyses the grammar once, bpl keeps the result.

From the grammar, lark computes the LALR(1) table and, for its contextual lexer, which terminals
each parser state accepts, in which order of preference, and which keywords a name turns into
there. That is all the parser needs at run time (syntax.lexer, syntax.lalr), so it is taken out
of lark once, as plain data, and kept in the user's cache folder (compiler.usercache): a cold
`bpl check` then neither imports lark nor analyses anything. Lark is imported only to analyse
the grammar when no trusted copy of its tables is cached.
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from typing import Any

from compiler.record import record
from compiler.resources import grammar_dir
from compiler.usercache import read_entry, user_cache_dir, write_entry

# The start symbols the parser is built for: a file, and the expression of an interpolation.
STARTS = ("start", "expr")
# Bumped whenever the layout below changes, so that an older cache entry is never read.
_FORMAT = 1


@record
class Rule:
    """One production: `origin: expansion`, with what lark's tree builder would do with it."""

    origin: str
    alias: str | None  # the `-> name` of the alternative
    expansion: tuple[str, ...]  # symbol names
    kept: tuple[bool, ...]  # per symbol: does the node keep it (anonymous tokens do not)
    spliced: tuple[bool, ...]  # per symbol: a `_rule` whose children are spliced in
    placeholders: tuple[int, ...]  # Nones for `[x]` left out: before each kept symbol, then last
    inline: bool  # a `?rule` alternative without alias: one child stands for the node


@record
class Scanner:
    """What the contextual lexer matches in a group of parser states."""

    terminals: tuple[str, ...]  # in the order they are tried
    keywords: dict[str, dict[str, str]]  # terminal → {text: keyword terminal it becomes}


@record
class Tables:
    patterns: dict[str, str]  # terminal → regular expression
    literals: dict[str, str]  # terminal written as a string in the grammar → that string
    order: tuple[str, ...]  # every terminal, in the lexer's order of preference
    ignore: frozenset[str]
    multiline: frozenset[str]  # terminals whose text may hold line breaks
    scanners: tuple[Scanner, ...]
    state_scanner: tuple[int, ...]  # parser state → its scanner
    root_scanner: int  # every terminal: what a token would have been anywhere
    actions: tuple[dict[str, int], ...]  # state → symbol → next state (≥ 0) or ~rule
    rules: tuple[Rule, ...]
    start_states: dict[str, int]
    end_states: dict[str, int]

    def expected(self, state: int) -> frozenset[str]:
        """The terminals the parser accepts in `state`."""
        return frozenset(s for s in self.actions[state] if s.isupper())


@cache
def tables() -> Tables:
    """The tables of the installed grammar, from the user's cache when a trusted copy is there."""
    return load_tables((grammar_dir() / "bpl.lark").read_text(encoding="utf-8"))


def load_tables(grammar: str, folder: Any = None) -> Tables:
    """The tables of `grammar`, read from `folder` (default: the user's cache folder) or
    analysed afresh and stored there."""
    folder = user_cache_dir() if folder is None else folder
    name = f"tables-{_digest(grammar)}.pickle"
    if folder is not None:
        data = read_entry(folder, name)
        if data is not None:
            try:
                return _from_data(data)
            except Exception:  # a damaged or foreign entry: analyse afresh
                pass
    data = analyse(grammar)
    if folder is not None:
        write_entry(folder, name, data)
    return _from_data(data)


def _digest(grammar: str) -> str:
    key = "\n".join([grammar, str(_FORMAT), sys.version.split()[0]])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _from_data(data: dict[str, Any]) -> Tables:
    """Tables from the plain data of `analyse`, checked for shape (a cache entry of this user
    may still be truncated or edited)."""
    patterns = {str(k): str(v) for k, v in data["patterns"].items()}
    rules = tuple(Rule(str(origin), alias if alias is None else str(alias),
                       tuple(map(str, expansion)), tuple(map(bool, kept)),
                       tuple(map(bool, spliced)), tuple(map(int, placeholders)), bool(inline))
                  for origin, alias, expansion, kept, spliced, placeholders, inline
                  in data["rules"])
    for rule in rules:
        if not len(rule.expansion) == len(rule.kept) == len(rule.spliced) or \
                len(rule.placeholders) != sum(rule.kept) + 1:
            raise ValueError(f"rule {rule.origin} is damaged")
    # The bulk of the entry (some 30,000 actions): checked through the types of its symbols
    # and targets and the range of its distinct targets rather than one by one, and kept as read.
    actions: tuple[dict[str, int], ...] = tuple(data["actions"])
    symbol_types: set[type] = set()
    target_types: set[type] = set()
    targets: set[int] = set()
    for row in actions:
        if type(row) is not dict:
            raise ValueError("a state is damaged")
        symbol_types.update(map(type, row))
        target_types.update(map(type, row.values()))
        targets.update(row.values())
    if not symbol_types <= {str} or not target_types <= {int}:
        raise ValueError("an action is damaged")
    if targets and (max(targets) >= len(actions) or ~min(targets) >= len(rules)):
        raise ValueError("an action leads nowhere")
    scanners = tuple(Scanner(tuple(map(str, terminals)),
                             {str(t): {str(k): str(v) for k, v in words.items()}
                              for t, words in keywords.items()})
                     for terminals, keywords in data["scanners"])
    order = tuple(map(str, data["order"]))
    place = {name: index for index, name in enumerate(order)}
    for scanner in scanners:
        _check_subsequence(scanner.terminals, place, patterns)
    state_scanner = tuple(map(int, data["state_scanner"]))
    if len(state_scanner) != len(actions) or not all(0 <= s < len(scanners)
                                                     for s in state_scanner):
        raise ValueError("a state has no scanner")
    return Tables(
        patterns=patterns,
        literals={str(k): str(v) for k, v in data["literals"].items()},
        order=order,
        ignore=frozenset(map(str, data["ignore"])),
        multiline=frozenset(map(str, data["multiline"])),
        scanners=scanners,
        state_scanner=state_scanner,
        root_scanner=int(data["root_scanner"]),
        actions=actions,
        rules=rules,
        start_states={str(k): int(v) for k, v in data["start_states"].items()},
        end_states={str(k): int(v) for k, v in data["end_states"].items()},
    )


def _check_subsequence(terminals: tuple[str, ...], place: dict[str, int],
                       patterns: dict[str, str]) -> None:
    """A scanner tries its terminals in the global order (`place`: each terminal's position in
    it), what makes the one-regex lexer of syntax.lexer exact."""
    positions = [place[name] for name in terminals]
    if positions != sorted(positions) or not set(terminals) <= patterns.keys():
        raise ValueError("a scanner is out of order")


# ── analysis (lark) ────────────────────────────────────────────────────────────────────────


def analyse(grammar: str) -> dict[str, Any]:
    """Lark's analysis of `grammar`, as plain data (what a cache entry holds)."""
    from lark import Lark
    from lark.lexer import BasicLexer, ContextualLexer, PatternStr
    from lark.parsers.lalr_analysis import Shift

    parser = Lark(grammar, parser="lalr", lexer="contextual", maybe_placeholders=True,
                  start=list(STARTS))
    table = parser.parser.parser._parse_table
    lexer = parser.parser.lexer
    if not isinstance(lexer, ContextualLexer):
        raise TypeError("the grammar must use lark's contextual lexer")
    rules = list(parser.rules)
    rule_index = {id(rule): index for index, rule in enumerate(rules)}
    actions: list[dict[str, int]] = []
    for state in range(len(table.states)):
        row: dict[str, int] = {}
        for symbol, (action, argument) in table.states[state].items():
            row[str(symbol)] = argument if action is Shift else ~rule_index[id(argument)]
        actions.append(row)

    scanners: list[tuple[list[str], dict[str, dict[str, str]]]] = []
    scanner_of: dict[int, int] = {}

    def scanner_index(basic: Any) -> int:
        if id(basic) not in scanner_of:
            terminals = [str(t.name) for t in basic.scanner.terminals]
            keywords = {str(name): {str(t.pattern.value): str(t.name)
                                    for t in unless.scanner.terminals}
                        for name, unless in basic.callback.items()}
            scanner_of[id(basic)] = len(scanners)
            scanners.append((terminals, keywords))
        return scanner_of[id(basic)]

    state_scanner = [scanner_index(lexer.lexers[state]) for state in range(len(actions))]
    root = lexer.root_lexer
    if not isinstance(root, BasicLexer):
        raise TypeError("the grammar must use lark's basic lexer in each state")
    return {
        "patterns": {str(t.name): str(t.pattern.to_regexp()) for t in parser.terminals},
        "literals": {str(t.name): str(t.pattern.value) for t in parser.terminals
                     if isinstance(t.pattern, PatternStr)},
        "order": [str(t.name) for t in root.terminals],
        "ignore": sorted(map(str, parser.ignore_tokens)),
        "multiline": sorted(map(str, root.newline_types)),
        "scanners": scanners,
        "state_scanner": state_scanner,
        "root_scanner": scanner_index(root),
        "actions": actions,
        "rules": [_rule_data(rule) for rule in rules],
        "start_states": {str(k): int(v) for k, v in table.start_states.items()},
        "end_states": {str(k): int(v) for k, v in table.end_states.items()},
    }


def _rule_data(rule: Any) -> tuple[Any, ...]:
    """A rule as lark's tree builder treats it (parse_tree_builder.maybe_create_child_filter)."""
    symbols = rule.expansion
    options = rule.options
    kept = [options.keep_all_tokens or not (s.is_term and s.filter_out) for s in symbols]
    spliced = [not s.is_term and s.name.startswith("_") for s in symbols]
    # empty_indices: one flag per position of the full alternative, True where an optional
    # `[x]` was left out; placeholders counts them before each kept symbol and after the last.
    empty = options.empty_indices or ()
    if empty:
        runs = [len(ones) for ones in "".join(str(int(b)) for b in empty).split("0")]
    else:
        runs = [0] * (len(symbols) + 1)
    placeholders: list[int] = []
    pending = 0
    for index, keep in enumerate(kept):
        pending += runs[index]
        if keep:
            placeholders.append(pending)
            pending = 0
    placeholders.append(pending + runs[len(symbols)])
    # Lark names rules with its own str subclass; the cache holds plain strings only.
    return (str(rule.origin.name), None if rule.alias is None else str(rule.alias),
            [str(s.name) for s in symbols], kept, spliced, placeholders,
            bool(options.expand1) and not rule.alias)

