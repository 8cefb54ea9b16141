"""Which portal template a workflow deploys to: the one place identity is decided.

A template is *managed* by a bpl project when both hold:

1. its `SYSTEM_CODE` is `rest_app_<id>` of the application bpl deploys with — the portal
   lets only that application update or delete it, so nothing else could be managed anyway;
2. its DESCRIPTION ends with the marker line `[bpl:<key>]`, where the key is the workflow's
   .bpl name, prefixed with the project name when bpl.toml gives one (`[bpl:sales/deal_approval]`).

Why the description: `template.list` returns it, `template.update` can rewrite it, it is not
part of the re-imported template data (so an update never loses it), and the display NAME
stays free to change. The NAME itself would break on the first rename; a key hidden in the
activity tree (the root's Name or a custom property) is rewritten by every designer save and
by every re-import; a state file mapping ids to workflows would make identity depend on a file
CI may not have. The marker is visible in the designer, which is the one weakness: deleting
the line there turns the template into "this app's, unmarked" — plan reports it and never
touches it.

Identity is stateless: `.bpl/state/<portal>.json` is only a cache for drift detection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MARKER_PREFIX = "[bpl:"
_KEY = r"[A-Za-z_][A-Za-z0-9_.-]*(?:/[A-Za-z_][A-Za-z0-9_]*)?"
# The marker is the last non-blank line; designer textareas may have turned \n into \r\n.
_MARKER = re.compile(rf"(?:\A|\n)[ \t]*\[bpl:(?P<key>{_KEY})\][ \t\r\n]*\Z")


def system_code(app_id: int) -> str:
    """The SYSTEM_CODE the portal gives templates added by application `app_id`."""
    return f"rest_app_{app_id}"


def identity_key(workflow: str, namespace: str | None) -> str:
    return f"{namespace}/{workflow}" if namespace else workflow


def split_key(key: str) -> tuple[str | None, str]:
    """(namespace or None, workflow name) of a marker key."""
    namespace, _, workflow = key.rpartition("/")
    return namespace or None, workflow


def marked_description(description: str, key: str) -> str:
    """The DESCRIPTION to send: the user's text, a blank line, then the marker."""
    text = description.rstrip()
    marker = f"{MARKER_PREFIX}{key}]"
    return f"{text}\n\n{marker}" if text else marker


def read_marker(description: str | None) -> tuple[str | None, str]:
    """(marker key or None, the description without the marker)."""
    text = (description or "").replace("\r\n", "\n")
    match = _MARKER.search(text)
    if match is None:
        return None, text.rstrip()
    return match["key"], text[: match.start()].rstrip()


class Ownership(StrEnum):
    MANAGED = "managed"  # ours: this app, this project's marker
    OTHER_PROJECT = "other-project"  # this app, the marker of another bpl project
    UNMARKED = "unmarked"  # this app, no marker (removed in the designer?)
    OTHER_APP = "other-app"  # another application's template (possibly with a marker)
    DESIGNER = "designer"  # no SYSTEM_CODE: made in the designer or by the portal


@dataclass(frozen=True)
class Owner:
    ownership: Ownership
    key: str | None  # the marker key, whoever owns the template
    workflow: str | None  # the workflow name when the template is managed


def classify(system: str | None, description: str | None, our_code: str,
             namespace: str | None) -> Owner:
    key, _ = read_marker(description)
    if not system:
        return Owner(Ownership.DESIGNER, key, None)
    if system != our_code:
        return Owner(Ownership.OTHER_APP, key, None)
    if key is None:
        return Owner(Ownership.UNMARKED, None, None)
    marker_namespace, workflow = split_key(key)
    if marker_namespace != (namespace or None):
        return Owner(Ownership.OTHER_PROJECT, key, None)
    return Owner(Ownership.MANAGED, key, workflow)
