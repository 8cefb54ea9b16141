// Employee onboarding: prepare everything a new employee needs before the first day.
//
// HR adds the new employee to the "Onboarding" universal list. The workflow sets tasks
// for IT, the office manager and the mentor, each with a deadline computed from the first
// working day, then greets the employee and checks on them after the first week.

import "common.bpl"

workflow employee_onboarding for lists.element(env.onboarding_list) {
    title "Employee onboarding"
    description "Tasks for IT, office and mentor before a new employee's first day"
    autostart create

    // A multiple string variable with a default list: the equipment to prepare.
    var equipment: string[] = ["Laptop", "Monitor", "Headset", "Access badge"] "Equipment"
    // Who greets the new employee on the first day.
    var welcome_team: user[] = [env.hr_manager, env.office_manager] "Welcome team"
    var accounts_task: int "IT task id"

    const it_admin: user = env.it_admin "IT administrator"
    const office_manager: user = env.office_manager "Office manager"
    const hr: user = env.hr_manager "HR manager"

    // Fields of the onboarding list. S:employee is the list property type "Employee" —
    // a raw Bitrix type is written type("…"); it reads as a user.
    field employee: type("S:employee") = "PROPERTY_EMPLOYEE" "New employee"
    field first_day: date = "PROPERTY_FIRST_DAY" "First working day"
    field mentor: type("S:employee") = "PROPERTY_MENTOR" "Mentor"
    field position: string = "PROPERTY_POSITION" "Position"

    // Task2Activity: a task in the Tasks module. Settings map to the task's fields:
    // responsible → RESPONSIBLE_ID, deadline → DEADLINE, checklist → CheckListItems …
    task "Create accounts for {doc.employee | printable}" as accounts {
        responsible const.it_admin
        auditors const.hr
        // dateadd() is a Bitrix calc function: the deadline is a formula evaluated when
        // the task is created (=dateadd({=Document:PROPERTY_FIRST_DAY}, "-2d")).
        deadline dateadd(doc.first_day, -2d)
        priority high
        description "Position: {doc.position}. First day: {doc.first_day}."
        checklist ["E-mail account", "Bitrix24 account", "VPN access", "Add to department chat"]
    }
    // Task2Activity returns TaskId; keep it for the log (a label result in a formula).
    var.accounts_task = accounts.TaskId

    // ForEachActivity over a multiple variable. Inside the loop `item` is the current value
    // ({=A…:Value}, the loop activity's result). One task per piece of equipment.
    for each item in var.equipment {
        task "Prepare: {item} for {doc.employee | printable}" {
            responsible const.office_manager
            // addworkdays() skips weekends and holidays of the portal's calendar.
            deadline addworkdays(doc.first_day, -1)
            // wait false: the workflow goes on without waiting for the task to be closed.
            wait false
        }
    }

    // HoldToClose: this task keeps the workflow waiting until the mentor closes it.
    task "Onboarding plan for {doc.employee | printable}" {
        responsible doc.mentor
        creator const.hr
        deadline doc.first_day
        checklist [
            "Introduce the team",
            "Explain the processes",
            "Agree on goals for the first month",
        ]
        wait true
    }

    // Wait until the first day (DelayActivity with TimeoutTime), then say hello.
    wait until doc.first_day title "Until the first day"
    notify doc.employee "Welcome aboard! Your mentor is {doc.mentor | printable}."

    // for each over users: one notification per member of the welcome team.
    for each member in var.welcome_team {
        notify member "{doc.employee | printable} starts today as {doc.position}"
    }

    // After a week: how is it going? The macro notifies and keeps a log line.
    wait 7d
    notify_and_log(const.hr, "One week since {doc.employee | printable} started: time for a check-in (accounts task {var.accounts_task})")
}
