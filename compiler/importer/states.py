"""State machines: StateActivity nodes → `state` blocks with `enter`, `exit`, `on command`
and `on delay` handlers (§2.2, §2.4).

The language has no generic form for states and handlers, so what a state holds beyond them
and its permissions (an event other than a command or a pause) cannot be written; each such
loss is reported.
"""

from __future__ import annotations

from compiler.bitrix.canonical import value as canonical
from compiler.catalog.statements import HANDLERS, STATEMENTS
from compiler.importer.names import Names, is_member_name, is_name, slug
from compiler.importer.nodes import Context, Node
from compiler.importer.permissions import (
    PERMISSION_MODES,
    PERMISSION_SCOPES,
    permissions,
    setting,
)
from compiler.importer.report import Report
from compiler.importer.scope import NOWHERE
from compiler.importer.sugar import SimpleStatements
from compiler.syntax import ast

_STATE_KEYS = ("Title", "Permission", "PermissionMode", "PermissionScope")
# enter and exit blocks by the activity they are (`on` blocks are EventDrivenActivity).
_BLOCKS = {h.activity: h for h in HANDLERS.values() if not h.event}


def state_names(states: list[Node], keep_names: bool,
                hints: dict[str, str] | None = None) -> dict[str, str]:
    """Original state Name → .bpl state name: the Name itself when it must stay, else the
    name `goto` titles suggest, else one made from the title."""
    names = Names()
    out: dict[str, str] = {}
    for index, state in enumerate(states, 1):
        title = state.properties.get("Title")
        hint = (hints or {}).get(state.name)
        if keep_names and is_member_name(state.name):
            wanted = state.name
        elif hint is not None and is_member_name(hint):
            wanted = hint
        else:
            wanted = slug(title if isinstance(title, str) else "", f"state{index}",
                          keywords=True)
        out[state.name] = names.claim(wanted)
    return out


class StateBuilder:
    def __init__(self, ctx: Context, simple: SimpleStatements, report: Report,
                 names: dict[str, str]) -> None:
        self.ctx = ctx
        self.simple = simple
        self.report = report
        self.names = names

    def state(self, node: Node, initial: bool, where: str) -> ast.State:
        name = self.names[node.name]
        props = node.properties
        title = props.get("Title")
        title_text = self.ctx.values.any_text(title) if title not in (None, name) else None
        extra = sorted(k for k in props if k not in _STATE_KEYS)
        if extra:
            self.report.lossy(where, f"state properties {', '.join(extra)} have no .bpl form; "
                                     "dropped")
        if not node.activated:
            self.report.lossy(where, "a switched-off state has no .bpl form; it is switched on")
        if node.name in self.ctx.scope.labels:
            self.report.lossy(where, "the state is read as an activity; that cannot be written")
        handlers = []
        for child in node.children:
            handler = self.handler(child, f"{where} > {_label(child)}")
            if handler is not None:
                handlers.append(handler)
        values = self.ctx.values
        return ast.State(NOWHERE, name, NOWHERE, title_text, initial, tuple(handlers),
                         permissions(props.get("Permission"), values, self.report, where),
                         setting(props.get("PermissionMode"), PERMISSION_MODES, 1,
                                 self.report, where),
                         setting(props.get("PermissionScope"), PERMISSION_SCOPES, 1,
                                 self.report, where))

    def handler(self, node: Node, where: str) -> ast.EventHandler | None:
        block = _BLOCKS.get(node.type)
        if block is not None:  # enter, exit
            opts = self._opts(node, block.title, where, label=node.name)
            return ast.EventHandler(NOWHERE, block.kind, opts, self.ctx.block(node.children))
        if node.type != HANDLERS["command"].activity or not node.children:
            self.report.lossy(where, f"{node.type} inside a state has no .bpl form; dropped")
            return None
        event, *body = node.children
        if event.type == HANDLERS["command"].event:
            return self._command(node, event, body, where)
        if event.type == HANDLERS["delay"].event:
            delay = self.simple.delay(event)
            if delay is not None and event.properties.get("Title") == STATEMENTS["wait"].title \
                    and event.activated:
                opts = self._opts(node, HANDLERS["delay"].title, where, label=event.name)
                return ast.EventHandler(NOWHERE, "delay", opts, self.ctx.block(body),
                                        delay=delay)
        self.report.lossy(where, f"an event handler starting with {event.type} has no .bpl "
                                 "form; dropped")
        return None

    def _command(self, node: Node, event: Node, body: list[Node],
                 where: str) -> ast.EventHandler:
        props = event.properties
        button = props.get("Title")
        button_text = button if isinstance(button, str) else ""
        command = button_text if is_name(button_text) else slug(button_text, "command")
        command_title = None if command == button_text else self.ctx.values.any_text(button)
        permission = props.get("Permission", [])
        users = self.ctx.values.users(permission) if permission not in ([], "", None) else None
        if permission not in ([], "", None) and users is None:
            self.report.lossy(where, f"command permission {permission!r} has no .bpl form; "
                                     "dropped")
        extra = sorted(k for k in props if k not in ("Title", "Permission", "SenderUserId"))
        if extra or props.get("SenderUserId") not in ("", None) or not event.activated:
            self.report.lossy(where, "the command's event holds settings .bpl cannot write "
                                     f"({', '.join(extra) or 'SenderUserId, Activated'}); "
                                     "dropped")
        opts = self._opts(node, button_text, where, label=event.name)
        return ast.EventHandler(NOWHERE, "command", opts, self.ctx.block(body), command=command,
                                command_title=command_title, users=users)

    def _opts(self, node: Node, default: str, where: str, *, label: str) -> ast.StmtOpts:
        opts = self.ctx.opts(node, default)
        if opts is None:
            self.report.lossy(where, "the title or comment has no text form; dropped")
            opts = ast.StmtOpts(disabled=not node.activated)
        if node.name in self.ctx.scope.labels and node.name != label:
            self.report.lossy(where, "the handler is read as an activity; that cannot be "
                                     "written")
        found = self.ctx.scope.labels.get(label)
        return ast.StmtOpts(opts.title, opts.disabled, found, NOWHERE if found else None,
                            opts.comment)


def _label(node: Node) -> str:
    title = node.properties.get("Title")
    return f"{title} ({node.name})" if isinstance(title, str) and title else node.name


def initial_state(root: Node, states: list[Node]) -> str | None:
    initial = root.properties.get("InitialStateName")
    names = [s.name for s in states]
    return str(initial) if canonical(initial) in [canonical(n) for n in names] else None
