"""One test (or a few) per activity kind the simulator runs."""

from __future__ import annotations

import pytest

from compiler.bitrix import Template
from compiler.simulator import Directory, RejectedInput, Runtime
from compiler.simulator.run import Run
from tests.simulator.trees import (
    approve,
    branch,
    if_else,
    log,
    log_lines,
    node,
    package,
    seq,
    set_field,
    set_var,
    titles,
    var,
)

PEOPLE = Directory({1: "Starter", 12: "Olga", 13: "Boris", 14: "Vera"}, {"group_hr": [13, 14]})


def start(*children: dict, **kwargs: object) -> Run:
    variables = kwargs.pop("variables", None)
    parameters = kwargs.pop("parameters", None)
    pkg = package(*children, variables=variables, parameters=parameters)  # type: ignore[arg-type]
    return Runtime(Template.from_package(pkg), directory=PEOPLE,
                   **kwargs).start()  # type: ignore[arg-type]


def test_set_field_converts_by_field_type_and_merges() -> None:
    run = start(set_field(TITLE="Deal {=Document:ID}", OPENED="=1 = 1", AMOUNT="=2 * 21"),
                node("SetFieldActivity", "Add tag", FieldValue={"TAGS": "c"},
                     MergeMultipleFields="Y"),
                document={"ID": 7, "TAGS": ["a"]},
                field_types={"OPENED": "bool", "AMOUNT": "int",
                             "TAGS": {"Type": "string", "Multiple": "1"}})
    assert run.document == {"ID": 7, "TAGS": ["a", "c"], "TITLE": "Deal 7", "OPENED": "Y",
                            "AMOUNT": 42}
    assert run.modified == ["TITLE", "OPENED", "AMOUNT", "TAGS"]


def test_set_variable_uses_the_variable_type() -> None:
    run = start(set_var(n="12.7", d="2025-02-03", u="12", b="1", m="x"),
                variables={"n": var("int"), "d": var("date"), "u": var("user"),
                           "b": var("bool"), "m": var("string", multiple=True)})
    assert run.variables == {"n": 12, "d": "2025-02-03", "u": "user_12", "b": "Y", "m": ["x"]}


def test_log_report_is_readable_by_name() -> None:
    run = start(log("one"), node("LogActivity", "Report", name="Rep", Text="two",
                                 SetVariable=True), log("got: {=Rep:Report}"))
    assert log_lines(run)[-1] == "got: one\ntwo"


def test_set_state_title() -> None:
    run = start(node("SetStateTitleActivity", TargetStateTitle="Checking {=Document:ID}"),
                document={"ID": 3})
    assert run.state_title == "Checking 3"


def test_delay_skips_time_on_the_virtual_clock() -> None:
    run = start(log("before"), node("DelayActivity", TimeoutDuration=2, TimeoutDurationType="h"),
                log("after {=System:Now}"), clock="2025-01-06 09:00:00")
    assert run.status == "running"
    assert run.next_timer() is not None
    run.advance_to("2025-01-06 10:59:59")
    assert log_lines(run) == ["before"]
    run.advance_to("2025-01-07 00:00:00")
    assert log_lines(run) == ["before", "after 2025-01-06 11:00:00"]
    assert run.status == "completed"


def test_delay_until_a_moment() -> None:
    run = start(node("DelayActivity", TimeoutDuration="",
                     TimeoutTime="=dateadd({=System:Now}, '1d')"), clock="2025-01-06 09:00:00")
    assert str(run.next_timer()) == "2025-01-07 09:00:00"


def test_if_else_takes_the_first_true_branch() -> None:
    run = start(if_else(branch(("propertyvariablecondition", [["n", ">", "10", 0]]),
                               log("big"), title="Big"),
                        branch(("propertyvariablecondition", [["n", ">", "1", 0]]),
                               log("medium"), title="Medium"),
                        branch(None, log("small"), title="Small")),
                variables={"n": var("int", 5)})
    assert log_lines(run) == ["medium"]
    assert "Big" not in titles(run) and "Small" not in titles(run)


def test_if_else_without_a_true_branch_closes() -> None:
    run = start(if_else(branch(("propertyvariablecondition", [["n", "<", "0", 0]]), log("x"))),
                log("after"), variables={"n": var("int", 5)})
    assert log_lines(run) == ["after"]


def test_deactivated_activities_are_skipped() -> None:
    run = start(log("on"), node("LogActivity", "Off", activated=False, Text="off"),
                node("CodeActivity", "Never", activated=False, ExecuteCode="echo 1;"))
    assert log_lines(run) == ["on"]
    assert run.status == "completed"


def test_while_runs_children_zero_per_iteration() -> None:
    loop = node("WhileActivity", "Count",
                [seq(set_var(i="={=Variable:i} + 1"), log("i={=Variable:i}"))],
                propertyvariablecondition=[["i", "<", "3", 0]])
    run = start(loop, variables={"i": var("int", 0)})
    assert log_lines(run) == ["i=1", "i=2", "i=3"]


def test_while_stops_after_1000_iterations_with_bitrix_error() -> None:
    loop = node("WhileActivity", "Forever", [seq(set_var(i="={=Variable:i} + 1"))],
                truecondition="1")
    run = start(loop, variables={"i": var("int", 0)})
    assert run.status == "error"
    assert run.error == "Loop iteration maximum exceeded"
    assert run.variables["i"] == 1000


def test_while_without_condition_is_an_error() -> None:
    run = start(node("WhileActivity", "Broken", [seq()]))
    assert run.status == "error" and run.error == "The condition is missing."


def test_for_each_over_a_list_and_a_map() -> None:
    loop = node("ForEachActivity", "Each", [seq(log("{=Loop:Key}={=Loop:Value}"))],
                name="Loop", Variable="items", Object="Variable")
    run = start(loop, variables={"items": var("string", ["a", "b"], multiple=True)})
    assert log_lines(run) == ["0=a", "1=b"]
    loop2 = node("ForEachActivity", "Each", [seq(log("{=Loop2:Key}={=Loop2:Value}"))],
                 name="Loop2", Variable="FIELDS", Object="Document")
    run = start(loop2, document={"FIELDS": {"x": 1, "y": 2}})
    assert log_lines(run) == ["x=1", "y=2"]


def test_parallel_interleaves_branches_and_waits_for_all() -> None:
    run = start(node("ParallelActivity", "Both", [
        seq(log("a1"), approve(["user_12"], yes=[log("a-approved")]), log("a2"), title="A"),
        seq(log("b1"), log("b2"), log("b3"), title="B"),
    ]), log("after"))
    assert log_lines(run) == ["a1", "b1", "b2", "b3"]  # B goes on while A waits
    run.complete_task(run.waiting_tasks[0].id, 12, "yes")
    assert log_lines(run) == ["a1", "b1", "b2", "b3", "a-approved", "a2", "after"]
    assert run.status == "completed"


def test_parallel_branches_take_turns() -> None:
    run = start(node("ParallelActivity", "Both", [seq(log("a1"), log("a2")),
                                                  seq(log("b1"), log("b2"))]))
    assert log_lines(run) == ["a1", "b1", "a2", "b2"]


def test_approve_any_first_answer_decides() -> None:
    run = start(approve(["user_12", "user_13"], yes=[log("yes")], no=[log("no")], name="Ap"),
                log("by {=Ap:LastApprover > printable}: {=Ap:LastApproverComment}"))
    task = run.waiting_tasks[0]
    assert task.users == [12, 13] and task.name == "Approve it"
    run.complete_task(task.id, 13, "no", "nope")
    assert log_lines(run) == ["no", "by Boris: nope"]
    assert task.status == "rejected"
    assert run.results["Ap"]["Rejecters"] == "Boris"
    assert run.results["Ap"]["UserRejecters"] == ["user_13"]


def test_approve_all_needs_everyone_and_one_no_rejects() -> None:
    run = start(approve(["group_hr"], approve_type="all", yes=[log("yes")], no=[log("no")]))
    task = run.waiting_tasks[0]
    assert task.users == [13, 14]
    run.complete_task(task.id, 13, "yes")
    assert run.status == "running"
    run.complete_task(task.id, 14, "yes")
    assert log_lines(run) == ["yes"]
    run = start(approve(["group_hr"], approve_type="all", yes=[log("yes")], no=[log("no")]))
    run.complete_task(run.waiting_tasks[0].id, 14, "no")
    assert log_lines(run) == ["no"]


@pytest.mark.parametrize(("percent", "answers", "outcome"), [
    (50, ["yes", "yes"], "approved"),                 # 66% > 50%
    (50, ["yes", "no", "no"], "rejected"),            # 66% said no ≥ 100 - 50
    (66, ["yes", "yes", "no"], "waiting"),            # 66% is not above 66, 33% no is
                                                      # below 34: Bitrix keeps waiting
    (100, ["yes", "yes", "yes"], "approved"),         # … but 100 of 100 passes
])
def test_approve_vote_percentage(percent: int, answers: list[str], outcome: str) -> None:
    run = start(approve(["user_12", "user_13", "user_14"], approve_type="vote",
                        ApproveMinPercent=percent, name="V"))
    task = run.waiting_tasks[0]
    for user, answer in zip((12, 13, 14), answers, strict=False):
        if task.waiting:
            run.complete_task(task.id, user, answer)
    assert task.status == outcome
    assert run.results["V"]["VotedPercent"] in (33, 66, 100)


def test_approve_vote_waits_for_all_when_asked() -> None:
    run = start(approve(["user_12", "user_13"], approve_type="vote", ApproveWaitForAll="Y"))
    task = run.waiting_tasks[0]
    run.complete_task(task.id, 12, "yes")
    assert task.waiting
    run.complete_task(task.id, 13, "yes")
    assert task.status == "approved"


def test_approve_timeout_takes_the_rejected_branch() -> None:
    run = start(approve(["user_12"], TimeoutDuration=2, TimeoutDurationType="d", name="T",
                        yes=[log("yes")], no=[log("timeout={=T:IsTimeout}")]),
                clock="2025-01-06 09:00:00")
    run.advance_to("2025-01-08 09:00:00")
    assert log_lines(run) == ["timeout=1"]
    assert run.tasks[0].status == "timeout"


def test_approve_refuses_wrong_users_and_missing_comments() -> None:
    run = start(approve(["user_12"], CommentRequired="YR"))
    task = run.waiting_tasks[0]
    with pytest.raises(RejectedInput):
        run.complete_task(task.id, 99, "yes")
    with pytest.raises(RejectedInput):
        run.complete_task(task.id, 12, "no")
    run.complete_task(task.id, 12, "no", "because")
    with pytest.raises(RejectedInput):
        run.complete_task(task.id, 12, "yes")


def test_review_all_and_any() -> None:
    review = node("ReviewActivity", "Read", name="R", Users=["user_12", "user_13"],
                  ApproveType="all", Name="Read it", TimeoutDuration=0)
    run = start(review, log("{=R:ReviewedCount}/{=R:TotalCount} {=R:LastReviewer}"))
    run.complete_task(1, 12, "ok")
    assert run.status == "running"
    run.complete_task(1, 13, "ok", "seen")
    assert log_lines(run) == ["2/2 user_13"]


def test_request_information_writes_variables() -> None:
    request = node("RequestInformationActivity", "Ask", name="Q", Users=["user_12"],
                   Name="Details please", RequestedInformation=[
                       {"Name": "reason", "Title": "Reason", "Type": "string", "Required": "Y"},
                       {"Name": "days", "Title": "Days", "Type": "int", "Required": "N"}])
    run = start(request, log("{=Variable:reason} for {=Variable:days} ({=Q:InfoUser})"),
                variables={"reason": var("string"), "days": var("int")})
    with pytest.raises(RejectedInput):
        run.complete_task(1, 12, "ok", fields={"days": "3"})
    run.complete_task(1, 12, "ok", fields={"reason": "Trip", "days": "3"})
    assert run.variables == {"reason": "Trip", "days": 3}
    assert log_lines(run) == ["Trip for 3 (user_12)"]


def test_task2_holds_until_closed() -> None:
    task = node("Task2Activity", "Do it", name="T2", HoldToClose=True, Fields={
        "TITLE": "Call {=Document:NAME}", "CREATED_BY": ["user_1"], "RESPONSIBLE_ID": ["user_12"]})
    run = start(task, log("closed by {=T2:ClosedBy}"), document={"NAME": "ACME"})
    created = run.tasks[0]
    assert (created.kind, created.name, created.users) == ("task", "Call ACME", [12])
    assert run.status == "running"
    run.complete_task(created.id, 12, "closed")
    assert log_lines(run) == ["closed by user_12"]


def test_task2_without_hold_does_not_wait_and_needs_a_creator() -> None:
    run = start(node("Task2Activity", Fields={"TITLE": "x", "CREATED_BY": ["user_1"],
                                              "RESPONSIBLE_ID": ["user_12"]}, HoldToClose=False))
    assert run.status == "completed" and run.tasks[0].status == "open"
    run = start(node("Task2Activity", "No creator", Fields={"TITLE": "x"}))
    assert run.status == "error" and "CREATED_BY" in (run.error or "")


def test_terminate_ends_the_workflow() -> None:
    run = start(log("a"), node("TerminateActivity", StateTitle="Stopped"), log("b"))
    assert (run.status, run.state_title, log_lines(run)) == ("terminated", "Stopped", ["a"])


def test_start_workflow_is_recorded() -> None:
    run = start(node("StartWorkflowActivity", name="SW", TemplateId=5, DocumentId="DEAL_1",
                     TemplateParameters={"p": "{=Document:ID}"}, UseSubscription="N"),
                log("{=SW:WorkflowId}"), document={"ID": 9})
    assert run.records[0]["kind"] == "workflow"
    assert run.records[0]["parameters"] == {"p": 9}
    assert log_lines(run) == [run.records[0]["id"]]


def test_crm_change_status_sets_the_stage_and_ends_the_workflow() -> None:
    run = start(node("CrmChangeStatusActivity", TargetStatus="WON"), log("never"))
    assert run.status == "terminated" and run.document["STAGE_ID"] == "WON"
    run = start(node("CrmChangeStatusActivity", TargetStatus="JUNK"),
                document_type=["crm", "CCrmDocumentLead", "LEAD"])
    assert run.document["STATUS_ID"] == "JUNK"


@pytest.mark.parametrize(("getter", "chosen"), [("f", "user_13"), ("s", "user_13")])
def test_crm_change_responsible(getter: str, chosen: str) -> None:
    run = start(node("CrmChangeResponsibleActivity", Responsible=["group_hr"],
                     GetterType=getter))
    assert run.document["ASSIGNED_BY_ID"] == chosen


def test_crm_change_responsible_random_is_seeded() -> None:
    first = start(node("CrmChangeResponsibleActivity", Responsible=["group_hr"], GetterType="r"),
                  seed=3).document
    again = start(node("CrmChangeResponsibleActivity", Responsible=["group_hr"], GetterType="r"),
                  seed=3).document
    assert first == again


def test_messages_are_recorded() -> None:
    run = start(
        node("IMNotifyActivity", MessageUserFrom=["user_1"], MessageUserTo=["group_hr"],
             MessageSite="Hi {=Document:NAME}", MessageOut="", MessageType=2),
        node("SocNetMessageActivity", MessageUserFrom=["user_1"], MessageUserTo=["user_12"],
             MessageText="Note"),
        node("MailActivity", MailUserFrom="bot@x.test", MailUserTo="a@x.test, b@x.test",
             MailUserToArray=["user_12"], MailSubject="S", MailText="T", MailSeparator=","),
        document={"NAME": "ACME"})
    kinds = [(m["kind"], m["to"], m["text"]) for m in run.messages]
    assert kinds == [("notify", [13, 14], "Hi ACME"), ("message", [12], "Note"),
                     ("mail", ["a@x.test", "b@x.test", 12], "T")]


def test_webhook_and_created_documents_are_recorded() -> None:
    run = start(node("WebHookActivity", Handler="https://hooks.test/{=Document:ID}"),
                node("CreateCrmDealDocumentActivity", name="New", Fields={"TITLE": "Copy"}),
                log("deal {=New:DealId}"), document={"ID": 4})
    assert run.records[0]["url"] == "https://hooks.test/4"
    assert run.records[1]["fields"] == {"TITLE": "Copy"}
    assert log_lines(run) == ["deal 1001"]


def test_app_robot_waits_for_its_event() -> None:
    robot = node("rest_0123456789abcdef0123456789abcdef", "Score it", name="Rb",
                 UseSubscription="Y", TimeoutDuration=1, TimeoutDurationType="h",
                 lead="{=Document:ID}")
    run = start(robot, log("score={=Rb:score} timeout={=Rb:IsTimeout}"), document={"ID": 5})
    assert run.records[0]["properties"] == {"lead": 5}
    with pytest.raises(RejectedInput):
        run.send_event("Other", {})
    run.send_event("Rb", {"score": 42}, "scored")
    assert log_lines(run) == ["scored", "score=42 timeout=0"]


def test_app_robot_timeout_and_no_subscription() -> None:
    robot = node("rest_abc", "Slow", name="Rs", UseSubscription="Y", TimeoutDuration=10,
                 TimeoutDurationType="m")
    run = start(robot, log("timeout={=Rs:IsTimeout}"), clock="2025-01-06 09:00:00")
    run.advance_to("2025-01-06 09:10:00")
    assert log_lines(run) == ["timeout=1"]
    run = start(node("rest_abc", "Fire and forget", UseSubscription="N"), log("done"))
    assert log_lines(run) == ["done"]


def test_an_unknown_activity_stops_the_run_naming_type_and_title() -> None:
    run = start(log("a"), node("AcmeThirdPartyActivity", "Run it", Foo="1"), log("b"))
    assert run.status == "error"
    assert run.error == "cannot simulate activity AcmeThirdPartyActivity 'Run it'"
    assert log_lines(run) == ["a"]


def test_system_workflow_user_and_constant_objects() -> None:
    pkg = package(log("{=System:Date} {=Workflow:TemplateId} {=User:ID} {=Constant:c} "
                      "{=GlobalVar:g} {=Template:TargetUser}"),
                  constants={"c": var("string", "C")})
    run = Runtime(Template.from_package(pkg), clock="2025-05-05 10:00", user=7,
                  global_variables={"g": "G"}, template_id=33).start()
    # Any field of Workflow is the workflow's ID (getRealParameterValue, activity.php).
    assert log_lines(run) == [f"2025-05-05 {run.runtime.workflow_id} user_7 C G user_7"]
    assert run.runtime.workflow_id != "33"


def test_approve_status_message_counts_votes() -> None:
    run = start(approve(["user_12", "user_13"], approve_type="all", SetStatusMessage="Y",
                        StatusMessage="Voted #VOTED# of #TOTAL# (#PERC#%): #APPROVERS#"))
    assert run.state_title == "Voted 0 of 2 (0%): none"
    run.complete_task(1, 12, "yes")
    assert run.state_title == "Voted 1 of 2 (50%): Olga"


def test_printable_suffix_is_exact_outside_the_document() -> None:
    # getRealParameterValue strips `_printable` from a variable's name only in lower case.
    run = start(log("[{=Variable:boss_printable}] [{=Variable:boss_PRINTABLE}]"),
                variables={"boss": var("user", "user_12")})
    assert log_lines(run) == ["[Olga] []"]
