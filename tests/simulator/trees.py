"""Hand-built template packages for simulator tests: small trees, readable in a test."""

from __future__ import annotations

import itertools
from typing import Any

from compiler.bitrix import Template

_ids = itertools.count(1)


def node(type_: str, title: str | None = None, children: list[dict[str, Any]] | None = None,
         name: str | None = None, activated: bool = True, **properties: Any) -> dict[str, Any]:
    return {"Type": type_, "Name": name or f"A{next(_ids):05d}_1_1_1",
            "Activated": "Y" if activated else "N",
            "Properties": {"Title": title or type_, **properties},
            "Children": children or []}


def package(*children: dict[str, Any], variables: dict[str, Any] | None = None,
            parameters: dict[str, Any] | None = None,
            constants: dict[str, Any] | None = None, root: str = "SequentialWorkflowActivity",
            **root_properties: Any) -> dict[str, Any]:
    return {"VERSION": 2,
            "TEMPLATE": [{"Type": root, "Name": "Template", "Activated": "Y",
                          "Properties": {"Title": "Test", **root_properties},
                          "Children": list(children)}],
            "PARAMETERS": parameters or [], "VARIABLES": variables or [],
            "CONSTANTS": constants or [], "DOCUMENT_FIELDS": []}


def template(*children: dict[str, Any], **declarations: Any) -> Template:
    """`package(...)` as the simulator takes it."""
    return Template.from_package(package(*children, **declarations))


def var(type_: str = "string", default: Any = "", multiple: bool = False,
        options: Any = "") -> dict[str, Any]:
    return {"Name": "v", "Description": "", "Type": type_, "Required": "0",
            "Multiple": "1" if multiple else "0", "Options": options, "Default": default}


def log(text: str, title: str = "Log") -> dict[str, Any]:
    return node("LogActivity", title, Text=text, SetVariable=False)


def set_var(title: str = "Set", **values: Any) -> dict[str, Any]:
    return node("SetVariableActivity", title, VariableValue=values)


def set_field(title: str = "Set field", **values: Any) -> dict[str, Any]:
    return node("SetFieldActivity", title, FieldValue=values, MergeMultipleFields="N",
                ModifiedBy=[])


def seq(*children: dict[str, Any], title: str = "Sequence") -> dict[str, Any]:
    return node("SequenceActivity", title, list(children))


def branch(condition: tuple[str, Any] | None, *children: dict[str, Any],
           title: str = "Branch") -> dict[str, Any]:
    props = {condition[0]: condition[1]} if condition else {}
    return node("IfElseBranchActivity", title, list(children), **props)


def if_else(*branches: dict[str, Any], title: str = "Condition") -> dict[str, Any]:
    return node("IfElseActivity", title, list(branches))


def approve(users: list[str], *, approve_type: str = "any", yes: list[dict[str, Any]] = (),  # type: ignore[assignment]
            no: list[dict[str, Any]] = (), title: str = "Approve", **props: Any) -> dict[str, Any]:  # type: ignore[assignment]
    base = {"Users": users, "ApproveType": approve_type, "Name": "Approve it",
            "ApproveMinPercent": 50, "ApproveWaitForAll": "N", "TimeoutDuration": 0,
            "TimeoutDurationType": "s", "SetStatusMessage": "N", "ShowComment": "Y",
            "CommentRequired": "N"}
    base.update(props)
    return node("ApproveActivity", title, [seq(*yes, title="Approved"),
                                           seq(*no, title="Rejected")], **base)


def titles(run: Any) -> list[str]:
    return [entry.title for entry in run.trace]


def log_lines(run: Any) -> list[str]:
    return [entry["text"] for entry in run.log]
