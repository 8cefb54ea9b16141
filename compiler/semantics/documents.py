"""The document type after `for`: which Bitrix triple it is and which fields `doc.` can read."""

from __future__ import annotations

from compiler.catalog import Catalog, DocumentSpec
from compiler.diagnostics import Diagnostics, Label
from compiler.semantics import types as T
from compiler.semantics.environment import Environment, unresolved
from compiler.semantics.model import UNKNOWN_DOCUMENT, DocumentBinding, FieldInfo
from compiler.semantics.suggestions import did_you_mean
from compiler.semantics.typerefs import type_of_ref
from compiler.source import Span
from compiler.syntax import ast

_UNKNOWN = DocumentBinding(UNKNOWN_DOCUMENT, "", "", "", {})


def bind_document(expr: ast.Expr, catalog: Catalog, env: Environment,
                  field_decls: tuple[ast.FieldDecl, ...],
                  diagnostics: Diagnostics) -> DocumentBinding:
    binding = _binding(expr, catalog, env, diagnostics)
    fields = dict(binding.fields)
    declared: dict[str, Span] = {}
    for decl in field_decls:
        if decl.name in declared:
            diagnostics.error("E101", f"field '{decl.name}' is declared twice", decl.name_span,
                              labels=(Label(declared[decl.name], "first declared here"),))
            continue
        declared[decl.name] = decl.name_span
        code = _field_code(decl, env, diagnostics)
        label = decl.label.plain if decl.label is not None else decl.name
        fields[decl.name] = FieldInfo(decl.name, code, type_of_ref(decl.type, diagnostics),
                                      False, label,
                                      tuple((o.key, o.label.plain) for o in decl.type.options))
    return DocumentBinding(binding.name, binding.module, binding.entity, binding.document_type,
                           fields, binding.user_groups)


def _field_code(decl: ast.FieldDecl, env: Environment, diagnostics: Diagnostics) -> str:
    code = decl.code
    if code is None:
        return decl.name
    if isinstance(code, ast.Text) and code.is_plain and code.plain:
        return code.plain
    if isinstance(code, ast.Ref) and code.parts[0] == "env" and len(code.parts) == 2:
        value = env.get(code.parts[1])
        if value is not None:
            return str(value)
        if not env.symbolic:
            message, help = unresolved(env, code.parts[1], "UF_CRM_…")
            diagnostics.error("E600", message, code.span, help=help)
        return decl.name
    diagnostics.error("E201", "a field's code is a string (\"UF_CRM_123\") or env.NAME",
                      code.span)
    return decl.name


def _binding(expr: ast.Expr, catalog: Catalog, env: Environment,
             diagnostics: Diagnostics) -> DocumentBinding:
    if isinstance(expr, ast.Ref):
        name, argument = expr.dotted, None
    elif isinstance(expr, ast.Call) and expr.dotted == "document":
        return _explicit(expr, catalog, diagnostics)
    elif isinstance(expr, ast.Call):
        name = expr.dotted
        argument = expr.args[0].value if len(expr.args) == 1 else None
        if len(expr.args) != 1:
            diagnostics.error("E102", f"{name}(…) takes one id", expr.span)
            return _UNKNOWN
    else:
        diagnostics.error("E102", "expected a document type such as crm.deal", expr.span)
        return _UNKNOWN
    spec = catalog.document(name)
    if spec is None:
        diagnostics.error("E102", f"unknown document type '{name}'", expr.span,
                          help=did_you_mean(name, catalog.documents) or
                          "known types: " + ", ".join(sorted(catalog.documents)))
        return _UNKNOWN
    document_type = spec.document_type
    if spec.parameter:
        if argument is None:
            diagnostics.error("E102", f"{name} needs an id: {name}(ID)", expr.span,
                              help=f"for example {name}(147) or {name}(env.{spec.parameter})")
            return _with_fields(spec, document_type)
        value = _id_value(argument, env, diagnostics)
        document_type = document_type.replace("{" + spec.parameter + "}", str(value)) \
            if value is not None else document_type
    elif argument is not None:
        diagnostics.error("E102", f"{name} takes no id", expr.span)
    return _with_fields(spec, document_type)


def _id_value(argument: ast.Expr, env: Environment, diagnostics: Diagnostics) -> object:
    if isinstance(argument, ast.Number) and isinstance(argument.value, int):
        return argument.value
    if isinstance(argument, ast.Ref) and argument.parts[0] == "env" and len(argument.parts) == 2:
        value = env.get(argument.parts[1])
        if value is None:
            if not env.symbolic:
                message, help = unresolved(env, argument.parts[1], "ID")
                diagnostics.error("E600", message, argument.span, help=help)
            return None
        if not (isinstance(value, int) or str(value).isdigit()):
            diagnostics.error("E601", f"env.{argument.parts[1]} must be a number, not {value!r} "
                                      f"(environment '{env.name}')", argument.span,
                              help="a document type id is the number of the smart process, "
                                   "list or storage on that portal")
            return None
        return value
    diagnostics.error("E102", "a document id is a number or env.NAME", argument.span)
    return None


def _explicit(expr: ast.Call, catalog: Catalog, diagnostics: Diagnostics) -> DocumentBinding:
    parts = [a.value for a in expr.args]
    if len(parts) != 3 or not all(isinstance(p, ast.Text) and p.is_plain for p in parts):
        diagnostics.error("E102", 'document(…) takes three strings: document("module", '
                                  '"entity", "type")', expr.span)
        return _UNKNOWN
    module, entity, document_type = (p.plain for p in parts if isinstance(p, ast.Text))
    spec = catalog.document_by_type(module, entity, document_type)
    if spec is None:
        return DocumentBinding("document", module, entity, document_type, {})
    return _with_fields(spec, document_type)


def _with_fields(spec: DocumentSpec, document_type: str) -> DocumentBinding:
    fields = {code: FieldInfo(code, code, T.Type(f.type, f.multiple), f.readonly, f.name,
                              tuple((f.options or {}).items()),
                              T.Type(f.stores, f.multiple) if f.stores else None)
              for code, f in spec.fields.items()}
    return DocumentBinding(spec.name, spec.module, spec.entity, document_type, fields,
                           tuple(spec.user_groups))
