// Vacation request: a state machine on an element of a universal list.
//
// An employee adds an element to the "Vacation requests" list and submits it; the head of
// the department approves or rejects it; a request nobody looks at for three days reminds
// the head again. This is the shape of Bitrix's own built-in "Vacation" template.
//
// A `statemachine` lowers to StateMachineWorkflowActivity. Each `state` is a StateActivity
// whose Title is the status shown on the element. Inside a state:
//   enter { … }                 StateInitializationActivity: runs when the state is entered
//   exit { … }                  StateFinalizationActivity: runs when the state is left
//   on command NAME "Title" by USERS { … }
//                               EventDrivenActivity + HandleExternalEventActivity: a button
//                               ("Title") that only USERS may press (its Permission); the
//                               rest of the block runs when it is pressed
//   on delay 3d { … }           EventDrivenActivity + DelayActivity: runs if the state is
//                               still active after that time
//   goto NAME                   SetStateActivity: the state to go to when this one ends

// lists.element(ID) is an element of the universal list with that iblock id; the document
// type is "iblock_<ID>". The id differs between portals, so it is an env symbol.
statemachine vacation_request for lists.element(env.vacation_list) {
    title "Vacation request"
    description "Approval of vacation requests by the head of department"

    var head_comment: text "Comment of the head"
    var decided_by: user "Approved by"

    // Who approves: a template constant, filled from the environment on deploy.
    const head: user = env.department_head "Head of department"
    const hr: user = env.hr_manager "HR manager"

    // Fields of this particular list. List properties are PROPERTY_<CODE>; the codes are
    // chosen when the list is set up, so they can be written here directly…
    field date_from: date = "PROPERTY_DATE_FROM" "First day"
    field date_to: date = "PROPERTY_DATE_TO" "Last day"
    // …or, when they differ between portals (a property without a code is PROPERTY_<id>),
    // taken from the environment like any other portal-specific id.
    field approval_status: string = env.vacation_status_field "Approval status"

    // The first state, or the one marked `initial`, is where the workflow starts
    // (InitialStateName).
    state draft "Draft" initial {
        enter {
            set doc.approval_status = "draft"
        }
        // `by role.author`: only the employee who created the element sees the button.
        on command submit "Submit for approval" by role.author {
            goto review
        }
    }

    state review "Waiting for approval" {
        enter {
            set doc.approval_status = "review"
            notify const.head "{doc.CREATED_BY | printable} asks for a vacation from {doc.date_from} to {doc.date_to}" from role.author
        }
        // `as approval` names the event (HandleExternalEventActivity): approval.SenderUserId
        // is the user who pressed the button.
        on command approve "Approve" by const.head as approval {
            var.decided_by = approval.SenderUserId
            goto approved
        }
        on command reject "Reject" by const.head {
            // The ask statement is a RequestInformationActivity: a task with a form; the
            // answer is written into the variable.
            ask "Why is the vacation {doc.NAME} rejected?" by const.head {
                field var.head_comment "Reason" required
            }
            goto rejected
        }
        // A reminder: after three days without an answer the state is entered again,
        // which runs `enter` once more (another notification).
        on delay 3d title "Reminder" {
            log "No decision in 3 days; reminding the head"
            goto review
        }
        // Runs whenever the state is left, whichever way (StateFinalizationActivity).
        exit {
            log "Leaving review of {doc.NAME}"
        }
    }

    state approved "Approved" {
        enter {
            set doc.approval_status = "approved"
            notify role.author "Your vacation from {doc.date_from} to {doc.date_to} is approved by {var.decided_by | printable}"
            notify const.hr "Vacation approved: {doc.CREATED_BY | printable}, {doc.date_from} – {doc.date_to}"
            // Without a goto the workflow would wait in this state forever; terminate ends it.
            terminate "Approved"
        }
    }

    state rejected "Rejected" {
        enter {
            set doc.approval_status = "rejected"
            notify role.author "Your vacation request was rejected: {var.head_comment}"
        }
        // The employee may fix the dates and submit again.
        on command resubmit "Submit again" by role.author {
            goto review
        }
    }
}
