"""Name resolution: what a reference denotes in a workflow, given its declarations, labels,
document, environment and the loops around it. The binder asks; unknown names are reported here
(E100, E600), each with the names it may have meant."""

from __future__ import annotations

import re

from compiler.catalog import Catalog
from compiler.diagnostics import Diagnostics, Label
from compiler.semantics import types as T
from compiler.semantics.builtins import (
    DECL_OBJECTS,
    ROLES,
    SYSTEM_FIELDS,
    WORKFLOW_FIELDS,
    printed_declaration,
)
from compiler.semantics.environment import Environment, unresolved
from compiler.semantics.model import DeclInfo, DocumentBinding, FieldInfo, LabelInfo
from compiler.semantics.program import Program
from compiler.semantics.suggestions import did_you_mean
from compiler.semantics.types import Resolved
from compiler.syntax import ast


class Names:
    def __init__(self, program: Program, catalog: Catalog, env: Environment,
                 document: DocumentBinding, diag: Diagnostics) -> None:
        self.program = program
        self.catalog = catalog
        self.env = env
        self.document = document
        self.diag = diag
        self.decls: dict[str, DeclInfo] = {}
        self.labels: dict[str, LabelInfo] = {}
        # The loops around the reference, innermost last: item name → its binding.
        self.loops: list[dict[str, Resolved]] = []

    def resolve(self, ref: ast.Ref) -> Resolved | None:
        """What `ref` denotes here, or None (reported) when it denotes nothing."""
        parts = ref.parts
        head = parts[0]
        if len(parts) == 1:
            for scope in reversed(self.loops):
                if head in scope:
                    return scope[head]
            hint = None
            if head in self.decls:
                hint = f"write {self.decls[head].decl.kind}.{head}"
            elif head in self.document.fields:
                hint = f"write doc.{head}"
            self.diag.error("E100", f"unknown name '{head}'", ref.span,
                            help=hint or "references are doc.FIELD, param.NAME, var.NAME, "
                                         "const.NAME, LABEL.RESULT or env.NAME")
            return None
        if head == "doc":
            return self._doc_ref(ref)
        if head in ("param", "var", "const"):
            return self._decl_ref(ref)
        if head == "env":
            return self._env_ref(ref)
        if head == "role":
            if len(parts) == 2 and parts[1] in (*ROLES, *self.document.user_groups):
                return Resolved("role", "", "", T.USER, literal=parts[1])
            self.diag.error("E100", f"unknown role '{'.'.join(parts[1:])}'", ref.span,
                            help="roles are " + ", ".join(
                                f"role.{r}" for r in dict.fromkeys(
                                    (*ROLES, *self.document.user_groups))))
            return None
        if head == "system" and len(parts) == 2 and parts[1] in SYSTEM_FIELDS:
            field, typ = SYSTEM_FIELDS[parts[1]]
            return Resolved("system", "System", field, typ)
        if head == "workflow" and len(parts) == 2 and parts[1] in WORKFLOW_FIELDS:
            field, typ = WORKFLOW_FIELDS[parts[1]]
            return Resolved("workflow", "Workflow", field, typ)
        if head == "user" and parts[1:] == ("current",):
            return Resolved("user", "User", "ID", T.USER)
        if head == "global" and len(parts) == 3 and parts[1] in ("var", "const"):
            return Resolved("global", "GlobalVar" if parts[1] == "var" else "GlobalConst",
                            parts[2], T.ANY)
        if head in self.labels:
            return self._label_ref(ref)
        for scope in reversed(self.loops):
            if head in scope and len(parts) == 2 and parts[1] in ("key", "value"):
                base = scope[head]
                return Resolved("loop", base.object, parts[1].capitalize(), base.type)
        builtins = {"system": list(SYSTEM_FIELDS), "workflow": list(WORKFLOW_FIELDS),
                    "global": ["var.NAME", "const.NAME"], "user": ["current"]}
        if head in builtins:
            notes = ("Bitrix reads any field of a workflow as its ID; a template's own id has "
                     "no token",) if head == "workflow" else ()
            self.diag.error("E100", f"unknown reference {ref.dotted}", ref.span,
                            help=f"{head} has: " + ", ".join(f"{head}.{f}"
                                                             for f in builtins[head]),
                            notes=notes)
            return None
        hint = did_you_mean(head, [*self.labels, "doc", "param", "var", "const", "env"])
        self.diag.error("E100", f"unknown reference {ref.dotted}: no label '{head}'", ref.span,
                        help=hint or "name an activity with 'as LABEL' to read its results")
        return None

    def _doc_ref(self, ref: ast.Ref) -> Resolved | None:
        # Codes may hold dots: ASSIGNED_BY.LAST_NAME, or CONTACT.NAME through a reference.
        name = ".".join(ref.parts[1:])
        if not self.document.known:
            # The document type is reported (E102); its fields cannot be told.
            return Resolved("doc", "Document", name, T.ANY)
        info = self._doc_field(name)
        printable = False
        if info is None and name.upper().endswith("_PRINTABLE"):
            info = self._doc_field(name[: -len("_PRINTABLE")])
            printable = info is not None
        if info is None:
            self.diag.error("E100", f"{self.document.name} has no field '{name}'", ref.span,
                            help=did_you_mean(name, self.document.fields) or
                            f"declare portal-specific fields: field {name}: string \"Label\"")
            return None
        code = info.code + ("_PRINTABLE" if printable else "")
        if printable:
            return Resolved("doc", "Document", code, T.STRING)
        return Resolved("doc", "Document", code, info.type, stores=info.stores,
                        options=tuple(key for key, _ in info.options))

    def _doc_field(self, name: str) -> FieldInfo | None:
        """A field of the document, or of a document it references (doc.CONTACT.NAME reads
        the deal's contact); referenced fields are read-only."""
        info = self.document.fields.get(name)
        if info is not None or "." not in name:
            return info
        prefix, rest = name.split(".", 1)
        spec = self.catalog.document(self.document.name)
        target = spec.references.get(prefix + ".") if spec is not None else None
        target_spec = self.catalog.document(target) if target is not None else None
        field = target_spec.fields.get(rest) if target_spec is not None else None
        if field is None:
            return None
        return FieldInfo(name, name, T.Type(field.type, field.multiple), True,
                         f"{prefix}: {field.name}")

    def _decl_ref(self, ref: ast.Ref) -> Resolved | None:
        kind, name = ref.parts[0], ref.parts[1] if len(ref.parts) > 1 else ""
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: write {kind}.NAME", ref.span)
            return None
        if kind == "param" and name == "TargetUser":
            return Resolved("param", "Template", "TargetUser", T.USER)
        info = self.decls.get(name)
        if printed_declaration(kind, name, self._kind_of):
            return Resolved(kind, DECL_OBJECTS[kind], name, T.STRING)
        if info is None or info.decl.kind != kind:
            what = {"param": "parameter", "var": "variable", "const": "constant"}[kind]
            if info is not None:
                hint = f"'{name}' is a {info.decl.kind}: write {info.decl.kind}.{name}"
            else:
                hint = did_you_mean(name, [n for n, d in self.decls.items()
                                           if d.decl.kind == kind]) or \
                    f"declare it: {kind} {name}: string"
            self.diag.error("E100", f"unknown {what} '{name}'", ref.span, help=hint)
            return None
        return Resolved(kind, DECL_OBJECTS[kind], name, info.type,
                        options=tuple(o.key for o in info.decl.type.options))

    def _kind_of(self, name: str) -> str | None:
        info = self.decls.get(name)
        return info.decl.kind if info is not None else None

    def _env_ref(self, ref: ast.Ref) -> Resolved | None:
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: environment symbols are env.NAME", ref.span)
            return None
        name = ref.parts[1]
        value = self.env.get(name)
        if value is None:
            if not self.env.symbolic:
                message, help = unresolved(self.env, name)
                self.diag.error("E600", message, ref.span, help=help)
            return Resolved("env", "", name, T.ANY, literal=None)
        return Resolved("env", "", name, env_type(value), literal=value)

    def _label_ref(self, ref: ast.Ref) -> Resolved | None:
        label = ref.parts[0]
        info = self.labels[label]
        if len(ref.parts) != 2:
            self.diag.error("E100", f"{ref.dotted}: read an activity result as {label}.RESULT",
                            ref.span)
            return None
        name = ref.parts[1]
        # A robot's results are exactly its outputs (and IsTimeout when it waits), even when
        # that is none at all; an empty list elsewhere means "not known offline".
        known = bool(info.returns) or (isinstance(info.stmt, ast.CallStmt)
                                        and info.stmt.call.dotted in self.program.robots)
        if known and name not in info.returns:
            self.diag.error("E100", f"'{label}' ({info.activity_type}) has no result '{name}'",
                            ref.span, help=did_you_mean(name, info.returns) or
                            f"results are: {', '.join(info.returns) or 'none'}",
                            labels=(Label(info.span, "labelled here"),))
            return None
        typ = info.returns.get(name, T.ANY)
        return Resolved("label", "", name, typ, label=label)


def env_type(value: object) -> T.Type:
    """The type an env symbol's value gives it (§10): the value decides."""
    if isinstance(value, bool):
        return T.BOOL
    if isinstance(value, int):
        return T.INT
    if isinstance(value, float):
        return T.DOUBLE
    if isinstance(value, str) and re.fullmatch(r"(user|group)_\w+", value):
        return T.USER
    return T.STRING
