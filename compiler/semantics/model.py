"""The checked model that codegen trusts: the bound tree and the declarations it names."""

from __future__ import annotations

from dataclasses import field

from compiler.catalog import Catalog
from compiler.record import record
from compiler.semantics.environment import Environment
from compiler.semantics.types import Type
from compiler.source import Span
from compiler.syntax import ast


@record
class FieldInfo:
    """A document field as the workflow sees it: `doc.<name>` is Bitrix field `code`."""

    name: str
    code: str
    type: Type
    readonly: bool = False
    label: str = ""
    options: tuple[tuple[str, str], ...] = ()
    stores: Type | None = None  # what the item keeps, where it differs from `type` (catalog)


@record
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

    @property
    def known(self) -> bool:
        """False after a document type that could not be bound (reported once, E102): what
        depends on the document is then not judged again."""
        return self.name != UNKNOWN_DOCUMENT


UNKNOWN_DOCUMENT = "unknown"


@record
class DeclInfo:
    decl: ast.Decl
    type: Type


@record
class LabelInfo:
    stmt: ast.Stmt | ast.EventHandler
    activity_type: str  # Bitrix type, e.g. ApproveActivity or rest_<md5>
    returns: dict[str, Type]
    span: Span


@record(frozen=False, slots=False)
class CheckedWorkflow:
    """A workflow as codegen takes it. `workflow` is the bound tree: every macro call is an
    `ast.Expansion`, every reference carries its `binding`, every loop its identity; `decls`
    and `robots` hold the bound declarations (defaults, a robot's auth_user)."""

    workflow: ast.Workflow
    document: DocumentBinding
    decls: dict[str, DeclInfo]
    labels: dict[str, LabelInfo]
    robots: dict[str, ast.RobotDecl]
    env: Environment
    catalog: Catalog  # the catalog the workflow was checked against
    robot_types: dict[str, str] = field(default_factory=dict)  # robot code → rest_<md5>
