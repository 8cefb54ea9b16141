// Lead qualification: score a new lead, then route it.
//
// Junk leads (no phone, no e-mail) are closed at once. The others get a score from their
// source, amount and campaign; a high score goes to the key account manager, a medium one
// to the sales team in turn, a low one stays where it is with a note for its responsible.
//
// The conditions here show every test a Bitrix condition can hold. Each `if` lowers to an
// IfElseActivity; each branch keeps its condition in one of three shapes, chosen by what
// the condition reads:
//   only document fields            → fieldcondition            [[FIELD, op, value, joiner], …]
//   only parameters and variables   → propertyvariablecondition [[name, op, value, joiner], …]
//   anything else (mixed, results)  → mixedcondition            [{object, field, operator, …}]
// `and`/`or`/`not` are normalised to an OR of ANDs (Bitrix's only form): joiner 0 = AND,
// 1 = OR, and AND binds tighter.

workflow lead_qualification for crm.lead {
    title "Lead qualification"
    description "Scores new leads and hands them to the right people"
    autostart create

    // An int variable with a default; arithmetic on it becomes a Bitrix formula.
    var score: int = 0 "Score"

    // A multiple user constant: the sales team that takes turns on medium leads.
    const team: user[] = [env.sales_manager_1, env.sales_manager_2] "Sales team"
    const key_account: user = env.key_account_manager "Key account manager"

    // `is empty` → operator `empty`. Two tests joined by `and`: one group of two items.
    if doc.PHONE is empty and doc.EMAIL is empty title "No way to contact" {
        log "Lead {doc.TITLE} has neither phone nor e-mail: junk"
        // CrmChangeStatusActivity moves the lead to a status and then ends the workflow,
        // so it is always the last statement of its block (the checker warns otherwise).
        stage "JUNK"
    }

    // `in [ … ]` → operator `in` with a list value: the field's value is one of them.
    // `not (… is empty)` is pushed inside: it becomes `!empty`.
    if doc.SOURCE_ID in ["WEB", "RECOMMENDATION"] and not (doc.COMPANY_TITLE is empty) {
        var.score = var.score + 30  // ={=Variable:score} + 30
    }

    // `between a and b` → operator `between` with [a, b]. `else if` is a second branch of
    // the same IfElseActivity; Bitrix runs the first branch whose condition holds.
    if doc.OPPORTUNITY between 10000 and 50000 {
        var.score = var.score + 20
    } else if doc.OPPORTUNITY > 50000 {
        var.score = var.score + 40
    }

    // `or` starts a new group: [[UTM_SOURCE = google], [UTM_SOURCE = yandex]] with joiner 1.
    if doc.UTM_SOURCE == "google" or doc.UTM_SOURCE == "yandex" {
        var.score = var.score + 10
    }

    // Record the score on the lead (SetFieldActivity). `set { … }` writes several fields
    // in one activity.
    set {
        doc.COMMENTS = "Qualification score: {var.score}"
        doc.OPENED = true  // bool → 'Y'
    }

    // A variable and a document field in one condition: a mixedcondition.
    if var.score >= 60 and doc.CURRENCY_ID == "USD" title "Key account" {
        // CrmChangeResponsibleActivity: hand the lead over.
        assign const.key_account
        notify const.key_account "A key lead for you: {doc.TITLE} (score {var.score})"
        stage "IN_PROCESS"
    } else if var.score >= 30 title "Sales team" {
        // `queue` hands leads to the team members in turn (GetterType 's');
        // `random` and `first` are the other modes.
        assign const.team queue
        stage "IN_PROCESS"
    } else {
        // `not (a or b)` becomes `not a and not b`: [[STATUS_ID != CONVERTED, STATUS_ID != JUNK]].
        if not (doc.STATUS_ID == "CONVERTED" or doc.STATUS_ID == "JUNK") {
            notify doc.ASSIGNED_BY_ID "Lead {doc.TITLE} scored {var.score}: please qualify it by hand"
        }
    }
}
