"""The checked model that codegen trusts: the AST plus what every name was resolved to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compiler.catalog import Catalog
from compiler.semantics.environment import Environment
from compiler.semantics.types import Type
from compiler.source import Span
from compiler.syntax import ast


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A document field as the workflow sees it: `doc.<name>` is Bitrix field `code`."""

    name: str
    code: str
    type: Type
    readonly: bool = False
    label: str = ""
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class DocumentBinding:
    name: str  # crm.deal, crm.dynamic, lists.element, …
    module: str
    entity: str
    document_type: str  # DEAL, DYNAMIC_147, iblock_164; may hold "{id}" while symbolic
    fields: dict[str, FieldInfo]
    user_groups: tuple[str, ...] = ()

    @property
    def triple(self) -> list[str]:
        return [self.module, self.entity, self.document_type]

    @property
    def is_crm(self) -> bool:
        return self.module == "crm"


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a reference denotes. `object`/`field` are the two halves of a Bitrix token
    `{=object:field}`; label references carry the label and get the activity Name in codegen.
    `literal` is set for values inlined at compile time (env symbols, roles)."""

    kind: str  # doc param var const label loop global workflow system user env role
    object: str
    field: str
    type: Type
    literal: Any = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class DeclInfo:
    decl: ast.Decl
    type: Type


@dataclass(frozen=True, slots=True)
class LabelInfo:
    stmt: ast.Stmt | ast.EventHandler
    activity_type: str  # Bitrix type, e.g. ApproveActivity or rest_<md5>
    returns: dict[str, Type]
    span: Span


@dataclass
class CheckedWorkflow:
    workflow: ast.Workflow
    document: DocumentBinding
    decls: dict[str, DeclInfo]
    labels: dict[str, LabelInfo]
    refs: dict[int, Resolved]
    expansions: dict[int, tuple[ast.Stmt, ...]]  # id(CallStmt of a macro) → expanded body
    robots: dict[str, ast.RobotDecl]
    env: Environment
    catalog: Catalog  # the catalog the workflow was checked against
    robot_types: dict[str, str] = field(default_factory=dict)  # robot code → rest_<md5>
    # Keeps substituted nodes alive: `refs` and `expansions` are keyed by id().
    keepalive: list[object] = field(default_factory=list)

    def resolved(self, node: ast.Expr) -> Resolved | None:
        return self.refs.get(id(node))
