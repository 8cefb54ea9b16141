"""Statements: one per line, options after the head, option blocks one setting per line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from compiler.catalog.statements import STATEMENTS
from compiler.format.emit import Emitter, Section, Segment, closing, end, start
from compiler.syntax import ast


class StatementPrinter(Emitter):
    def block(self, body: Sequence[ast.Stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, stmt: ast.Stmt) -> None:
        method: Callable[[ast.Stmt], None] = getattr(self, "_" + type(stmt).__name__)
        method(stmt)

    def _body(self, body: Sequence[ast.Stmt]) -> Callable[[], None]:
        return lambda: self.block(body)

    def _settings(self, settings: Sequence[ast.Setting]) -> Callable[[], None]:
        def write() -> None:
            for setting in settings:
                self.emit([setting.key + " ", self.layout(setting.value, len(setting.key) + 1)],
                          setting)
        return write

    def _simple(self, stmt: ast.Stmt, segments: Sequence[Segment]) -> None:
        self.emit([*segments, self.opts(stmt.opts)], stmt)

    # ── simple statements ────────────────────────────────────────────────────────────────
    def _SetStmt(self, stmt: ast.SetStmt) -> None:
        if not stmt.block:
            a = stmt.assignments[0]
            target = "set " + a.target.dotted + " = "
            self._simple(stmt, [target, self.layout(a.value, len(target))])
            return

        def assignments() -> None:
            for a in stmt.assignments:
                target = a.target.dotted + " = "
                self.emit([target, self.layout(a.value, len(target))], a)

        self.chain(["set"], stmt, [Section("", assignments, not stmt.assignments, None)],
                   closing(stmt) if not _has_opts(stmt.opts) else None)
        self.w.extend_last(self.opts(stmt.opts))

    def _AssignStmt(self, stmt: ast.AssignStmt) -> None:
        target = stmt.assignment.target.dotted + " = "
        self._simple(stmt, [target, self.layout(stmt.assignment.value, len(target))])

    def _LogStmt(self, stmt: ast.LogStmt) -> None:
        self._simple(stmt, ["log ", self.layout(stmt.text, 4)])

    def _WaitStmt(self, stmt: ast.WaitStmt) -> None:
        self._simple(stmt, ["wait " + self.delay(stmt)])

    def delay(self, stmt: ast.WaitStmt) -> str:
        if stmt.duration is not None:
            return f"{stmt.duration.amount}{stmt.duration.unit}"
        if stmt.until is not None:
            return "until " + self.flat(stmt.until)
        assert stmt.amount is not None and stmt.unit is not None
        return f"for {self.flat(stmt.amount)} {stmt.unit}"

    def _StatusStmt(self, stmt: ast.StatusStmt) -> None:
        self._simple(stmt, ["status " + self.text(stmt.text)])

    def _NotifyStmt(self, stmt: ast.NotifyStmt) -> None:
        sender = " from " + self.flat(stmt.sender) if stmt.sender is not None else ""
        self._simple(stmt, [f"{stmt.kind} {self.flat(stmt.users)} {self.text(stmt.text)}"
                            f"{sender}"])

    def _WebhookStmt(self, stmt: ast.WebhookStmt) -> None:
        self._simple(stmt, ["webhook " + self.text(stmt.url)])

    def _StageStmt(self, stmt: ast.StageStmt) -> None:
        self._simple(stmt, ["stage " + self.flat(stmt.stage)])

    def _AssignUsersStmt(self, stmt: ast.AssignUsersStmt) -> None:
        mode = " " + stmt.mode if stmt.mode else ""
        self._simple(stmt, [f"assign {self.flat(stmt.users)}{mode}"])

    def _ActionStmt(self, stmt: ast.ActionStmt) -> None:
        head = " ".join(STATEMENTS[stmt.kind].head)
        subject = stmt.subject
        if isinstance(subject, ast.Text):
            head += " " + self.text(subject)
        elif subject is not None:
            head += " " + self.flat(subject)
        self._with_settings(stmt, head + self.opts(stmt.opts), stmt.settings)

    def _TerminateStmt(self, stmt: ast.TerminateStmt) -> None:
        status = " " + self.text(stmt.status) if stmt.status is not None else ""
        self._simple(stmt, ["terminate" + status])

    def _GotoStmt(self, stmt: ast.GotoStmt) -> None:
        self._simple(stmt, ["goto " + stmt.state])

    def _StartStmt(self, stmt: ast.StartStmt) -> None:
        head = "start and wait workflow " if stmt.wait else "start workflow "
        head += f"{self.flat(stmt.template)} for {self.flat(stmt.document)}"
        segments: list[Segment] = [head]
        if stmt.parameters is not None:
            segments += [" with ", self.layout(stmt.parameters, len(head) + 6)]
        self._simple(stmt, segments)

    def _CreateStmt(self, stmt: ast.CreateStmt) -> None:
        head = f"create {self.flat(stmt.document)} "
        self._simple(stmt, [head, self.layout(stmt.fields, len(head), force=True)])

    def _CallStmt(self, stmt: ast.CallStmt) -> None:
        self._with_settings(stmt, self.flat(stmt.call) + self.opts(stmt.opts), stmt.settings)

    # ── statements with option blocks ────────────────────────────────────────────────────
    def _MailStmt(self, stmt: ast.MailStmt) -> None:
        sender = " from " + self.flat(stmt.sender) if stmt.sender is not None else ""
        head = (f"mail to {self.flat(stmt.to)} subject {self.text(stmt.subject)} "
                f"body {self.text(stmt.body)}{sender}{self.opts(stmt.opts)}")
        self._with_settings(stmt, head, stmt.settings)

    def _ReviewStmt(self, stmt: ast.ReviewStmt) -> None:
        head = f"review {self.text(stmt.name)} by {self.flat(stmt.users)}{self.opts(stmt.opts)}"
        self._with_settings(stmt, head, stmt.settings)

    def _TaskStmt(self, stmt: ast.TaskStmt) -> None:
        self._with_settings(stmt, f"task {self.text(stmt.name)}{self.opts(stmt.opts)}",
                            stmt.settings)

    def _with_settings(self, stmt: ast.Stmt, head: str,
                       settings: Sequence[ast.Setting]) -> None:
        if not settings:
            self.emit([head], stmt)
            return
        self.chain([head], stmt, [Section("", self._settings(settings), False, None)],
                   closing(stmt))

    def _ApproveStmt(self, stmt: ast.ApproveStmt) -> None:
        head = f"approve {self.text(stmt.name)} by {self.flat(stmt.users)}{self.opts(stmt.opts)}"
        sections: list[Section] = []
        if stmt.settings:
            sections.append(Section("", self._settings(stmt.settings), False, None))
        for word, body, span, title in (
                ("approved", stmt.approved, stmt.approved_span, stmt.approved_title),
                ("rejected", stmt.rejected, stmt.rejected_span, stmt.rejected_title)):
            if body is not None or title is not None:
                head_of = word if title is None else f"{word} title {self.text(title)}"
                sections.append(Section(head_of, self._body(body or ()), not body,
                                        start(span) if span is not None else None))
        if not sections:
            self.emit([head], stmt)
            return
        self.chain([head], stmt, sections, closing(stmt))

    def _AskStmt(self, stmt: ast.AskStmt) -> None:
        head = f"ask {self.text(stmt.name)} by {self.flat(stmt.users)}{self.opts(stmt.opts)}"
        items: list[ast.AskField | ast.Setting] = sorted(
            [*stmt.fields, *stmt.settings], key=lambda item: start(item))

        def write() -> None:
            for item in items:
                if isinstance(item, ast.Setting):
                    self._settings((item,))()
                else:
                    self._ask_field(item)

        self.chain([head], stmt, [Section("", write, not items, None)], closing(stmt))

    def _ask_field(self, item: ast.AskField) -> None:
        label = " " + self.text(item.label) if item.label is not None else ""
        required = " required" if item.required else ""
        self.emit([f"field {item.target.dotted}{label}{required}"], item)

    # ── containers ───────────────────────────────────────────────────────────────────────
    def _ParallelStmt(self, stmt: ast.ParallelStmt) -> None:
        def branches() -> None:
            for branch in stmt.branches:
                self.chain(["branch" + self.opts(branch.opts)], branch,
                           [Section("", self._body(branch.body), not branch.body, None)],
                           closing(branch))

        self.chain(["parallel" + self.opts(stmt.opts)], stmt,
                   [Section("", branches, not stmt.branches, None)], closing(stmt))

    def _WhileStmt(self, stmt: ast.WhileStmt) -> None:
        head = f"while {self.flat(stmt.condition)}{self.opts(stmt.opts)}"
        if stmt.body_title is not None:
            head += f" do title {self.text(stmt.body_title)}"
        self.chain([head], stmt, [Section("", self._body(stmt.body), not stmt.body, None)],
                   closing(stmt))

    def _ForEachStmt(self, stmt: ast.ForEachStmt) -> None:
        names = f"{stmt.key_name}, {stmt.value_name}" if stmt.key_name else stmt.value_name
        head = f"for each {names} in {self.flat(stmt.source)}{self.opts(stmt.opts)}"
        self.chain([head], stmt, [Section("", self._body(stmt.body), not stmt.body, None)],
                   closing(stmt))

    def _IfStmt(self, stmt: ast.IfStmt) -> None:
        first, *others = stmt.branches
        assert first.condition is not None
        head = f"if {self.flat(first.condition)}{self.opts(first.opts)}"
        sections = [Section("", self._body(first.body), not first.body, None)]
        for branch in others:
            words = "else" if branch.condition is None else \
                f"else if {self.flat(branch.condition)}"
            sections.append(Section(words + self.opts(branch.opts), self._body(branch.body),
                                    not branch.body, start(branch)))
        if stmt.chain_title is None:
            self.chain([head], stmt, sections, closing(stmt))
            return
        self.chain([head], stmt, sections, None)
        self.w.extend_last(f" title {self.text(stmt.chain_title)}")

    def _ActivityStmt(self, stmt: ast.ActivityStmt) -> None:
        head = f"activity {stmt.type_name}" + (
            " " + self.text(stmt.title) if stmt.title is not None else "") + " "
        segments: list[Segment] = [head, self.layout(stmt.properties, len(head), force=True),
                                   self.opts(stmt.opts)]
        if stmt.children is None:
            self.emit(segments, stmt)
            return
        children = stmt.children
        self.chain(segments, stmt, [Section("do", self._body(children), not children,
                                            None)], closing(stmt))


def _has_opts(opts: ast.StmtOpts) -> bool:
    return opts != ast.StmtOpts()


__all__ = ["StatementPrinter", "end"]
