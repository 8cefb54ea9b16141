"""A bounded load check of the sandbox portal on a loopback port.

    python -m compiler.sandbox.loadcheck [--requests 2000] [--concurrency 16] [--method profile]

It starts a throw-away portal (temporary SQLite file, limits off) in a child process, sends a
fixed number of requests from a few concurrent clients, stops the portal and prints the
requests served per second. Nothing is left behind. The portal runs in its own process so the
load generator does not compete with it for the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import socket
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from compiler.sandbox.config import Limits, SandboxConfig
from compiler.sandbox.sandbox import Sandbox

MAX_REQUESTS = 100_000
MAX_CONCURRENCY = 64
METHODS = ("profile", "bizproc.workflow.template.list", "batch")


@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    failures: int = 0  # transport errors (no answer at all)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)

    def describe(self) -> str:
        codes = ", ".join(f"{code}×{count}" for code, count in sorted(self.statuses.items()))
        return (
            f"served {self.requests} requests in {self.seconds:.2f} s: "
            f"{self.per_second:.0f} req/s (HTTP {codes or 'none'}; "
            f"transport failures {self.failures})"
        )


def _payload(method: str, token: str) -> dict[str, object]:
    if method == "batch":
        commands = {f"c{n}": "bizproc.workflow.template.list?select[]=ID" for n in range(10)}
        return {"auth": token, "cmd": commands}
    return {"auth": token}


def _request_bytes(method: str, token: str, port: int) -> bytes:
    body = json.dumps(_payload(method, token)).encode()
    head = (
        f"POST /rest/{method}.json HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """One request on a kept-alive connection; returns the HTTP status."""
    writer.write(request)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _fire(port: int, token: str, method: str, requests: int, concurrency: int) -> LoadResult:
    # A minimal HTTP/1.1 client: a full HTTP library would cost more CPU than the server spends.
    statuses: Counter[int] = Counter()
    failures = 0
    remaining = requests
    request = _request_bytes(method, token, port)

    async def worker() -> None:
        nonlocal remaining, failures
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while remaining > 0:
            remaining -= 1  # no await between the check and the decrement: no race
            try:
                if connection is None:
                    connection = await asyncio.open_connection("127.0.0.1", port)
                statuses[await _exchange(*connection, request)] += 1
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                failures += 1
                connection = None
        if connection is not None:
            connection[1].close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(requests, time.perf_counter() - began, statuses, failures)


def _serve(data: Path, port: int) -> None:
    Sandbox(SandboxConfig(data=data, limits=Limits.off())).serve(
        "127.0.0.1", port, log_level="warning"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(base_url: str, process: multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.is_alive():
        try:
            httpx.get(base_url + "/", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the sandbox portal did not start")


def run(requests: int = 2000, concurrency: int = 16, method: str = "profile") -> LoadResult:
    """Start a portal on a free loopback port, load it, stop it; bounded by MAX_REQUESTS."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    requests = max(1, min(requests, MAX_REQUESTS))
    concurrency = max(1, min(concurrency, MAX_CONCURRENCY, requests))
    with tempfile.TemporaryDirectory(prefix="bpl-loadcheck-") as folder:
        data = Path(folder) / "sandbox.sqlite3"
        sandbox = Sandbox(SandboxConfig(data=data, limits=Limits.off()))
        try:
            token = sandbox.ensure_default_app().access_token
        finally:
            sandbox.close()
        port = _free_port()
        process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(data, port), daemon=True
        )
        process.start()
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base_url, process)
            return asyncio.run(_fire(port, token, method, requests, concurrency))
        finally:
            process.terminate()
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000, help=f"at most {MAX_REQUESTS}")
    parser.add_argument("--concurrency", type=int, default=16, help=f"at most {MAX_CONCURRENCY}")
    parser.add_argument("--method", choices=METHODS, default="profile")
    args = parser.parse_args(argv)
    result = run(args.requests, args.concurrency, args.method)
    print(f"{args.method}, concurrency {args.concurrency}: {result.describe()}")
    return 0 if result.ok == result.requests else 1


if __name__ == "__main__":
    raise SystemExit(main())
