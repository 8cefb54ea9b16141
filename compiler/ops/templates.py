"""The portal's workflow templates, with whose each one is, and deleting one of bpl's.

Ownership is the deployer's (`compiler.deploy.identity`): this application's templates carry
its SYSTEM_CODE, bpl's also the project's marker in their description."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from compiler.bitrix.canonical import document_type_of
from compiler.deploy.identity import classify
from compiler.deploy.read import ReadError, read_portal, row_id, running_instances
from compiler.ops.errors import APP_CONTEXT, OpsError, explain
from compiler.portal import PortalClient, PortalError

LIST = "bizproc.workflow.template.list"
SELECT = ["ID", "NAME", "DESCRIPTION", "DOCUMENT_TYPE", "MODULE_ID", "ENTITY", "AUTO_EXECUTE",
          "MODIFIED", "IS_MODIFIED", "SYSTEM_CODE", "USER_ID"]


@dataclass(frozen=True)
class TemplateRow:
    id: int
    name: str
    document_type: list[str]
    managed_as: str | None  # the workflow's name when bpl manages it
    ownership: str  # managed, unmarked, other-project, other-app, designer, unknown
    auto_execute: Any
    modified: str | None
    system_code: str | None

    @property
    def ours(self) -> bool:
        return self.ownership in ("managed", "unmarked", "other-project")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _rows(client: PortalClient, app_id: int | None) -> tuple[list[dict[str, Any]], str | None]:
    """(every listed template, our SYSTEM_CODE or None when the credentials have no app)."""
    try:
        snapshot = read_portal(client, app_id=app_id, select=SELECT)
        return snapshot.rows, snapshot.system_code
    except ReadError:
        # A webhook belongs to no application: the rows are still readable.
        rows = client.list_all(LIST, {"SELECT": SELECT, "ORDER": {"ID": "ASC"}})
        return [r for r in rows if isinstance(r, dict)], None


def listed(client: PortalClient, *, app_id: int | None = None, namespace: str | None = None,
           include_all: bool = False) -> list[TemplateRow]:
    """This application's templates, or with `include_all` every template the portal lists
    (the designer's, other apps'; robot templates are never listed by Bitrix)."""
    try:
        rows, ours = _rows(client, app_id)
    except PortalError as error:
        raise explain(error, "list templates") from None
    if ours is None and not include_all:
        raise OpsError("these credentials belong to no application (a webhook), so bpl cannot "
                       "tell its own templates apart: pass --all, or set app_id of the "
                       "environment in bpl.toml (the N of SYSTEM_CODE rest_app_N)")
    out = []
    for row in rows:
        code = _text(row.get("SYSTEM_CODE"))
        if ours is None:
            managed, ownership = None, "designer" if not code else "unknown"
        else:
            owner = classify(code, _text(row.get("DESCRIPTION")), ours, namespace)
            managed, ownership = owner.workflow, owner.ownership.value
        item = TemplateRow(row_id(row), str(row.get("NAME") or ""),
                           list(document_type_of(row)), managed, ownership,
                           row.get("AUTO_EXECUTE"), _text(row.get("MODIFIED")), code)
        if include_all or item.ours:
            out.append(item)
    return out


def resolve(client: PortalClient, text: str, *, app_id: int | None = None,
            namespace: str | None = None) -> int:
    """A template id from an id ("12"), the name of a workflow bpl deployed (`purchase`) or a
    template's NAME (`Purchase`, any case); an OpsError says which are ambiguous or missing."""
    wanted = text.strip()
    if wanted.isdigit():
        return int(wanted)
    rows = listed(client, app_id=app_id, namespace=namespace, include_all=True)
    for matches in ([r for r in rows if r.managed_as == wanted],
                    [r for r in rows if r.name.casefold() == wanted.casefold()]):
        if len(matches) == 1:
            return matches[0].id
        if matches:
            ids = ", ".join(str(r.id) for r in matches)
            raise OpsError(f"{len(matches)} templates are called '{wanted}' (ids {ids}): "
                           "give the id")
    raise OpsError(f"there is no template or bpl workflow called '{wanted}' on the portal "
                   "(bpl templates list --all shows them)")


def find(client: PortalClient, template_id: int, *, app_id: int | None = None,
         namespace: str | None = None) -> TemplateRow:
    for row in listed(client, app_id=app_id, namespace=namespace, include_all=True):
        if row.id == template_id:
            return row
    raise OpsError(f"there is no template {template_id} on the portal "
                   "(bpl templates list --all shows them)")


def delete(client: PortalClient, template_id: int, *, app_id: int | None = None,
           namespace: str | None = None) -> TemplateRow:
    """Delete one of this application's templates; refuses (with the reason) what Bitrix
    would refuse, before asking it."""
    if client.config.auth.kind == "webhook":
        raise OpsError(f"deleting a template {APP_CONTEXT}")
    row = find(client, template_id, app_id=app_id, namespace=namespace)
    try:
        if not row.ours:
            owner = row.system_code or "the designer"
            raise OpsError(f"template {template_id} was made by {owner}, not by this "
                           "application; Bitrix lets only the application that added a "
                           "template delete it")
        count = running_instances(client, [template_id]).get(template_id, 0)
        if count:
            raise OpsError(f"{count} running workflow(s) use template {template_id}; the "
                           "portal deletes it once they finish or are stopped (bpl workflows "
                           f"list --template {template_id})")
        client.call("bizproc.workflow.template.delete", {"ID": template_id})
    except PortalError as error:
        raise explain(error, "delete templates", str(template_id)) from None
    return row
