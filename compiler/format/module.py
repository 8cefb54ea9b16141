"""Files: imports, workflows with their headers in a fixed order, states, robots and macros.

Headers are the one thing the formatter reorders (title, description, autostart, parameters,
variables, constants, fields). Their comments move with them: every comment before a header,
and after it on its last line, is taken before printing and written next to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from compiler.format.comments import Comment, Pos
from compiler.format.declarations import DeclarationPrinter
from compiler.format.emit import Section, closing, end, start
from compiler.format.statements import StatementPrinter
from compiler.format.strings import plain_literal
from compiler.source import Span
from compiler.syntax import ast

_DECL_GROUP = {"param": 1, "var": 2, "const": 3}
_FIELD_GROUP = 4


@dataclass
class _Header:
    group: int
    span: Span
    write: Callable[[], None]
    leading: list[Comment]
    trailing: list[Comment]


class ModulePrinter(StatementPrinter, DeclarationPrinter):
    def module(self, module: ast.Module) -> None:
        previous: ast.Item | None = None
        for item in module.items:
            if previous is not None and not (isinstance(item, ast.Import) and
                                             isinstance(previous, ast.Import)):
                self.w.blank()
            self.item(item)
            previous = item

    def item(self, item: ast.Item) -> None:
        if isinstance(item, ast.Import):
            self.emit([f"import {_quoted(item.path)}"], item)
        elif isinstance(item, ast.Workflow):
            self.workflow(item)
        elif isinstance(item, ast.RobotDecl):
            self.robot(item)
        else:
            self.macro(item)

    # ── workflows ────────────────────────────────────────────────────────────────────────
    def workflow(self, wf: ast.Workflow) -> None:
        keyword = "statemachine" if wf.kind == "statemachine" else "workflow"
        head = f"{keyword} {wf.name} for {self.flat(wf.document)}"

        def body() -> None:
            headers = self._headers(wf)
            group = None
            for header in headers:
                if group is not None and header.group != group:
                    self.w.blank()
                group = header.group
                for comment in header.leading:
                    self.w.comment(comment)
                header.write()
                self.w.lines[-1].trailing.extend(c.text for c in header.trailing)
            if headers and (wf.body or wf.states):
                self.w.blank()
            if wf.kind == "statemachine":
                for index, state in enumerate(wf.states):
                    if index:
                        self.w.blank()
                    self.state(state)
            self.block(wf.body)

        empty = not (wf.title or wf.description or wf.autostart or wf.decls or wf.fields or
                     wf.body or wf.states)
        self.chain([head], wf, [Section("", body, empty, None)], closing(wf))

    def _headers(self, wf: ast.Workflow) -> list[_Header]:
        headers: list[_Header] = []
        if wf.title is not None:
            title = wf.title
            headers.append(self._header(0, title.span,
                                        lambda: self.emit(["title " + self.text(title)], title)))
        if wf.root_title is not None:
            root = wf.root_title
            headers.append(self._header(0, root.span, lambda: self.emit(
                ["root title " + self.text(root)], root)))
        if wf.description is not None:
            text = wf.description
            headers.append(self._header(0, text.span, lambda: self.emit(
                ["description " + self.text(text)], text)))
        if wf.autostart:
            names = ", ".join(name for name, _ in wf.autostart)
            span = wf.autostart[0][1].to(wf.autostart[-1][1])
            headers.append(self._header(0, span, lambda: self.w.line(
                "autostart " + names, start=start(span), end=end(span))))
        for permission in wf.permissions:
            headers.append(self._header(0, permission.span,
                                        partial(self.permission, permission)))
        for decl in wf.decls:
            headers.append(self._header(_DECL_GROUP.get(decl.kind, 1), decl.span,
                                        partial(self.decl, decl)))
        for field in wf.fields:
            headers.append(self._header(_FIELD_GROUP, field.span, partial(self.field, field)))
        # Comments go with the header they stand next to in the source …
        for header in sorted(headers, key=lambda h: start(h.span)):
            header.leading = self.w.take(end(header.span))
            header.trailing = self._trailing(end(header.span))
        # … and headers are written in the fixed order (stable within a group).
        return sorted(headers, key=lambda h: h.group)

    def _header(self, group: int, span: Span, write: Callable[[], None]) -> _Header:
        return _Header(group, span, write, [], [])

    def _trailing(self, after: Pos) -> list[Comment]:
        taken = []
        pending = self.w.pending
        while pending and not pending[0].own_line and not pending[0].multiline and \
                pending[0].line == after[0] and pending[0].start >= after:
            taken.append(pending.popleft())
        return taken

    # ── states ───────────────────────────────────────────────────────────────────────────
    def state(self, state: ast.State) -> None:
        head = "state " + state.name
        if state.title is not None:
            head += " " + self.text(state.title)
        if state.initial:
            head += " initial"

        def handlers() -> None:
            for permission in state.permissions:
                self.permission(permission)
            for word, setting in (("mode", state.permission_mode),
                                  ("scope", state.permission_scope)):
                if setting is not None:
                    self.w.line(f"permission {word} {setting[0]}")
            for handler in state.handlers:
                self.handler(handler)

        empty = not (state.handlers or state.permissions or state.permission_mode or
                     state.permission_scope)
        self.chain([head], state, [Section("", handlers, empty, None)], closing(state))

    def permission(self, permission: ast.Permission) -> None:
        operation = permission.operation
        if not _OPERATION.fullmatch(operation) or operation in ("mode", "scope"):
            operation = _quoted(operation)
        self.emit([f"permission {operation} {self.flat(permission.users)}"], permission)

    def handler(self, handler: ast.EventHandler) -> None:
        if handler.kind in ("enter", "exit"):
            head = handler.kind
        elif handler.kind == "command":
            head = f"on command {handler.command}"
            if handler.command_title is not None:
                head += " " + self.text(handler.command_title)
            if handler.users is not None:
                head += " by " + self.flat(handler.users)
        else:
            assert handler.delay is not None
            head = "on delay " + self.delay(handler.delay)
        self.chain([head + self.opts(handler.opts)], handler,
                   [Section("", self._body(handler.body), not handler.body, None)],
                   closing(handler))

    # ── robots and macros ────────────────────────────────────────────────────────────────
    def robot(self, robot: ast.RobotDecl) -> None:
        head = f"{robot.kind} {robot.code} {self.text(robot.name)}"
        items: list[ast.Setting | ast.RobotIO] = sorted(
            [*robot.settings, *robot.inputs, *robot.outputs], key=lambda i: start(i))

        def write() -> None:
            for item in items:
                if isinstance(item, ast.Setting):
                    self._settings((item,))()
                else:
                    self.robot_io(item)

        self.chain([head], robot, [Section("", write, not items, None)], closing(robot))

    def macro(self, macro: ast.MacroDecl) -> None:
        head = f"macro {macro.name}({', '.join(macro.params)})"
        self.chain([head], macro, [Section("", self._body(macro.body), not macro.body, None)],
                   closing(macro))


_OPERATION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _quoted(path: str) -> str:
    return plain_literal(path)
