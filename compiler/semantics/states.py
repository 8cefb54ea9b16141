"""Bitrix's rules for a statemachine: one initial state, unique state names, at most one
enter and one exit block per state, and the statements of every handler."""

from __future__ import annotations

from compiler.diagnostics import Diagnostics, Label
from compiler.semantics.expressions import ExpressionChecker
from compiler.semantics.statements import StatementRules
from compiler.source import Span
from compiler.syntax import ast


class StateRules:
    def __init__(self, statements: StatementRules, exprs: ExpressionChecker,
                 diag: Diagnostics) -> None:
        self.statements = statements
        self.exprs = exprs
        self.diag = diag

    def check(self, wf: ast.Workflow) -> None:
        seen: dict[str, Span] = {}
        initial = [s for s in wf.states if s.initial]
        if len(initial) > 1:
            self.diag.error("E401", "more than one state is marked initial", initial[1].name_span,
                            labels=(Label(initial[0].name_span, "first initial state"),))
        if wf.body:
            self.diag.error("E400", "a statemachine holds states, not statements",
                            wf.body[0].span, help="put statements in a state's enter block")
        for state in wf.states:
            if state.name in seen:
                self.diag.error("E101", f"state '{state.name}' is declared twice",
                                state.name_span, labels=(Label(seen[state.name], "first here"),))
            elif state.name == "Template":
                # A state's name is its activity's Name, and the root activity is "Template":
                # Bitrix refuses to load a template with two activities of one name.
                self.diag.error("E101", "a state cannot be called 'Template'", state.name_span,
                                help="Bitrix names the root activity 'Template'; rename the state")
            seen[state.name] = state.name_span
            kinds = [h.kind for h in state.handlers]
            for kind in ("enter", "exit"):
                if kinds.count(kind) > 1:
                    dup = [h for h in state.handlers if h.kind == kind][1]
                    self.diag.error("E400", f"a state has at most one '{kind}' block", dup.span)
            if state.title is not None:
                self.exprs.expr(state.title)
            for handler in state.handlers:
                for text in (handler.command_title, handler.opts.title, handler.opts.comment):
                    if text is not None:
                        self.exprs.expr(text)
                if handler.kind == "command" and handler.users is not None:
                    self.exprs.users(handler.users)
                if handler.delay is not None:
                    self.statements.wait(handler.delay)
                self.statements.block(handler.body, in_state=True)
