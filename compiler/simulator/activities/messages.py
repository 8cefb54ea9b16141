"""Messages and outside calls, recorded instead of sent: IMNotify, SocNetMessage, Mail,
WebHook, and the bizproc log and forum posts (SocNetLog, ForumReview, Calendar)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator import classes
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def send(run: Run, node: Activity, kind: str, sender: Any, to: list[Any], text: str,
         subject: str = "", **extra: Any) -> None:
    """A message the workflow sends, recorded instead: who from (a user id or an address),
    to whom, what; `extra` holds what else the kind carries (a deadline, a provider …)."""
    run.messages.append({"kind": kind, "activity": node.name, "title": node.title,
                         "at": run.stamp(), "from": sender, "to": to, "subject": subject,
                         "text": text, **extra})


@activity("IMNotifyActivity")
def im_notify(run: Run, node: Activity) -> None:
    props = run.props(node)
    senders = run.users(props.get("MessageUserFrom", []))
    send(run, node, "notify", senders[0] if senders else None,
             list(run.users(props.get("MessageUserTo", []))),
             run.evaluator.text(props.get("MessageSite", "")))


@activity("SocNetMessageActivity")
def socnet_message(run: Run, node: Activity) -> None:
    props = run.props(node)
    senders = run.users(props.get("MessageUserFrom", []))
    send(run, node, "message", senders[0] if senders else None,
             list(run.users(props.get("MessageUserTo", []))),
             run.evaluator.text(props.get("MessageText", "")))


@activity("MailActivity")
def mail(run: Run, node: Activity) -> None:
    props = run.props(node)
    # An empty separator is the default one (mailactivity.php: DEFAULT_SEPARATOR).
    separator = str(props.get("MailSeparator") or classes.default("MailActivity", "MailSeparator"))
    addresses = run.evaluator.text(props.get("MailUserTo", ""))
    to: list[Any] = [a.strip() for a in re.split(re.escape(separator), addresses) if a.strip()]
    to.extend(run.users(props.get("MailUserToArray", [])))
    sender: Any = run.evaluator.text(props.get("MailUserFrom", "")) or None
    if sender is None:
        senders = run.users(props.get("MailUserFromArray", []))
        sender = senders[0] if senders else None
    send(run, node, "mail", sender, to, run.evaluator.text(props.get("MailText", "")),
             run.evaluator.text(props.get("MailSubject", "")))


@activity("WebHookActivity")
def webhook(run: Run, node: Activity) -> None:
    run.record("webhook", node, url=run.evaluator.text(run.props(node).get("Handler", "")),
               document_id=run.runtime.document_id)


@activity("SocNetLogActivity")
def socnet_log(run: Run, node: Activity) -> None:
    props = run.props(node)
    send(run, node, "log", None, [], run.evaluator.text(props.get("LogText", "")),
         run.evaluator.text(props.get("LogTitle", "")),
         event=run.evaluator.text(props.get("Event", "")))


@activity("ForumReviewActivity")
def forum_review(run: Run, node: Activity) -> None:
    """A comment in the element's forum topic; nothing without a forum (ForumId <= 0); an
    empty ForumUser posts as user 1 (forumreviewactivity.php)."""
    props = run.props(node)
    forum = run.evaluator.value(props.get("ForumId"))
    if to_int(forum) <= 0:
        return
    authors = run.users(props.get("ForumUser"))
    send(run, node, "forum", authors[0] if authors else 1, [],
         run.evaluator.text(props.get("ForumPostMessage", "")), forum=to_int(forum))


@activity("CalendarActivity", "Calendar2Activity")
def calendar_event(run: Run, node: Activity) -> None:
    """An event in each user's calendar (calendar2activity.php): the name, description and
    period are recorded."""
    props = run.props(node)
    send(run, node, "calendar", None, run.users(props.get("CalendarUser")),
         run.evaluator.text(props.get("CalendarDesrc", "")),
         run.evaluator.text(props.get("CalendarName", "")),
         start=to_str(run.evaluator.value(props.get("CalendarFrom"))),
         end=to_str(run.evaluator.value(props.get("CalendarTo"))))
