"""A saved plan's robots still describe the portal and the sources, or `PlanMismatch`.

The portal's CODE lists must be what the plan saw (its `robot_listing` fingerprint), the sources
must declare the same robots and actions, and each one to register must compile to the very
parameters the plan showed (its content hash).
"""

from __future__ import annotations

from collections.abc import Sequence

from compiler.codegen.robots import RobotRegistration
from compiler.deploy.plan import Plan, PlanMismatch, sources_drift
from compiler.deploy.read import Snapshot

AGAIN = "make the plan again with bpl plan"


def verify_robots(plan: Plan, robots: Sequence[RobotRegistration], snapshot: Snapshot) -> None:
    listing = snapshot.robots
    if plan.robot_listing is not None and listing is not None \
            and listing.fingerprint() != plan.robot_listing:
        raise PlanMismatch("the application's robots or actions on the portal changed since the "
                           f"plan was made ({plan.created_at}); {AGAIN}")
    declared = {r.key: r for r in robots}
    planned = {e.key for e in plan.robots if e.action not in ("delete", "keep")}
    detail = sources_drift(declared, planned)
    if detail is not None:
        raise PlanMismatch(f"the robot and action declarations changed since the plan was made "
                           f"({detail}); {AGAIN}")
    for entry in plan.robot_changes:
        registration = declared.get(entry.key)
        if registration is not None and registration.content_hash != entry.content_hash:
            raise PlanMismatch(f"{entry.subject} compiles differently from the plan (its "
                               f"declaration or the environment values changed since); {AGAIN}")
