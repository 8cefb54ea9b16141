"""The document type after `for`: from a template's DOCUMENT_TYPE, or from `--document`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from compiler.catalog import Catalog, DocumentSpec
from compiler.importer.scope import NOWHERE
from compiler.importer.values import text_node
from compiler.syntax import ast

_NAMED = re.compile(r"(?P<name>[a-z_]+\.[a-z_]+)(?:\((?P<id>\d+)\))?")


class DocumentError(ValueError):
    """The document type cannot be used; the message says what to give instead."""


@dataclass(frozen=True)
class Document:
    expr: ast.Expr  # what is written after `for`
    triple: tuple[str, str, str]
    spec: DocumentSpec | None

    @property
    def name(self) -> str:
        return self.spec.name if self.spec is not None else "document"

    @property
    def crm(self) -> bool:
        return self.triple[0].lower() == "crm"

    @property
    def user_groups(self) -> tuple[str, ...]:
        return tuple(self.spec.user_groups) if self.spec is not None else ()


def from_triple(catalog: Catalog, triple: tuple[str, str, str]) -> Document:
    module, entity, kind = triple
    spec = catalog.document_by_type(module, entity, kind)
    if spec is None:
        expr: ast.Expr = ast.Call(NOWHERE, ("document",), tuple(
            ast.Arg(NOWHERE, None, text_node(part)) for part in triple), NOWHERE)
        return Document(expr, triple, None)
    return Document(_named(spec, spec.match_document_type(kind) or ""), triple, spec)


def from_option(catalog: Catalog, text: str) -> Document:
    """`crm.deal`, `lists.element(42)` or `module,entity,TYPE`."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 3 and all(parts):
        return from_triple(catalog, (parts[0], parts[1], parts[2]))
    match = _NAMED.fullmatch(text.strip())
    spec = catalog.document(match["name"]) if match else None
    if match is None or spec is None:
        known = ", ".join(sorted(catalog.documents))
        raise DocumentError(f"unknown document type {text!r}; give one of {known}, "
                            "NAME(ID) for lists and smart processes, or MODULE,ENTITY,TYPE")
    if bool(spec.parameter) != bool(match["id"]):
        raise DocumentError(f"{spec.name} needs its {spec.parameter}: {spec.name}(ID)"
                            if spec.parameter else f"{spec.name} takes no id")
    kind = spec.document_type_for(match["id"])
    return Document(_named(spec, match["id"] or ""), (spec.module, spec.entity, kind), spec)


def _named(spec: DocumentSpec, parameter: str) -> ast.Expr:
    ref = ast.Ref(NOWHERE, tuple(spec.name.split(".")))
    if not spec.parameter:
        return ref
    return ast.Call(NOWHERE, ref.parts, (ast.Arg(NOWHERE, None, ast.Number(
        NOWHERE, int(parameter), parameter)),), NOWHERE)
