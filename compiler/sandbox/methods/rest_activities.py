"""bizproc.robot.* and bizproc.activity.* (add / update / list / delete).

Robots and activities of all apps live in one table keyed by
INTERNAL_CODE = md5(client_id + "@" + CODE); the "already installed" check ignores the robot
flag, so a robot and an activity of one app cannot share a CODE.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from compiler.php.serialize import PhpSerializeError, serialize
from compiler.php.values import php_empty, to_int
from compiler.sandbox.doctypes import document_type
from compiler.sandbox.errors import RestError
from compiler.sandbox.methods.base import REGISTRY, Call, Result
from compiler.sandbox.params import param_text
from compiler.sandbox.store import dumps, loads, one

VALIDATION = "ERROR_ACTIVITY_VALIDATION_FAILURE"
_CODE = re.compile(r"^[a-z0-9.\-_]+$", re.IGNORECASE)
_PROPERTY_KEY = re.compile(r"^[a-z][a-z0-9_]*$", re.IGNORECASE)
# Keys whose direct children are names chosen by the app, so their case is kept.
_KEEP_CASE = frozenset({"PROPERTIES", "RETURN_PROPERTIES", "OPTIONS"})
# The ORM column limit on serialized PROPERTIES / RETURN_PROPERTIES.
MAX_PROPERTIES_BYTES = 65535
UPDATABLE = (
    "HANDLER",
    "AUTH_USER_ID",
    "USE_SUBSCRIPTION",
    "USE_PLACEMENT",
    "NAME",
    "DESCRIPTION",
    "PROPERTIES",
    "RETURN_PROPERTIES",
    "DOCUMENT_TYPE",
    "FILTER",
    "PLACEMENT_HANDLER",
)


# One wording for robots and activities alike: the server raises the same texts from
# bizproc/lib/restservice.php addActivityInternal, updateActivityInternal and
# deleteActivityInternal (no language file holds them). The English REST docs word some of
# them "Activity or Automation rule …", a translation of "Robot" that no portal answers.
ALREADY_INSTALLED = "Activity or Robot already installed!"
NOT_FOUND = "Activity or Robot not found!"


@dataclass(frozen=True)
class Family:
    """Robots (IS_ROBOT Y) or activities (N): listed, updated and deleted apart."""

    is_robot: str


ROBOT = Family("Y")
ACTIVITY = Family("N")


def internal_code(client_id: str, code: str) -> str:
    return hashlib.md5(f"{client_id}@{code}".encode()).hexdigest()


def upper_deep(value: Any) -> Any:
    """Upper-case keys recursively, except the names directly inside PROPERTIES & co."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key).upper()
            if name in _KEEP_CASE and isinstance(item, dict):
                out[name] = {str(k): upper_deep(v) for k, v in item.items()}
            else:
                out[name] = upper_deep(item)
        return out
    if isinstance(value, list):
        return [upper_deep(item) for item in value]
    return value


def _invalid(text: str) -> RestError:
    return RestError(VALIDATION, text)


def check_code(code: Any) -> str:
    if php_empty(code):
        raise _invalid("Empty activity code!")
    if not isinstance(code, str) or not _CODE.match(code):
        raise _invalid("Wrong activity code!")
    return code


def check_handler(url: Any) -> str:
    """HandlerHelper::checkCallback: a host with a dot, and http or https. PHP's parse_url
    fails on a port that is not a number up to 65535, and so does the check."""
    text = url if isinstance(url, str) else ""
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port
    except ValueError:
        host, parts = "", None
    if parts is None or host.find(".") <= 0:
        raise RestError("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")
    if parts.scheme not in ("http", "https"):
        raise RestError("ERROR_UNSUPPORTED_PROTOCOL", "Unsupported handler protocol")
    return text


def check_properties(value: Any) -> dict[str, Any]:
    if isinstance(value, list) and not value:
        return {}
    if not isinstance(value, dict):
        raise _invalid("Wrong properties array!")
    for key, prop in value.items():
        if not _PROPERTY_KEY.match(key):
            raise _invalid(f"Wrong property key ({key})!")
        if not isinstance(prop, dict) or php_empty(prop.get("NAME")):
            raise _invalid(f"Empty property NAME ({key})!")
    return value


def _serialized_size(value: Any) -> int:
    try:
        return len(serialize(value))
    except (PhpSerializeError, TypeError, ValueError):
        return len(dumps(value).encode())


def _validate_fields(data: dict[str, Any], *, adding: bool) -> dict[str, Any]:
    """The columns to store for the given (upper-cased) fields; raises on the first problem."""
    row: dict[str, Any] = {}
    if adding or "HANDLER" in data:
        row["handler"] = check_handler(data.get("HANDLER"))
    if adding or "NAME" in data:
        if php_empty(data.get("NAME")):
            raise _invalid("Empty activity NAME!")
        row["name"] = dumps(data["NAME"])
    for key in ("PROPERTIES", "RETURN_PROPERTIES"):
        if data.get(key) is not None:
            row[key.lower()] = dumps(check_properties(data[key]))
    if "DOCUMENT_TYPE" in data:
        if php_empty(data["DOCUMENT_TYPE"]):
            row["document_type"] = "[]"  # an empty value clears the binding
        else:
            bound = document_type(data["DOCUMENT_TYPE"])
            if bound is None:
                raise _invalid("Wrong activity DOCUMENT_TYPE!")
            row["document_type"] = dumps(list(bound))
    if "FILTER" in data:
        if php_empty(data["FILTER"]):
            row["filter"] = "[]"
        elif not isinstance(data["FILTER"], (dict, list)):
            raise _invalid("Wrong activity FILTER!")
        else:
            row["filter"] = dumps(data["FILTER"])
    if "DESCRIPTION" in data:
        row["description"] = dumps(data["DESCRIPTION"])
    if "AUTH_USER_ID" in data:
        row["auth_user_id"] = max(to_int(data["AUTH_USER_ID"]), 0)
    if "USE_SUBSCRIPTION" in data:
        row["use_subscription"] = param_text(data["USE_SUBSCRIPTION"])
    if "USE_PLACEMENT" in data:
        row["use_placement"] = "Y" if param_text(data["USE_PLACEMENT"]).upper() == "Y" else "N"
    if "PLACEMENT_HANDLER" in data:
        row["placement_handler"] = param_text(data["PLACEMENT_HANDLER"])
    return row


def _check_placement(conn: sqlite3.Connection, row: dict[str, Any], code: str) -> None:
    if row.get("use_placement") != "Y":
        return
    handler = check_handler(row.get("placement_handler"))
    clash = conn.execute(
        "SELECT 1 FROM rest_activities WHERE placement_handler = ? AND use_placement = 'Y' "
        "AND internal_code <> ?",
        (handler, code),
    ).fetchone()
    if clash is not None:
        raise RestError(
            "ERROR_CORE",
            "Unable to set placement handler: You should use unique placement handler for each "
            "CODE!",
        )


def _too_large(row: dict[str, Any]) -> bool:
    return any(
        _serialized_size(loads(row[key])) >= MAX_PROPERTIES_BYTES
        for key in ("properties", "return_properties")
        if key in row
    )


def _add(call: Call, family: Family) -> Result:
    call.require_app_admin()
    data = upper_deep(call.params)
    if not data:
        raise _invalid("Empty data!")
    code = check_code(data.get("CODE"))
    row = _validate_fields(data, adding=True)
    client_id = call.caller.client_id or ""
    key = internal_code(client_id, code)
    if call.conn.execute(
        "SELECT 1 FROM rest_activities WHERE internal_code = ?", (key,)
    ).fetchone():
        raise RestError("ERROR_ACTIVITY_ALREADY_INSTALLED", ALREADY_INSTALLED)
    row.setdefault("use_placement", "N")
    _check_placement(call.conn, row, key)
    if _too_large(row):
        raise RestError("ERROR_ACTIVITY_ADD_FAILURE", "Activity save error!")
    row.update(
        app_id=call.caller.app_id,
        client_id=client_id,
        internal_code=key,
        code=code,
        is_robot=family.is_robot,
    )
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    call.conn.execute(
        f"INSERT INTO rest_activities({columns}) VALUES ({marks})", tuple(row.values())
    )
    return Result(True)


def _find(call: Call, family: Family, code: str) -> sqlite3.Row | None:
    key = internal_code(call.caller.client_id or "", code)
    return one(
        call.conn,
        "SELECT * FROM rest_activities WHERE internal_code = ? AND is_robot = ?",
        (key, family.is_robot),
    )


def _update(call: Call, family: Family) -> Result:
    call.require_app_admin()
    data = upper_deep(call.params)
    code = check_code(data.get("CODE"))
    existing = _find(call, family, code)
    if existing is None:
        raise RestError("ERROR_ACTIVITY_NOT_FOUND", NOT_FOUND)
    fields = data.get("FIELDS")
    known = {k: v for k, v in fields.items() if k in UPDATABLE} if isinstance(fields, dict) else {}
    if not known:
        raise _invalid("No fields to update")
    row = _validate_fields(known, adding=False)
    merged = {
        "use_placement": existing["use_placement"],
        "placement_handler": existing["placement_handler"],
        **row,
    }
    _check_placement(call.conn, merged, existing["internal_code"])
    if _too_large(row):
        raise _invalid("Activity save error!")
    assignments = ", ".join(f"{column} = ?" for column in row)
    call.conn.execute(
        f"UPDATE rest_activities SET {assignments} WHERE id = ?", (*row.values(), existing["id"])
    )
    return Result(True)


def _delete(call: Call, family: Family) -> Result:
    call.require_app_admin()
    data = upper_deep(call.params)
    code = check_code(data.get("CODE"))
    existing = _find(call, family, code)
    if existing is None:
        raise RestError("ERROR_ACTIVITY_NOT_FOUND", NOT_FOUND)
    call.conn.execute("DELETE FROM rest_activities WHERE id = ?", (existing["id"],))
    return Result(True)


def _list(call: Call, family: Family) -> Result:
    call.require_app_admin()
    rows = call.conn.execute(
        "SELECT code FROM rest_activities WHERE client_id = ? AND is_robot = ? ORDER BY id",
        (call.caller.client_id, family.is_robot),
    ).fetchall()
    return Result([row["code"] for row in rows])


def _register(prefix: str, family: Family) -> None:
    REGISTRY.add(f"{prefix}.add", writes=True)(lambda call: _add(call, family))
    REGISTRY.add(f"{prefix}.update", writes=True)(lambda call: _update(call, family))
    REGISTRY.add(f"{prefix}.delete", writes=True)(lambda call: _delete(call, family))
    REGISTRY.add(f"{prefix}.list")(lambda call: _list(call, family))


_register("bizproc.robot", ROBOT)
_register("bizproc.activity", ACTIVITY)
