"""A sandbox portal, clients wired to it and small .bpl projects: the deploy tests' bench."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from click.testing import CliRunner, Result

from compiler.catalog import load_catalog
from compiler.cli.main import main
from compiler.deploy import (
    ApplyReport,
    DeployState,
    Normaliser,
    Plan,
    PlanInputs,
    Snapshot,
    apply_plan,
    plan_deploy,
)
from compiler.pipeline import BuildResult, build
from compiler.portal import ManualClock, OAuthAuth, PortalClient, PortalConfig
from compiler.portal.client import Limits as ClientLimits
from compiler.sandbox import Faults, Limits, Sandbox, SandboxConfig
from compiler.semantics.environment import APP_CLIENT_ID, Environment

BASE = "https://sandbox.test"
WRITES = ("bizproc.workflow.template.add", "bizproc.workflow.template.update",
          "bizproc.workflow.template.delete")

DEAL = """\
workflow deal_approval for crm.deal {
    title "Large deal approval"
    description "Sends deals above the limit to the head of sales"
    autostart create, edit

    param limit: double = 100000 "Amount limit"
    var verdict: string "Verdict"
    const head: user = env.head "Head of sales"

    if doc.OPPORTUNITY > param.limit {
        status "Waiting for approval"
        approve "Approve deal {doc.TITLE}" by const.head as first {
            vote any
            timeout 2d
        } approved {
            var.verdict = "approved by {first.LastApprover | printable}"
        } rejected {
            notify doc.ASSIGNED_BY_ID "Rejected: {first.Comments}"
        }
    } else {
        log "Deal {doc.TITLE} is below the limit"
    }
}
"""

LEAD = """\
workflow lead_check for crm.lead {
    title "Lead check"
    if doc.PHONE is empty and doc.EMAIL is empty {
        log "Lead {doc.TITLE} cannot be contacted"
    }
    notify doc.ASSIGNED_BY_ID "New lead {doc.TITLE}"
}
"""

VACATION = """\
statemachine vacation for lists.element(env.vacation_list) {
    title "Vacation request"
    const head: user = env.head "Head of department"
    state draft "Draft" initial {
        on command submit "Submit" by role.author {
            goto review
        }
    }
    state review "Waiting for approval" {
        enter {
            notify const.head "Vacation request {doc.NAME}"
        }
        on command approve "Approve" by const.head {
            goto done
        }
    }
    state done "Approved" {
        enter {
            terminate "Approved"
        }
    }
}
"""

PROJECT = {"deal.bpl": DEAL, "lead.bpl": LEAD, "vacation.bpl": VACATION}
VALUES = {"head": "user_1", "vacation_list": 42}


def numbered(count: int) -> dict[str, str]:
    """`count` small workflows, as a project of that many files."""
    return {f"wf{n:03}.bpl": (
        f'workflow wf{n:03} for crm.deal {{\n'
        f'    title "Workflow {n}"\n'
        f'    if doc.OPPORTUNITY > {n * 100} {{\n'
        f'        log "Deal {{doc.TITLE}} is above {n * 100}"\n'
        f'    }} else {{\n'
        f'        notify doc.ASSIGNED_BY_ID "Deal {{doc.TITLE}} is small"\n'
        f'    }}\n'
        f'}}\n') for n in range(count)}


class SharedClock(ManualClock):
    """One fake time for both sides: the client sleeps on it, the sandbox reads `now()`."""

    def now(self) -> float:
        return self.time()


@dataclass
class Rig:
    root: Path
    limits: Limits = field(default_factory=Limits.off)
    faults: Faults = field(default_factory=Faults.none)
    client_limits: ClientLimits = "off"
    clock: SharedClock = field(default_factory=SharedClock)

    def __post_init__(self) -> None:
        self.sandbox = Sandbox(SandboxConfig(limits=self.limits, faults=self.faults,
                                             clock=self.clock))
        self.creds = self.sandbox.ensure_default_app()
        self.state = DeployState(self.root / "state-test.json")
        self.normaliser = Normaliser(load_catalog())
        self.refused = 0  # requests the portal's leaky bucket answered QUERY_LIMIT_EXCEEDED
        admit = self.sandbox.portal.bucket.admit

        def counting(key: str) -> bool:
            allowed = admit(key)
            self.refused += not allowed
            return allowed

        self.sandbox.portal.bucket.admit = counting  # type: ignore[method-assign]
        self.clients: list[PortalClient] = []

    def client(self, base: str = BASE, *, in_process: bool = True,
               retries: int = 5) -> PortalClient:
        auth = OAuthAuth(self.creds.client_id, self.creds.client_secret, self.creds.access_token,
                         self.creds.refresh_token, oauth_url=f"{base}/oauth/token/")
        transport = httpx.ASGITransport(app=self.sandbox.asgi_app) if in_process else None
        config = PortalConfig(base, auth, limits=self.client_limits, retries=retries,
                              timeout=10)
        made = PortalClient(config, transport, clock=self.clock, rng=random.Random(7))
        self.clients.append(made)
        return made

    def compile(self, sources: Mapping[str, str], folder: str = "src",
                **values: str | int) -> BuildResult:
        where = self.root / folder
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob("*.bpl"):
            old.unlink()
        for name, text in sources.items():
            (where / name).write_text(text, encoding="utf-8")
        env = Environment("test", {**VALUES, APP_CLIENT_ID: self.creds.client_id, **values},
                          symbolic=False)
        result = build([where], env)
        assert result.ok, [d.message for d in result.diagnostics]
        return result

    def plan(self, client: PortalClient, result: BuildResult, *, prune: bool = False,
             namespace: str | None = None) -> tuple[Plan, Snapshot]:
        return plan_deploy(client, result.templates, result.sources,
                           PlanInputs("test", BASE, namespace, prune), state=self.state)

    def apply(self, client: PortalClient, plan: Plan, result: BuildResult,
              snapshot: Snapshot | None = None) -> ApplyReport:
        return apply_plan(client, plan, result.templates, normaliser=self.normaliser,
                          snapshot=snapshot, state=self.state)

    def deploy(self, client: PortalClient, result: BuildResult,
               *, prune: bool = False) -> tuple[Plan, ApplyReport]:
        made, snapshot = self.plan(client, result, prune=prune)
        return made, self.apply(client, made, result, snapshot)

    def rows(self) -> list[dict[str, object]]:
        """What the portal holds, read behind the client's back (no faults, no limits)."""
        with self.sandbox.portal.store.transaction() as conn:
            return [dict(r) for r in conn.execute("SELECT * FROM templates ORDER BY id")]

    def close(self) -> None:
        for made in self.clients:
            made.close()
        self.sandbox.close()


def writes(client: PortalClient) -> int:
    return sum(client.stats.calls_by_method[m] for m in WRITES)


@contextmanager
def rig(root: Path, **options: object) -> Iterator[Rig]:
    made = Rig(root, **options)  # type: ignore[arg-type]
    try:
        yield made
    finally:
        made.close()


def write_sources(root: Path, toml: str, sources: Mapping[str, str]) -> None:
    """A project on disk: bpl.toml and exactly these files under src/."""
    (root / "bpl.toml").write_text(toml, encoding="utf-8")
    (root / "src").mkdir(exist_ok=True)
    for old in (root / "src").glob("*.bpl"):
        old.unlink()
    for name, text in sources.items():
        (root / "src" / name).write_text(text, encoding="utf-8")


def run_bpl(*args: str, input: str | None = None) -> Result:
    """The `bpl` command in this process, exceptions surfacing as failures."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
