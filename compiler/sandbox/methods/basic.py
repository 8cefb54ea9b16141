"""The few non-bizproc methods a client needs to orient itself: profile, app.info, user.admin,
scope."""

from __future__ import annotations

from compiler.sandbox.clock import iso
from compiler.sandbox.methods.base import REGISTRY, Call, Result


@REGISTRY.add("profile", scope="basic")
def profile(call: Call) -> Result:
    row = call.conn.execute("SELECT * FROM users WHERE id = ?", (call.caller.user_id,)).fetchone()
    return Result(
        {
            "ID": str(row["id"]),
            "ADMIN": bool(row["is_admin"]),
            "NAME": row["name"],
            "LAST_NAME": row["last_name"],
            "PERSONAL_GENDER": "",
            "PERSONAL_PHOTO": "",
            "TIME_ZONE": "UTC",
            "TIME_ZONE_OFFSET": 0,
        }
    )


@REGISTRY.add("app.info", scope="basic")
def app_info(call: Call) -> Result:
    info: dict[str, object] = {
        "SCOPE": sorted(call.caller.scopes),
        "LICENSE": "en_project",
        "LICENSE_TYPE": "project",
        "LICENSE_FAMILY": "project",
    }
    if call.caller.app_id is not None:
        row = call.conn.execute("SELECT * FROM apps WHERE id = ?", (call.caller.app_id,)).fetchone()
        info = {
            "ID": int(row["id"]),
            "CODE": row["code"],
            "VERSION": int(row["version"]),
            "STATUS": "L",
            "INSTALLED": True,
            "PAYMENT_EXPIRED": "N",
            "DAYS": None,
            "LANGUAGE_ID": "en",
            **info,
        }
    return Result(info)


@REGISTRY.add("user.admin", scope="basic")
def user_admin(call: Call) -> Result:
    """Whether the caller is a portal administrator (rest/lib/api/user.php isAdmin →
    CRestUtil::isAdmin): a bare boolean, for any user (the method is in the global scope)."""
    return Result(call.caller.is_admin)


@REGISTRY.add("scope", scope="basic")
def scope(call: Call) -> Result:
    return Result(sorted(call.caller.scopes))


@REGISTRY.add("server.time", scope="basic")
def server_time(call: Call) -> Result:
    return Result(iso(call.now))
