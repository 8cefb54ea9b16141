"""The same deploy over a real loopback port (`Sandbox.running()`): real sockets, real drops."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from compiler.sandbox import Faults, Limits

from .rig import PROJECT, numbered, rig, writes
from .test_sandbox_deploy import converge, keys

pytestmark = pytest.mark.loopback


def test_plan_apply_plan_over_http(tmp_path: Path) -> None:
    with rig(tmp_path) as made, made.sandbox.running() as base:
        result = made.compile(PROJECT)
        plan, report = made.deploy(made.client(base, in_process=False), result)
        assert len(plan.changes) == 3 and report.ok
        again = made.client(base, in_process=False)
        second, _ = made.plan(again, result)
        assert not second.has_changes and writes(again) == 0


def test_faults_over_http_converge_without_duplicates(tmp_path: Path) -> None:
    faults = Faults(error_rate=0.1, codes=(500, 503), drop_rate=0.05, after_commit_rate=0.1,
                    seed=5)
    with rig(tmp_path, faults=faults) as made, made.sandbox.running() as base:
        original = made.client
        made.client = lambda *a, **k: original(base, in_process=False)  # type: ignore[method-assign]
        converge(made, {**PROJECT, **numbered(10)})
        assert set(keys(made).values()) == {1} and len(keys(made)) == 13


def test_standard_limits_over_http(tmp_path: Path) -> None:
    with rig(tmp_path, limits=Limits.standard(), client_limits="standard") as made, \
            made.sandbox.running() as base:
        result = made.compile(numbered(55))
        client = made.client(base, in_process=False)
        _, report = made.deploy(client, result)
        assert report.ok and made.refused == 0
        assert Counter(o.status for o in report.outcomes) == {"applied": 55}
