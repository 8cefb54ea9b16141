"""Property values → run-time values: field tokens, modifiers, formulas (reference §4).

A property that is exactly one token `{=Object:Field > modifiers}` resolves to the typed
value (lists stay lists); tokens inside longer text are replaced by their string form
(lists joined with ", "), and a token that cannot be resolved stays as written. A value
starting with `=` or wholly `{{=…}}` is a formula; `{{=…}}` inside text is an inline
formula. A formula that fails keeps its text, with its tokens substituted, as Bitrix does.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from compiler.php.values import make_array_flat, scalar_string, to_str
from compiler.record import record
from compiler.simulator.directory import Directory
from compiler.simulator.types import FieldInfo, base_type, convert, printable

TOKEN_BODY = (r"\{=\s*([a-z0-9_]+)\s*:\s*([a-z0-9_.]+)\s*"
              r"(?:>\s*([a-z0-9_:]+)\s*(?:,\s*([a-z0-9_]+)\s*)?)?\}")
TOKEN_PLAIN = (r"\{=\s*[a-z0-9_]+\s*:\s*[a-z0-9_.]+\s*"
               r"(?:>\s*[a-z0-9_:]+\s*(?:,\s*[a-z0-9_]+\s*)?)?\}")
TOKEN = re.compile(TOKEN_BODY, re.IGNORECASE)
_SINGLE = re.compile(r"^\s*" + TOKEN_BODY + r"\s*$", re.IGNORECASE)
# CBPActivity::CalcPattern (bizproc/classes/general/activity.php): a value that starts with
# `=` or is wholly `{{=…}}` is a formula; the parser gets the whole value.
_CALC = re.compile(r"^\s*(=\s*(.*)|\{\{=\s*(.*)\s*\}\})\s*$", re.DOTALL | re.IGNORECASE)
# CBPActivity::CalcInlinePattern: `{{=…}}` up to the first `}}` that a character other than
# `}` (or the end) follows; that character is part of the match and is put back.
_INLINE_CALC = re.compile(r"\{\{=\s*(.*?)\s*\}\}([^}]|$)", re.DOTALL | re.IGNORECASE)
# CBPActivity::ValueSimplePattern: a value that is wholly `{{…}}`.
_SIMPLE = re.compile(r"^\s*\{\{(.*?)\}\}\s*$", re.IGNORECASE)


def is_expression(value: object) -> bool:
    """CBPActivity::isExpression (bizproc/classes/general/activity.php): a string that, once
    trimmed, is a formula, a single {=Object:Field} token or a `{{…}}` value."""
    if not isinstance(value, str):
        return False
    text = value.strip(" \t\n\r\0\x0b")
    return bool(_CALC.match(text) or _SINGLE.match(text) or _SIMPLE.match(text))

TYPE_MODIFIERS = {"bool", "int", "double", "string", "text", "date", "datetime", "time",
                  "user", "select", "file", "internalselect"}


@record(slots=False)
class Lookup:
    """A resolved source value and what its source declares about it."""

    value: Any
    info: FieldInfo


class Sources(Protocol):
    """What expressions read: the running workflow's data (implemented by the runtime)."""

    directory: Directory

    def lookup(self, obj: str, field: str) -> Lookup | None: ...

    def now(self) -> datetime: ...

    def rng(self) -> random.Random: ...

    def document_path(self) -> str: ...

    def document_name(self) -> str: ...

    def host_url(self) -> str: ...


class FormulaError(Exception):
    """A formula Bitrix's calc parser would refuse or fail on; the text is kept instead."""


# Set by compiler.simulator.formulas on import, to keep the modules one-directional.
Calculator = Callable[["Evaluator", str], Any]
_calculator: list[Calculator] = []


def register_calculator(function: Calculator) -> None:
    _calculator[:] = [function]


class Evaluator:
    def __init__(self, sources: Sources):
        self.sources = sources

    # ── whole values ─────────────────────────────────────────────────────────────────────
    def value(self, raw: Any) -> Any:
        """CBPActivity::parseValue: what an activity sees for a property value."""
        if isinstance(raw, list):
            legacy = self._legacy_pair(raw)
            if legacy is not None:
                return legacy
            out: list[Any] = []
            for item in raw:
                resolved = self.value(item)
                if isinstance(resolved, list):
                    out.extend(resolved)  # lists of values are merged, as Bitrix does
                else:
                    out.append(resolved)
            return out
        if isinstance(raw, dict):
            return {key: self.value(item) for key, item in raw.items()}
        if not isinstance(raw, str):
            return raw
        if "{" not in raw and not raw.lstrip().startswith("="):
            return raw
        if _CALC.match(raw):
            try:
                return self.calculate(raw)
            except FormulaError:
                return self.text(raw)
        single = _SINGLE.match(raw)
        if single is not None:
            resolved = self.token(*single.groups())
            return raw if resolved is None else resolved.value
        return self.text(raw)

    def typed(self, raw: Any) -> Lookup | None:
        """A lone token's value with its type; None when `raw` is not a lone token."""
        if not isinstance(raw, str):
            return None
        single = _SINGLE.match(raw)
        return self.token(*single.groups()) if single is not None else None

    @staticmethod
    def is_formula(raw: str) -> bool:
        return bool(_CALC.match(raw))

    @staticmethod
    def lone_token(raw: Any) -> bool:
        """CBPActivity::parseExpression: the value is exactly one `{=Object:Field}`."""
        return isinstance(raw, str) and _SINGLE.match(raw) is not None

    def text(self, raw: Any, *, formulas: bool = True) -> str:
        """A value in text: inline formulas, then tokens, each by its string form."""
        if not isinstance(raw, str):
            return to_str(self.value(raw))
        result = raw
        if formulas and "{{=" in result:
            result = _INLINE_CALC.sub(self._inline_formula, result)
        if "{=" in result:
            result = TOKEN.sub(self._inline_token, result)
        return result

    def calculate(self, formula: str) -> Any:
        # compiler.simulator.run imports the formulas module, which registers itself here.
        return _calculator[0](self, formula)

    def _inline_formula(self, match: re.Match[str]) -> str:
        try:
            result = self.calculate(match.group(1))
        except FormulaError:
            return match.group(0)
        if isinstance(result, list | dict):
            text = ", ".join(scalar_string(item) for item in make_array_flat(result))
        else:
            text = scalar_string(result)
        return text + match.group(2)

    def _inline_token(self, match: re.Match[str]) -> str:
        obj, field, mod1, mod2 = match.groups()
        resolved = self.token(obj, field, mod1, mod2, inline=True)
        if resolved is None:
            return match.group(0)
        return to_str(resolved.value)

    def _legacy_pair(self, raw: list[Any]) -> Any:
        """['Variable', 'x'] is an old way to write {=Variable:x}."""
        if len(raw) != 2 or not all(isinstance(v, str) for v in raw):
            return None
        obj, field = raw
        if not re.fullmatch(r"[A-Za-z0-9_]+", obj) or not re.fullmatch(r"[A-Za-z0-9_.]+", field):
            return None
        if obj.lower() not in ("document", "template", "parameter", "variable", "constant",
                               "globalvar", "globalconst"):
            return None
        resolved = self.token(obj, field, None, None)
        return None if resolved is None else resolved.value

    # ── tokens ───────────────────────────────────────────────────────────────────────────
    def token(self, obj: str, field: str, mod1: str | None = None, mod2: str | None = None,
              *, inline: bool = False) -> Lookup | None:
        modifiers = [m.lower() for m in (mod1, mod2) if m]
        # The suffix reads the field printed: any case for a document field, exactly
        # `_printable` for the others (CBPActivity::getRealParameterValue,
        # modules/bizproc/classes/general/activity.php).
        suffix = field[-len("_printable"):]
        if suffix == "_printable" or (suffix.lower() == "_printable" and
                                      obj.lower() == "document"):
            field = field[: -len("_printable")]
            modifiers.insert(0, "printable")
        found = self.sources.lookup(obj, field)
        if found is None:
            return None
        if inline and not modifiers:
            modifiers = ["string"]
        return self.apply_modifiers(found, modifiers)

    def apply_modifiers(self, found: Lookup, modifiers: list[str]) -> Lookup:
        value, info = found.value, found.info
        for modifier in modifiers:
            if modifier in TYPE_MODIFIERS or ":" in modifier:
                target = FieldInfo(modifier, info.multiple and modifier not in ("string", "text"),
                                   info.options)
                if modifier in ("string", "text"):
                    value = self._as_string(value, info)
                else:
                    value = convert(value, target)
                info = target
            elif modifier in ("printable", "friendly", "bbcode"):
                value = printable(value, info, self.sources.directory)
                info = FieldInfo("string")
            else:
                # File links and time-zone formats have no meaning without a portal: the
                # simulator keeps the stored value in its string form.
                value = to_str(value)
                info = FieldInfo("string")
        return Lookup(value, info)

    @staticmethod
    def _as_string(value: Any, info: FieldInfo) -> str:
        if base_type(info.type) == "bool" and isinstance(value, bool):
            return "Y" if value else "N"
        return to_str(value)
