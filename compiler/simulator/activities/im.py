"""Instant messenger and social network activities (im, imopenlines, socialnetwork): chat
messages, group chats, open-channel messages, feed posts, workgroups — recorded as messages
or records, with ids from counters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from compiler.bitrix import Activity
from compiler.php.values import to_int, to_str
from compiler.simulator.activities.messages import send
from compiler.simulator.activities.registry import activity

if TYPE_CHECKING:
    from compiler.simulator.run import Run


def _fields(run: Run, raw: Any) -> tuple[str, str]:
    """MessageFields {MessageText, MessageTitle} evaluated: (text, title)."""
    fields = raw if isinstance(raw, dict) else {}
    return (run.evaluator.text(fields.get("MessageText", "")),
            run.evaluator.text(fields.get("MessageTitle", "")))


def _first(users: list[int]) -> int | None:
    return users[0] if users else None


@activity("ImMessageActivity")
def im_message(run: Run, node: Activity) -> None:
    """A message in each recipient's one-on-one chat with the sender, in the chosen template
    (plain, news, notify, important, alert)."""
    props = run.props(node)
    text, title = _fields(run, props.get("MessageFields"))
    send(run, node, "chat", _first(run.users(props.get("MessageUserFrom"))),
         run.users(props.get("MessageUserTo")), text, title,
         template=to_str(props.get("MessageTemplate")))


@activity("ImCreateGroupChatActivity")
def create_group_chat(run: Run, node: Activity) -> None:
    props = run.props(node)
    chat_id = run.next_id("chat", 1)
    run.record("chat_created", node, id=chat_id,
               name=run.evaluator.text(props.get("ChatName", "")),
               members=run.users(props.get("Members")))
    run.set_result(node, {"ChatId": chat_id})


@activity("ImAddMemberToGroupChatActivity")
def add_chat_members(run: Run, node: Activity) -> None:
    props = run.props(node)
    run.record("chat_members", node, chat=to_int(run.evaluator.value(props.get("ChatId"))),
               members=run.users(props.get("Members")),
               history=to_str(props.get("ShowHistory")) == "Y")


@activity("ImAddMessageToGroupChatActivity")
def group_chat_message(run: Run, node: Activity) -> None:
    props = run.props(node)
    text, title = _fields(run, props.get("MessageFields"))
    send(run, node, "group_chat", _first(run.users(props.get("FromMember"))), [], text, title,
         chat=to_int(run.evaluator.value(props.get("ChatId"))),
         template=to_str(props.get("MessageTemplate")))


@activity("ImOpenLinesMessageActivity")
def openlines_message(run: Run, node: Activity) -> None:
    """To the client's open-channel chat; IsSystem 'Y' is a note only operators see."""
    props = run.props(node)
    send(run, node, "openlines", None, [], run.evaluator.text(props.get("MessageText", "")),
         hidden=to_str(props.get("IsSystem")) == "Y", item=run.store.current)


@activity("SocnetBlogPostActivity")
def blog_post(run: Run, node: Activity) -> None:
    """A Feed post from OwnerId to UsersTo; its id from a counter, its links by the
    default post path (socialnetwork/lib/helper/path.php: userblogpost_page)."""
    props = run.props(node)
    post_id = run.next_id("post", 1)
    owner = _first(run.users(props.get("OwnerId")))
    title = run.evaluator.text(props.get("PostTitle", ""))
    send(run, node, "post", owner, run.users(props.get("UsersTo")),
         run.evaluator.text(props.get("PostMessage", "")), title, id=post_id)
    url = f"/company/personal/user/{owner or 0}/blog/{post_id}/"
    run.set_result(node, {"PostId": post_id, "PostUrl": url,
                          "PostUrlBb": f"[url={url}]{title}[/url]"})


@activity("CreateWorkGroup")
def create_workgroup(run: Run, node: Activity) -> None:
    props = run.props(node)
    group_id = run.next_id("workgroup", 1)
    run.record("workgroup", node, id=group_id, name=run.evaluator.text(props.get("GroupName", "")),
               owner=_first(run.users(props.get("OwnerId"))), users=run.users(props.get("Users")))
    run.set_result(node, {"GroupId": group_id})
