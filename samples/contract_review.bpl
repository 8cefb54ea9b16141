// Contract review: legal and finance approve at the same time, then one decision.
//
// A contract is an element of the "Contracts" universal list. Both departments get an
// approval task at once (in parallel); when both have answered, the contract is either
// signed off or sent back to its author with both comments.

import "common.bpl"

workflow contract_review for lists.element(env.contracts_list) {
    title "Contract review"
    description "Parallel approval by the legal and finance departments"

    // bool variables: true/false are stored as 'Y'/'N'.
    var legal_ok: bool = false "Legal approved"
    var finance_ok: bool = false "Finance approved"

    // Several users can be given as a list; `group("…")` is a Bitrix group token
    // (group_<code>). Here whole departments come from the environment.
    const lawyers: user[] = [env.legal_department] "Legal department"
    const finance: user = env.finance_director "Finance director"

    field amount: double = "PROPERTY_AMOUNT" "Contract amount"
    field counterparty: string = "PROPERTY_COUNTERPARTY" "Counterparty"
    field contract_status: string = env.contract_status_field "Contract status"

    status "Under review"

    // ParallelActivity: every branch is a SequenceActivity, and all of them run at once.
    // The parallel block ends when every branch has ended.
    parallel title "Legal and finance" {
        branch title "Legal" {
            // A percentage vote: 60 → ApproveType 'vote', ApproveMinPercent 60: the
            // contract passes when 60% of the lawyers approve. `vote all` would need every
            // one of them, `vote any` the first answer.
            approve "Legal check: {doc.NAME} with {doc.counterparty}" by const.lawyers as legal {
                vote 60
                wait_for_all true  // ApproveWaitForAll: decide only after every vote
                timeout 5d
                comment required_on_reject
                approve_button "Legally sound"
                reject_button "Needs changes"
            } approved {
                var.legal_ok = true
            } rejected {
                var.legal_ok = false
            }
        }
        branch title "Finance" {
            // One approver: the first (and only) answer decides.
            approve "Budget check: {doc.NAME}, {doc.amount}" by const.finance as budget {
                vote any
                timeout 5d
                description "Counterparty: {doc.counterparty}"
            } approved {
                var.finance_ok = true
            }
            // No rejected block: the rejected branch is left empty (Bitrix still gets its
            // SequenceActivity) and finance_ok keeps its default, false.
        }
    }

    // A bare bool reference reads as "is true": [[legal_ok = Y, finance_ok = Y]].
    if var.legal_ok and var.finance_ok title "Both approved" {
        set doc.contract_status = "approved"
        notify_and_log(role.author, "Contract {doc.NAME} is approved by legal and finance")
    } else {
        set doc.contract_status = "returned"
        // Labels reach into the parallel branches: legal.Comments is the comment of the
        // legal approval, budget.Comments the one of the finance approval.
        // A triple-quoted string spans lines; its indentation is layout, not text.
        notify role.author """
            Contract {doc.NAME} needs changes.
            Legal: {legal.Comments}
            Finance: {budget.Comments}
            """
        log "Returned: legal {legal.ApprovedCount}/{legal.TotalCount} approved"
    }
}
