// Invoice reminder: remind the payer every three days until the invoice is paid.
//
// Started when an invoice is created. Up to five reminders are sent, three days apart;
// the loop stops as soon as the invoice reaches the "paid" stage. If it is still unpaid
// after the last reminder, the responsible manager is told to call the client.

import "common.bpl"

// crm.invoice is the smart invoice (CRM entity type 31, document type SMART_INVOICE).
workflow invoice_reminder for crm.invoice {
    title "Invoice payment reminder"
    autostart create

    param max_reminders: int = 5 "Reminders at most"

    var reminders: int = 0 "Reminders sent"

    // The stage id of "paid" depends on the invoice pipeline of the portal
    // (DT31_1:P in the default pipeline), so it is a constant filled from the environment.
    const paid_stage: string = env.invoice_paid_stage "Paid stage"

    // The payer's e-mail is kept in a custom field of the invoice (a UF_CRM_… code that
    // differs between portals).
    field payer_email: string = env.invoice_payer_email_field "Payer e-mail"

    // Give the client a few days before the first reminder.
    wait 3d title "Grace period"

    // WhileActivity: its body (a SequenceActivity) runs again and again while the condition
    // holds. This condition reads a document field and two workflow properties, so Bitrix
    // stores it as a mixedcondition. The document is read again on every check, so a
    // payment made during a pause ends the loop. Bitrix stops any loop after 1000 rounds.
    while doc.STAGE_ID != const.paid_stage and var.reminders < param.max_reminders title "Until paid" {
        // MailActivity. `to` takes users (→ MailUserToArray) or e-mail addresses: a string
        // with an @, or a text field such as this one (→ MailUserTo).
        mail to doc.payer_email subject "Reminder: invoice {doc.ACCOUNT_NUMBER} is due" body """
            Hello,

            this is a friendly reminder that invoice {doc.ACCOUNT_NUMBER} for {doc.OPPORTUNITY} {doc.CURRENCY_ID} is still unpaid.

            Best regards
            """ {
            charset "UTF-8"
        }
        // The counter: a SetVariableActivity with the formula {=Variable:reminders} + 1.
        var.reminders = var.reminders + 1
        log "Reminder {var.reminders} sent to {doc.payer_email}"
        // DelayActivity, TimeoutDuration 3 / TimeoutDurationType d.
        wait 3d
    }

    if doc.STAGE_ID == const.paid_stage {
        log "Invoice {doc.ACCOUNT_NUMBER} paid after {var.reminders} reminder(s)"
    } else {
        // A macro from common.bpl: notification plus log line.
        notify_and_log(doc.ASSIGNED_BY_ID, "Invoice {doc.ACCOUNT_NUMBER} is still unpaid after {var.reminders} reminders: please call the client")
    }
}
