"""Bitrix property texts taken apart: literal text, field tokens `{=Object:Field > mods}` and
inline formulas `{{= … }}` (reference bitrix-format.md §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# §4.1: object [a-z0-9_]+, field [a-z0-9_.]+, at most two modifiers; case-insensitive.
FIELD_TOKEN = re.compile(
    r"\{=\s*(?P<object>[A-Za-z0-9_]+)\s*:\s*(?P<field>[A-Za-z0-9_.]+)"
    r"(?:\s*>\s*(?P<first>[A-Za-z0-9_:]+)(?:\s*,\s*(?P<second>[A-Za-z0-9_]+))?)?\s*\}")


@dataclass(frozen=True, slots=True)
class FieldToken:
    text: str
    object: str
    field: str
    modifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InlineFormula:
    text: str  # the whole `{{=…}}`
    body: str  # what is between `{{=` and `}}`


Segment = str | FieldToken | InlineFormula


def field_token(match: re.Match[str]) -> FieldToken:
    modifiers = tuple(m for m in (match["first"], match["second"]) if m)
    return FieldToken(match.group(), match["object"], match["field"], modifiers)


def whole_token(text: str) -> FieldToken | None:
    match = FIELD_TOKEN.fullmatch(text)
    return field_token(match) if match else None


def segments(text: str) -> list[Segment]:
    """`text` as literal pieces, field tokens and inline formulas, in order."""
    out: list[Segment] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("{{=", i):
            end = _formula_end(text, i + 3)
            if end is not None:
                _flush(literal, out)
                out.append(InlineFormula(text[i:end + 2], text[i + 3:end]))
                i = end + 2
                continue
        if text.startswith("{=", i):
            match = FIELD_TOKEN.match(text, i)
            if match is not None:
                _flush(literal, out)
                out.append(field_token(match))
                i = match.end()
                continue
        literal.append(text[i])
        i += 1
    _flush(literal, out)
    return out


def _flush(literal: list[str], out: list[Segment]) -> None:
    if literal:
        out.append("".join(literal))
        literal.clear()


def _formula_end(text: str, i: int) -> int | None:
    """Index of the `}}` closing an inline formula whose body starts at `i` (quoted strings
    and field tokens inside it are skipped), or None."""
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            close = text.find(ch, i + 1)
            if close < 0:
                return None
            i = close + 1
            continue
        if text.startswith("{=", i):
            match = FIELD_TOKEN.match(text, i)
            if match is None:
                return None
            i = match.end()
            continue
        if text.startswith("}}", i):
            return i
        i += 1
    return None
