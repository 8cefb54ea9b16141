"""The names .bpl gives a meaning of its own, for the checker and the importer alike.

`system.now` is Bitrix's `{=System:Now}`, `workflow.id` is `{=Workflow:ID}`; `role.author` is a
role Bitrix resolves when the workflow runs. A label or a loop variable may not be called like a
reference head, or it would hide it.
"""

from __future__ import annotations

from compiler.semantics import types as T

# system.<name> → (the field of Bitrix's System object, its type)
SYSTEM_FIELDS = {"now": ("Now", T.DATETIME), "now_local": ("NowLocal", T.DATETIME),
                 "date": ("Date", T.DATE), "eol": ("Eol", T.STRING),
                 "host_url": ("HostUrl", T.STRING)}
# workflow.<name> → (the field of Bitrix's Workflow object, its type)
WORKFLOW_FIELDS = {"id": ("ID", T.STRING), "template_id": ("TemplateId", T.INT)}
# param.X, var.X, const.X → the object of Bitrix's token {=Template:X}, {=Variable:X}, …
DECL_OBJECTS = {"param": "Template", "var": "Variable", "const": "Constant"}
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
