"""What the simulator does for the activities beyond the core ones: people, global variables,
CRM items of any type, lists, timeline and messages, permissions, RPA and Tasks activities.
Each test states Bitrix's rule it checks (the class it comes from is named in the handler)."""

from __future__ import annotations

from typing import Any

from compiler.bitrix import Template
from compiler.simulator import Run, Runtime
from compiler.simulator.directory import Directory
from tests.simulator.trees import log, node, package, seq

PEOPLE = Directory.from_data(
    {"1": "Ann Starter", "2": {"name": "Bob Head", "head": 3},
     "3": {"name": "Cid Boss", "absent": True, "head": 8},
     "4": {"name": "Dan Clerk", "head": 2}, "8": "Hal Top",
     "5": {"name": "Eve Off", "active": False},
     "6": {"name": "Fay Mobile", "profile": {"PERSONAL_MOBILE": "+4477", "EMAIL": "f@x.io"}}},
    {})


def run_of(*children: dict[str, Any], **runtime: Any) -> Run:
    runtime.setdefault("directory", PEOPLE)
    return Runtime(Template.from_package(package(*children)), **runtime).start()


def notes(run: Run) -> list[str]:
    return [e["text"] for e in run.log if e.get("note")]


# ── people ──────────────────────────────────────────────────────────────────────────────
def get_user(name: str = "G", **props: Any) -> dict[str, Any]:
    return node("GetUserActivity", "Pick", name=name, **props)


def test_get_user_boss_climbs_the_heads_passing_over_absent_ones() -> None:
    # getUserDepartmentChains: the head of each level up to MaxLevel (0: all); an absent head
    # is passed over and the search goes one level further.
    def boss(user: str, level: int, skip: str) -> list[str]:
        run = run_of(get_user(UserType="boss", UserParameter=[user], MaxLevel=level,
                              SkipAbsent=skip))
        return run.results["G"]["GetUser"]
    assert boss("user_4", 0, "N") == ["user_2", "user_3", "user_8"]
    # PHP's $maxLevel++ turns "no limit" (0) into 1 at the first head passed over, so the
    # search stops there: 8 is not reached.
    assert boss("user_4", 0, "Y") == ["user_2"]
    assert boss("user_4", 1, "N") == ["user_2"]
    assert boss("user_2", 1, "N") == ["user_3"]
    assert boss("user_2", 1, "Y") == ["user_8"]


def test_get_user_random_skips_absent_and_inactive_then_falls_back_to_the_reserve() -> None:
    run = run_of(get_user(UserType="random", UserParameter=["user_3", "user_5"],
                          ReserveUserParameter=["user_4", "user_1"]))
    # Nobody available (3 is absent, 5 inactive): a random rule takes the first reserve.
    assert run.results["G"]["GetUser"] == ["user_4"]
    run = run_of(get_user(UserType="random", UserParameter=["user_1", "user_3"],
                          ReserveUserParameter=["user_4"]))
    assert run.results["G"]["GetUser"] == ["user_1"]


def test_get_user_in_turn_moves_on_each_time() -> None:
    picks = [get_user(f"G{i}", UserType="sequent", UserParameter=["user_1", "user_2"])
             for i in range(1)]
    loop = node("WhileActivity", "Loop", [seq(picks[0], log("{=G0:GetUser}"))],
                propertyvariablecondition=[["n", "<", "3"]])
    counter = node("SetVariableActivity", "Count", VariableValue={"n": "={=Variable:n} + 1"})
    loop["Children"][0]["Children"].append(counter)
    pkg = package(loop, variables={"n": {"Name": "n", "Type": "int", "Default": 0}})
    run = Runtime(Template.from_package(pkg), directory=PEOPLE).start()
    assert run.report_lines() == ["user_1", "user_2", "user_1"]


def test_get_user_info_reads_the_profile_and_the_derived_fields() -> None:
    run = run_of(node("GetUserInfoActivity", "Who", name="U", GetUser="user_6"),
                 node("GetUserInfoActivity", "Who else", name="V", GetUser="user_3"),
                 log("{=U:USER_NAME} {=U:USER_EMAIL} {=U:IS_ABSENT} {=V:IS_ABSENT}"),
                 clock="2025-01-06 10:00:00")
    assert run.report_lines() == ["Fay f@x.io N Y"]
    assert run.results["U"]["TIMEMAN_STATUS"] == "OPENED"
    assert notes(run) == []


def test_an_absence_makes_the_user_absent_for_later_picks() -> None:
    run = run_of(node("AbsenceActivity", "Away", AbsenceUser=["user_1"], AbsenceName="Trip",
                      AbsenceFrom="2025-01-06", AbsenceTo="2025-01-10"),
                 get_user(UserType="random", UserParameter=["user_1"],
                          ReserveUserParameter=["user_4"]))
    assert run.results["G"]["GetUser"] == ["user_4"]
    assert run.records[0]["kind"] == "absence" and run.records[0]["users"] == [1]


# ── global variables ───────────────────────────────────────────────────────────────────
def test_global_variables_are_written_typed_and_math_only_into_numbers() -> None:
    run = run_of(node("SetGlobalVariableActivity", "Set", GlobalVariableValue={
                     "{=GlobalVar:Total}": "5", "{=GlobalVar:Missing}": "x", "Name": "Z"}),
                 node("MathOperationActivity", "Add", Conditions={
                     "{=GlobalVar:Total}": ["{=GlobalVar:Total}", "*", "3"],
                     "{=GlobalVar:Name}": ["1", "+", "1"]}),
                 log("{=GlobalVar:Total} {=GlobalVar:Name}"),
                 global_variables={"Total": 0, "Name": "A"})
    assert run.report_lines() == ["15 Z"]
    assert run.global_variables == {"Total": 15, "Name": "Z"}  # no Missing: Bitrix skips it


# ── CRM items ──────────────────────────────────────────────────────────────────────────
DEAL = {"TITLE": "Big", "ASSIGNED_BY_ID": "user_2", "CONTACT_ID": 3, "COMPANY_ID": 4,
        "STAGE_ID": "NEW", "CATEGORY_ID": 0}
OTHERS = {"CONTACT_3": {"NAME": "Anna", "PHONE": [{"VALUE": "+100", "VALUE_TYPE": "WORK"}]},
          "COMPANY_4": {"TITLE": "Acme"},
          "DYNAMIC_128_5": {"TITLE": "Claim", "AMOUNT": 10},
          "DYNAMIC_128_6": {"TITLE": "Other", "AMOUNT": 99}}


def crm_run(*children: dict[str, Any], **runtime: Any) -> Run:
    return run_of(*children, document=dict(DEAL), document_id="7",
                  documents=runtime.pop("documents", OTHERS), **runtime)


def test_create_update_read_and_delete_items_of_any_type() -> None:
    filter_amount = {"items": [[{"object": "Document", "field": "AMOUNT", "operator": ">",
                                 "value": "50"}, "AND"]]}
    run = crm_run(
        node("CrmCreateDynamicActivity", "New", name="N", DynamicTypeId=128,
             DynamicEntitiesFields={"128_TITLE": "Fresh", "128_AMOUNT": ""}),
        node("CrmUpdateDynamicActivity", "Upd", DynamicTypeId=128,
             DynamicFilterFields=filter_amount, DynamicEntitiesFields={"TITLE": "Big one"}),
        node("CrmGetDynamicInfoActivity", "Read", name="R", DynamicTypeId=128,
             DynamicFilterFields=filter_amount, ReturnFields=["TITLE", "AMOUNT"]),
        node("CrmDeleteDynamicActivity", "Del", EntityTypeId=128, EntityId=5),
        log("{=N:ItemId} {=R:TITLE} {=R:AMOUNT}"))
    assert run.report_lines() == ["1001 Big one 99"]
    assert run.store.get("DYNAMIC_128_1001") == {"TITLE": "Fresh", "ID": 1001}
    assert "DYNAMIC_128_5" in run.store.deleted
    assert run.status == "completed"


def test_deleting_the_workflows_own_item_ends_the_workflow() -> None:
    run = crm_run(node("CrmDeleteDynamicActivity", "Del", EntityTypeId=2, EntityId=7),
                  log("never"))
    assert run.status == "terminated" and run.report_lines() == []
    run = crm_run(node("DeleteDocumentActivity", "Delete"), log("never"))
    assert run.status == "terminated" and run.records[-1]["kind"] == "deleted"


def test_an_item_the_scenario_does_not_give_is_reported_not_invented() -> None:
    run = crm_run(node("CrmGetDataEntityActivity", "Read", name="R", EntityType="CONTACT",
                       EntityId="C_9", EntityFields={"NAME": "Name"},
                       DocumentType=["crm", "CCrmDocumentContact", "CONTACT"]),
                  node("CrmGetDataEntityActivity", "Read 3", name="S", EntityType="CONTACT",
                       EntityId="C_3", EntityFields={"NAME": "Name"},
                       DocumentType=["crm", "CCrmDocumentContact", "CONTACT"]),
                  log("{=S:NAME}"))
    assert run.report_lines() == ["CONTACT_9 was not found", "Anna"]
    assert notes(run) == ["[simulator] CrmGetDataEntityActivity 'Read': CONTACT_9 is not "
                          "among the scenario's [documents]; on a portal it may exist — give "
                          "it there to simulate this activity"]


def test_linked_contact_fields_category_change_and_observers() -> None:
    run = crm_run(node("CrmSetContactField", "Contact", FieldValue={"NAME": "Anne"}),
                  node("CrmSetObserverField", "Watch", ActionOnObservers="add",
                       Observers=["user_1", "user_4"]),
                  node("CrmChangeDealCategoryActivity", "Move", CategoryId=3),
                  log("never"))
    assert run.store.get("CONTACT_3")["NAME"] == "Anne"  # type: ignore[index]
    assert run.document["OBSERVER_IDS"] == ["user_1", "user_4"]
    assert (run.document["CATEGORY_ID"], run.document["STAGE_ID"]) == (3, "C3:NEW")
    assert run.status == "terminated"


def test_conversion_creates_the_items_and_returns_their_ids() -> None:
    run = run_of(node("CrmConvertDocumentActivity", "Convert", name="C",
                      Items=["DEAL", "CONTACT"]),
                 log("{=C:DealId} {=C:ContactId}"),
                 document={"TITLE": "Lead", "ASSIGNED_BY_ID": "user_1"},
                 document_type=["crm", "CCrmDocumentLead", "LEAD"], document_id="LEAD_2")
    assert run.report_lines() == ["1001 1002"]
    assert run.store.get("DEAL_1001")["LEAD_ID"] == 2  # type: ignore[index]
    assert run.document["STATUS_ID"] == "CONVERTED"


def test_a_stage_listener_waits_for_the_deal_and_a_change_resumes_it() -> None:
    run = crm_run(node("CrmDealStageListenActivity", "Wait", name="W", DealId="1",
                       WaitForState=["PREPARATION"]), log("{=W:StageId} {=W:StageSemantics}"),
                  documents={"DEAL_1": {"STAGE_ID": "NEW"}})
    assert run.status == "running"
    run.update_document({"STAGE_ID": "EXECUTING"}, "DEAL_1")
    assert run.status == "running"
    run.update_document({"STAGE_ID": "C2:WON"}, "DEAL_1")
    assert run.report_lines() == ["C2:WON success"]
    replayed = Run.from_json(run.to_json())
    assert replayed.report_lines() == ["C2:WON success"] and replayed.status == "completed"


# ── timeline, messages ─────────────────────────────────────────────────────────────────
def test_timeline_todo_and_sms_are_recorded_as_messages() -> None:
    run = crm_run(node("CrmTimelineCommentAdd", "Comment", CommentText=["a", "b"],
                       CommentUser=["user_1"]),
                  node("CrmCreateToDoActivity", "Todo", name="T", Description="Call back"),
                  node("CrmSendSmsActivity", "Sms", ProviderId="twilio", MessageText="Hi",
                       RecipientType="entity"),
                  node("CrmSendSmsActivity", "Sms staff", ProviderId="twilio",
                       MessageText="Hey", RecipientType="user", RecipientUser=["user_6"]),
                  node("CrmTimelineCommentAdd", "Empty", CommentText="  "))
    kinds = [(m["kind"], m["to"], m["text"]) for m in run.messages]
    assert kinds == [("comment", [], "a, b"), ("todo", [2], "Call back"),
                     ("sms", ["+100"], "Hi"), ("sms", ["+4477"], "Hey")]
    assert run.results["T"]["Id"] == 501
    assert run.report_lines() == ["The comment is empty"]


# ── lists, permissions ─────────────────────────────────────────────────────────────────
def test_list_elements_are_created_changed_and_read() -> None:
    list5 = ["lists", "BizprocDocument", "iblock_5"]
    run = run_of(node("CreateListsDocumentActivity", "Add", name="A", DocumentType=list5,
                      Fields={"NAME": "Row"}),
                 node("UpdateListsDocumentActivity", "Upd", DocumentType=list5,
                      ElementId="{=A:ElementId}", Fields={"PROPERTY_X": "7"}),
                 node("GetListsDocumentActivity", "Get", name="G", DocumentType=list5,
                      ElementId="{=A:ElementId}", Fields=["NAME"],
                      FieldsMap={"NAME": {"Type": "string"}, "PROPERTY_X": {"Type": "int"}}),
                 node("GetListsDocumentActivity", "Wrong list", DocumentType=[
                     "lists", "BizprocDocument", "iblock_6"], ElementId="{=A:ElementId}",
                      Fields=["NAME"], FieldsMap={"NAME": {}}),
                 log("{=G:NAME} {=G:PROPERTY_X}"), user=4)
    assert run.store.get("ELEMENT_1001") == {"NAME": "Row", "IBLOCK_ID": "5",
                                             "CREATED_BY": "user_4", "ID": 1001,
                                             "PROPERTY_X": "7"}
    assert run.report_lines() == ["Incorrect document type or element id", "Row 7"]


def test_permissions_hold_rewrite_and_clear() -> None:
    def perms(*modes: tuple[int, dict[str, Any]]) -> dict[str, list[int]]:
        run = run_of(*(node("SetPermissionsActivity", f"P{i}", SetMode=mode, Permission=given)
                       for i, (mode, given) in enumerate(modes)))
        return run.records[-1]["permissions"]
    assert perms((1, {"read": ["user_1"]}), (1, {"read": ["user_2"]})) == {"read": [1, 2]}
    assert perms((1, {"read": ["user_1"], "write": ["user_1"]}),
                 (2, {"read": ["user_2"]})) == {"read": [2], "write": [1]}
    assert perms((1, {"read": ["user_1"], "write": ["user_1"]}),
                 (3, {"read": ["user_2"]})) == {"read": [2]}


# ── tasks: RPA, Tasks module, optional requests ───────────────────────────────────────
def test_rpa_approval_moves_the_item_to_the_actions_stage_and_ends_the_workflow() -> None:
    actions = [{"stageId": 5, "label": "Yes"}, {"stageId": 6, "label": "No"}]
    approve = node("RpaApproveActivity", "Approve", name="R", Name="OK?",
                   Responsible=["user_1", "user_2"], ApproveType="all", Actions=actions)
    run = run_of(approve, log("never"), document={"STAGE_ID": 1})
    run.complete_task(1, 1, "yes")
    assert run.status == "running"
    run.complete_task(1, 2, "no")
    assert (run.status, run.document["STAGE_ID"], run.results["R"]["LastApprover"]) == (
        "terminated", 6, "user_2")


def test_completing_the_items_tasks_resumes_a_task_the_workflow_holds_for() -> None:
    task = node("Task2Activity", "Task", name="T", HoldToClose=True,
                Fields={"TITLE": "Do", "CREATED_BY": "user_1", "RESPONSIBLE_ID": "user_2"})
    done = node("CrmCompleteTaskActivity", "Done", TargetStatus=["NEW"])
    pkg = package(node("ParallelActivity", "Both", [seq(task, log("closed {=T:ClosedBy}")),
                                                    seq(done)]))
    run = Runtime(Template.from_package(pkg), document=dict(DEAL),
                  document_id="7").start()
    assert run.report_lines() == ["closed "]
    assert run.tasks[0].status == "closed" and run.status == "completed"


def test_a_refused_optional_request_runs_the_second_branch_and_keeps_no_answers() -> None:
    ask = node("RequestInformationOptionalActivity", "Ask",
               [seq(log("answered"), title="Yes"), seq(log("refused"), title="No")],
               Users=["user_1"], Name="Fill", RequestedInformation=[
                   {"Name": "v", "Title": "V", "Type": "string", "Required": "N"}])
    run = run_of(ask)
    run.complete_task(1, 1, "cancel", fields={"v": "x"})
    assert run.report_lines() == ["refused"] and run.variables.get("v") is None
