"""Users as the designer prints them: "Author; Anna Smith [12], Sales [G5]".

Older designer templates store a user parameter's or variable's Default as that text. Bitrix's
start form shows the Default as written and converts it when the form is submitted
(CBPHelper::usersStringToArray, modules/bizproc/classes/general/helper.php): the text splits at
`,` and `;`; an item is an expression, a role of the document (by key or name, any case), a
group by its code in brackets at the end (`[G5]`, `[D12]`), a user by id (`12`, `Name [12]`),
or else a name looked up among the portal's users. A start without the form (REST, a parent
workflow) keeps the text itself (CBPRuntime::createWorkflow), which extractUsers reads as one
group name: no one.

A .bpl user default written as such a text is stored as the text (compiler/codegen/template.py)
and imported back as one (compiler/importer/declarations.py); the checker judges its items.
"""

from __future__ import annotations

import re
from typing import Literal

from compiler.record import record
from compiler.syntax import ast

_SEPARATORS = re.compile(r"[,;]")
_ITEM = re.compile(r"[^,;]+")
# A group code in brackets ends the item: letters, then letters, digits or underscores.
_GROUP_CODE = re.compile(r"\[[A-Za-z]+[0-9A-Za-z_]+\]$")
# A user id: the whole item, or in brackets anywhere in it.
_USER_ID = re.compile(r"\d+|.*\[\d+\].*", re.DOTALL)
_BRACKETED = re.compile(r"\[[0-9A-Za-z_]+\]\s*$")

ItemKind = Literal["expression", "role", "group", "user", "name"]


@record
class PrintedItem:
    text: str
    kind: ItemKind
    start: int  # where the item begins in the printed text


def is_printed(text: str) -> bool:
    """Whether a user default's text is users as the designer prints them (several items, or
    one ending in a bracketed id or code), not one user token."""
    return bool(_SEPARATORS.search(text) or _BRACKETED.search(text))


def printed_default(expr: ast.Expr | None) -> str | None:
    """The text of a default written as printed users, else None."""
    if isinstance(expr, ast.Text) and expr.is_plain and is_printed(expr.plain):
        return expr.plain
    return None


def printed_items(text: str, roles: tuple[str, ...]) -> list[PrintedItem]:
    """The items of a printed text, each judged as the start form judges it."""
    lowered_roles = {role.lower() for role in roles}
    items = []
    for found in _ITEM.finditer(text):
        item = found.group().strip()
        if not item:
            continue
        if item.startswith("{=") and item.endswith("}"):
            kind: ItemKind = "expression"
        elif item.lower() in lowered_roles:
            kind = "role"
        elif _GROUP_CODE.search(item):
            kind = "group"
        elif _USER_ID.fullmatch(item):
            kind = "user"
        else:
            kind = "name"
        items.append(PrintedItem(item, kind, found.start() + len(found.group()) -
                                 len(found.group().lstrip())))
    return items
