"""Bitrix's rules for a statemachine: one initial state, unique state names, at most one
enter and one exit block per state, and the statements of every handler; and what a reviewer
sees in its graph: states no `goto` reaches (W404), states nothing leaves (W405), and a `goto`
that re-enters its own state for nothing (I406)."""

from __future__ import annotations

from collections.abc import Iterator

from compiler.diagnostics import Diagnostics, Label
from compiler.semantics.expressions import ExpressionChecker
from compiler.semantics.permissions import check_permissions, check_state_settings
from compiler.semantics.statements import StatementRules
from compiler.semantics.walk import walk_statements
from compiler.source import Span
from compiler.syntax import ast

# Statements that change nothing a re-entered state would not redo anyway.
_NO_CHANGE = (ast.LogStmt,)


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
            check_permissions(state.permissions, self.exprs, self.diag)
            check_state_settings(state, self.diag)
            for handler in state.handlers:
                for text in (handler.command_title, handler.opts.title, handler.opts.comment):
                    if text is not None:
                        self.exprs.expr(text)
                if handler.kind == "command" and handler.users is not None:
                    self.exprs.users(handler.users)
                if handler.delay is not None:
                    self.statements.wait(handler.delay)
                self.statements.block(handler.body, in_state=True)
        names = {state.name for state in wf.states}
        if len(names) == len(wf.states) and len(initial) <= 1 and "Template" not in names and \
                all(target in names for state in wf.states for target in _targets(state)):
            self._graph(wf)  # a graph with errors in it (reported above) says nothing more

    # ── the graph of states ──────────────────────────────────────────────────────────────
    def _graph(self, wf: ast.Workflow) -> None:
        states = {s.name: s for s in wf.states}
        if not states:
            return
        initial = next((s for s in wf.states if s.initial), wf.states[0])
        reached = {initial.name}
        queue = [initial]
        while queue:
            for target in _targets(queue.pop()):
                if target in states and target not in reached:
                    reached.add(target)
                    queue.append(states[target])
        for state in wf.states:
            if state.name not in reached:
                self.diag.warning("W404", f"state '{state.name}' is never entered: no goto of "
                                          "a state the workflow reaches leads to it",
                                  state.name_span,
                                  labels=(Label(initial.name_span, "the workflow starts here"),),
                                  help="add a goto to it, or remove the state")
            elif not _leaves(state):
                self.diag.warning("W405", f"state '{state.name}' has no way out: no goto leaves "
                                          "it and nothing ends the workflow, so it waits there "
                                          "forever", state.name_span,
                                  help="add 'terminate' to its enter block, or a handler that "
                                       "goes to another state")
            self._same_state(state)

    def _same_state(self, state: ast.State) -> None:
        """`goto` to its own state: exit and enter run again and delays restart. With neither
        block and nothing changed before it, that is all it does."""
        if any(h.kind in ("enter", "exit") for h in state.handlers):
            return
        for handler in state.handlers:
            for index, stmt in enumerate(handler.body):
                if isinstance(stmt, ast.GotoStmt) and stmt.state == state.name and \
                        not stmt.opts.disabled and \
                        all(isinstance(s, _NO_CHANGE) for s in handler.body[:index]):
                    self.diag.note("I406", f"'goto {state.name}' re-enters the state it is in "
                                           "and changes nothing: the state only starts over",
                                   stmt.span, help="its delays restart; if that is not the "
                                                   "point, remove the goto")


def _targets(state: ast.State) -> Iterator[str]:
    for handler in state.handlers:
        for stmt in walk_statements(handler.body):
            if isinstance(stmt, ast.GotoStmt) and not stmt.opts.disabled:
                yield stmt.state


def _leaves(state: ast.State) -> bool:
    """Whether anything in the state goes to another state or ends the workflow."""
    for handler in state.handlers:
        for stmt in walk_statements(handler.body):
            if stmt.opts.disabled:
                continue
            if isinstance(stmt, ast.GotoStmt) and stmt.state != state.name:
                return True
            if isinstance(stmt, ast.TerminateStmt | ast.StageStmt):
                return True
    return False
