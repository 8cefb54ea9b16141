"""One workflow → the checked model codegen trusts.

The parts, in the order they run: the document after `for` (documents.py); binding
(binder.py: declarations, macro expansion, labels, then every name, giving a bound copy of the
workflow); the rules over the bound tree (expressions.py for values and conditions,
statements.py for statements, states.py for a statemachine). Each part reports every problem it
finds, never stopping at the first; the result holds the bound tree, so codegen resolves
nothing again.
"""

from __future__ import annotations

from compiler.catalog import Catalog
from compiler.diagnostics import Diagnostics
from compiler.semantics.binder import Binder
from compiler.semantics.documents import bind_document
from compiler.semantics.environment import Environment
from compiler.semantics.expressions import ExpressionChecker
from compiler.semantics.flow import FlowRules
from compiler.semantics.model import CheckedWorkflow, DocumentBinding
from compiler.semantics.permissions import check_permissions
from compiler.semantics.program import Program
from compiler.semantics.statements import StatementRules, robot_activity_type
from compiler.semantics.states import StateRules
from compiler.syntax import ast

__all__ = ["WorkflowChecker", "robot_activity_type"]


class WorkflowChecker:
    def __init__(self, program: Program, workflow: ast.Workflow, catalog: Catalog,
                 env: Environment, diagnostics: Diagnostics):
        self.program = program
        self.workflow = workflow
        self.catalog = catalog
        self.env = env
        self.diag = diagnostics
        self.document: DocumentBinding = bind_document(workflow.document, catalog, env,
                                                       workflow.fields, diagnostics)

    def check(self) -> CheckedWorkflow:
        wf = self.workflow
        self._check_autostart()
        binder = Binder(self.program, self.catalog, self.env, self.document, self.diag)
        bound = binder.bind(wf)
        exprs = ExpressionChecker(self.catalog, self.document, self.diag, self.env.name)
        for info in binder.decls.values():
            if info.decl.default is not None:
                exprs.check_default(info.decl.type, info.type, info.decl.default)
        self._static_texts()
        check_permissions(bound.permissions, exprs, self.diag)
        states = list(dict.fromkeys(s.name for s in wf.states))
        statements = StatementRules(self.program, self.catalog, self.env, self.document,
                                    binder.robots, states, exprs, self.diag)
        if wf.kind == "statemachine":
            StateRules(statements, exprs, self.diag).check(bound)
        else:
            statements.block(bound.body, in_state=False)
        FlowRules(binder.decls, self.diag).check(bound, binder.robots.values())
        return CheckedWorkflow(bound, self.document, binder.decls, binder.labels,
                               binder.robots, self.env, self.catalog, statements.robot_types)

    def _static_texts(self) -> None:
        """Texts Bitrix shows as written: the template's name and description, the labels of
        parameters, variables, constants and fields, and select captions. An interpolation
        there would reach the portal as literal braces, so it is refused."""
        wf = self.workflow
        texts: list[ast.Text | None] = [wf.title, wf.description, wf.root_title]
        for decl in wf.decls:
            texts += [decl.label, decl.description, *(o.label for o in decl.type.options)]
        for field in wf.fields:
            texts += [field.label, *(o.label for o in field.type.options)]
        for text in texts:
            part = next((p for p in text.parts if isinstance(p, ast.Expr) and
                         not isinstance(p, ast.RawBitrix)), None) if text is not None else None
            if part is not None:
                self.diag.error("E004", "this text is shown as written: Bitrix does not "
                                        "evaluate references in names, labels and descriptions",
                                part.span, help="write literal braces as \\{ and \\}")

    def _check_autostart(self) -> None:
        for name, span in self.workflow.autostart:
            if name not in ("create", "edit", "none"):
                self.diag.error("E303", f"autostart '{name}' is not a start event", span,
                                help="autostart takes create, edit, or both (create, edit); "
                                     "'none' (the default) starts only by hand or by REST")
