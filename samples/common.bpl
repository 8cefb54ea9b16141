// Shared macros for the samples. A file without workflows is a library: other files bring
// its macros in with `import "common.bpl"` (paths are relative to the importing file).
//
// A macro is a named block of statements. A call `name(a, b)` is replaced by the block,
// with each parameter name replaced by the expression given for it, before the workflow
// is checked; so a macro produces ordinary activities and costs nothing at run time.
// Inside a macro, parameters are bare names (`text`, `who`); everything else (doc., var.,
// labels) is resolved in the workflow that calls it. Where a statement takes a string
// literal (notify, log, status …), put the parameter in an interpolation: "{text}".

// An instant-messenger notification (IMNotifyActivity) to the document's responsible.
// Works on every CRM document: they all have ASSIGNED_BY_ID.
macro tell_responsible(text) {
    notify doc.ASSIGNED_BY_ID "{text}" title "Notify the responsible"
}

// A notification and a log line with the same text: the log keeps the history on the
// workflow's log tab, the notification reaches the person.
macro notify_and_log(who, text) {
    notify who "{text}"
    log "{text}"
}

// Pause until the next working morning: a DelayActivity until a computed date.
// dateadd() and settime() are Bitrix calc functions; the value becomes a formula
// (=settime(dateadd({=System:Now}, "1d"), 9, 0)) evaluated when the pause starts.
macro wait_next_morning() {
    wait until settime(dateadd(system.now, 1d), 9, 0) title "Wait for the next morning"
}
