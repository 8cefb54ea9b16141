"""Portal refusals of workflow, task and template operations, told as one sentence each.

The portal's own wording stays available in the message when no better sentence fits; secrets
never reach it (portal errors are masked when they are made)."""

from __future__ import annotations

from compiler.portal import MethodError, PortalError


class OpsError(Exception):
    """An operation cannot be done; `str()` says why and, where it helps, what to do."""


APP_CONTEXT = ("needs the application's own OAuth token: Bitrix allows it only in an "
               "application's context, never through a webhook (use an environment with "
               "auth = \"oauth\")")
NOT_ADMIN = ("the portal user of this environment's credentials is not an administrator, "
             "and only administrators may")


def explain(error: PortalError, action: str, subject: str = "") -> OpsError:
    """`action` says what was attempted ("start a workflow"); `subject` names the object."""
    code = error.code or ""
    text = error.description if isinstance(error, MethodError) else error.message
    # A refusal comes as an AuthError (403) or a MethodError, depending on its HTTP status.
    if code == "ACCESS_DENIED" and ("application context" in text.lower()
                                    or "needs an application token" in text):
        return OpsError(f"{action} {APP_CONTEXT}")
    if code == "ACCESS_DENIED":
        return OpsError(f"cannot {action}: {NOT_ADMIN} {action}")
    if not isinstance(error, MethodError):
        return OpsError(f"cannot {action}: {error}")
    known = _SENTENCES.get(text) or _SENTENCES.get(code)
    if known is not None:
        return OpsError(known.format(subject=subject, text=text, action=action))
    return OpsError(f"cannot {action}: the portal answered {code or 'an error'}: {text}")


_SENTENCES = {
    "Template not found": "there is no template {subject} on the portal "
                          "(bpl templates list --all shows them)",
    "ERROR_TEMPLATE_NOT_FOUND": "there is no template {subject} on the portal "
                                "(bpl templates list --all shows them)",
    "Wrong DOCUMENT_ID!": "the portal has no document {subject}",
    "Incorrect document type!": "the portal cannot tell the type of document {subject}",
    "Template type and DOCUMENT_ID mismatch!": "the template is for another document type "
                                               "than {subject}",
    "Workflow instance not found.": "there is no running workflow {subject} "
                                    "(bpl workflows list shows them)",
    "ERROR_TASK_NOT_FOUND": "task {subject} is not waiting for the user of this "
                            "environment's credentials: it does not exist, is someone else's, "
                            "or was delegated",
    "ERROR_TASK_COMPLETED": "task {subject} is already completed",
    "ERROR_TASK_EXECUTION": "task {subject} refused the answer: {text}",
    "ERROR_TASK_TYPE": "task {subject} cannot be answered through REST (only approvals, "
                       "reviews and information requests can)",
    "ERROR_DELEGATION_NOT_ALLOWED": "cannot delegate: {text}",
    "ERROR_INVALID_USER_ID": "cannot delegate: {text} (not an active user of the portal)",
    "ERROR_TASK_VALIDATION": "cannot {action}: {text}",
}
