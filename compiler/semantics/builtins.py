"""The names .bpl gives a meaning of its own, for the checker and the importer alike.

`system.now` is Bitrix's `{=System:Now}`, `workflow.id` is `{=Workflow:ID}`; `role.author` is a
role Bitrix resolves when the workflow runs. A label or a loop variable may not be called like a
reference head, or it would hide it.
"""

from __future__ import annotations

from collections.abc import Callable

from compiler.semantics import types as T

# system.<name> → (the field of Bitrix's System object, its type)
SYSTEM_FIELDS = {"now": ("Now", T.DATETIME), "now_local": ("NowLocal", T.DATETIME),
                 "date": ("Date", T.DATE), "eol": ("Eol", T.STRING),
                 "host_url": ("HostUrl", T.STRING)}
# workflow.<name> → (the field of Bitrix's Workflow object, its type). Bitrix reads every
# field of that object as the workflow's ID (CBPActivity::getRealParameterValue,
# modules/bizproc/classes/general/activity.php); the designer offers `{=Workflow:ID}` only.
WORKFLOW_FIELDS = {"id": ("ID", T.STRING)}
# param.X, var.X, const.X → the object of Bitrix's token {=Template:X}, {=Variable:X}, …
DECL_OBJECTS = {"param": "Template", "var": "Variable", "const": "Constant"}
# `param.X_printable` reads X as text: Bitrix strips this suffix (lower case, exactly) from a
# Template, Variable or Constant field and applies the `printable` modifier
# (CBPActivity::getRealParameterValue, modules/bizproc/classes/general/activity.php).
PRINTABLE_SUFFIX = "_printable"


def printed_declaration(kind: str, name: str, kind_of: Callable[[str], str | None]) -> bool:
    """Is `kind`.`name` the printable form of a declaration (`kind_of` gives a declared name's
    kind), or of Bitrix's own TargetUser?"""
    if not name.endswith(PRINTABLE_SUFFIX) or kind_of(name) is not None:
        return False
    base = name[: -len(PRINTABLE_SUFFIX)]
    return (kind == "param" and base == "TargetUser") or kind_of(base) == kind


# role.<name>, besides the user groups of the document (role.<group>).
ROLES = ("author", "responsible_head")
# The heads of references: doc.X, param.X, var.X, const.X, env.X, global.var.X, system.X, …
REFERENCE_HEADS = ("doc", "param", "var", "const", "env", "global", "system", "workflow", "role",
                   "user")
# Calls with a meaning of their own: user(12) and group("hr") in values, document("crm", …)
# after `for`.
SPECIAL_CALLS = ("user", "group")
DOCUMENT_CALL = "document"
# Every built-in name: what a name the importer makes up must not be.
BUILTIN_NAMES = frozenset({*REFERENCE_HEADS, *SPECIAL_CALLS, DOCUMENT_CALL})
