"""The deploy state is the portal's: one file per portal, robots per application, and the
per-environment files of earlier versions merged in."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.deploy.state import Applied, DeployState, Registered
from compiler.deploy.target import deploy_state, portal_key
from compiler.project.config import EnvironmentConfig, load_project

TOML = """\
[project]
sources = ["src"]

[environments.prod]
portal = "https://Example.bitrix24.com/rest/"

[environments.prod-hook]
portal = "https://example.bitrix24.com"
auth = "webhook"
app_id = 3

[environments.other]
portal = "https://other.bitrix24.com"

[environments.local]
portal = "sandbox"
"""


def robot(code: str, app_id: int, at: str) -> Registered:
    return Registered("robot", code, f"hash-{code}-{app_id}-{at}", app_id, at)


def test_an_environment_names_its_portal() -> None:
    def key(portal: str) -> str:
        return portal_key(EnvironmentConfig(portal=portal))

    assert key("sandbox") == "sandbox"
    assert key("https://Example.Bitrix24.com/") == "example.bitrix24.com"
    assert key("https://example.bitrix24.com/rest") == "example.bitrix24.com"
    assert key("http://127.0.0.1:8765") == "127.0.0.1_8765"
    assert key("http://[::1]:8765") == "___1__8765"


def test_environments_of_one_portal_share_one_file(tmp_path: Path) -> None:
    (tmp_path / "bpl.toml").write_text(TOML)
    project = load_project(tmp_path)
    prod = deploy_state(project, "prod", project.config.environments["prod"])
    prod.record(4, Applied("deal", "h", "2026-01-01T00:00:00+00:00"))
    prod.register(robot("erp", 3, "2026-01-01T00:00:00+00:00"))
    prod.save()
    hook = deploy_state(project, "prod-hook", project.config.environments["prod-hook"])
    assert hook.path == prod.path == tmp_path / ".bpl" / "state" / "example.bitrix24.com.json"
    assert hook.get(4) is not None and hook.robot("robot:erp", 3) is not None
    other = deploy_state(project, "other", project.config.environments["other"])
    assert other.get(4) is None and other.robot("robot:erp", 3) is None


def test_robots_of_two_applications_on_one_portal_stay_apart(tmp_path: Path) -> None:
    state = DeployState(tmp_path / "state.json")
    state.register(robot("erp", 3, "2026-01-01T00:00:00+00:00"))
    state.register(robot("erp", 5, "2026-01-02T00:00:00+00:00"))
    state.save()
    again = DeployState.load(tmp_path / "state.json")
    assert again.robot("robot:erp", 3) == robot("erp", 3, "2026-01-01T00:00:00+00:00")
    assert again.robot("robot:erp", 5) == robot("erp", 5, "2026-01-02T00:00:00+00:00")
    again.unregister("robot:erp", 3)
    assert set(again.registered(5)) == {"robot:erp"} and again.registered(3) == {}


def test_earlier_files_merge_the_latest_record_and_go_once_saved(tmp_path: Path) -> None:
    (tmp_path / "bpl.toml").write_text(TOML)
    project = load_project(tmp_path)
    old, new = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"
    folder = tmp_path / ".bpl"
    folder.mkdir()
    (folder / "state-prod.json").write_text(json.dumps({"version": 1, "templates": {
        "4": {"key": "deal", "content_hash": "old", "applied_at": old},
        "5": {"key": "lead", "content_hash": "lead", "applied_at": old}}, "robots": {
        "robot:erp": {"kind": "robot", "code": "erp", "content_hash": "new", "app_id": 3,
                      "applied_at": new}}}))
    (folder / "state-prod-hook.json").write_text(json.dumps({"version": 1, "templates": {
        "4": {"key": "deal", "content_hash": "new", "applied_at": new}}, "robots": {
        "robot:erp": {"kind": "robot", "code": "erp", "content_hash": "old", "app_id": 3,
                      "applied_at": old}}}))
    (folder / "state-other.json").write_text(json.dumps({"version": 1, "templates": {
        "9": {"key": "x", "content_hash": "x", "applied_at": new}}}))
    state = deploy_state(project, "prod", project.config.environments["prod"])
    assert {k: v.content_hash for k, v in state.templates.items()} == {4: "new", 5: "lead"}
    assert state.robot("robot:erp", 3).content_hash == "new"  # type: ignore[union-attr]
    assert (folder / "state-prod.json").exists()  # a plan does not write
    state.save()
    assert sorted(p.name for p in folder.iterdir()) == ["state", "state-other.json"]
    again = deploy_state(project, "prod-hook", project.config.environments["prod-hook"])
    assert again.templates == state.templates and again.robots == state.robots


def test_a_damaged_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text("{not json")
    assert DeployState.load(tmp_path / "state.json").templates == {}
    (tmp_path / "state.json").write_text(json.dumps({"version": 99, "templates": {}}))
    assert DeployState.load(tmp_path / "state.json").templates == {}
