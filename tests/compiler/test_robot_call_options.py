"""Options after a robot call: `timeout` (TimeoutDuration) and `status` (StatusMessage)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compiler.format import format_text
from compiler.pipeline import build
from compiler.semantics.environment import Environment

ROBOTS = """\
robot erp "ERP" {
    handler "https://erp.example.com/robot"
    input amount: double required "Amount"
    output erp_id: string "ERP id"
}
robot ping "Ping" {
    handler "https://erp.example.com/ping"
    wait_for_result false
}
"""


def compile_call(tmp_path: Path, call: str) -> tuple[list[tuple[str, str, int]], Any]:
    path = tmp_path / "flow.bpl"
    path.write_text(ROBOTS + f"workflow w for crm.deal {{\n{call}\n}}\n", encoding="utf-8")
    result = build([path], Environment("t", {"app_client_id": "local.t"}, symbolic=False))
    found = [(d.code, d.message, d.span.line) for d in result.diagnostics]
    node = result.templates[0].template.to_package()["TEMPLATE"][0]["Children"][0] \
        if result.templates else None
    return found, node


def test_timeout_and_status_reach_the_activity(tmp_path: Path) -> None:
    found, node = compile_call(tmp_path, 'erp(amount: 1) as e {\n    timeout 2w\n'
                                         '    status "Waiting for {doc.TITLE}"\n}')
    assert found == []
    props = node["Properties"]
    assert (props["TimeoutDuration"], props["TimeoutDurationType"]) == (14, "d")
    assert props["StatusMessage"] == "Waiting for {=Document:TITLE}"


def test_without_options_the_call_never_times_out(tmp_path: Path) -> None:
    found, node = compile_call(tmp_path, "erp(amount: 1)")
    assert found == []
    assert (node["Properties"]["TimeoutDuration"], node["Properties"]["StatusMessage"]) == (0, "")


def test_unknown_and_malformed_options_are_errors(tmp_path: Path) -> None:
    found, _ = compile_call(tmp_path, 'erp(amount: 1) {\n    timeout "soon"\n    retry 3\n}')
    assert [(code, line) for code, _, line in found] == [("E200", 12), ("E303", 13)]


def test_a_timeout_on_a_robot_that_does_not_wait_is_flagged(tmp_path: Path) -> None:
    found, _ = compile_call(tmp_path, "ping() {\n    timeout 1h\n}")
    assert [(code, line) for code, _, line in found] == [("W301", 12)]


def test_macro_calls_take_no_options(tmp_path: Path) -> None:
    path = tmp_path / "flow.bpl"
    path.write_text('macro hello() { log "hi" }\nworkflow w for crm.deal {\n'
                    '    hello() {\n        timeout 1h\n    }\n}\n', encoding="utf-8")
    result = build([path], Environment())
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("E303", 4)]


def test_the_formatter_keeps_the_options() -> None:
    text = ROBOTS + 'workflow w for crm.deal {\n    erp(amount: 1) {\n        timeout 1h\n' \
                    '        status "Waiting"\n    }\n}\n'
    formatted = format_text(text)
    assert "    erp(amount: 1) {\n        timeout 1h\n        status \"Waiting\"\n    }" in \
        formatted
    assert format_text(formatted) == formatted
