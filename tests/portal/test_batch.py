"""Batch: chunking, PHP-style command encoding and per-key results."""

from __future__ import annotations

from urllib.parse import unquote

import httpx
import pytest

from compiler.portal import MethodError, PortalClient, PortalError

from .fake_portal import FakePortal, ok, parse_php_query


def test_120_commands_go_out_as_3_requests_in_order(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    for n in range(120):
        portal.add_template(f"t{n}")
    commands = {
        f"k{n}": ("bizproc.workflow.template.list", {"FILTER": {"NAME": f"t{n}"}})
        for n in range(120)
    }
    result = oauth_client.batch(commands)
    sizes = [len(s.body["cmd"]) for s in portal.calls("batch")]
    assert sizes == [50, 50, 20]
    assert next(iter(portal.calls("batch")[1].body["cmd"])) == "k50"
    assert result.ok
    assert result["k119"] == [{"ID": 120, "NAME": "t119"}]
    assert result.result_total["k7"] == 1
    assert len(result.result) == 120


def test_nested_params_are_encoded_php_style(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    params = {
        "TEMPLATE_ID": 7,
        "DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_5"],
        "PARAMETERS": {"Approver": "user_1", "Note": "a&b=c d"},
        "FLAG": True,
        "SKIPPED": None,
    }
    oauth_client.batch({"start": ("bizproc.workflow.start", params)})
    command = portal.calls("batch")[0].body["cmd"]["start"]
    method, _, query = command.partition("?")
    assert method == "bizproc.workflow.start"
    assert query.startswith(
        "TEMPLATE_ID=7&DOCUMENT_ID[0]=crm&DOCUMENT_ID[1]=CCrmDocumentDeal&DOCUMENT_ID[2]=DEAL_5"
    )
    assert "PARAMETERS[Note]=a%26b%3Dc%20d" in query
    assert "FLAG=1" in query
    assert "SKIPPED" not in query
    # What PHP's parse_str on the portal reads back:
    assert parse_php_query(query) == {
        "TEMPLATE_ID": "7",
        "DOCUMENT_ID": ["crm", "CCrmDocumentDeal", "DEAL_5"],
        "PARAMETERS": {"Approver": "user_1", "Note": "a&b=c d"},
        "FLAG": "1",
    }


def test_result_error_is_surfaced_per_key(oauth_client: PortalClient, portal: FakePortal) -> None:
    tid = portal.add_template("keep")
    result = oauth_client.batch(
        {
            "good": ("bizproc.workflow.template.update", {"ID": tid, "FIELDS": {"NAME": "x"}}),
            "bad": ("bizproc.workflow.template.update", {"ID": 999, "FIELDS": {"NAME": "y"}}),
        }
    )
    assert not result.ok
    assert result["good"] == tid
    error = result.result_error["bad"]
    assert isinstance(error, MethodError)
    assert error.code == "ERROR_TEMPLATE_NOT_FOUND"
    assert error.method == "bizproc.workflow.template.update"
    assert "Workflow template not found." in str(error)
    with pytest.raises(MethodError):
        result["bad"]
    with pytest.raises(MethodError):
        result.raise_for_errors()


def test_halt_stops_at_the_first_failing_chunk(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    commands = {f"u{n}": ("bizproc.workflow.template.update", {"ID": 999}) for n in range(60)}
    result = oauth_client.batch(commands, halt=True)
    assert len(portal.calls("batch")) == 1
    assert portal.calls("batch")[0].body["halt"] == 1
    assert list(result.result_error) == ["u0"]
    assert result.skipped == [f"u{n}" for n in range(1, 60)]


def test_a_list_shaped_answer_maps_back_to_numeric_keys(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    portal.faults.append(
        lambda request, p: httpx.Response(200, json=ok({"result": ["a", "b"], "result_error": []}))
    )
    result = oauth_client.batch({"0": ("profile", None), "1": ("profile", None)})
    assert result.result == {"0": "a", "1": "b"}


def test_references_must_point_to_an_earlier_command_of_the_same_request(
    oauth_client: PortalClient,
) -> None:
    ok_refs = {
        "add": ("bizproc.workflow.template.add", {"NAME": "n"}),
        "get": ("bizproc.workflow.template.list", {"FILTER": {"ID": "$result[add]"}}),
    }
    oauth_client.batch(ok_refs)
    too_far = {f"c{n}": ("profile", None) for n in range(50)}
    too_far["late"] = ("bizproc.workflow.template.list", {"FILTER": {"ID": "$result[c0]"}})
    with pytest.raises(PortalError, match=r"refers to \$result\[c0\]"):
        oauth_client.batch(too_far)


def test_references_stay_literal_in_the_command(
    oauth_client: PortalClient, portal: FakePortal
) -> None:
    oauth_client.batch(
        {
            "add": ("bizproc.workflow.template.add", {"NAME": "n"}),
            "get": ("bizproc.workflow.template.list", {"FILTER": {"ID": "$result[add]"}}),
        }
    )
    command = portal.calls("batch")[0].body["cmd"]["get"]
    assert "FILTER[ID]=$result[add]" in unquote(command)
    assert "$result[add]" in command


def test_an_empty_batch_sends_nothing(oauth_client: PortalClient, portal: FakePortal) -> None:
    assert oauth_client.batch({}).ok
    assert portal.seen == []


def test_bad_commands_are_refused(oauth_client: PortalClient) -> None:
    with pytest.raises(PortalError, match="must be a \\(method, params\\) pair"):
        oauth_client.batch({"x": "profile"})  # type: ignore[dict-item]
    with pytest.raises(PortalError, match="cannot encode a bytes"):
        oauth_client.batch({"x": ("profile", {"B": b"raw"})})
