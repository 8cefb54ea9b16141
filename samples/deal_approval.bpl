// Large deal approval with escalation.
//
// A deal above a limit goes to the head of sales. If the head rejects it, or does not
// answer within two days, the sales director decides. Run it by hand from the deal card,
// or let Bitrix start it on every create and edit of a deal (autostart).
//
// Build:   bpl compile samples/deal_approval.bpl -o out
// Read:    docs/language.md explains every construct used here.

// Shared building blocks (macros) live in another file; import makes them available here.
import "common.bpl"

// A sequential workflow (SequentialWorkflowActivity) on CRM deals. The document type after
// `for` decides which fields `doc.` can read: crm.deal → ["crm", "CCrmDocumentDeal", "DEAL"].
workflow deal_approval for crm.deal {
    title "Large deal approval"
    description "Sends deals above the limit to the head of sales, escalates to the director"

    // AUTO_EXECUTE: the workflow starts by itself when a deal is created or changed.
    autostart create, edit

    // Parameters (PARAMETERS) are asked for when the workflow is started by hand; the
    // default applies when it starts by itself. Read them as param.NAME → {=Template:NAME}.
    param limit: double = 100000 "Amount limit" "Deals above this amount need approval"

    // Variables (VARIABLES) hold values while the workflow runs → {=Variable:NAME}.
    var verdict: string "Verdict"

    // Constants (CONSTANTS) are set once per template in the designer; their defaults come
    // from the environment, so dev, stage and prod portals can name different people.
    // env.sales_head is "user_12" in the sandbox values of bpl.toml.
    const head: user = env.sales_head "Head of sales"
    const director: user = env.sales_director "Sales director"

    // A document field that exists only on some portals: the code (UF_CRM_…) differs between
    // portals, so it comes from the environment too. Read it as doc.approval_note.
    field approval_note: text = env.deal_approval_note_field "Approval note"

    // `if` becomes IfElseActivity with one IfElseBranchActivity per branch. Every test of
    // this condition reads a document field, so Bitrix stores a `fieldcondition`.
    // `changed` (operator `modified`) holds when the edit that started the workflow changed
    // the amount: other edits of the deal do not ask again. On create and on a start by
    // hand Bitrix lists no changed fields, so `changed` is false there.
    if doc.OPPORTUNITY changed and doc.OPPORTUNITY > param.limit and doc.CLOSED != true {
        // SetStateTitleActivity: the status text shown on the deal's workflow list.
        status "Waiting for approval"

        // ApproveActivity: a task for the approvers with Approve/Reject buttons.
        // `as head_vote` names the activity so that later statements can read its results
        // (head_vote.Comments → {=A…:Comments}, where A… is the generated activity Name).
        approve "Approve deal {doc.TITLE}" by const.head as head_vote {
            vote any                    // ApproveType: the first answer decides
            timeout 2d                  // TimeoutDuration: no answer in 2 days → rejected branch
            comment required_on_reject  // the comment is mandatory when rejecting
            // A triple-quoted string spans lines; its indentation is layout, not text.
            // doc.CONTACT.NAME reads a field of the deal's contact (read-only).
            description """
                Amount: {doc.OPPORTUNITY} {doc.CURRENCY_ID}
                Client: {doc.CONTACT.NAME} {doc.CONTACT.LAST_NAME}
                Responsible: {doc.ASSIGNED_BY_ID | printable}
                """
        } approved {
            // Children[0] of ApproveActivity: runs on approval.
            var.verdict = "approved by {head_vote.LastApprover | printable}"
        } rejected {
            // Children[1]: runs on rejection *and* on timeout; IsTimeout tells them apart.
            if head_vote.IsTimeout == 1 {
                log "No answer from the head of sales in 2 days, escalating"
            } else {
                log "Rejected by the head of sales: {head_vote.Comments}"
            }
            // Escalation: the director decides in place of the head.
            approve "Escalated: approve deal {doc.TITLE}" by const.director as escalation {
                vote any
                timeout 3d
                description "The head of sales did not approve: {head_vote.Comments}"
            } approved {
                var.verdict = "approved by the director"
            } rejected {
                var.verdict = "rejected"
            }
        }

        // Write the verdict into the portal-specific field declared above (SetFieldActivity).
        set doc.approval_note = var.verdict

        // `if var.verdict == …` tests a variable only: a `propertyvariablecondition`.
        if var.verdict == "rejected" {
            // A macro from common.bpl: expands to an IMNotifyActivity in place.
            tell_responsible("Deal {doc.TITLE} was rejected: {escalation.Comments}")
        } else {
            tell_responsible("Deal {doc.TITLE} is approved ({var.verdict})")
        }
    } else {
        log "Deal {doc.TITLE}: amount unchanged or below the limit; no approval needed"
    }
}
