"""Plan/apply cycles against the sandbox portal while it fails 20% and 40% of the time.

Each example draws how the faults split (failed answers, dropped connections, answers lost
after the write, expired tokens), a seed, and a few cycles: which version of the sources to
deploy, with or without --prune, by one apply or by two racing each other. After every cycle:

- what a report calls applied is on the portal, and a failure to read or plan wrote nothing;
- a workflow with two templates is never left unreported: if every report of the cycle is
  clean, the portal holds one template per workflow;

and in the end further applies converge to exactly the last sources, once each. Everything the
runs printed, logged or saved is searched for every secret the portal issued: none may appear.

`make fuzz` runs it with budgets BPL_FUZZ_SCALE times larger.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import pytest
from deploy.rig import BASE, PROJECT, VALUES, Rig, numbered, rig
from fuzzing import budget
from hypothesis import given
from hypothesis import strategies as st

from compiler.deploy import ApplyReport, DeployState, Plan, PlanInputs, apply_plan, plan_deploy
from compiler.deploy.apply import PlanMismatch
from compiler.deploy.identity import read_marker
from compiler.deploy.plan import TemplatePlan
from compiler.deploy.read import ReadError, from_portal, read_template
from compiler.deploy.render import render
from compiler.pipeline import BuildResult, build
from compiler.portal import (
    OAuthAuth,
    PortalClient,
    PortalConfig,
    PortalError,
    TokenStore,
    WebhookAuth,
)
from compiler.sandbox import Faults
from compiler.sandbox.faults import FaultInjector
from compiler.semantics.environment import APP_CLIENT_ID, Environment

BASELINE = {**PROJECT, **numbered(4)}
VERSIONS: dict[str, dict[str, str]] = {
    "base": BASELINE,
    "retitled": {n: t.replace('title "', 'title "New ') for n, t in BASELINE.items()},
    "fewer": {n: t for n, t in BASELINE.items() if n not in ("wf001.bpl", "wf002.bpl")},
    "moved": {**BASELINE, "lead.bpl": BASELINE["lead.bpl"].replace("crm.lead", "crm.contact")
              .replace("doc.TITLE", "doc.NAME")},
    "edited": {**BASELINE, "deal.bpl": BASELINE["deal.bpl"].replace("timeout 2d",
                                                                     "timeout 5d")},
}
Cycle = tuple[str, bool, bool]  # sources version, --prune, two applies racing


@cache
def compiled(version: str, root: str) -> BuildResult:
    folder = Path(root) / version
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in VERSIONS[version].items():
        (folder / name).write_text(text, encoding="utf-8")
    result = build([folder], Environment("fuzz", {**VALUES, APP_CLIENT_ID: "local.fuzz"},
                                         symbolic=False))
    assert result.ok
    return result


@st.composite
def faults(draw: st.DrawFn, level: float) -> Faults:
    """`level` of the calls misbehave, split at random between the kinds of fault."""
    cuts = sorted(draw(st.lists(st.floats(0, level), min_size=2, max_size=2)))
    return Faults(error_rate=cuts[0], drop_rate=cuts[1] - cuts[0],
                  after_commit_rate=level - cuts[1], codes=(500, 502, 503, 504),
                  expire_tokens_every=draw(st.sampled_from([0, 3, 7])),
                  seed=draw(st.integers(0, 2**31)))


CYCLES = st.lists(st.tuples(st.sampled_from(sorted(VERSIONS)), st.booleans(), st.booleans()),
                  min_size=2, max_size=3)


class Outputs(logging.Handler):
    """Everything a user of these runs could see: log lines, plans, reports, errors, files."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        self.add(self.format(record))

    def add(self, *texts: object) -> None:
        with self._lock:
            self.texts.extend(str(t) for t in texts)


@contextlib.contextmanager
def captured() -> Iterator[Outputs]:
    outputs = Outputs()
    root = logging.getLogger()
    names = ("compiler", "httpx", "httpcore", "bpl.sandbox")
    levels = {name: logging.getLogger(name).level for name in names}
    root.addHandler(outputs)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield outputs
    finally:
        root.removeHandler(outputs)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def show(outputs: Outputs, plan: Plan) -> None:
    outputs.add(*(render(plan, fmt, verbose=True) for fmt in ("human", "json", "markdown")))


def show_report(outputs: Outputs, report: ApplyReport) -> None:
    outputs.add(*(o.message for o in report.outcomes), report.recheck_error or "",
                json.dumps(report.duplicates))


def connect(made: Rig, tokens: Path) -> PortalClient:
    """A client as one `bpl apply` has: the app's tokens seed it, the token store keeps them
    as they rotate (runs after the first refresh read them from there)."""
    auth = OAuthAuth(made.creds.client_id, made.creds.client_secret, made.creds.access_token,
                     made.creds.refresh_token, oauth_url=f"{BASE}/oauth/token/",
                     store=TokenStore(tokens))
    client = PortalClient(PortalConfig(BASE, auth, limits="off", timeout=10),
                          httpx.ASGITransport(app=made.sandbox.asgi_app), clock=made.clock,
                          rng=random.Random(7))
    made.clients.append(client)
    return client


def deploy(made: Rig, client: PortalClient, result: BuildResult, prune: bool, state: DeployState,
           outputs: Outputs, start: threading.Barrier | None = None) -> ApplyReport | None:
    """One `bpl apply`: plan, then apply that plan; None when it stopped before writing."""
    before = made.rows()
    try:
        plan, snapshot = plan_deploy(client, result.templates, result.sources,
                                     PlanInputs("fuzz", BASE, None, prune), state=state)
        show(outputs, plan)
        if start is not None:
            start.wait()
        report = apply_plan(client, plan, result.templates, normaliser=made.normaliser,
                            snapshot=snapshot, state=state)
    except (PlanMismatch, PortalError, ReadError) as error:
        outputs.add(error)
        if start is None:
            assert made.rows() == before, "an apply that stopped before writing wrote"
        else:
            start.abort()  # the racer goes on alone
        return None
    except threading.BrokenBarrierError:
        return None
    show_report(outputs, report)
    return report


def racing(made: Rig, result: BuildResult, prune: bool, root: Path,
           outputs: Outputs) -> list[ApplyReport | None]:
    start = threading.Barrier(2)
    reports: list[ApplyReport | None] = [None, None]
    clients = [connect(made, root / "tokens.json"), connect(made, root / "tokens.json")]

    def run(n: int) -> None:
        reports[n] = deploy(made, clients[n], result, prune, DeployState(root / f"s{n}.json"),
                            outputs, start)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reports


def by_key(made: Rig) -> dict[str, list[dict[str, object]]]:
    found: dict[str, list[dict[str, object]]] = {}
    for row in made.rows():
        key = read_marker(str(row["description"] or ""))[0]
        if key is not None:
            found.setdefault(key, []).append(row)
    return found


@contextlib.contextmanager
def calm(made: Rig, tokens: Path) -> Iterator[PortalClient]:
    """A look at the portal with its faults held back for the moment."""
    faults = made.sandbox.portal.faults
    made.sandbox.portal.faults = FaultInjector(Faults())
    try:
        yield connect(made, tokens)
    finally:
        made.sandbox.portal.faults = faults


def check_applied(made: Rig, reports: list[ApplyReport | None], tokens: Path) -> None:
    """What a report calls applied is what the portal has."""
    with calm(made, tokens) as client:
        for report in filter(None, reports):
            for outcome in report.outcomes:
                entry = outcome.entry
                if outcome.status != "applied" or not isinstance(entry, TemplatePlan):
                    continue
                if entry.action == "delete":
                    assert read_template(client, entry.template_id or 0) is None, outcome.message
                    continue
                row = read_template(client, outcome.template_id or 0)
                assert row is not None, outcome.message
                assert from_portal(row, made.normaliser).content_hash == entry.content_hash, \
                    outcome.message


def check_duplicates_reported(made: Rig, reports: list[ApplyReport | None]) -> None:
    doubled = {key for key, rows in by_key(made).items() if len(rows) > 1}
    if all(report is not None and report.ok for report in reports):
        assert not doubled, f"duplicates nobody reported: {sorted(doubled)}"


def issued_secrets(made: Rig) -> list[str]:
    with made.sandbox.portal.store.transaction() as conn:
        found = [str(v) for row in conn.execute("SELECT access_token, refresh_token FROM tokens")
                 for v in row]
        found += [str(r[0]) for r in conn.execute("SELECT client_secret FROM apps")]
        found += [str(r[0]) for r in conn.execute("SELECT secret FROM webhooks")]
        found += [str(r[0]) for r in conn.execute("SELECT token FROM application_tokens")]
    return [s for s in found if len(s) >= 8]


def converge(made: Rig, result: BuildResult, outputs: Outputs, state: DeployState,
             tokens: Path) -> None:
    """Applies until a plan has no changes (the faults still on), then the portal holds the
    sources, each workflow once."""
    for _ in range(10):
        client = connect(made, tokens)
        report = deploy(made, client, result, True, state, outputs)
        with contextlib.suppress(PortalError, ReadError):
            plan, _ = plan_deploy(client, result.templates, result.sources,
                                  PlanInputs("fuzz", BASE, None, True), state=state)
            show(outputs, plan)
            if not plan.has_changes and (report is None or not report.duplicates):
                break
    else:
        raise AssertionError("no convergence after 10 applies")
    expected = {t.workflow for t in result.templates}
    assert {key: len(rows) for key, rows in by_key(made).items()} == dict.fromkeys(expected, 1)


def read_through_webhook(made: Rig, result: BuildResult, outputs: Outputs) -> None:
    """A read-only plan through the portal's webhook: its URL is a secret too."""
    hook = WebhookAuth(f"{BASE}{made.creds.webhook_path}")
    with PortalClient(PortalConfig(BASE, hook, limits="off"),
                      httpx.ASGITransport(app=made.sandbox.asgi_app), clock=made.clock) as client:
        try:
            plan, _ = plan_deploy(client, result.templates, result.sources,
                                  PlanInputs("fuzz", BASE), app_id=made.creds.app_id)
            show(outputs, plan)
        except (PortalError, ReadError) as error:
            outputs.add(error, repr(error))


def run(fault: Faults, cycles: list[Cycle], root: Path) -> None:
    with TemporaryDirectory(dir=root) as tmp, rig(Path(tmp), faults=fault) as made, \
            captured() as outputs:
        state = DeployState(Path(tmp) / "state.json")
        tokens = Path(tmp) / "tokens.json"
        for version, prune, race in cycles:
            result = compiled(version, str(root))
            if race:
                reports = racing(made, result, prune, Path(tmp), outputs)
            else:
                reports = [deploy(made, connect(made, tokens), result, prune, state, outputs)]
            check_applied(made, reports, tokens)
            check_duplicates_reported(made, reports)
        final = compiled(cycles[-1][0], str(root))
        read_through_webhook(made, final, outputs)
        converge(made, final, outputs, state, tokens)
        # The deploy state files (the token store is where the tokens belong).
        outputs.add(*(p.read_text() for p in Path(tmp).glob("*.json") if p != tokens))
        outputs.add(*(repr(c) for c in made.clients))
        text = "\n".join(outputs.texts)
        secrets = issued_secrets(made)
        assert len(secrets) >= 5
        assert [s for s in secrets if s in text] == []


@budget(4)
@given(fault=faults(0.2), cycles=CYCLES)
def test_deploys_converge_under_20_percent_faults(fault: Faults, cycles: list[Cycle],
                                                   tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    run(fault, cycles, tmp_path_factory.getbasetemp())


@budget(4)
@given(fault=faults(0.4), cycles=CYCLES)
def test_deploys_converge_under_40_percent_faults(fault: Faults, cycles: list[Cycle],
                                                   tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    run(fault, cycles, tmp_path_factory.getbasetemp())
