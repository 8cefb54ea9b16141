// Claim routing on a smart process.
//
// Customer claims are items of a smart process ("Claims"), created by a CRM form. The
// workflow routes each new claim by its type and amount, asks the responsible for missing
// details, confirms receipt to the customer by e-mail and moves the claim to the review
// stage.

// crm.dynamic(ID) is a smart-process item; ID is the smart process's entity type id
// (1036, 1040, …), which differs between portals. The document type is DYNAMIC_<ID>.
workflow smart_process_routing for crm.dynamic(env.claims_spa) {
    title "Claim routing"
    description "Routes new claims by type and amount, collects missing details"
    autostart create

    param refund_limit: double = 1000 "Refunds above this go to finance"

    // Answers of the `ask` below land in these variables.
    var serial: string "Serial number"
    var bought_on: date "Purchase date"

    const service_team: user[] = [env.service_engineer_1, env.service_engineer_2] "Service team"
    const finance: user = env.finance_director "Finance director"
    const quality: user = env.quality_manager "Quality manager"

    // Custom fields of the smart process: UF_CRM_<ID>_… codes, portal-specific.
    // The claim type is a list field (enumeration): it stores the id of the chosen item,
    // and those ids differ between portals too, so they come from the environment below.
    field claim_type: string = env.claims_type_field "Claim type"
    field serial_number: string = env.claims_serial_field "Serial number"
    field purchase_date: date = env.claims_purchase_date_field "Purchase date"
    field customer_email: string = env.claims_email_field "Customer e-mail"

    // Routing. `env.claim_type_warranty` is inlined: the condition stores the id itself.
    if doc.claim_type == env.claim_type_warranty title "Warranty" {
        assign const.service_team queue
    } else if doc.claim_type == env.claim_type_refund and doc.OPPORTUNITY > param.refund_limit title "Large refund" {
        assign const.finance
    } else if doc.claim_type == env.claim_type_refund title "Small refund" {
        assign const.service_team random
    } else {
        assign const.quality
    }

    // A warranty claim needs the serial number and purchase date. If the form left them
    // empty, the responsible gets a RequestInformationActivity task: a form whose answers
    // are written into the variables named by `field var.NAME`.
    if doc.claim_type == env.claim_type_warranty and (doc.serial_number is empty or doc.purchase_date is empty) {
        ask "Complete the claim {doc.TITLE}" by doc.ASSIGNED_BY_ID as details {
            field var.serial "Serial number" required
            field var.bought_on "Purchase date" required
            description "Call the customer ({doc.customer_email}) and fill in the missing data."
            timeout 2d
            button "Save"
        }
        // Copy the answers into the claim; only when the form was answered in time.
        if details.IsTimeout != 1 {
            set {
                doc.serial_number = var.serial
                doc.purchase_date = var.bought_on
            }
        }
    }

    // Confirmation to the customer. The address is in a text field, so it is used as an
    // e-mail address (MailUserTo); users would go to MailUserToArray. `from` names the
    // sender: here the claims mailbox (an address), otherwise the user who started it.
    mail to doc.customer_email subject "We received your claim {doc.TITLE}" body """
        <p>Hello,</p>
        <p>we received your claim <b>{doc.TITLE}</b> and will answer within three working days.</p>
        <p>Your contact person: {doc.ASSIGNED_BY_ID | printable}.</p>
        """ from env.claims_mailbox {
        html true  // MailMessageType html
    }

    // Move the claim to the review stage. Stage ids of a smart process look like
    // DT1036_8:PREPARATION (type id, pipeline id, stage), so they come from the environment.
    // Writing STAGE_ID with SetFieldActivity works for every CRM type and lets the workflow
    // go on; `stage` (CrmChangeStatusActivity, see lead_qualification.bpl) always ends it.
    set doc.STAGE_ID = env.claims_stage_review
    log "Claim {doc.TITLE} routed to {doc.ASSIGNED_BY_ID | printable}"
}
