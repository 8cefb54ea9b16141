"""An app activity node (`rest_<md5>`) of a robot the project declares → a call of that robot
(`erp_invoice(amount: doc.OPPORTUNITY) { timeout 1h }`), as codegen lowers it
(compiler/codegen/activities.py, _CallStmt): the node's Title (the robot's name unless
retitled), the subscription and auth user the declaration sets, `timeout`/`status` and one
property per input. Anything else on the node keeps it in the generic form.
"""

from __future__ import annotations

from pathlib import Path

from compiler.bitrix.canonical import value as canonical
from compiler.importer.environment import ImportEnvironment
from compiler.importer.nodes import Context, Node, text_setting
from compiler.importer.render import same
from compiler.importer.scope import NOWHERE
from compiler.syntax import ast

# What codegen writes on every call besides the inputs (the call's options fill the rest).
_CALL_KEYS = {"Title", "EditorComment", "UseSubscription", "AuthUserId", "SetStatusMessage",
              "StatusMessage", "TimeoutDuration", "TimeoutDurationType"}


class RobotCalls:
    def __init__(self, ctx: Context, env: ImportEnvironment | None) -> None:
        self.ctx = ctx
        self.values = ctx.values
        self.env = env
        # Files declaring the robots called so far: (as the check reads it, as written).
        self.files: set[tuple[Path, Path]] = set()

    def build(self, node: Node) -> ast.Stmt | None:
        robot = self.env.robot(node.type) if self.env is not None else None
        if robot is None:
            return None
        decl = robot.decl
        inputs = [io.name for io in decl.inputs]
        props = node.properties
        if any(key not in _CALL_KEYS and key not in inputs for key in props):
            return None
        opts = self.ctx.opts(node, decl.name.plain)
        if opts is None:
            return None
        # An input at its declared default is left out: codegen fills it in.
        args = tuple(ast.Arg(NOWHERE, io.name, self.values.value(props[io.name]))
                     for io in decl.inputs if io.name in props and not (
                         io.default is not None and
                         same(self.values.render.value(io.default), props[io.name])))
        settings = []
        amount = str(canonical(props.get("TimeoutDuration") or 0))
        unit = str(props.get("TimeoutDurationType") or "s")
        if amount != "0":
            if not amount.isdigit():
                return None
            settings.append(text_setting("timeout", ast.Duration(NOWHERE, int(amount), unit)))
        status = props.get("StatusMessage")
        if status not in (None, ""):
            text = self.values.any_text(status)
            if text is None:
                return None
            settings.append(text_setting("status", text))
        self.files.add((robot.file.resolve(), (robot.written or robot.file).resolve()))
        call = ast.Call(NOWHERE, (decl.code,), args, NOWHERE)
        return ast.CallStmt(NOWHERE, opts, call, tuple(settings))
