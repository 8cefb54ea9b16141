"""OR-of-ANDs conditions → the property Bitrix stores on IfElseBranch / While activities.

Only document fields → `fieldcondition`; only parameters and variables →
`propertyvariablecondition`; anything else → `mixedcondition`; always true → `truecondition`.
Joiner of item i connects it to item i-1: 0 = AND, 1 = OR; the first item's joiner is 0.
"""

from __future__ import annotations

from typing import Any

from compiler.codegen.values import ValueLowerer, label_placeholder
from compiler.semantics.conditions import OPERATORS, Atom, Dnf
from compiler.semantics.types import Resolved
from compiler.syntax import ast

JOIN_AND, JOIN_OR = 0, 1


def lower_condition(dnf: Dnf, values: ValueLowerer) -> tuple[str, Any]:
    if any(not group for group in dnf):
        return "truecondition", "1"
    atoms: list[tuple[Atom, Resolved, int]] = []
    for group_index, group in enumerate(dnf):
        for atom_index, atom in enumerate(group):
            resolved = atom.left.binding
            if resolved is None:
                continue
            joiner = JOIN_OR if group_index > 0 and atom_index == 0 else JOIN_AND
            atoms.append((atom, resolved, joiner))
    kinds = {resolved.kind for _, resolved, _ in atoms}
    if kinds == {"doc"}:
        return "fieldcondition", [
            [resolved.field, OPERATORS[atom.op], _value(atom, resolved, values), joiner]
            for atom, resolved, joiner in atoms]
    if kinds <= {"param", "var"} and kinds:
        return "propertyvariablecondition", [
            [resolved.field, OPERATORS[atom.op], _value(atom, resolved, values), joiner]
            for atom, resolved, joiner in atoms]
    return "mixedcondition", [
        {"object": _object(resolved), "field": resolved.field,
         "operator": OPERATORS[atom.op], "value": _value(atom, resolved, values),
         "joiner": joiner}
        for atom, resolved, joiner in atoms]


def _object(resolved: Resolved) -> str:
    # A loop's item is no object a condition can name (the checker refuses it, E500).
    if resolved.kind == "label" and resolved.label is not None:
        return label_placeholder(resolved.label)
    return resolved.object


def _value(atom: Atom, resolved: Resolved, values: ValueLowerer) -> Any:
    if not atom.values:
        return ""
    if atom.op == "between":
        return [_scalar(v, resolved, values) for v in atom.values]
    value = atom.values[0]
    if isinstance(value, ast.ListExpr):
        return [_scalar(v, resolved, values) for v in value.items]
    return _scalar(value, resolved, values)


def _scalar(expr: ast.Expr, resolved: Resolved, values: ValueLowerer) -> Any:
    value = values.value(expr)
    # Condition values are parsed with the field's type from strings, as the designer stores.
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return str(value)
    return value
