"""`bpl catalog` as a user runs it: the list, filters, one activity, JSON and unknown types."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from compiler.catalog import load_catalog
from compiler.catalog.statements import HANDLERS, STATEMENTS
from compiler.cli.catalog import statements_for
from compiler.cli.main import main


def run(*args: str) -> Result:
    # A wide terminal keeps table cells on one line, so the tests read content, not layout.
    return CliRunner(env={"COLUMNS": "250"}).invoke(main, ["catalog", *args],
                                                     catch_exceptions=False)


def as_json(*args: str) -> object:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_list_names_every_type_with_its_module() -> None:
    result = run()
    assert result.exit_code == 0
    assert f"{len(load_catalog().activities)} activity type(s)" in result.stdout
    for name in ("GetUserActivity", "CrmCreateToDoActivity", "RpaApproveActivity"):
        assert name in result.stdout
    assert "Module" in result.stdout and "Robot" in result.stdout


def test_json_lists_every_type_with_the_documented_keys() -> None:
    data = as_json()
    assert isinstance(data, list) and len(data) >= 120
    for entry in data:
        assert {"type", "module", "robot", "properties", "returns", "statements"} <= set(entry)
    names = [entry["type"] for entry in data]
    assert names == sorted(names, key=str.lower)


def test_module_filter() -> None:
    data = as_json("--module", "crm")
    assert isinstance(data, list) and data
    assert {entry["module"] for entry in data} == {"crm"}
    assert "CrmSendSmsActivity" in {entry["type"] for entry in data}
    assert "LogActivity" not in run("--module", "crm").stdout


def test_robots_filter() -> None:
    data = as_json("--robots")
    assert isinstance(data, list)
    names = {entry["type"] for entry in data}
    assert all(entry["robot"] for entry in data)
    assert {"SetFieldActivity", "CrmSendSmsActivity", "GetUserInfoActivity"} <= names
    assert "GetUserActivity" not in names  # a designer activity only


def test_filters_combine() -> None:
    data = as_json("--module", "tasks", "--robots")
    assert isinstance(data, list)
    assert {entry["type"] for entry in data} == {
        "TasksChangeStatusActivity", "TasksChangeResponsibleActivity", "TasksChangeStageActivity",
        "TasksDeleteTaskActivity", "TasksGetDocumentActivity", "TasksUpdateTaskActivity",
    }


def test_an_unknown_module_is_refused_with_the_choices() -> None:
    result = run("--module", "sale")
    assert result.exit_code == 2
    assert "crm" in result.output and "bizproc" in result.output


def test_show_one_activity() -> None:
    result = run("GetUserActivity")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("GetUserActivity: Select Employee")
    assert "getuseractivity/getuseractivity.php" in out
    for text in ("UserParameter", "ReserveUserParameter", "random, boss,", "GetUser", "user[]"):
        assert text in out
    assert "choose USERS { reserve USERS }" in out  # the statement that writes it


def test_show_is_case_insensitive_like_bitrix() -> None:
    assert run("getuseractivity").stdout == run("GetUserActivity").stdout


def test_show_names_the_statement_that_writes_an_activity() -> None:
    assert "statement        set doc.F = v" in run("SetFieldActivity").stdout
    assert "notify USERS" in run("IMNotifyActivity").stdout
    assert "create crm.deal" in run("CreateCrmDealDocumentActivity").stdout


def test_show_json_is_one_object() -> None:
    data = as_json("CrmSendSmsActivity")
    assert isinstance(data, dict)
    assert data["type"] == "CrmSendSmsActivity" and data["module"] == "crm" and data["robot"]
    assert data["properties"]["MessageText"]["required"] is True
    assert data["properties"]["RecipientType"]["options"] == ["entity", "user"]
    assert data["statements"] == ['sms "text"']


def test_show_conditional_requirements_and_returns() -> None:
    out = run("VoximplantCallActivity").stdout
    assert "unless" in out and "UseDocumentPhoneNumber=Y" in out
    assert "ResultCode" in out


@pytest.mark.parametrize("typo", ["GetUserActivty", "getuseractvity"])
def test_an_unknown_type_is_one_sentence_with_a_suggestion(typo: str) -> None:
    result = run(typo)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: no activity type '{typo}' in the catalog; did you mean 'GetUserActivity'?"
    )


def test_a_hopeless_type_points_at_the_list() -> None:
    result = run("Zzzzzz")
    assert result.exit_code == 1
    assert "run `bpl catalog` for the list" in result.stderr


def test_every_statement_of_the_table_has_a_syntax_and_a_catalogued_activity() -> None:
    catalog = load_catalog()
    for row in [*STATEMENTS.values(), *HANDLERS.values()]:
        assert row.synopsis, row.kind
    activities = [row.activity for row in STATEMENTS.values() if row.activity] + \
        [h.labelled for h in HANDLERS.values()]
    for activity in activities:
        assert catalog.activity(activity) is not None, activity
        assert statements_for(activity), activity
