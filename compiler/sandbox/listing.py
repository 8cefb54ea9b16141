"""SELECT / FILTER / ORDER / start handling shared by the bizproc list methods.

Bitrix passes these almost straight to its ORM; the sandbox turns them into SQL over its own
tables. Unknown fields are dropped silently, like the server does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from compiler.php.values import is_numeric, is_scalar, to_int
from compiler.sandbox.clock import parse_iso
from compiler.sandbox.errors import RestError
from compiler.sandbox.params import param_text

PAGE_SIZE = 50

# Longest first so ">=" is not read as ">" followed by a field named "=...".
_PREFIXES = (">=", "<=", "!=", "!", "<", ">", "=")
_ALLOWED_PREFIXES = frozenset({"", "!", "<", "<=", ">", ">="})
_SQL_OPERATOR = {"": "=", "!": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Field:
    name: str
    column: str
    kind: str = "str"  # "int", "str", "datetime" or "json" (compared as stored text)


@dataclass(frozen=True)
class Page:
    offset: int
    count_total: bool


class Listing:
    def __init__(self, fields: list[Field], *, upper_filter_keys: bool) -> None:
        self.fields = {field.name: field for field in fields}
        self.upper_filter_keys = upper_filter_keys

    def select(self, raw: Any, default: list[str]) -> list[str]:
        if raw is None or raw == "" or raw == []:
            return list(default)
        items = (
            raw if isinstance(raw, list) else list(raw.values()) if isinstance(raw, dict) else [raw]
        )
        chosen: list[str] = []
        for item in items:
            if not is_scalar(item):
                raise RestError(
                    "ERROR_SELECT_VALIDATION_FAILURE", "Invalid data in SELECT parameter"
                )
            name = param_text(item).strip().upper()
            if name in self.fields and name not in chosen:
                chosen.append(name)
        return chosen or list(default)

    def where(self, raw: Any) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if not isinstance(raw, dict):
            return clauses, args
        for key, value in raw.items():
            prefix, name = _split_prefix(str(key))
            if self.upper_filter_keys:
                name = name.upper()
            field = self.fields.get(name)
            # '=' and '!=' are not among the prefixes the server accepts: such keys are dropped.
            if field is None or prefix not in _ALLOWED_PREFIXES:
                continue
            clause, clause_args = _condition(field, prefix, value)
            clauses.append(clause)
            args.extend(clause_args)
        return clauses, args

    def order(self, raw: Any, default: list[tuple[str, str]], tiebreak: str) -> str:
        terms: list[str] = []
        if isinstance(raw, dict):
            for key, direction in raw.items():
                field = self.fields.get(str(key).strip().upper())
                if field is None:
                    continue
                desc = param_text(direction).strip().upper() == "DESC"
                terms.append(f"{field.column} {'DESC' if desc else 'ASC'}")
        if not terms:
            terms = [f"{self.fields[name].column} {direction}" for name, direction in default]
        terms.append(tiebreak)
        return ", ".join(terms)


def _split_prefix(key: str) -> tuple[str, str]:
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            return prefix, key[len(prefix) :]
    return "", key


def _coerce(field: Field, value: Any) -> tuple[bool, Any]:
    """(usable, SQL value) for one filter value."""
    if field.kind == "int":
        if not is_numeric(value):
            return True, param_text(value)
        number = float(str(value).strip())
        # Whole numbers compare as (64-bit) integers, anything else as a float.
        return True, to_int(value) if number.is_integer() and "e" not in str(
            value
        ).lower() else number
    if field.kind == "datetime":
        if isinstance(value, str):
            moment = parse_iso(value)
            return (moment is not None), moment
        return False, None
    if not is_scalar(value):
        return False, None
    return True, param_text(value)


def _condition(field: Field, prefix: str, value: Any) -> tuple[str, list[Any]]:
    if value is None:
        if prefix == "":
            return f"{field.column} IS NULL", []
        if prefix == "!":
            return f"{field.column} IS NOT NULL", []
        return "0", []
    if isinstance(value, (list, dict)):
        items = list(value.values()) if isinstance(value, dict) else value
        if prefix not in ("", "!"):
            return "0", []
        converted = [v for ok, v in (_coerce(field, item) for item in items) if ok]
        if not converted:
            return ("0" if prefix == "" else "1"), []
        marks = ", ".join("?" for _ in converted)
        negate = "NOT " if prefix == "!" else ""
        return f"{field.column} {negate}IN ({marks})", converted
    ok, converted = _coerce(field, value)
    if not ok:
        return "0", []
    return f"{field.column} {_SQL_OPERATOR[prefix]} ?", [converted]


def page(raw_start: Any) -> Page:
    start = to_int(raw_start) if raw_start is not None else 0
    if start == -1:
        return Page(0, count_total=False)
    return Page(max(start, 0), count_total=True)


def fetch_page(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    args: list[Any],
    order: str,
    raw_start: Any,
    render: Callable[[sqlite3.Row], Any],
    columns: str = "*",
) -> tuple[list[Any], int | None, int | None]:
    """One page of 50 rows, the total and the next offset, as the REST list methods answer."""
    current = page(raw_start)
    where_sql = f" WHERE {where}" if where else ""
    rows = conn.execute(
        f"SELECT {columns} FROM {table}{where_sql} ORDER BY {order} LIMIT ? OFFSET ?",
        (*args, PAGE_SIZE, current.offset),
    ).fetchall()
    values = [render(row) for row in rows]
    if not current.count_total:
        return values, None, None
    total = int(conn.execute(f"SELECT COUNT(*) FROM {table}{where_sql}", args).fetchone()[0])
    following = current.offset + PAGE_SIZE
    return values, total, (following if following < total else None)
