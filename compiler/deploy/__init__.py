"""Deploying compiled templates to a portal: plan what would change, then apply exactly that.

    portal ──read──▶ snapshot ─┐
                               ├─normalise─▶ diff ─▶ Plan ──(review, save)──▶ apply
    compiled templates ────────┘

`identity` decides which portal template a workflow owns, `normalise` makes both sides
comparable, `diff` pairs and compares activities, `planner` builds the `plan`, `render` shows
it, `apply` carries it out, `state` remembers what was applied (for drift warnings only).

App robots and actions are a second kind of resource: `robot_read` lists their CODEs (all the
portal shows of them), `robot_planner` compares the declarations with what the state file says
bpl registered, `robot_apply` registers, updates and deletes them, `robot_verify` checks a
saved plan's robots.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from compiler.bitrix.canonical import Normaliser
from compiler.catalog import Catalog, load_catalog
from compiler.codegen import CompiledTemplate
from compiler.codegen.robots import RobotRegistration
from compiler.deploy.apply import ApplyReport, Outcome, PlanMismatch, apply_plan
from compiler.deploy.plan import Plan, load_plan, save_plan
from compiler.deploy.planner import PlanInputs, Planner
from compiler.deploy.read import Snapshot, read_portal, running_instances
from compiler.deploy.robot_planner import RobotPlanner
from compiler.deploy.state import DeployState
from compiler.portal import PortalClient
from compiler.source import SourceFile


def plan_deploy(client: PortalClient, templates: Sequence[CompiledTemplate],
                sources: Mapping[str, SourceFile], inputs: PlanInputs, *,
                state: DeployState | None = None, app_id: int | None = None,
                catalog: Catalog | None = None, robots: Sequence[RobotRegistration] = (),
                client_id: str | None = None) -> tuple[Plan, Snapshot]:
    """Read the portal and plan `templates` and `robots` against it (`client_id`: the
    application's, which the activity types of its robots are made of)."""
    snapshot = read_portal(client, app_id=app_id, robots=True)
    planner = Planner(Normaliser(catalog or load_catalog()), sources, state,
                      instances=lambda ids: running_instances(client, ids))
    plan = planner.plan(templates, snapshot, inputs)
    plan.robots, plan.foreign_robots = RobotPlanner(sources, state, client_id).plan(
        robots, snapshot, plan.templates, prune=inputs.prune)
    plan.robot_listing = snapshot.robots.fingerprint() if snapshot.robots else None
    return plan, snapshot


__all__ = [
    "ApplyReport",
    "DeployState",
    "Normaliser",
    "Outcome",
    "Plan",
    "PlanInputs",
    "PlanMismatch",
    "Snapshot",
    "apply_plan",
    "load_plan",
    "plan_deploy",
    "save_plan",
]
