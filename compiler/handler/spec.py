"""What a robot or action declares in `.bpl` — its code, its inputs and outputs with their
types — in the shape a handler needs, read with the compiler's own front end."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.catalog import load_catalog
from compiler.codegen.robots import build_registration
from compiler.diagnostics import Diagnostics, Severity
from compiler.hosts import shown
from compiler.semantics.environment import Environment
from compiler.semantics.program import load_program
from compiler.semantics.robots import handler_verdict, property_type, waits
from compiler.syntax import ast


class SpecError(ValueError):
    """The declarations cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # a Bitrix type name: string, text, int, double, bool, date, datetime, user, …
    multiple: bool = False
    required: bool = False
    options: Mapping[str, str] = field(default_factory=dict)
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class RobotSpec:
    code: str
    name: str
    inputs: tuple[Param, ...] = ()
    outputs: tuple[Param, ...] = ()
    kind: str = "robot"  # robot (bizproc.robot.add) | action (bizproc.activity.add)
    handler: str | None = None
    waits: bool = True  # USE_SUBSCRIPTION: the workflow waits for bizproc.event.send
    # What `registration` compiles, as plan and apply do; None for a spec written by hand.
    declaration: ast.RobotDecl | None = field(default=None, repr=False, compare=False)

    def output(self, name: str) -> Param | None:
        return next((p for p in self.outputs if p.name == name), None)


def _text(value: ast.Text | None) -> str:
    return value.plain if value is not None else ""


def _param(io: ast.RobotIO) -> Param:
    options = {o.key: o.label.plain for o in io.type.options}
    return Param(io.name, property_type(io.type), io.type.multiple, io.required, options,
                 _text(io.label) or io.name, _text(io.description))


def from_decl(decl: ast.RobotDecl) -> RobotSpec:
    handler = next((s.value.plain for s in decl.settings
                    if s.key == "handler" and isinstance(s.value, ast.Text)), None)
    return RobotSpec(
        code=decl.code,
        name=decl.name.plain,
        inputs=tuple(_param(io) for io in decl.inputs),
        outputs=tuple(_param(io) for io in decl.outputs),
        kind=decl.kind,
        handler=handler,
        waits=waits(decl),
        declaration=decl,
    )


def load_robots(*paths: Path | str) -> dict[str, RobotSpec]:
    """Every robot and action declared in the `.bpl` files (and their imports), by code."""
    diagnostics = Diagnostics()
    program = load_program([Path(p) for p in paths], diagnostics)
    errors = [d for d in diagnostics.sorted() if d.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise SpecError(f"{first.span.file}:{first.span.line}: {first.message}")
    return {code: from_decl(decl) for code, decl in program.robots.items()}


def registration(spec: RobotSpec, handler: str | None = None) -> dict[str, Any]:
    """The parameters of bizproc.robot.add (or bizproc.activity.add) for this declaration:
    the ones `bpl apply` sends (codegen's `build_registration`), with `handler` as HANDLER when
    given. The kit has no environment, so settings that read env.NAME are left out."""
    target = handler or spec.handler
    if not target:
        raise SpecError(f"{spec.kind} {spec.code} has no handler URL")
    # The kit does not know the portal: the rules that hold for every target (compiler.hosts).
    verdict = handler_verdict(target, sandbox=None)
    if verdict is not None and verdict.error:
        raise SpecError(f"{spec.kind} {spec.code}: handler {shown(target)!r} {verdict.text}")
    if spec.declaration is None:
        raise SpecError(f"{spec.kind} {spec.code} was not read from a .bpl declaration "
                        "(load_robots); its registration is compiled from one")
    params = build_registration(spec.declaration, Environment(), load_catalog()).add_params()
    params["HANDLER"] = target
    return params
