// An app robot and a workflow that uses its result. handler.py next to this file serves
// the robot; docs/robots.md walks through running both against the sandbox portal.
//
// A call of the robot compiles to the activity type rest_ + md5(<client id>@erp_invoice),
// so compiling this workflow needs the app's client id. In the sandbox environment (this
// repository's default) the sandbox's default app gives it, and `bpl apply` registers the
// robot before the workflow; another environment names its app's client_id in bpl.toml.

// Registered with bizproc.robot.add: the handler URL, the inputs (PROPERTIES) and the
// outputs (RETURN_PROPERTIES) the handler fills in through bizproc.event.send.
robot erp_invoice "Create invoice in ERP" {
    handler "http://127.0.0.1:8765/robot"
    description "Creates the deal's invoice in the ERP and returns its number"
    input amount: double required "Amount"
    input client: string = "" "Client"
    output erp_id: string "ERP id"
    // The handler kit fills `error` when the app's function fails, so the workflow can
    // tell a failed call from a successful one.
    output error: string "Error"
}

workflow invoice_in_erp for crm.deal {
    title "Invoice the deal in the ERP"

    // The workflow waits here until the handler answers (wait_for_result is the default).
    // The options after the call: stop waiting after an hour (IsTimeout is then 1), and the
    // status the workflow shows meanwhile.
    erp_invoice(amount: doc.OPPORTUNITY, client: doc.TITLE) as invoice {
        timeout 1h
        status "Waiting for the ERP"
    }
    // Outputs are the call's results; IsTimeout is 1 when no answer came in time.
    if invoice.IsTimeout == 1 {
        doc.COMMENTS = "The ERP did not answer"
    } else if invoice.error is empty {
        doc.COMMENTS = "ERP invoice {invoice.erp_id}"
        log "Invoiced in the ERP as {invoice.erp_id}"
    } else {
        doc.COMMENTS = "ERP invoice failed: {invoice.error}"
        log "The ERP did not invoice the deal: {invoice.error}"
    }
}
