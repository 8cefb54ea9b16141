// Deal handover: a new deal goes to the salesperson on duty, who learns about it in the deal's
// timeline; the client gets an SMS, a big deal a call to-do and an offer, a very big one moves
// to the key accounts pipeline, and a test deal is deleted.
//
// The statements here are each one Bitrix activity (docs/language.md §7.11): `choose`
// (Select employee), `profile` (Get employee information), `timeline` (a timeline
// comment), `todo` (a CRM to-do), `sms`, `generate` (a document from a template), `add item`
// (a CRM item of any type), `pipeline` (Change pipeline) and `delete document`; writing
// `global.var.X` is SetGlobalVariableActivity.
// A label reads what the activity returns: `duty.GetUser`, `who.USER_NAME`, `call.Id`,
// `offer.DocumentNumber`, `kickoff.ItemId`.

workflow deal_handover for crm.deal {
    title "Deal handover"
    description "The salesperson on duty takes over a new deal and the client hears from us"
    autostart create

    var owner: user "Salesperson"

    if doc.TITLE contains "TEST" {
        log "Test deal {doc.TITLE}: deleted"
        delete document {
            terminate true
        }
    }

    // The sales team in turn, passing over who is absent; the head of sales stands in.
    choose [user(3), user(4)] as duty {
        reserve user(5)
        mode queue
    }
    var.owner = duty.GetUser
    profile var.owner as who
    assign var.owner
    timeline "Handed over to {who.USER_NAME} {who.USER_LAST_NAME}" {
        author var.owner
    }

    // The portal's global variable Handovers counts the deals handed over (bizproc globals).
    global.var.Handovers = global.var.Handovers + 1

    if doc.OPPORTUNITY >= 10000 {
        todo "Call {doc.TITLE} today" as call {
            deadline dateadd(system.now, 1d)
            responsible var.owner
            auto_complete true
        }
        log "To-do {call.Id} for {who.USER_NAME}"
        // The offer from the document generator's template 7, with the salesperson's name.
        generate 7 as offer {
            values {Manager: "{who.USER_NAME} {who.USER_LAST_NAME}"}
        }
        log "Offer {offer.DocumentNumber} made"
        sms "Thank you for your order: {who.USER_NAME} will call you today"
    } else {
        sms "Thank you for your order"
    }

    // Very big deals belong to the key accounts pipeline (2); the move ends this workflow.
    if doc.OPPORTUNITY >= 100000 {
        // A kick-off item of the key accounts' smart process (type 128) for the salesperson.
        add item 128 as kickoff {
            fields {TITLE: "Kick-off: {doc.TITLE}", ASSIGNED_BY_ID: var.owner}
        }
        log "Key account: kick-off {kickoff.ItemId}, moved to pipeline 2"
        pipeline 2
    }
    log "Handed over to {who.USER_NAME}"
}
