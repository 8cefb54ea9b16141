"""Deploy figures: HTTP calls per plan and per apply, and how close apply runs to the rate limit.

    python -m compiler.deploy.bench [--templates 100] [--real-time]

Deploys N generated workflows to a sandbox portal (in-process) with the standard Bitrix24
limits (leaky bucket: burst 50, drain 2/s) and reports, for `bpl apply` of N new templates and
then of N changed ones: the HTTP requests sent and their payload bytes, the processing time
(CPU seconds of this process: compiling, the client, HTTP through the ASGI transport and the
portal's own work, which runs in-process) apart from the seconds spent waiting for the rate
limit's bucket, the elapsed time, the least time the bucket allows for that many requests
((requests − 50) / 2 s) and the ratio of the two (how close apply runs to the limit).

Time: by default the portal's and the client's waits are fast-forwarded on one shared clock
(the sandbox's injectable clock): every second the limiter waits is counted but not slept,
while the real processing time (compile, HTTP through the ASGI transport, the portal's
SQLite writes) is measured as it happens. `--real-time` sleeps for real instead.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from compiler.catalog import load_catalog
from compiler.codegen import CompiledTemplate
from compiler.deploy import Normaliser, PlanInputs, apply_plan, plan_deploy
from compiler.pipeline import BuildResult, build
from compiler.portal import OAuthAuth, PortalClient, PortalConfig
from compiler.portal.limiter import PRESETS
from compiler.semantics.environment import APP_CLIENT_ID, Environment

BASE = "http://bench.sandbox"


class FastForwardClock:
    """Real elapsed time plus every sleep, without sleeping. Serves as the client's clock
    (monotonic/time/sleep) and the sandbox's (now), so both sides agree on the time."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._start = start
        self._origin = time.perf_counter()
        self._skipped = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return time.perf_counter() - self._origin + self._skipped

    def time(self) -> float:
        return self._start + self.monotonic()

    def now(self) -> float:
        return self.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self._skipped += seconds


class RealClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


@dataclass
class Run:
    what: str
    plan_requests: int
    apply_requests: int
    seconds: float  # elapsed, waits included
    payload: int = 0  # request bytes sent
    processing: float = 0.0  # CPU seconds
    waits: float = 0.0  # seconds the client waited for the bucket

    @property
    def requests(self) -> int:
        return self.plan_requests + self.apply_requests

    @property
    def minimum(self) -> float:
        preset = PRESETS["standard"]
        assert preset is not None
        return max(0.0, (self.requests - preset.burst) / preset.drain_per_second)


def workflows(count: int, title: str) -> dict[str, str]:
    return {f"wf{n:03}.bpl": (
        f'workflow wf{n:03} for crm.deal {{\n'
        f'    title "{title} {n}"\n'
        f'    param limit: double = {1000 + n} "Limit"\n'
        f'    if doc.OPPORTUNITY > param.limit {{\n'
        f'        approve "Approve {{doc.TITLE}}" by doc.ASSIGNED_BY_ID as vote {{\n'
        f'            vote any\n'
        f'        }} approved {{\n'
        f'            log "Approved by {{vote.LastApprover | printable}}"\n'
        f'        }} rejected {{\n'
        f'            notify doc.ASSIGNED_BY_ID "Rejected: {{vote.Comments}}"\n'
        f'        }}\n'
        f'    }} else {{\n'
        f'        log "Deal {{doc.TITLE}} is below the limit"\n'
        f'    }}\n'
        f'}}\n') for n in range(count)}


def compile_project(folder: Path, sources: dict[str, str], client_id: str) -> BuildResult:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.bpl"):
        old.unlink()
    for name, text in sources.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = build([folder], Environment("bench", {APP_CLIENT_ID: client_id}, symbolic=False))
    if not result.ok:
        raise SystemExit("the generated workflows do not compile")
    return result


class CountingTransport(httpx.AsyncBaseTransport):
    """The sandbox's transport, counting the bytes of the requests sent through it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += len(await request.aread())
        return await self.inner.handle_async_request(request)


class Refusals:
    """Requests the portal's own bucket answered QUERY_LIMIT_EXCEEDED (counted portal-side)."""

    count = 0


@contextmanager
def portal(clock: FastForwardClock | RealClock,
           refusals: type[Refusals]) -> Iterator[tuple[PortalClient, str, CountingTransport]]:
    from compiler.sandbox import Limits, Sandbox, SandboxConfig

    sandbox = Sandbox(SandboxConfig(limits=Limits.standard(), clock=clock))
    admit = sandbox.portal.bucket.admit

    def counted(key: str) -> bool:
        allowed = admit(key)
        refusals.count += not allowed
        return allowed

    sandbox.portal.bucket.admit = counted  # type: ignore[method-assign]
    creds = sandbox.ensure_default_app()
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url=f"{BASE}/oauth/token/")
    transport = CountingTransport(httpx.ASGITransport(app=sandbox.asgi_app))
    client = PortalClient(PortalConfig(BASE, auth, limits="standard"), transport, clock=clock)
    try:
        yield client, creds.client_id, transport
    finally:
        client.close()
        sandbox.close()


def deploy(client: PortalClient, transport: CountingTransport, templates: list[CompiledTemplate],
           result: BuildResult, clock: FastForwardClock | RealClock, what: str) -> Run:
    """One `bpl apply`: plan, then apply, starting with empty buckets."""
    clock.sleep(60.0)  # a pause between runs: both leaky buckets (client's, portal's) drain
    before = client.stats.http_requests
    sent, waited, cpu = transport.sent, client.stats.throttled_seconds, time.process_time()
    started = clock.monotonic()
    plan, snapshot = plan_deploy(client, templates, result.sources,
                                 PlanInputs("bench", BASE))
    planned = client.stats.http_requests
    report = apply_plan(client, plan, templates, normaliser=Normaliser(load_catalog()),
                        snapshot=snapshot)
    if not report.ok:
        raise SystemExit(f"{what}: the apply failed")
    return Run(what, planned - before, client.stats.http_requests - planned,
               clock.monotonic() - started, transport.sent - sent, time.process_time() - cpu,
               client.stats.throttled_seconds - waited)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--real-time", action="store_true", help="sleep for real")
    args = parser.parse_args()
    clock: FastForwardClock | RealClock = RealClock() if args.real_time else FastForwardClock()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp, \
            portal(clock, Refusals) as (client, client_id, transport):
        folder = Path(tmp) / "src"
        first = compile_project(folder, workflows(args.templates, "Workflow"), client_id)
        runs.append(deploy(client, transport, first.templates, first, clock, "add"))
        changed = compile_project(folder, workflows(args.templates, "Changed"), client_id)
        runs.append(deploy(client, transport, changed.templates, changed, clock, "update"))
        before = client.stats.http_requests
        plan, _ = plan_deploy(client, changed.templates, changed.sources,
                              PlanInputs("bench", BASE))
        idle = client.stats.http_requests - before
        assert not plan.has_changes
    clock_name = "real time" if args.real_time else \
        "real processing time + fast-forwarded waits (shared injectable clock)"
    print(f"{args.templates} templates, sandbox portal in-process, standard limits "
          f"(burst 50, 2 requests/s); time: {clock_name}")
    print(f"plan with nothing to change: {idle} HTTP request(s); requests the portal refused "
          f"with QUERY_LIMIT_EXCEEDED: {Refusals.count}")
    print(f"{'apply':<8}{'plan req':>9}{'apply req':>10}{'total':>7}{'payload KB':>11}"
          f"{'CPU s':>7}{'waits s':>9}{'elapsed s':>10}{'minimum s':>11}{'ratio':>7}")
    for run in runs:
        ratio = run.seconds / run.minimum if run.minimum else float("nan")
        print(f"{run.what:<8}{run.plan_requests:>9}{run.apply_requests:>10}{run.requests:>7}"
              f"{run.payload / 1024:>11,.0f}{run.processing:>7.2f}{run.waits:>9.1f}"
              f"{run.seconds:>10.1f}{run.minimum:>11.1f}{ratio:>7.2f}")
    print("CPU s: processing (client, HTTP, the in-process portal); waits s: the client's "
          "waits for the rate-limit bucket; ratio: elapsed / minimum, the client's margin")


if __name__ == "__main__":
    main()
