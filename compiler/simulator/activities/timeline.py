"""CRM activities whose effect is outside the workflow's data: timeline comments, to-dos,
calls, meetings, requests, SMS, e-mails, notifications, history entries — recorded as
messages — and waits, exclusions, product rows, bookings, ad audiences, generated
documents — recorded as records. Ids they return come from counters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator.activities.messages import send
from compiler.simulator.activities.registry import activity
from compiler.simulator.directory import user_id_of

if TYPE_CHECKING:
    from compiler.simulator.run import Run

_FIRST_CRM_ACTIVITY = 501  # ids of CRM activities (to-dos, calls …) a run creates


def _text(run: Run, raw: Any) -> str:
    """A text property: lists joined with ', ', trimmed (crmtimelinecommentadd.php)."""
    value = run.evaluator.value(raw)
    if isinstance(value, list):
        value = ", ".join(to_str(v) for v in value)
    return run.evaluator.text(value).strip() if isinstance(value, str) else to_str(value).strip()


def _responsible(run: Run, raw: Any) -> int | None:
    """The given user, else the item's responsible (CCrmOwnerType::GetResponsibleID)."""
    users = run.users(raw)
    if users:
        return users[0]
    return user_id_of(_single(run.document.get("ASSIGNED_BY_ID")))


@activity("CrmTimelineCommentAdd")
def timeline_comment(run: Run, node: Activity) -> None:
    props = run.props(node)
    text = _text(run, props.get("CommentText"))
    if not text:
        run.write_log(node, "The comment is empty")
        return
    authors = run.users(props.get("CommentUser"))
    send(run, node, "comment", authors[0] if authors else 0, [], text,
         item=run.store.current)


def _crm_activity(run: Run, node: Activity, kind: str, subject: str, text: str,
                  responsible: int | None, **extra: Any) -> None:
    new_id = run.next_id("crm_activity", _FIRST_CRM_ACTIVITY)
    send(run, node, kind, None, [responsible] if responsible else [], text, subject,
         id=new_id, item=run.store.current, **extra)
    run.set_result(node, {"Id": new_id})


@activity("CrmCreateToDoActivity")
def create_todo(run: Run, node: Activity) -> None:
    """A to-do for Responsible (empty: the item's responsible), due at Deadline (empty:
    now) (crmcreatetodoactivity.php)."""
    props = run.props(node)
    deadline = to_str(run.evaluator.value(props.get("Deadline"))) or run.stamp()
    _crm_activity(run, node, "todo", "", run.evaluator.text(props.get("Description", "")),
                  _responsible(run, props.get("Responsible")), deadline=deadline,
                  auto_complete=to_str(props.get("AutoComplete")) == "Y")


def _scheduled(kind: str) -> Any:
    def handler(run: Run, node: Activity) -> None:
        props = run.props(node)
        _crm_activity(run, node, kind, run.evaluator.text(props.get("Subject", "")),
                      run.evaluator.text(props.get("Description", "")),
                      _responsible(run, props.get("Responsible")),
                      start=to_str(run.evaluator.value(props.get("StartTime"))),
                      end=to_str(run.evaluator.value(props.get("EndTime"))))
    return handler


activity("CrmCreateCallActivity")(_scheduled("call"))
activity("CrmCreateMeetingActivity")(_scheduled("meeting"))
activity("CrmCreateRequestActivity")(_scheduled("request"))


def _values(raw: Any, wanted_type: str = "") -> list[str]:
    """A multi field's values (PHONE, EMAIL): text, a list of texts, or entries with VALUE
    and VALUE_TYPE, optionally of one type."""
    entries = raw if isinstance(raw, list) else list(raw.values()) \
        if isinstance(raw, Mapping) else [raw]
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            if wanted_type and to_str(entry.get("VALUE_TYPE")).upper() != wanted_type.upper():
                continue
            entry = entry.get("VALUE")
        if to_str(entry):
            out.append(to_str(entry))
    return out


def _client_values(run: Run, field: str, wanted_type: str = "") -> list[str]:
    """The item's own values of a multi field, else its contact's, else its company's."""
    found = _values(run.document.get(field, []), wanted_type)
    for link in ("CONTACT", "COMPANY"):
        if found:
            break
        linked = run.store.get(f"{link}_{to_int(_single(run.document.get(f'{link}_ID')))}")
        found = _values((linked or {}).get(field, []), wanted_type)
    return found


@activity("CrmSendSmsActivity")
def send_sms(run: Run, node: Activity) -> None:
    """To the client's first phone (of PhoneType), or to employees' mobile (else work)
    phones; no phone: an error in the log, nothing sent."""
    props = run.props(node)
    text = run.evaluator.text(props.get("MessageText", ""))
    if to_str(props.get("RecipientType")) == "user":
        phones = []
        for user in run.users(props.get("RecipientUser")):
            profile = run.directory.profiles.get(user, {})
            phone = to_str(profile.get("PERSONAL_MOBILE")) or to_str(profile.get("WORK_PHONE"))
            if phone:
                phones.append(phone)
    else:
        phones = _client_values(run, "PHONE", to_str(props.get("PhoneType")))[:1]
    if not phones:
        run.write_log(node, "No phone number to send the SMS to")
        return
    send(run, node, "sms", to_str(run.evaluator.value(props.get("MessageFrom"))) or None,
         phones, text, provider=to_str(run.evaluator.value(props.get("ProviderId"))))


@activity("CrmSendEmailActivity")
def send_email(run: Run, node: Activity) -> None:
    """From the mailbox (or the item's responsible) to the client's first or last e-mail of
    EmailType; no address: an error in the log, nothing sent."""
    props = run.props(node)
    addresses = _client_values(run, "EMAIL", to_str(props.get("EmailType")))
    if not addresses:
        run.write_log(node, "No e-mail address to send to")
        return
    chosen = addresses[-1] if to_str(props.get("EmailSelectRule")) == "last" else addresses[0]
    sender: Any = to_str(run.evaluator.value(props.get("MessageFrom"))) or \
        to_str(run.evaluator.value(props.get("From"))) or \
        user_id_of(_single(run.document.get("ASSIGNED_BY_ID")))
    send(run, node, "email", sender, [chosen], run.evaluator.text(props.get("MessageText", "")),
         run.evaluator.text(props.get("Subject", "")), item=run.store.current)


@activity("CrmControlNotifyActivity")
def control_notify(run: Run, node: Activity) -> None:
    """To the head of the item's responsible (ToHead) and to ToUsers."""
    props = run.props(node)
    to: list[int] = []
    if to_str(props.get("ToHead")) != "N":
        responsible = user_id_of(_single(run.document.get("ASSIGNED_BY_ID")))
        head = run.directory.heads.get(responsible) if responsible is not None else None
        if head is not None:
            to.append(head)
    to += [u for u in run.users(props.get("ToUsers")) if u not in to]
    send(run, node, "notify", None, to, run.evaluator.text(props.get("MessageText", "")))


@activity("CrmEventAddActivity")
def event_add(run: Run, node: Activity) -> None:
    props = run.props(node)
    authors = run.users(props.get("EventUser"))
    send(run, node, "event", authors[0] if authors else None, [],
         run.evaluator.text(props.get("EventText", "")),
         to_str(run.evaluator.value(props.get("EventType"))), item=run.store.current)


def _recorder(kind: str, *keys: str) -> Any:
    """A handler recording `kind` with the evaluated properties `keys`."""
    def handler(run: Run, node: Activity) -> None:
        props = run.props(node)
        run.record(kind, node, item=run.store.current,
                   **{key: run.evaluator.value(props.get(key)) for key in keys})
    return handler


activity("CrmWaitActivity")(_recorder("wait", "WaitType", "WaitDuration", "WaitTarget",
                                      "WaitDescription"))
activity("CrmExcludeActivity")(_recorder("exclude"))
activity("CrmAddProductRow")(_recorder("product_row", "ProductId", "RowPriceAccount",
                                       "RowQuantity", "RowDiscountRate"))
activity("CrmResourceBooking")(_recorder("booking", "ResourceField", "ResourceName",
                                         "ResourceStart", "ResourceDuration", "ResourceUsers"))
activity("CrmResourceBookingCancel")(_recorder("booking_cancel", "ResourceField"))
activity("CrmCreateAdsActivityVk", "CrmCreateAdsActivityFb", "CrmCreateAdsActivityGa",
         "CrmCreateAdsActivityYa")(_recorder("ads", "accountId", "audienceId",
                                             "audienceEmailId", "audiencePhoneId",
                                             "autoRemoveDayNumber"))
activity("CrmOrderPayActivity")(_recorder("payment", "OrderId"))


@activity("CrmGenerateEntityDocumentActivity")
def generate_document(run: Run, node: Activity) -> None:
    """A document from the template for the item; its id and number come from a counter,
    its files and link stay empty."""
    props = run.props(node)
    new_id = run.next_id("generated", 1)
    run.record("generated", node, template_id=run.evaluator.value(props.get("TemplateId")),
               id=new_id, values=run.evaluator.value(props.get("Values") or {}),
               item=run.store.current)
    run.set_result(node, {"DocumentId": new_id, "DocumentNumber": str(new_id),
                          "DocumentUrl": "", "DocumentPdf": "", "DocumentDocx": ""})


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
