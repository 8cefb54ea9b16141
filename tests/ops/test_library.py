"""compiler.ops against the sandbox: workflows, tasks and templates through the default
app's token and through webhooks, and the sentences refusals become."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.ops import OpsError, document_id, tasks, templates, workflows

from .rig import APPROVAL, DEAL, DEAL_1, REVIEW, Rig


def test_start_answer_and_finish_through_a_webhook(rig: Rig, tmp_path: Path) -> None:
    template_id = rig.add(APPROVAL, tmp_path)
    wid = workflows.start(rig.hook, template_id, DEAL_1, {"reason": "big"})
    (running,) = workflows.running(rig.hook)
    assert (running.id, running.template_id, running.document) == (wid, template_id, DEAL_1)
    (task,) = tasks.listed(rig.hook)
    assert (task.name, task.kind, task.answers, task.user_id, task.status) == (
        "Approve Big order", "approval", ("approve", "reject"), 1, "waiting")
    assert task.workflow_id == wid and task.document_name == "Deal #1"
    tasks.complete(rig.hook, task.id, "approve", "fine")
    assert rig.comments() == "approved (big)"
    assert workflows.running(rig.hook) == []
    assert tasks.listed(rig.hook) == []
    (done,) = tasks.listed(rig.hook, waiting_only=False)
    assert (done.status, done.user_status) == ("approved", "approved")


def test_answers_the_task_does_not_take_are_explained(rig: Rig, tmp_path: Path) -> None:
    workflows.start(rig.hook, rig.add(APPROVAL, tmp_path), DEAL_1)
    (task,) = tasks.listed(rig.hook)
    with pytest.raises(OpsError, match=rf"^task {task.id} is an approval: answer it with "
                                       r"--approve or --reject$"):
        tasks.complete(rig.hook, task.id, "ok")
    with pytest.raises(OpsError, match=r"'maybe' is not an answer"):
        tasks.complete(rig.hook, task.id, "maybe")
    with pytest.raises(OpsError, match=r"^task 999 is not waiting for the user of this "):
        tasks.complete(rig.hook, 999, "approve")
    tasks.complete(rig.hook, task.id, "reject")
    with pytest.raises(OpsError, match=rf"^task {task.id} is already completed$"):
        tasks.complete(rig.hook, task.id, "approve")


def test_delegation_and_its_refusals(rig: Rig, tmp_path: Path) -> None:
    workflows.start(rig.hook, rig.add(APPROVAL, tmp_path), DEAL_1)
    workflows.start(rig.hook, rig.add(REVIEW, tmp_path, "R"), DEAL_1)
    approval, review = tasks.listed(rig.hook)
    with pytest.raises(OpsError, match=r"^cannot delegate: Task delegation is not allowed"):
        tasks.delegate(rig.hook, [review.id], 1, 2)
    with pytest.raises(OpsError, match=r"^cannot delegate: Invalid TO_USER_ID"):
        tasks.delegate(rig.hook, [approval.id], 1, 99)
    tasks.delegate(rig.hook, [approval.id], 1, 2)
    assert [t.user_id for t in tasks.listed(rig.hook, 2)] == [2]
    ann = rig.client_of(rig.sandbox.create_webhook(2))
    try:
        with pytest.raises(OpsError, match=r"^cannot list the tasks of user 1: only"):
            tasks.listed(ann, 1)
        with pytest.raises(OpsError, match=r"^cannot delegate the tasks of user 1: only"):
            tasks.delegate(ann, [review.id], 1, 2)
        tasks.complete(ann, approval.id, "approve")
    finally:
        ann.close()
    assert rig.comments() == "approved (none)"


def test_terminate_and_kill(rig: Rig, tmp_path: Path) -> None:
    template_id = rig.add(APPROVAL, tmp_path)
    first = workflows.start(rig.hook, template_id, DEAL_1)
    second = workflows.start(rig.hook, template_id, DEAL_1)
    workflows.terminate(rig.hook, first, "Stopped from bpl")
    state = rig.sandbox.workflow(first)
    assert state is not None and (state["status"], state["state_title"]) == (
        "terminated", "Stopped from bpl")
    workflows.kill(rig.hook, second)
    assert rig.sandbox.workflow(second) is None
    assert workflows.running(rig.hook, template_id) == []
    with pytest.raises(OpsError, match=rf"^there is no running workflow {first} "):
        workflows.terminate(rig.hook, first)


def test_start_refusals_are_sentences(rig: Rig, tmp_path: Path) -> None:
    template_id = rig.add(APPROVAL, tmp_path)
    with pytest.raises(OpsError, match=r"^there is no template 42 on the portal"):
        workflows.start(rig.hook, 42, DEAL_1)
    with pytest.raises(OpsError, match=r"^the portal has no document crm.deal:9"):
        workflows.start(rig.hook, template_id, ["crm", "CCrmDocumentDeal", "DEAL_9"])
    rig.sandbox.seed_document(["crm", "CCrmDocumentLead", "LEAD_1"])
    with pytest.raises(OpsError, match=r"^the template is for another document type than "
                                       "crm.lead:1"):
        workflows.start(rig.hook, template_id, ["crm", "CCrmDocumentLead", "LEAD_1"])
    bob = rig.client_of(rig.sandbox.create_webhook(rig.sandbox.create_user("Bob")))
    try:
        with pytest.raises(OpsError, match=r"^cannot list workflows: the portal user of this "
                                           "environment's credentials is not an administrator"):
            workflows.running(bob)
    finally:
        bob.close()


def test_templates_are_listed_with_their_owners(rig: Rig, tmp_path: Path) -> None:
    ours = rig.add(APPROVAL, tmp_path)
    designer = rig.sandbox.seed_template(DEAL, "Made in the designer")
    (row,) = templates.listed(rig.app)
    assert (row.id, row.name, row.ownership, row.document_type) == (ours, "T", "unmarked", DEAL)
    everything = templates.listed(rig.app, include_all=True)
    assert [(r.id, r.ownership) for r in everything] == [(ours, "unmarked"),
                                                          (designer, "designer")]
    with pytest.raises(OpsError, match=r"belong to no application .* pass --all"):
        templates.listed(rig.hook)
    assert [r.ownership for r in templates.listed(rig.hook, include_all=True)] == [
        "unknown", "designer"]


def test_template_delete_checks_what_bitrix_would_refuse(rig: Rig, tmp_path: Path) -> None:
    ours = rig.add(APPROVAL, tmp_path)
    designer = rig.sandbox.seed_template(DEAL, "Made in the designer")
    wid = workflows.start(rig.hook, ours, DEAL_1)
    with pytest.raises(OpsError, match=r"^deleting a template needs the application's own "
                                       "OAuth token"):
        templates.delete(rig.hook, ours)
    with pytest.raises(OpsError, match=rf"^template {designer} was made by the designer"):
        templates.delete(rig.app, designer)
    with pytest.raises(OpsError, match=rf"^1 running workflow\(s\) use template {ours}"):
        templates.delete(rig.app, ours)
    with pytest.raises(OpsError, match=r"^there is no template 77 on the portal"):
        templates.delete(rig.app, 77)
    workflows.terminate(rig.hook, wid)
    assert templates.delete(rig.app, ours).id == ours
    assert [r.id for r in templates.listed(rig.app, include_all=True)] == [designer]


@pytest.mark.parametrize(("text", "expected"), [
    ("crm.deal:123", ["crm", "CCrmDocumentDeal", "DEAL_123"]),
    ("crm.deal:DEAL_5", ["crm", "CCrmDocumentDeal", "DEAL_5"]),
    ("crm.lead:7", ["crm", "CCrmDocumentLead", "LEAD_7"]),
    ("crm.dynamic(147):1",
     ["crm", "Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic", "DYNAMIC_147_1"]),
    ("lists.element(42):7", ["lists", "BizprocDocument", "7"]),
])
def test_documents_are_named_like_in_bpl(text: str, expected: list[str]) -> None:
    assert document_id(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("DEAL_1", "cannot read the document 'DEAL_1': write it as crm.deal:123"),
    ("crm.order:1", r"unknown document type 'crm.order' \(known: crm.company"),
    ("crm.dynamic:1", r"crm.dynamic needs its id: crm.dynamic\(N\):1"),
    ("crm.deal(3):1", r"crm.deal takes no \(3\): crm.deal:1"),
    ("crm.deal:LEAD_1", "a crm.deal id is a number"),
])
def test_unreadable_documents_say_how_to_write_them(text: str, message: str) -> None:
    with pytest.raises(OpsError, match=message):
        document_id(text)
