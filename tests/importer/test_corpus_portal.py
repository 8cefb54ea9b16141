"""Bitrix's own default templates on a portal: deployed, replaced there by the designer's exact
`.bpt`, planned, imported from the portal and planned again: `plan` finds no change either time.

This is the import's promise checked end to end over REST (the embedded sandbox portal): what
the portal returns from `bizproc.workflow.template.list` (JSON, not PHP) compares equal to the
imported sources in `plan`'s canonical form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler.bitrix.bpt import encode_template_data
from compiler.cli.common import connection
from compiler.cli.main import main
from compiler.deploy.identity import read_marker
from tests.importer.support import ROOT

CORPUS = ROOT / "tests" / "fixtures" / "designer"
# The controller module's templates run ControllerRemoteIBlockActivity, which only a
# controller installation has; a Bitrix24 portal refuses them ("Activity was not found").
NOT_ON_A_PORTAL = {"bizproc_sync", "controller_sync"}
PROJECT = """\
[project]
sources = ["{folder}"]
default_environment = "sandbox"

[environments.sandbox]
portal = "sandbox"
"""


def bpl(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _plan_shows_no_change(folder: str) -> None:
    Path("bpl.toml").write_text(PROJECT.format(folder=folder), encoding="utf-8")
    plan = bpl("plan", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output + plan.stderr
    assert "No changes." in plan.output + plan.stderr


def test_the_corpus_round_trips_through_a_portal(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bpts = sorted(p for p in CORPUS.glob("*.bpt") if p.stem not in NOT_ON_A_PORTAL)
    for bpt in bpts:
        meta = json.loads(bpt.with_suffix(".json").read_text(encoding="utf-8"))
        made = bpl("import", str(bpt), "--document", ",".join(meta["document_type"]),
                   "-o", "designer")
        assert made.exit_code == 0, made.output + made.stderr
    Path("bpl.toml").write_text(PROJECT.format(folder="designer"), encoding="utf-8")
    applied = bpl("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output + applied.stderr

    # The portal now holds each template exactly as Bitrix's exporter wrote it.
    with connection("sandbox") as (_, _, _, target):
        rows = target.client.list_all("bizproc.workflow.template.list",
                                      {"SELECT": ["ID", "DESCRIPTION"]})
        by_name = {read_marker(str(row["DESCRIPTION"]))[0]: int(row["ID"]) for row in rows}
        for bpt in bpts:
            target.client.call("bizproc.workflow.template.update", {
                "ID": by_name[bpt.stem],
                "FIELDS": {"TEMPLATE_DATA": [bpt.name, encode_template_data(bpt.read_bytes())]},
            })
    _plan_shows_no_change("designer")

    imported = bpl("import", "--env", "sandbox", "--all", "-o", "imported")
    assert imported.exit_code == 0, imported.output + imported.stderr
    assert sorted(p.stem for p in Path("imported").glob("*.bpl")) == [p.stem for p in bpts]
    _plan_shows_no_change("imported")
