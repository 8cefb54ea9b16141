"""What a Bitrix field token can become in .bpl: `{=Document:X}` → doc.X, `{=Template:p}` →
param.p, `{=Variable:v}` → var.v, `{=Constant:c}` → const.c, `{=A1_2_3_4:Comments}` → a label
of that activity (`a1.Comments`), `{=<loop>:Value}` → the loop's variable, system values.

Every reference made here carries the binding the checker will give it, so that codegen's own
value lowering can render it locally (`render.py`) and the importer keeps a reference only when
it reads back as exactly the original text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.catalog import Catalog, DocumentSpec
from compiler.codegen.values import Links
from compiler.importer.environment import ImportEnvironment
from compiler.importer.names import Names, is_member_name, slug
from compiler.importer.tokens import FieldToken
from compiler.semantics import types as T
from compiler.semantics.builtins import (
    DECL_OBJECTS,
    ROLES,
    SYSTEM_FIELDS,
    WORKFLOW_FIELDS,
    printed_declaration,
)
from compiler.semantics.names import env_type
from compiler.semantics.types import Resolved
from compiler.source import Span
from compiler.syntax import ast

NOWHERE = Span.unknown("<import>")
_SYSTEM = {bitrix: (name, typ) for name, (bitrix, typ) in SYSTEM_FIELDS.items()}
_WORKFLOW = {bitrix: (name, typ) for name, (bitrix, typ) in WORKFLOW_FIELDS.items()}
_DECL_OBJECTS = {obj: kind for kind, obj in DECL_OBJECTS.items()}


@dataclass
class DeclaredField:
    name: str
    code: str
    type: ast.TypeRef
    label: str | None


@dataclass
class Loop:
    activity: str  # the ForEachActivity's Name in the original
    key: str  # the loop's identity in placeholders
    value_name: str
    key_name: str | None


@dataclass
class Scope:
    catalog: Catalog
    document: DocumentSpec | None
    user_groups: tuple[str, ...] = ()
    # Bitrix id → (kind, type) of the declared parameters, variables and constants.
    decls: dict[str, tuple[str, T.Type]] = field(default_factory=dict)
    # Activity Name → label, and label → the activity's Bitrix type.
    labels: dict[str, str] = field(default_factory=dict)
    label_types: dict[str, str] = field(default_factory=dict)
    activities: set[str] = field(default_factory=set)  # every activity Name of the template
    loops: list[Loop] = field(default_factory=list)
    loop_names: dict[str, str] = field(default_factory=dict)
    fields: dict[str, DeclaredField] = field(default_factory=dict)
    field_names: Names = field(default_factory=Names)
    # Types of fields of the document as the template itself lists them (DOCUMENT_FIELDS).
    field_types: dict[str, tuple[str, bool, str]] = field(default_factory=dict)
    # Names the template suggests for fields it sets ("Set approval_note" sets one field).
    field_hints: dict[str, str] = field(default_factory=dict)
    # With `bpl import --env NAME`: the symbols values map back to, and the project's robots.
    env: ImportEnvironment | None = None

    def __post_init__(self) -> None:
        # A declared field must not hide a standard one: doc.<code> reads the standard field.
        if self.document is not None:
            self.field_names.taken.update(self.document.fields)

    # ── trying a conversion ──────────────────────────────────────────────────────────────
    def checkpoint(self) -> tuple[dict[str, DeclaredField], set[str]]:
        """What `rollback` restores: a conversion that is given up declares no fields."""
        return dict(self.fields), set(self.field_names.taken)

    def rollback(self, checkpoint: tuple[dict[str, DeclaredField], set[str]]) -> None:
        self.fields = dict(checkpoint[0])
        self.field_names.taken = set(checkpoint[1])

    # ── recording references ─────────────────────────────────────────────────────────────
    def ref(self, parts: tuple[str, ...], resolved: Resolved) -> ast.Ref:
        return ast.Ref(NOWHERE, parts, resolved)

    @staticmethod
    def resolved(node: ast.Expr) -> Resolved | None:
        """What the checker will resolve `node` to."""
        return node.binding if isinstance(node, ast.Ref) else None

    def links(self) -> Links:
        """Label and loop placeholders → the original activity Names."""
        links = Links()
        links.labels.update({label: name for name, label in self.labels.items()})
        links.loops.update(self.loop_names)
        return links

    # ── tokens ───────────────────────────────────────────────────────────────────────────
    def is_activity(self, obj: str) -> bool:
        """Does a token of `obj` read an activity of this template (labelled, or a loop)?"""
        return obj in self.labels or any(loop.activity == obj for loop in self.loops)

    def token(self, token: FieldToken, *, activities_only: bool = False) -> ast.Expr | None:
        if activities_only and not self.is_activity(token.object):
            return None
        ref = self.reference(token.object, token.field)
        if ref is None or not token.modifiers:
            return ref
        if not all(is_member_name(m) and self.catalog.modifier(m) is not None
                   for m in token.modifiers):
            return None
        return ast.Modified(NOWHERE, ref, token.modifiers)

    def reference(self, obj: str, name: str) -> ast.Ref | None:
        if obj == "Document":
            return self.doc(name)
        kind = _DECL_OBJECTS.get(obj)
        if kind is not None:
            return self.decl(kind, name)
        if obj == "System" and name in _SYSTEM:
            bpl, typ = _SYSTEM[name]
            return self.ref(("system", bpl), Resolved("system", "System", name, typ))
        if obj == "Workflow" and is_member_name(name.replace(".", "_")):
            # Any field is the ID (compiler/bitrix/canonical.py, token_text).
            bpl, typ = _WORKFLOW["ID"]
            return self.ref(("workflow", bpl), Resolved("workflow", "Workflow", "ID", typ))
        if obj == "User" and name == "ID":
            return self.ref(("user", "current"), Resolved("user", "User", "ID", T.USER))
        if obj in ("GlobalVar", "GlobalConst") and is_member_name(name):
            kind = "var" if obj == "GlobalVar" else "const"
            return self.ref(("global", kind, name), Resolved("global", obj, name, T.ANY))
        for loop in reversed(self.loops):
            if loop.activity == obj and name in ("Value", "Key"):
                return self._loop(loop, name)
        label = self.labels.get(obj)
        if label is not None and is_member_name(name) and self.readable(label, name):
            return self.ref((label, name), Resolved("label", "", name, T.ANY, label=label))
        return None

    def readable(self, label: str, result: str) -> bool:
        """Does the checker let `label.result` be read (the activity type's known results)?"""
        spec = self.catalog.activity(self.label_types.get(label, ""))
        return spec is None or not spec.returns or result in spec.returns

    def _loop(self, loop: Loop, name: str) -> ast.Ref | None:
        variable = loop.value_name if name == "Value" else loop.key_name
        if variable is None:
            return None
        return self.ref((variable,), Resolved("loop", "", name, T.ANY, loop=loop.key))

    def decl(self, kind: str, name: str) -> ast.Ref | None:
        if kind == "param" and name == "TargetUser":
            return self.ref(("param", name), Resolved("param", "Template", name, T.USER))
        if printed_declaration(kind, name, self._kind_of):
            return self.ref((kind, name), Resolved(kind, DECL_OBJECTS[kind], name, T.STRING))
        found = self.decls.get(name)
        if found is None or found[0] != kind:
            return None
        return self.ref((kind, name), Resolved(kind, DECL_OBJECTS[kind], name, found[1]))

    def _kind_of(self, name: str) -> str | None:
        found = self.decls.get(name)
        return found[0] if found is not None else None

    def env_ref(self, raw: Any) -> ast.Ref | None:
        """env.NAME for a value that is exactly one environment symbol's value."""
        name = self.env.symbol(raw) if self.env is not None else None
        if name is None:
            return None
        return self.ref(("env", name), Resolved("env", "", name, env_type(raw), literal=raw))

    def role(self, token: str) -> ast.Ref | None:
        if token not in (*ROLES, *self.user_groups):
            return None
        return self.ref(("role", token), Resolved("role", "", "", T.USER, literal=token))

    # ── document fields ──────────────────────────────────────────────────────────────────
    def doc(self, code: str) -> ast.Ref | None:
        """doc.<name> for a field code; codes the catalog does not know are declared."""
        known = self._known(code)
        if known is not None:
            parts = tuple(code.split("."))
            if all(is_member_name(p) for p in parts):
                return self.ref(("doc", *parts), Resolved("doc", "Document", code, known))
        declared = self.fields.get(code)
        if declared is None:
            declared = self._declare(code)
        typ = T.Type(declared.type.argument or declared.type.name, declared.type.multiple)
        return self.ref(("doc", declared.name), Resolved("doc", "Document", code, typ))

    def _known(self, code: str) -> T.Type | None:
        spec = self.document
        if spec is None or code in self.fields:
            return None
        if code in spec.fields:
            f = spec.fields[code]
            return T.Type(f.type, f.multiple)
        if code.endswith("_PRINTABLE") and code[: -len("_PRINTABLE")] in spec.fields:
            return T.STRING
        if "." in code:
            prefix, rest = code.split(".", 1)
            target = spec.references.get(prefix + ".")
            target_spec = self.catalog.document(target) if target else None
            found = target_spec.fields.get(rest) if target_spec is not None else None
            if found is not None:
                return T.Type(found.type, found.multiple)
        return None

    def _declare(self, code: str) -> DeclaredField:
        project = self.env.fields.get(code) if self.env is not None else None
        if project is not None and project.name not in self.field_names.taken:
            # The project declares this field: its name, type and label come back.
            label = project.label.plain if project.label is not None else None
            declared = DeclaredField(self.field_names.claim(project.name), code, project.type,
                                     label)
            self.fields[code] = declared
            return declared
        hint = self.field_hints.get(code)
        if hint is not None and hint not in self.field_names.taken and is_member_name(hint):
            wanted = hint
        elif (symbol := self.env.symbol(code) if self.env is not None else None) and \
                is_member_name(symbol.removesuffix("_field")) and \
                symbol.removesuffix("_field") not in self.field_names.taken:
            wanted = symbol.removesuffix("_field")  # `field note: … = env.note_field`
        elif is_member_name(code) and (self.document is None or
                                       code not in self.document.fields):
            wanted = code
        else:
            wanted = _field_slug(code)
        name = self.field_names.claim(wanted)
        type_name, multiple, label = self.field_types.get(code, ("string", False, ""))
        ref = _field_type(type_name, multiple)
        declared = DeclaredField(name, code, ref, label or None)
        self.fields[code] = declared
        return declared


def _field_slug(code: str) -> str:
    return slug(code, "field").upper()


def _field_type(type_name: str, multiple: bool) -> ast.TypeRef:
    if type_name in T.BASE_TYPES and type_name not in ("select", "internalselect"):
        return ast.TypeRef(NOWHERE, type_name, multiple)
    return ast.TypeRef(NOWHERE, "type", multiple, argument=type_name or "string")

