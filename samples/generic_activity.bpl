// Welcome call: the generic `activity` form, for activities that have no short statement.
//
// When a contact is created, its responsible should call them during working hours. The
// workflow waits until the responsible starts the working day (time tracking), but no
// longer than eight hours; then a call task is created.
//
// `activity Type "Title" { Property: value, … }` writes any Bitrix activity node as it is:
// Type is the activity code (the class name without CBP), the map holds its Properties.
// Catalogued types (stdlib/activities.toml) get their property names checked (W301), an
// unknown type is accepted with a warning (W302) because the portal may have it (a
// third-party activity, a newer Bitrix one). Values are ordinary expressions: references,
// interpolated strings, formulas, lists. `do { … }` gives the node children, for
// containers.

import "common.bpl"

workflow welcome_call for crm.contact {
    title "Welcome call"
    description "A call task for the responsible, in their working hours"
    autostart create

    var call_task: int "Call task id"

    status "Waiting for the working day"

    // ListenActivity waits for the first of several events: each child is an
    // EventDrivenActivity whose first child is the event (an IBPEventDrivenActivity such
    // as DelayActivity or WaitWorkDayActivity); the branch whose event comes first runs,
    // the others are cancelled. No sugar exists for it, so it is written generically.
    activity ListenActivity "Working day or 8 hours" {} do {
        activity EventDrivenActivity "Working day started" {} do {
            // WaitWorkDayActivity: waits until the employee opens the working day
            // (Bitrix24 time tracking). TargetUser is its only property.
            activity WaitWorkDayActivity "Wait for the working day" {
                TargetUser: doc.ASSIGNED_BY_ID
            }
            log "{doc.ASSIGNED_BY_ID | printable} started the working day"
        }
        activity EventDrivenActivity "Timeout" {} do {
            // A sugar statement inside a generic container: DelayActivity, the event here.
            wait 8h
            log "No working day started within 8 hours"
        }
    }

    // A macro from common.bpl; it expands to a DelayActivity until a computed date.
    // `disabled` keeps the activity in the template but switched off (Activated 'N'), as
    // the designer's "deactivate" does; remove the word to wait for the next morning.
    wait_next_morning() disabled

    // A generic form of an activity that also has sugar: the same SetStateTitleActivity
    // `status "…"` would make. `comment` is the designer's note on the activity
    // (EditorComment).
    activity SetStateTitleActivity "Status" {
        TargetStateTitle: "Calling {doc.NAME} {doc.LAST_NAME}"
    } comment "Written generically to show the form; `status` is the short one"

    task "Welcome call: {doc.NAME} {doc.LAST_NAME}" as call {
        responsible doc.ASSIGNED_BY_ID
        deadline dateadd(system.now, 4h)
        description "A new contact: introduce yourself and ask about their needs."
        checklist ["Introduce yourself", "Ask about needs", "Agree on the next step"]
    }
    var.call_task = call.TaskId
    log "Call task {var.call_task} created"
}
