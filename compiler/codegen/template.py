"""A checked workflow → the Bitrix template (what a .bpt file holds) and its metadata."""

from __future__ import annotations

import math
from dataclasses import field
from typing import Any

from compiler.bitrix import Activity, Field, Template
from compiler.bitrix.bpt import pack
from compiler.catalog.statements import (
    HANDLERS,
    PERMISSION_MODES,
    PERMISSION_SCOPES,
    STATEMENTS,
)
from compiler.codegen.activities import ActivityLowerer
from compiler.codegen.values import bool_yn
from compiler.php.serialize import format_float
from compiler.record import record
from compiler.semantics.model import CheckedWorkflow, DeclInfo
from compiler.semantics.printed import printed_default
from compiler.source import Span
from compiler.syntax import ast

AUTO_EXECUTE = {"none": 0, "create": 1, "edit": 2}
ROOT_NAME = "Template"


@record(frozen=False, slots=False)
class CompiledTemplate:
    """One workflow, ready to pack and deploy. `workflow` (the .bpl name) is its identity."""

    workflow: str
    file: str
    span: Span
    name: str  # display NAME on the portal
    description: str
    document_type: list[str]
    auto_execute: int
    template: Template
    spans: dict[str, Span] = field(default_factory=dict)  # activity Name → statement

    def bpt(self) -> bytes:
        return pack(self.template)


def build_template(checked: CheckedWorkflow) -> CompiledTemplate:
    wf = checked.workflow
    lowerer = ActivityLowerer(checked)
    title = lowerer.values.text(wf.title) if wf.title is not None else wf.name
    root_title = lowerer.values.text(wf.root_title) if wf.root_title is not None else title
    if wf.kind == "statemachine":
        root = _statemachine_root(lowerer, wf, root_title)
    else:
        root = lowerer.node("SequentialWorkflowActivity", ROOT_NAME, root_title,
                            _permission(lowerer, wf.permissions),
                            lowerer.block(wf.body, ROOT_NAME))
    template = Template(
        roots=[lowerer.links.link_tree(root)],  # every activity has its Name now
        parameters=_collection(checked, "param", lowerer),
        variables=_collection(checked, "var", lowerer),
        constants=_collection(checked, "const", lowerer),
    )
    auto = sum(AUTO_EXECUTE.get(name, 0) for name, _ in dict.fromkeys(wf.autostart))
    return CompiledTemplate(
        workflow=wf.name, file=wf.span.file, span=wf.span, name=title,
        description=lowerer.values.text(wf.description) if wf.description is not None else "",
        document_type=checked.document.triple, auto_execute=auto, template=template,
        spans={ROOT_NAME: wf.name_span, **lowerer.spans})


def _statemachine_root(lowerer: ActivityLowerer, wf: ast.Workflow, title: str) -> Activity:
    # States keep their .bpl names as activity Names: SetState targets and the start state
    # refer to them, and a readable name survives any edit of the state's body.
    for state in wf.states:
        lowerer.state_names[state.name] = state.name
        lowerer.namer.used.add(state.name)
        lowerer.spans[state.name] = state.name_span
    states = []
    for state in wf.states:
        state_title = lowerer.values.text(state.title) if state.title is not None else state.name
        handlers = [_handler(lowerer, state.name, h) for h in state.handlers]
        props = _permission(lowerer, state.permissions)
        if state.permission_mode is not None:
            props["PermissionMode"] = PERMISSION_MODES[state.permission_mode[0]]
        if state.permission_scope is not None:
            props["PermissionScope"] = PERMISSION_SCOPES[state.permission_scope[0]]
        states.append(lowerer.node("StateActivity", state.name, state_title, props, handlers))
    initial = next((s.name for s in wf.states if s.initial), wf.states[0].name if wf.states
                   else "")
    return lowerer.node("StateMachineWorkflowActivity", ROOT_NAME, title,
                        {"InitialStateName": initial, **_permission(lowerer, wf.permissions)},
                        states)


def _permission(lowerer: ActivityLowerer,
                permissions: tuple[ast.Permission, ...]) -> dict[str, Any]:
    """`Permission`: operation → users, as the designer stores it; nothing when none."""
    if not permissions:
        return {}
    return {"Permission": {p.operation: lowerer.values.users(p.users) for p in permissions}}


def _handler(lowerer: ActivityLowerer, state: str, handler: ast.EventHandler) -> Activity:
    values = lowerer.values
    opts = handler.opts
    row = HANDLERS[handler.kind]
    if not row.event:  # enter, exit
        title = values.text(opts.title) if opts.title else row.title
        name = lowerer._name(state, handler.kind, handler.span)
        if opts.label:
            lowerer.links.labels[opts.label] = name
        result = lowerer.node(row.activity, name, title, {}, lowerer.block(handler.body, name),
                              activated=not opts.disabled)
    else:
        if handler.kind == "command":
            command = handler.command or "command"
            button = values.text(handler.command_title) if handler.command_title else command
            title = values.text(opts.title) if opts.title else button
            name = lowerer._name(state, f"on:{command}", handler.span)
            event_name = lowerer._name(name, handler.kind, handler.span)
            permission = values.users(handler.users) if handler.users is not None else []
            event = lowerer.node(row.event, event_name, button, {"Permission": permission})
        else:
            assert handler.delay is not None
            delay = handler.delay
            key = f"on:delay:{delay.duration.amount}{delay.duration.unit}" \
                if delay.duration else "on:delay"
            title = values.text(opts.title) if opts.title else row.title
            name = lowerer._name(state, key, handler.span)
            event_name = lowerer._name(name, handler.kind, handler.span)
            event = lowerer.delay(delay, event_name, STATEMENTS["wait"].title)
        # A label names the event: `on command … as x` reads x.SenderUserId.
        if opts.label:
            lowerer.links.labels[opts.label] = event_name
        result = lowerer.node(row.activity, name, title, {},
                              [event, *lowerer.block(handler.body, name)],
                              activated=not opts.disabled)
    if opts.comment is not None:
        result.properties["EditorComment"] = values.text(opts.comment)
    return result


def _collection(checked: CheckedWorkflow, kind: str,
                lowerer: ActivityLowerer) -> dict[str, Field]:
    return {name: _property(info, lowerer) for name, info in checked.decls.items()
            if info.decl.kind == kind}


def _property(info: DeclInfo, lowerer: ActivityLowerer) -> Field:
    decl, typ = info.decl, info.type
    values = lowerer.values
    options: Any = ""
    if decl.type.options:
        options = {o.key: values.text(o.label) for o in decl.type.options}
    elif typ.name == "internalselect" and decl.type.argument:
        options = decl.type.argument
    default: Any = ""
    if decl.default is not None:
        printed = printed_default(decl.default) if typ.name == "user" else None
        if printed is not None:
            default = printed  # users as the designer prints them, stored as the text
        elif typ.name == "user":
            default = values.users(decl.default)
            if not typ.multiple:
                default = default[0] if default else ""
        else:
            default = _default(values.value(decl.default), typ.name)
    name = values.text(decl.label) if decl.label is not None else decl.name
    return Field(
        name=name,
        description=values.text(decl.description) if decl.description is not None else "",
        type=typ.name, required=decl.required, multiple=typ.multiple, options=options,
        default=default, title=name if decl.asked else None)


def _default(value: Any, type_name: str) -> Any:
    # The designer stores defaults as strings; lists (multiple values) element by element.
    if isinstance(value, list):
        return [_default(v, type_name) for v in value]
    if isinstance(value, bool):
        return bool_yn(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and not math.isfinite(value):
        return format_float(value)  # INF, as PHP writes it (a literal beyond the float range)
    return str(value) if isinstance(value, int | float) else value
