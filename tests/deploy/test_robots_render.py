"""How robots and actions read in a plan: terminal, pull-request markdown and JSON."""

from __future__ import annotations

import json

from compiler.deploy.render import render, render_human, render_markdown

from .rig import Rig
from .test_robots_plan import PROJECT, ROBOTS, deploy, plan


def test_a_first_plan_lists_what_is_registered_next_to_the_templates(sandbox_rig: Rig) -> None:
    made, _ = plan(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    text = render_human(made)
    section = text[text.index("Robots and actions"):]
    assert text.index("+ invoices") < text.index("Robots and actions")
    lines = section.splitlines()
    assert lines[1] == '+ robot erp_invoice "Create invoice in ERP" will be registered'
    assert lines[2].startswith("    at ") and lines[2].endswith("robots.bpl:1")
    assert lines[3] == '+ action erp_ping "Ping the ERP" will be registered'
    assert text.endswith("Plan: 1 to add, 0 to update, 0 to replace, 0 to delete, 0 unchanged; "
                         "robots and actions: 2 to register, 0 to update, 0 to delete, "
                         "0 unchanged.")


def test_updates_show_fields_notes_and_unchanged_ones_in_one_line(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    client = sandbox_rig.client()
    client.call("bizproc.activity.add", {"CODE": "theirs", "NAME": "Theirs",
                                         "HANDLER": "https://other.example.com/a"})
    edited = sandbox_rig.compile({**PROJECT, "robots.bpl": ROBOTS.replace("/bitrix/ping",
                                                                          "/v2/ping")})
    made, _ = plan(sandbox_rig, client, edited)
    text = render_human(made)
    assert '~ action erp_ping "Ping the ERP" will be updated' in text
    assert '    ~ HANDLER: "https://erp.example.com/bitrix/ping" → ' \
           '"https://erp.example.com/v2/ping"' in text
    assert "= 1 unchanged: robot erp_invoice" in text
    assert "Registered outside bpl and not in the sources, never touched: action theirs" in text
    verbose = render_human(made, verbose=True)
    assert '= robot erp_invoice "Create invoice in ERP" is unchanged' in verbose


def test_blocked_and_kept_entries_say_why(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    made, _ = plan(sandbox_rig, sandbox_rig.client(),
                   sandbox_rig.compile({"robots.bpl": ROBOTS.split("action")[0]}))
    text = render_human(made)
    assert '! action erp_ping "Ping the ERP" is kept' in text
    assert "    ! the action erp_ping is no longer in the sources; bpl plan --prune deletes it" \
        in text
    assert "1 kept" in made.summary()


def test_markdown_has_a_robots_table_and_folded_details(sandbox_rig: Rig) -> None:
    deploy(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    edited = sandbox_rig.compile({"robots.bpl": ROBOTS.replace('"ERP id"', '"Id"')
                                  .split("action")[0]})
    made, _ = plan(sandbox_rig, sandbox_rig.client(), edited, prune=True)
    text = render_markdown(made)
    assert "#### Robots and actions" in text
    assert "| ~ | `erp_invoice` | robot | update |  |" in text
    assert "| - | `erp_ping` | action | delete | not-in-sources |" in text
    assert '<summary>~ robot erp_invoice "Create invoice in ERP" will be updated (' in text
    assert '- `RETURN_PROPERTIES.erp_id.Name: "ERP id" → "Id"`' in text
    assert '<details open>\n<summary>- action erp_ping "Ping the ERP" will be deleted' in text


def test_json_carries_the_robot_entries(sandbox_rig: Rig) -> None:
    made, _ = plan(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(PROJECT))
    data = json.loads(render(made, "json"))
    assert [(r["kind"], r["code"], r["action"]) for r in data["robots"]] == [
        ("robot", "erp_invoice", "add"), ("action", "erp_ping", "add")]
    assert data["robot_listing"] == made.robot_listing


def test_a_plan_without_robots_reads_as_before(sandbox_rig: Rig) -> None:
    made, _ = plan(sandbox_rig, sandbox_rig.client(), sandbox_rig.compile(
        {"lead.bpl": 'workflow w for crm.lead {\n    log "x"\n}\n'}))
    assert "Robots" not in render_human(made)
    assert "Robots" not in render_markdown(made)
