"""What bpl reads from grammar/bpl.lark besides the parser: the shapes of its terminals and the
words it reserves. Nothing here is written twice: the formatter, the importer and the error
messages ask this module instead of keeping lists of their own."""

from __future__ import annotations

import re
from functools import cache

from compiler.syntax.lalr import Parser
from compiler.syntax.tables import Tables, tables

# A terminal that spells keywords: `(?:param|var|const)(?![A-Za-z0-9_])`, `required(?!…)`.
_WORD_TERMINAL = re.compile(r"(?:\(\?:(?P<words>[A-Za-z_ |]+)\)|(?P<word>[A-Za-z_ ]+))"
                            r"\(\?!\[A-Za-z0-9_\]\)")
_WORD = re.compile(r"[A-Za-z_]+")


@cache
def parser() -> Parser:
    """The parser of the installed grammar, built once per process."""
    return Parser(tables())


def terminal_pattern(name: str) -> str:
    """The regular expression of one of the grammar's terminals (STRING, COMMENT, NAME, …)."""
    return tables().patterns[name]


@cache
def name_pattern() -> re.Pattern[str]:
    """A name, as the grammar's NAME terminal spells it."""
    return re.compile(terminal_pattern("NAME"))


def _words_of(table: Tables, terminal: str) -> tuple[str, ...]:
    """The words a keyword terminal stands for (none for other terminals)."""
    if terminal in table.literals:
        literal = table.literals[terminal]
        return (literal,) if _WORD.fullmatch(literal) else ()
    found = _WORD_TERMINAL.fullmatch(table.patterns[terminal])
    if found is None:
        return ()
    alternatives = (found.group("words") or found.group("word")).split("|")
    pattern = re.compile(table.patterns[terminal])
    if not all(pattern.fullmatch(a) for a in alternatives):
        raise ValueError(f"terminal {terminal} is not a list of keywords")
    return tuple(word for a in alternatives for word in a.split())


@cache
def keywords() -> frozenset[str]:
    """Every word that is a keyword somewhere in the grammar. The contextual lexer reads most
    of them as names where no keyword fits, but generated code should not rely on that."""
    table = tables()
    return frozenset(word for terminal in table.patterns for word in _words_of(table, terminal))


@cache
def statement_keywords() -> tuple[str, ...]:
    """The words a statement starts with (`set`, `log`, …, `for`, `if`), in grammar order."""
    table = tables()
    kinds = [rule.expansion[0] for rule in table.rules if rule.origin == "stmt"]
    words: list[str] = []
    for kind in kinds:
        for rule in table.rules:
            first = rule.expansion[0] if rule.origin == kind and rule.expansion else ""
            word = table.literals.get(first, "")
            if _WORD.fullmatch(word) and word not in words:
                words.append(word)
    return tuple(words)


@cache
def head_words(rule: str) -> tuple[str, ...]:
    """The keywords every alternative of the grammar's `rule` begins with: `for each` for
    foreach_stmt, `on command` for on_command, nothing for assign_stmt."""
    table = tables()
    heads: list[tuple[str, ...]] = []
    for alternative in table.rules:
        if alternative.origin == rule:
            words: list[str] = []
            for symbol in alternative.expansion:
                word = table.literals.get(symbol, "")
                if not _WORD.fullmatch(word):
                    break
                words.append(word)
            heads.append(tuple(words))
    if not heads:
        raise LookupError(f"the grammar has no rule {rule!r}")
    common = heads[0]
    for head in heads[1:]:
        same = 0
        while same < min(len(common), len(head)) and common[same] == head[same]:
            same += 1
        common = common[:same]
    return common


@cache
def rule_words(rule: str) -> tuple[str, ...]:
    """The words of a construct: its head words, then those of the clauses only it has
    (`else` of if_stmt, `branch` of parallel_stmt, `approved` of approve_stmt)."""
    parts = _parts()
    words = dict.fromkeys(head_words(rule))
    for name in parts.get(rule, ()):
        if [user for user, used in parts.items() if name in used] == [rule]:
            words.update(dict.fromkeys(head_words(name)))
    return tuple(words)


@cache
def _parts() -> dict[str, tuple[str, ...]]:
    """Each rule → the rules it is made of, seen through lark's helper rules (`x*`, `[x]`),
    in the order they appear."""
    table = tables()
    symbols: dict[str, list[str]] = {}
    for alternative in table.rules:
        symbols.setdefault(alternative.origin, []).extend(
            s for s in alternative.expansion if not s.isupper())
    parts: dict[str, tuple[str, ...]] = {}
    for rule in symbols:
        if rule.startswith("_"):
            continue
        found: dict[str, None] = {}
        pending, seen = [rule], {rule}
        while pending:
            for symbol in symbols.get(pending.pop(), ()):
                if symbol not in seen:
                    seen.add(symbol)
                    if symbol.startswith("_"):
                        pending.append(symbol)
                    else:
                        found[symbol] = None
        parts[rule] = tuple(found)
    return parts


@cache
def soft_keywords() -> frozenset[str]:
    """The keywords that may still name a setting or a map key (the grammar's `key` rule)."""
    table = tables()
    return frozenset(table.literals[rule.expansion[0]] for rule in table.rules
                     if rule.origin == "key" and rule.expansion[0] in table.literals)


@cache
def not_a_reference() -> frozenset[str]:
    """Words the parser does not read as the head of a reference where an expression starts
    (`true`, `not`, …): a keyword there that is none of `ref_head`'s alternatives."""
    table = tables()
    heads = {rule.expansion[0] for rule in table.rules if rule.origin == "ref_head"}
    scanner = table.scanners[table.state_scanner[table.start_states["expr"]]]
    words = {word: terminal for terminal in scanner.terminals
             for word in _words_of(table, terminal)}
    for as_keyword in scanner.keywords.values():
        words.update(as_keyword)
    return frozenset(word for word, terminal in words.items() if terminal not in heads)


@cache
def simple_reference() -> re.Pattern[str]:
    """An interpolation that is a plain reference with modifiers (`{doc.TITLE | printable}`),
    in the grammar's own names and layout: read without a parser run."""
    name = terminal_pattern("NAME")
    space = f"(?:{terminal_pattern('WS')})?"
    return re.compile(rf"(?P<lead>{space})(?P<ref>{name}(?:\.{name})*)(?P<tail>{space})"
                      rf"(?P<mods>(?:\|{space}{name}{space})*)\Z")
