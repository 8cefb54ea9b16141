"""Reductions: for each rule of the grammar, the children and the span that lark's tree builder
would give its node, handed to the AST builder's method of that rule.

The children are lark's: anonymous tokens (keywords, punctuation) dropped, a None for each
`[optional]` part left out, the items of a `_rule` (lark's `x*` and `x+` helpers) spliced in.
The span is propagate_positions': from the first to the last token the rule covers, anonymous
tokens included. A value that is not an AST node (a list, a header, a block's options) travels
up the stack as a Part, which keeps the span of its text for the rules around it; the same holds
for a `?rule` such as `"(" expr ")"` whose node is its one child, but whose text has the
parentheses: the child keeps its own span, its parent's starts at the '('.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from compiler.source import Span
from compiler.syntax.ast import Node
from compiler.syntax.lalr import Reducer, Token
from compiler.syntax.tables import Rule, Tables


class Builder(Protocol):
    """What the reductions need of the AST builder besides its methods."""

    file: str  # the file spans name
    unknown: Span  # the span of a rule that covers no text


# A builder's method for a rule: (builder, span, children) → value.
Method = Callable[[Any, Span, list[Any]], Any]


class Part:
    """A reduced value that is not an AST node, with the span of its text (None for none)."""

    __slots__ = ("span", "value")

    def __init__(self, value: Any, span: Span | None) -> None:
        self.value = value
        self.span = span


def span_of(children: list[Any], file: str) -> Span | None:
    """From the start of the first child that covers text to the end of the last one."""
    for child in children:
        if type(child) is Token:
            line, column = child.line, child.column
            break
        span = child.span
        if span is not None:
            line, column = span.line, span.column
            break
    else:
        return None
    for child in reversed(children):
        if type(child) is Token:
            return Span(file, line, column, child.end_line, child.end_column)
        span = child.span
        if span is not None:
            return Span(file, line, column, span.end_line, span.end_column)
    return None  # unreachable: the first loop found a child with a span


def reducers(tables: Tables, method: Callable[[str], Method | None]) -> list[Reducer | None]:
    """One reducer per rule of `tables` (None where the child stands for the node), calling
    `method(name)` of the builder for the rules and aliases that build something. Made once:
    the builder of a file comes with each reduction."""
    return [_reducer(rule, method) for rule in tables.rules]


def _reducer(rule: Rule, method: Callable[[str], Method | None]) -> Reducer | None:
    plan = [(index, rule.spliced[index]) for index, kept in enumerate(rule.kept) if kept]
    placeholders = rule.placeholders
    if rule.origin.startswith("_"):
        children_of = _children(plan, placeholders)
        return lambda builder, children: Part(children_of(children),
                                              span_of(children, builder.file))
    fixed = not any(spliced for _, spliced in plan)
    count = len(plan) + sum(placeholders)
    if rule.inline and fixed and count == 1:
        if len(rule.expansion) == 1 and plan:
            return None  # the child is the node, span and all
        children_of = _children(plan, placeholders)
        return lambda builder, children: Part(children_of(children)[0],
                                              span_of(children, builder.file))
    name = rule.alias or rule.origin
    build = method(name)
    if build is None:
        raise LookupError(f"the AST builder has no method for the grammar's rule {name!r}")
    children_of = _children(plan, placeholders)
    if rule.inline:  # `?rule` with several children in some alternative: one stands alone
        def reduce_inline(builder: Builder, children: list[Any]) -> Any:
            span = span_of(children, builder.file)
            kept = children_of(children)
            if len(kept) == 1:
                return Part(kept[0], span)
            return _wrap(build(builder, span or builder.unknown, kept), span)
        return reduce_inline

    def reduce(builder: Builder, children: list[Any]) -> Any:
        span = span_of(children, builder.file)
        return _wrap(build(builder, span or builder.unknown, children_of(children)), span)
    return reduce


def _wrap(value: Any, span: Span | None) -> Any:
    """AST nodes and tokens carry their span; anything else travels in a Part."""
    if isinstance(value, Node) or type(value) is Token:
        return value
    return Part(value, span)


def _children(plan: list[tuple[int, bool]],
              placeholders: tuple[int, ...]) -> Callable[[list[Any]], list[Any]]:
    """The function giving a rule's node its children from the symbols it reduced."""
    indices = [index for index, _ in plan]
    if not any(placeholders) and not any(spliced for _, spliced in plan):
        def plain(children: list[Any]) -> list[Any]:
            return [c.value if type(c) is Part else c for c in (children[i] for i in indices)]
        return plain

    def general(children: list[Any]) -> list[Any]:
        kept: list[Any] = []
        for (index, spliced), nones in zip(plan, placeholders, strict=False):
            if nones:
                kept += [None] * nones
            child = children[index]
            if spliced:
                if kept:
                    kept += child.value
                else:  # `x*` is left-recursive: the list grows in place, never copied
                    kept = child.value
            elif type(child) is Part:
                kept.append(child.value)
            else:
                kept.append(child)
        if placeholders[-1]:
            kept += [None] * placeholders[-1]
        return kept
    return general
