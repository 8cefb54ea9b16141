"""Workflow instances: start one on a document, list the running ones, terminate or kill."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from compiler.ops.documents import shown
from compiler.ops.errors import OpsError, explain
from compiler.portal import PortalClient, PortalError

SELECT = ["ID", "TEMPLATE_ID", "MODULE_ID", "ENTITY", "DOCUMENT_ID", "STARTED", "STARTED_BY",
          "MODIFIED"]


@dataclass(frozen=True)
class Instance:
    id: str
    template_id: int | None
    document: list[str]
    started: str | None
    started_by: int | None
    modified: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def start(client: PortalClient, template_id: int, document: list[str],
          parameters: Mapping[str, Any] | None = None) -> str:
    params: dict[str, Any] = {"TEMPLATE_ID": template_id, "DOCUMENT_ID": document}
    if parameters:
        params["PARAMETERS"] = dict(parameters)
    try:
        result = client.call("bizproc.workflow.start", params)
    except PortalError as error:
        about_document = "document" in getattr(error, "description", "").lower()
        subject = shown(document) if about_document else str(template_id)
        raise explain(error, "start workflows", subject) from None
    if not isinstance(result, str) or not result:
        raise OpsError(f"the portal started no workflow (it answered {result!r})")
    return result


def running(client: PortalClient, template_id: int | None = None) -> list[Instance]:
    params: dict[str, Any] = {"SELECT": SELECT, "ORDER": {"STARTED": "DESC"}}
    if template_id is not None:
        params["FILTER"] = {"TEMPLATE_ID": template_id}
    try:
        rows = client.list_all("bizproc.workflow.instances", params)
    except PortalError as error:
        raise explain(error, "list workflows") from None
    return [Instance(
        id=str(row.get("ID")),
        template_id=_int(row.get("TEMPLATE_ID")),
        document=[str(row.get(k) or "") for k in ("MODULE_ID", "ENTITY", "DOCUMENT_ID")],
        started=row.get("STARTED"),
        started_by=_int(row.get("STARTED_BY")),
        modified=row.get("MODIFIED"),
    ) for row in rows if isinstance(row, dict)]


def terminate(client: PortalClient, workflow_id: str, status: str | None = None) -> None:
    params: dict[str, Any] = {"ID": workflow_id}
    if status:
        params["STATUS"] = status
    try:
        client.call("bizproc.workflow.terminate", params)
    except PortalError as error:
        raise explain(error, "terminate workflows", workflow_id) from None


def kill(client: PortalClient, workflow_id: str) -> None:
    try:
        client.call("bizproc.workflow.kill", {"ID": workflow_id})
    except PortalError as error:
        raise explain(error, "kill workflows", workflow_id) from None
