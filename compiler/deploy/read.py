"""Reading what the portal has: who we are on it and every template it lists.

One `batch` call asks `app.info` (our application's numeric id, hence our SYSTEM_CODE),
`user.admin` (whether the credential's user is a portal administrator: Bitrix lets only
administrators list and import templates over REST, and some activities are for
administrators only) and the first page of `template.list` together; when there are more
than 50 templates, one more `batch` fetches all the other pages at once (up to 2,500 templates
per call). A plan therefore costs 1 call up to 50 templates and 2 up to 2,550, instead of
one per page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.bitrix.canonical import (
    CanonicalTemplate,
    Normaliser,
    header_of_row,
    template_of_row,
)
from compiler.deploy.identity import read_marker, system_code
from compiler.deploy.robot_read import RobotListing, listing_commands, listing_from
from compiler.portal import PortalClient
from compiler.portal.batch import BATCH_LIMIT, Command

LIST = "bizproc.workflow.template.list"
PAGE = 50
SELECT = [
    "ID", "NAME", "DESCRIPTION", "DOCUMENT_TYPE", "MODULE_ID", "ENTITY", "AUTO_EXECUTE",
    "TEMPLATE", "PARAMETERS", "VARIABLES", "CONSTANTS", "MODIFIED", "IS_MODIFIED",
    "SYSTEM_CODE", "USER_ID",
]


class ReadError(Exception):
    """The portal's answer cannot be used to plan; the message says why."""


class NotAdmin(ReadError):
    """The environment's credential belongs to a user who is not a portal administrator."""

    def __init__(self) -> None:
        super().__init__(
            "the environment's credential belongs to a user who is not a portal administrator "
            "(user.admin answered false): Bitrix lets only administrators list, add and update "
            "workflow templates over REST (bizproc/lib/restservice.php checkAdminPermissions); "
            "use an administrator's webhook, or install the application as an administrator")


@dataclass
class Snapshot:
    """The portal as read at one moment."""

    app_id: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0
    robots: RobotListing | None = None  # read only when asked (plan and apply)
    # user.admin's answer; None when the portal did not give one
    admin: bool | None = None

    @property
    def system_code(self) -> str:
        return system_code(self.app_id)

    def row(self, template_id: int) -> dict[str, Any] | None:
        return next((r for r in self.rows if row_id(r) == template_id), None)

    @property
    def max_id(self) -> int:
        return max((row_id(r) for r in self.rows), default=0)

    def fingerprint(self) -> str:
        """Hash of every template bpl could touch or confuse with its own: this app's and any
        carrying a bpl marker. Apply refuses a plan whose fingerprint no longer matches."""
        relevant = sorted(
            (r for r in self.rows
             if r.get("SYSTEM_CODE") == self.system_code or read_marker(_text(r))[0]),
            key=row_id,
        )
        payload = json.dumps([self.system_code, relevant], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()


def _text(row: Mapping[str, Any]) -> str | None:
    value = row.get("DESCRIPTION")
    return value if isinstance(value, str) else None


def from_portal(row: Mapping[str, Any], normaliser: Normaliser) -> CanonicalTemplate:
    """A `template.list` row in canonical form (its DESCRIPTION without bpl's marker); raises
    TemplateShapeError when its template data is damaged."""
    return normaliser.template(template_of_row(row),
                               header_of_row(row, read_marker(_text(row))[1]))


def row_id(row: Mapping[str, Any]) -> int:
    try:
        return int(row.get("ID") or 0)
    except (TypeError, ValueError):
        return 0


def _page(start: int, select: list[str]) -> tuple[str, dict[str, Any]]:
    return LIST, {"SELECT": select, "ORDER": {"ID": "ASC"}, "start": start}


def _rows(result: Any) -> list[dict[str, Any]]:
    if isinstance(result, list):
        return [r for r in result if isinstance(r, dict)]
    if isinstance(result, Mapping):  # a PHP array keyed 0..n-1 that lost its list shape
        return [r for r in result.values() if isinstance(r, dict)]
    raise ReadError(f"the portal answered {LIST} with a {type(result).__name__}, not rows")


def _app_id(info: Any, configured: int | None) -> int:
    if configured is not None:
        return configured
    if isinstance(info, Mapping):
        try:
            return int(info.get("ID"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            pass
    raise ReadError(
        "the portal did not say which application this is (app.info has no ID), so bpl "
        "cannot tell its templates apart; a webhook has no application: set app_id of the "
        "environment in bpl.toml (the N of SYSTEM_CODE rest_app_N), or use OAuth")


def _admin(answer: Any) -> bool | None:
    # user.admin answers a JSON boolean; batch results of older portals may carry it as text.
    if isinstance(answer, bool):
        return answer
    if answer in ("true", "1", 1):
        return True
    if answer in ("false", "0", "", 0):
        return False
    return None


def read_portal(client: PortalClient, *, app_id: int | None = None,
                select: list[str] | None = None, robots: bool = False) -> Snapshot:
    """Every template the portal lists (robot templates are never listed, see §7.4), and with
    `robots` the CODEs of the application's robots and actions, in the same first call."""
    columns = select or SELECT
    commands: dict[str, Command] = {"app": ("app.info", {}), "admin": ("user.admin", {}),
                                    "page": _page(0, columns)}
    if robots:
        commands.update(listing_commands())
    first = client.batch(commands)
    calls = 1
    admin = _admin(first.result.get("admin")) if "admin" not in first.result_error else None
    if admin is False:
        raise NotAdmin()
    if "page" in first.result_error:
        raise first.result_error["page"]
    info = first.result.get("app") if "app" not in first.result_error else None
    snapshot = Snapshot(_app_id(info, app_id), admin=admin)
    if robots:
        snapshot.robots = listing_from(first)
    snapshot.rows = _rows(first.result.get("page"))
    total = first.result_total.get("page", len(snapshot.rows))
    starts = list(range(PAGE, total, PAGE))
    for offset in range(0, len(starts), BATCH_LIMIT):
        chunk = starts[offset:offset + BATCH_LIMIT]
        pages = client.batch({f"p{start}": _page(start, columns) for start in chunk})
        calls += 1
        for start in chunk:
            key = f"p{start}"
            if key in pages.result_error:
                raise pages.result_error[key]
            snapshot.rows.extend(_rows(pages.result.get(key, [])))
    snapshot.calls = calls
    # Pages read a moment apart can overlap when templates are added meanwhile.
    unique = {row_id(r): r for r in snapshot.rows}
    snapshot.rows = [unique[k] for k in sorted(unique)]
    return snapshot


def read_template(client: PortalClient, template_id: int) -> dict[str, Any] | None:
    """One template by ID (used to check what an interrupted write did)."""
    rows = client.call(LIST, {"SELECT": SELECT, "FILTER": {"ID": template_id}})
    found = [r for r in _rows(rows) if row_id(r) == template_id]
    return found[0] if found else None


def running_instances(client: PortalClient, template_ids: list[int]) -> dict[int, int]:
    """How many workflows run on each template (a running one blocks its delete)."""
    if not template_ids:
        return {}
    commands = {
        f"t{tid}": ("bizproc.workflow.instances",
                    {"SELECT": ["ID"], "FILTER": {"TEMPLATE_ID": tid}})
        for tid in template_ids
    }
    answer = client.batch(commands)
    counts: dict[int, int] = {}
    for tid in template_ids:
        key = f"t{tid}"
        if key in answer.result_error:
            raise answer.result_error[key]
        rows = answer.result.get(key) or []
        counts[tid] = answer.result_total.get(key, len(rows) if isinstance(rows, list) else 0)
    return counts

