"""Messages and outside calls, recorded instead of sent: IMNotify, SocNetMessage, Mail,
WebHook."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.simulator import classes
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def _message(run: Run, node: Activity, kind: str, sender: Any, to: list[Any],
             text: str, subject: str = "") -> None:
    run.messages.append({"kind": kind, "activity": node.name, "title": node.title,
                         "at": run.stamp(), "from": sender, "to": to, "subject": subject,
                         "text": text})


@activity("IMNotifyActivity")
def im_notify(run: Run, node: Activity) -> None:
    props = run.props(node)
    senders = run.users(props.get("MessageUserFrom", []))
    _message(run, node, "notify", senders[0] if senders else None,
             list(run.users(props.get("MessageUserTo", []))),
             run.evaluator.text(props.get("MessageSite", "")))


@activity("SocNetMessageActivity")
def socnet_message(run: Run, node: Activity) -> None:
    props = run.props(node)
    senders = run.users(props.get("MessageUserFrom", []))
    _message(run, node, "message", senders[0] if senders else None,
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
    _message(run, node, "mail", sender, to, run.evaluator.text(props.get("MailText", "")),
             run.evaluator.text(props.get("MailSubject", "")))


@activity("WebHookActivity")
def webhook(run: Run, node: Activity) -> None:
    run.record("webhook", node, url=run.evaluator.text(run.props(node).get("Handler", "")),
               document_id=run.runtime.document_id)
