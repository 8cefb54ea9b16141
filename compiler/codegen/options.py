"""Option blocks → Bitrix properties, as the statement table maps them.

Which property an option fills, how its words are stored and what stands when it is not written
are the table's (compiler/catalog/statements.py); what a property holds when nothing is written
is the catalog's default (stdlib/activities.toml). This module only applies them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from compiler.catalog import Catalog
from compiler.catalog.statements import CATALOG, FIXED, OMIT, Option
from compiler.codegen.values import ValueLowerer, bool_yn
from compiler.syntax import ast


def bitrix_duration(duration: ast.Duration) -> tuple[int, str]:
    """TimeoutDuration and TimeoutDurationType of a .bpl duration: Bitrix knows s, m, h and d,
    so weeks become days."""
    if duration.unit == "w":
        return duration.amount * 7, "d"
    return duration.amount, duration.unit


def flag(setting: ast.Setting | None, default: bool = False) -> bool:
    """A bool option: anything but a literal `false` switches it on."""
    if setting is None:
        return default
    return not (isinstance(setting.value, ast.Bool) and not setting.value.value)


def word(setting: ast.Setting | None, default: str) -> str:
    """A choice option's word."""
    if setting is not None and isinstance(setting.value, ast.Ref):
        return setting.value.parts[0]
    return default


class OptionLowerer:
    def __init__(self, values: ValueLowerer, catalog: Catalog) -> None:
        self.values = values
        self.catalog = catalog

    def default(self, activity_type: str, name: str) -> Any:
        """What a property holds when codegen has no value of its own: the table's fixed value
        (FIXED), else the catalog default."""
        fixed = FIXED.get(activity_type, {})
        if name in fixed:
            return copy.copy(fixed[name])
        spec = self.catalog.activity_class(activity_type)
        return spec.default(name) if spec is not None else ""

    def properties(self, activity_type: str, options: Mapping[str, Option],
                   settings: Sequence[ast.Setting], *, skip: tuple[str, ...] = ()
                   ) -> dict[str, Any]:
        """The properties the options fill (Task2Activity's Fields keys aside); `skip` names
        options the statement lowers itself."""
        given = {s.key: s for s in settings}
        out: dict[str, Any] = {}
        for key, option in options.items():
            if option.fills and key not in skip and \
                    not (option.absent == OMIT and key not in given):
                out.update(self._lower(activity_type, option, given.get(key)))
        return out

    def fields(self, options: Mapping[str, Option],
               settings: Sequence[ast.Setting]) -> dict[str, Any]:
        """Keys of Task2Activity's Fields from the options that fill one."""
        given = {s.key: s for s in settings}
        out: dict[str, Any] = {}
        for key, option in options.items():
            setting = given.get(key)
            if not option.fields_key or (setting is None and option.absent == OMIT):
                continue
            out[option.fields_key] = self._value(option, setting, "")
        return out

    def _lower(self, activity_type: str, option: Option,
               setting: ast.Setting | None) -> dict[str, Any]:
        names = option.properties
        if option.kind == "duration":
            if setting is None or not isinstance(setting.value, ast.Duration):
                return {name: self.default(activity_type, name) for name in names}
            return dict(zip(names, bitrix_duration(setting.value), strict=True))
        if option.values:
            if option.kind == "bool":
                stored = option.stored(flag(setting, self._default_flag(activity_type, option)))
            else:
                absent = option.absent if option.absent != CATALOG else \
                    option.word_of(self.default(activity_type, names[0]))
                stored = option.stored(word(setting, absent))
            return dict(zip(names, stored if len(names) > 1 else (stored,), strict=True))
        (name,) = names
        out = {name: self._value(option, setting, self.default(activity_type, name),
                                 self._type(activity_type, name))}
        if option.switch:
            out[option.switch] = bool_yn(setting is not None)
        return out

    def _default_flag(self, activity_type: str, option: Option) -> bool:
        if option.absent != CATALOG:
            return bool(option.absent)
        stored = self.default(activity_type, option.properties[0])
        return next(w for w, v in option.values.items() if v == stored)

    def _type(self, activity_type: str, name: str) -> str:
        spec = self.catalog.activity_class(activity_type)
        prop = spec.properties.get(name) if spec is not None else None
        return prop.type if prop is not None else ""

    def _value(self, option: Option, setting: ast.Setting | None, default: Any,
               stored_type: str = "yn") -> Any:
        if setting is None:
            absent = option.absent
            if absent == CATALOG:
                return default
            return list(absent) if isinstance(absent, tuple) else absent
        if option.kind == "bool":
            on = flag(setting)
            # As the property is stored: PHP true/false, 1/0, or 'Y'/'N'.
            return on if stored_type == "bool" else int(on) if stored_type == "int" else \
                bool_yn(on)
        if option.kind == "text" and not option.fields_key:
            return self.values.text(setting.value)
        if option.kind == "grants" and isinstance(setting.value, ast.MapExpr):
            return {entry.key: self.values.users(entry.value) for entry in setting.value.entries}
        if option.kind in ("users", "user"):
            users = self.values.users(setting.value)
            # An empty list means the same as no option where one is assumed (the creator).
            return users or (list(option.absent) if isinstance(option.absent, tuple) else [])
        if option.kind == "choice":
            return option.stored(word(setting, ""))
        # The keys of Task2Activity's Fields take values as they stand, texts included.
        value = self.values.value(setting.value)
        if option.kind == "list" and not isinstance(value, list):
            return [value]
        return value
