"""Robot and action declarations: what the portal's robot.add/activity.add would refuse is an
E304 before anything is sent, and the values a declaration takes in one environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from compiler.catalog import load_catalog
from compiler.diagnostics import Diagnostics, Severity
from compiler.pipeline import build
from compiler.semantics.checker import robot_activity_type
from compiler.semantics.environment import Environment
from compiler.semantics.program import load_program
from compiler.semantics.robots import check_robots, handler_verdict

ENV = Environment("test", {"app_client_id": "local.app", "erp_user": "user_3",
                           "erp_url": "https://erp.example.com", "smart": 1036},
                  symbolic=False)

VALID = """\
robot erp_invoice "Create invoice in ERP" {
    handler "https://erp.example.com/bitrix/robot"
    auth_user user(1)
    wait_for_result true
    documents [crm.deal, crm.lead, lists, crm.dynamic(env.smart), box]
    exclude [b24]
    document_type crm.deal
    description "Makes an invoice in the ERP"
    placement "https://erp.example.com/bitrix/dialog"
    translations { de: "Rechnung im ERP", ru: "Счёт в ERP" }
    input amount: double required "Amount" "How much to invoice"
    input currency: select { "EUR": "Euro", "USD": "Dollar" } = "EUR" "Currency"
    input lines: string[] = ["a", "b"]
    input urgent: bool = false
    input owner: user = user(3)
    input address: type("UF:address")
    input due: date = "{=System:Date}"
    output erp_id: string "ERP id"
}

action erp_ping "Ping the ERP" {
    handler "{env.erp_url}/ping"
    auth_user env.erp_user
}
"""


def diagnose(tmp_path: Path, text: str, *, sandbox: bool | None = None,
             env: Environment = ENV) -> tuple[list[tuple[str, str, int, str]], set[str]]:
    source = tmp_path / "robots.bpl"
    source.write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    program = load_program([source], diagnostics)
    broken = check_robots(program, load_catalog(), env, diagnostics, sandbox=sandbox)
    found = [(d.code, d.severity.value, d.span.line, d.message) for d in diagnostics.sorted()]
    return found, broken


def codes(found: list[tuple[str, str, int, str]]) -> list[tuple[str, str, int]]:
    return [(code, severity, line) for code, severity, line, _ in found]


def robot(body: str, *, head: str = 'robot erp "ERP"') -> str:
    return f'{head} {{\n    handler "https://erp.example.com/robot"\n{body}}}\n'


def test_a_complete_declaration_is_clean(tmp_path: Path) -> None:
    assert diagnose(tmp_path, VALID, sandbox=False) == ([], set())


@pytest.mark.parametrize(("body", "line", "message"), [
    ('    input _amount: double\n', 3, "'_amount' is not a valid input name"),
    ('    output _id: int\n', 3, "'_id' is not a valid output name"),
    ('    input amount: money\n', 3, "'money' is not a type"),
    ('    input kind: internalselect("X")\n', 3, "'internalselect' is not a type"),
    ('    input kind: select {}\n', 3, "a select needs its options"),
    ('    input n: int = "many"\n', 3, "default 'many' of input 'n' is not a number"),
    ('    input n: int = 1.5\n', 3, "is not an integer"),
    ('    input b: bool = "yes"\n', 3, "is not true or false"),
    ('    input u: user = 5\n', 3, None),  # a user id is fine
    ('    input c: select { "a": "A" } = "b"\n', 3, "is not an option (a)"),
    ('    input s: string = ["a"]\n', 3, "a list is not a valid default for a single string"),
    ('    input s: string = doc.TITLE\n', 3, "it is a constant"),
    ('    input s: string "Label {doc.TITLE}"\n', 3, "cannot interpolate"),
    ('    wait_for_result "yes"\n', 3, "wait_for_result is true or false"),
    ('    auth_user group("hr")\n', 3, "auth_user is one user"),
    ('    documents [crm.nothing]\n', 3, "expected a document type such as crm.deal"),
    ('    document_type crm\n', 3, "expected a document type such as crm.deal"),
    ('    document_type crm.dynamic\n', 3, "crm.dynamic needs an id here"),
    ('    translations { de: "A", EN: "B" }\n', 3, "'EN' is not a language code"),
    ('    translations { en: "B" }\n', 3, "the name after the code is the English one"),
    ('    translations "de"\n', 3, "translations is a map"),
    ('    placement "ftp://erp.example.com/x"\n', 3, "must be an http or https URL"),
    ('    retries 3\n', 3, "'robot' has no option 'retries'"),
    ('    description "a"\n    description "b"\n', 4, "option 'description' is given twice"),
    ('    input a: int\n    input a: int\n', 4, "input 'a' is declared twice"),
    ('    output IsTimeout: int\n', 3, "the result Bitrix adds when the wait times out"),
])
def test_what_the_portal_would_refuse_is_reported(tmp_path: Path, body: str, line: int,
                                                  message: str | None) -> None:
    found, broken = diagnose(tmp_path, robot(body))
    if message is None:
        assert found == [] and broken == set()
        return
    errors = [(ln, text) for _, severity, ln, text in found if severity == "error"]
    assert any(ln == line and message in text for ln, text in errors), found
    assert broken == {"erp"}


def test_the_handler_is_required_and_checked_like_the_portal(tmp_path: Path) -> None:
    found, _ = diagnose(tmp_path, 'robot erp "ERP" {\n}\n')
    assert "needs a handler" in found[0][3]
    found, _ = diagnose(tmp_path, 'robot erp "ERP" {\n    handler "https://intranet/robot"\n}\n',
                        sandbox=False)
    assert codes(found) == [("E304", "error", 2)]
    assert "needs a host name with a dot" in found[0][3]


def test_an_empty_name_is_refused(tmp_path: Path) -> None:
    found, broken = diagnose(tmp_path, robot("", head='action erp "  "'))
    assert codes(found) == [("E304", "error", 1)] and "needs a name" in found[0][3]
    assert broken == {"erp"}


@pytest.mark.parametrize(("url", "sandbox", "expected"), [
    ("http://127.0.0.1:8080/robot", True, []),
    ("http://127.0.0.1:8080/robot", None, []),
    ("http://127.0.0.1:8080/robot", False, [("E304", "warning", 2)]),
    # No dot: the sandbox refuses it as the portal does.
    ("http://localhost:8080/robot", True, [("E304", "error", 2)]),
    ("http://localhost:8080/robot", False, [("E304", "error", 2)]),
    ("https://erp.example.com/robot", False, []),
])
def test_loopback_handlers_are_for_the_sandbox(tmp_path: Path, url: str, sandbox: bool | None,
                                               expected: list[tuple[str, str, int]]) -> None:
    found, _ = diagnose(tmp_path, f'robot erp "ERP" {{\n    handler "{url}"\n}}\n',
                        sandbox=sandbox)
    assert codes(found) == expected


def test_a_handler_from_the_environment_is_checked_with_its_value(tmp_path: Path) -> None:
    text = 'robot erp "ERP" {\n    handler env.erp_handler\n}\n'
    env = Environment("prod", {"erp_handler": "https://intranet/robot"}, symbolic=False)
    found, _ = diagnose(tmp_path, text, env=env, sandbox=False)
    assert "needs a host name with a dot" in found[0][3]
    found, _ = diagnose(tmp_path, text, env=Environment("prod", {}, symbolic=False))
    assert codes(found) == [("E600", "error", 2)]
    found, _ = diagnose(tmp_path, text, env=Environment())  # bpl check without an environment
    assert found == []


def test_a_robot_and_an_action_cannot_share_a_code(tmp_path: Path) -> None:
    text = robot("") + robot("", head='action erp "ERP ping"')
    found, _ = diagnose(tmp_path, text)
    assert ("E304", "error", 4) in codes(found)
    assert any("has the CODE of robot 'erp'" in m for *_, m in found)


def test_outputs_of_a_robot_that_does_not_wait_are_a_warning(tmp_path: Path) -> None:
    found, broken = diagnose(tmp_path, robot("    wait_for_result false\n    output id: string\n"))
    assert codes(found) == [("E304", "warning", 4)] and broken == set()
    assert "does not wait for its result" in found[0][3]


def test_a_document_specific_type_wants_a_document_type(tmp_path: Path) -> None:
    found, broken = diagnose(tmp_path, robot('    input place: type("UF:address")\n'))
    assert codes(found) == [("E304", "warning", 3)] and broken == set()


@pytest.mark.parametrize(("url", "problem"), [
    ("https://app.example.com/robot", None),
    ("http://app.example.com:8080", None),
    ("https://.example/robot", "needs a host name with a dot"),
    ("mailto:x@example.com", "must be an http or https URL"),
    ("https://localhost/robot", "for this machine write 127.0.0.1"),
])
def test_handler_problem_follows_check_callback(url: str, problem: str | None) -> None:
    found = handler_verdict(url, sandbox=None)
    assert (found is None) if problem is None else (found is not None and found.error
                                                    and problem in found.text)


def test_severity_of_every_finding_is_error_or_warning(tmp_path: Path) -> None:
    found, _ = diagnose(tmp_path, robot('    input _x: money = 1\n    retries 3\n'))
    assert {severity for _, severity, _, _ in found} <= {Severity.ERROR.value,
                                                       Severity.WARNING.value}


# ── the registration: what robot.add / activity.add receive ──────────────────────────────────


def registrations(tmp_path: Path, text: str, *, env: Environment = ENV) -> dict[str, Any]:
    source = tmp_path / "robots.bpl"
    source.write_text(text, encoding="utf-8")
    result = build([source], env, sandbox=False)
    assert [d.message for d in result.diagnostics] == []
    return {r.key: r for r in result.robots}


def test_a_declaration_becomes_the_add_parameters(tmp_path: Path) -> None:
    made = registrations(tmp_path, VALID)
    invoice = made["robot:erp_invoice"]
    assert invoice.method_prefix == "bizproc.robot"
    assert invoice.params == {
        "CODE": "erp_invoice",
        "HANDLER": "https://erp.example.com/bitrix/robot",
        "AUTH_USER_ID": 1,
        "USE_SUBSCRIPTION": "Y",
        "NAME": {"en": "Create invoice in ERP", "de": "Rechnung im ERP", "ru": "Счёт в ERP"},
        "DESCRIPTION": "Makes an invoice in the ERP",
        "PROPERTIES": {
            "amount": {"Name": "Amount", "Description": "How much to invoice", "Type": "double",
                       "Required": "Y", "Multiple": "N"},
            "currency": {"Name": "Currency", "Type": "select", "Required": "N", "Multiple": "N",
                         "Options": {"EUR": "Euro", "USD": "Dollar"}, "Default": "EUR"},
            "lines": {"Name": "lines", "Type": "string", "Required": "N", "Multiple": "Y",
                      "Default": ["a", "b"]},
            "urgent": {"Name": "urgent", "Type": "bool", "Required": "N", "Multiple": "N",
                       "Default": "N"},
            "owner": {"Name": "owner", "Type": "user", "Required": "N", "Multiple": "N",
                      "Default": "user_3"},
            "address": {"Name": "address", "Type": "UF:address", "Required": "N",
                        "Multiple": "N"},
            "due": {"Name": "due", "Type": "date", "Required": "N", "Multiple": "N",
                    "Default": "{=System:Date}"},
        },
        "RETURN_PROPERTIES": {
            "erp_id": {"Name": "ERP id", "Type": "string", "Required": "N", "Multiple": "N"},
        },
        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
        "FILTER": {"INCLUDE": [["crm", "CCrmDocumentDeal", "DEAL"],
                               ["crm", "CCrmDocumentLead", "LEAD"], ["lists"],
                               ["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic",
                                "DYNAMIC_1036"], "box"],
                   "EXCLUDE": ["b24"]},
        "USE_PLACEMENT": "Y",
        "PLACEMENT_HANDLER": "https://erp.example.com/bitrix/dialog",
    }
    assert invoice.add_params() == invoice.params
    assert invoice.update_fields() == {k: v for k, v in invoice.params.items() if k != "CODE"}


def test_empty_fields_are_left_out_of_an_add_and_cleared_by_an_update(tmp_path: Path) -> None:
    ping = registrations(tmp_path, VALID)["action:erp_ping"]
    assert ping.method_prefix == "bizproc.activity"
    assert ping.add_params() == {"CODE": "erp_ping", "HANDLER": "https://erp.example.com/ping",
                                 "AUTH_USER_ID": 3, "USE_SUBSCRIPTION": "Y",
                                 "NAME": "Ping the ERP"}
    fields = ping.update_fields()
    assert fields["DESCRIPTION"] == "" and fields["DOCUMENT_TYPE"] == []
    assert fields["FILTER"] == [] and fields["USE_PLACEMENT"] == "N"
    assert fields["PROPERTIES"] == {} and fields["RETURN_PROPERTIES"] == {}
    assert "PLACEMENT_HANDLER" not in fields


def test_the_registration_follows_the_environment(tmp_path: Path) -> None:
    text = 'robot erp "ERP" {\n    handler "{env.base}/robot"\n    auth_user env.who\n}\n'
    first = registrations(tmp_path, text, env=Environment(
        "a", {"base": "https://a.example.com", "who": 4}, symbolic=False))["robot:erp"]
    second = registrations(tmp_path, text, env=Environment(
        "b", {"base": "https://b.example.com", "who": "user_5"}, symbolic=False))["robot:erp"]
    assert (first.params["HANDLER"], first.params["AUTH_USER_ID"]) == \
        ("https://a.example.com/robot", 4)
    assert (second.params["HANDLER"], second.params["AUTH_USER_ID"]) == \
        ("https://b.example.com/robot", 5)
    assert first.content_hash != second.content_hash


def test_a_broken_declaration_is_not_registered_nor_its_callers_compiled(tmp_path: Path) -> None:
    source = tmp_path / "w.bpl"
    source.write_text(robot('    input _n: int\n') +
                      'workflow w for crm.deal {\n    erp()\n}\n'
                      'workflow v for crm.deal {\n    log "x"\n}\n', encoding="utf-8")
    result = build([source], ENV)
    assert result.robots == []
    assert [t.workflow for t in result.templates] == ["v"]


# ── calls: arguments, results, defaults ──────────────────────────────────────────────────────

CALLED = """\
robot erp "ERP" {
    handler "https://erp.example.com/robot"
    input amount: double required "Amount"
    input currency: string = "EUR"
    input urgent: bool = true
    output erp_id: string "ERP id"
}

action ping "Ping" {
    handler "https://erp.example.com/ping"
    wait_for_result false
}

workflow w for crm.deal {
    erp(amount: doc.OPPORTUNITY) as invoice
    ping() as p
    log "id {invoice.erp_id}, timed out {invoice.IsTimeout}"
%s
}
"""


def _call_diagnostics(tmp_path: Path, extra: str) -> list[tuple[str, str]]:
    source = tmp_path / "w.bpl"
    source.write_text(CALLED % extra, encoding="utf-8")
    result = build([source], ENV)
    return [(d.code, d.message) for d in result.diagnostics.sorted()]


def test_results_are_the_outputs_and_is_timeout(tmp_path: Path) -> None:
    assert _call_diagnostics(tmp_path, "") == []
    assert _call_diagnostics(tmp_path, '    log "{invoice.erp}"') == \
        [("E100", "'invoice' (robot erp) has no result 'erp'")]


def test_a_robot_that_does_not_wait_has_no_results(tmp_path: Path) -> None:
    assert _call_diagnostics(tmp_path, '    log "{p.IsTimeout}"') == \
        [("E100", "'p' (action ping) has no result 'IsTimeout'")]


@pytest.mark.parametrize(("call", "expected"), [
    ("erp()", ("E109", "'erp' needs input 'amount'")),
    ('erp(amount: 1, currenc: "USD")', ("E108", "'erp' has no input 'currenc'")),
    ('erp(1, "USD", true, 4)', ("E108", "too many arguments for 'erp'")),
    ("erp(1, 2, 3)", ("E200", "input 'urgent' is bool: 3 is a number, not true or false")),
    ("erp(amount: user(1))", ("E200", "input 'amount' is double, the value is user")),
])
def test_arguments_are_checked_against_the_inputs(tmp_path: Path, call: str,
                                                  expected: tuple[str, str]) -> None:
    assert _call_diagnostics(tmp_path, f"    {call}") == [expected]


def test_input_defaults_are_written_into_each_call(tmp_path: Path) -> None:
    source = tmp_path / "w.bpl"
    source.write_text(CALLED % '    erp(amount: 5, currency: "USD")', encoding="utf-8")
    result = build([source], ENV)
    calls = [n for n in result.templates[0].template.to_package()["TEMPLATE"][0]["Children"]
             if n["Type"] == robot_activity_type("local.app", "erp")]
    assert [(c["Properties"]["currency"], c["Properties"]["urgent"]) for c in calls] == \
        [("EUR", "Y"), ("USD", "Y")]
    registered = {r.code: r for r in result.robots}["erp"].params["PROPERTIES"]
    assert (registered["currency"]["Default"], registered["urgent"]["Default"]) == ("EUR", "Y")


def test_an_input_given_twice_is_refused(tmp_path: Path) -> None:
    assert _call_diagnostics(tmp_path, "    erp(1, amount: 2)") == \
        [("E108", "input 'amount' of 'erp' is given twice")]
