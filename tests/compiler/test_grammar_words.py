"""The words and shapes bpl reads from grammar/bpl.lark (compiler/syntax/grammar.py) are the
grammar's: every keyword spelled in it, the words that start statements, the keywords the `key`
rule admits as keys; and the formatter, the importer and the parser's messages use them."""

from __future__ import annotations

import re

from compiler.diagnostics import Diagnostics
from compiler.format import format_text
from compiler.importer.names import is_member_name, is_name
from compiler.resources import grammar_dir
from compiler.source import SourceFile
from compiler.syntax import ast, parse_module
from compiler.syntax.grammar import (
    keywords,
    not_a_reference,
    soft_keywords,
    statement_keywords,
    terminal_pattern,
)

GRAMMAR = (grammar_dir() / "bpl.lark").read_text(encoding="utf-8")


def test_every_word_the_grammar_quotes_or_lists_is_a_keyword() -> None:
    quoted = set(re.findall(r'"([a-z]+)"', GRAMMAR))
    listed = {"param", "var", "const", "required", "asked", "initial", "robot", "action", "input",
              "output", "seconds", "minutes", "hours", "days", "random", "first", "queue",
              "workflow"}
    assert quoted | listed == keywords()


def test_statement_words_start_statements() -> None:
    words = statement_keywords()
    assert {"set", "log", "for", "if", "activity", "assign"} <= set(words)
    assert not {"each", "else", "branch", "to", "title"} & set(words)
    for word in words:
        # Each one, written alone in a body, is a statement the parser starts reading.
        diagnostics = Diagnostics()
        parse_module(SourceFile.from_text("t.bpl", f"workflow w for crm.deal {{ {word} }}"),
                     diagnostics)
        assert not any("a statement" in (d.help or "") for d in diagnostics), word


def test_the_key_rule_admits_its_soft_keywords_and_the_formatter_writes_them_bare() -> None:
    assert {"title", "state", "review", "status"} <= soft_keywords() < keywords()
    source = ('workflow w for crm.deal {\n    create crm.lead { state: 1, review: 2, mail: 3, '
              'TITLE: 4 }\n}\n')
    formatted = format_text(source, "t.bpl")
    assert "state: 1" in formatted and "review: 2" in formatted
    assert '"mail": 3' in formatted and "TITLE: 4" in formatted
    assert format_text(formatted, "t.bpl") == formatted


def test_generated_names_avoid_keywords_and_follow_the_name_terminal() -> None:
    assert re.fullmatch(terminal_pattern("NAME"), "first_step")
    assert is_name("variance") and is_name("first_step")
    assert not is_name("first") and not is_name("title") and not is_name("naïve")
    assert is_member_name("title")  # where only a name can stand, the lexer reads it as one


def test_interpolations_read_without_the_parser_are_references_only() -> None:
    assert not_a_reference() == {"true", "false", "not"}
    text = ('workflow w for crm.deal {\n'
            '    log "{true} {not doc.X} {var.x | printable} {doc.TITLE}"\n}\n')
    module = parse_module(SourceFile.from_text("t.bpl", text), Diagnostics())
    assert module is not None
    log = module.items[0].body[0]  # type: ignore[union-attr]
    kinds = [type(p).__name__ for p in log.text.parts if not isinstance(p, str)]
    assert kinds == ["Bool", "Not", "Modified", "Ref"]
    assert isinstance(log.text.parts[-1], ast.Ref)
