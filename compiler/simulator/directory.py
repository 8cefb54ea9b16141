"""Who is who: user names, groups and heads, as a scenario describes the portal's people,
and what activities that pick or describe people read: profiles, who is inactive, who is
absent when, whose working day is open.

Bitrix expands group tokens (`group_d5`, `group_hr`) and document roles (`author`,
`responsible_head`) when it assigns tasks and sends messages; the simulator needs the same
facts, and a scenario gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any

from compiler.php.values import is_scalar, scalar_string, to_int
from compiler.record import record

_USER_TOKEN = re.compile(r"^user_(\d+)$", re.IGNORECASE)
_BRACKET_ID = re.compile(r"\[(\d+)\]\s*$")


@record(frozen=False, slots=False)
class Directory:
    names: dict[int, str] = field(default_factory=dict)
    groups: dict[str, list[int]] = field(default_factory=dict)  # "group_x" → members
    heads: dict[int, int] = field(default_factory=dict)  # user → their head
    # Profile fields as Bitrix's user service gives them (EMAIL, WORK_POSITION, …).
    profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    inactive: set[int] = field(default_factory=set)
    # Absences: (from, to) as written, dates or datetimes; ("", "") is "absent all the time".
    absences: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    # Time tracking: the working-day status a user always has (OPENED, PAUSED, CLOSED …);
    # without one a user's day is open during working hours.
    timeman: dict[int, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, users: Mapping[str, Any] | None,
                  groups: Mapping[str, Any] | None) -> Directory:
        directory = cls()
        for key, spec in (users or {}).items():
            user_id = user_id_of(key)
            if user_id is None:
                continue
            if isinstance(spec, str):
                directory.names[user_id] = spec
                continue
            if not isinstance(spec, Mapping):
                continue
            if "name" in spec:
                directory.names[user_id] = str(spec["name"])
            head = user_id_of(spec.get("head"))
            if head is not None:
                directory.heads[user_id] = head
            if isinstance(spec.get("profile"), Mapping):
                directory.profiles[user_id] = {str(k).upper(): v
                                               for k, v in spec["profile"].items()}
            if spec.get("active") is False:
                directory.inactive.add(user_id)
            absent = spec.get("absent")
            if absent is True:
                directory.absences[user_id] = [("", "")]
            elif isinstance(absent, list) and len(absent) == 2:
                directory.absences[user_id] = [(str(absent[0]), str(absent[1]))]
            if "timeman" in spec:
                directory.timeman[user_id] = str(spec["timeman"]).upper()
            for group in spec.get("groups", []):
                directory.groups.setdefault(group_token(str(group)), []).append(user_id)
        for key, members in (groups or {}).items():
            ids = [u for u in (user_id_of(m) for m in _as_list(members)) if u is not None]
            directory.groups.setdefault(group_token(key), []).extend(ids)
        return directory

    def to_json(self) -> dict[str, Any]:
        return {"names": {str(k): v for k, v in self.names.items()}, "groups": self.groups,
                "heads": {str(k): v for k, v in self.heads.items()},
                "profiles": {str(k): v for k, v in self.profiles.items()},
                "inactive": sorted(self.inactive),
                "absences": {str(k): [list(p) for p in v] for k, v in self.absences.items()},
                "timeman": {str(k): v for k, v in self.timeman.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Directory:
        return cls({int(k): v for k, v in data.get("names", {}).items()},
                   {k: list(v) for k, v in data.get("groups", {}).items()},
                   {int(k): int(v) for k, v in data.get("heads", {}).items()},
                   {int(k): dict(v) for k, v in data.get("profiles", {}).items()},
                   {int(u) for u in data.get("inactive", [])},
                   {int(k): [(str(a), str(b)) for a, b in v]
                    for k, v in data.get("absences", {}).items()},
                   {int(k): str(v) for k, v in data.get("timeman", {}).items()})

    def knows(self, user_id: int) -> bool:
        return user_id in self.names or user_id in self.profiles

    def add_absence(self, user_id: int, start: str, end: str) -> None:
        self.absences.setdefault(user_id, []).append((start, end))

    def name(self, user_id: int) -> str:
        return self.names.get(user_id, f"user_{user_id}")

    def extract(self, value: Any, roles: Mapping[str, list[int]]) -> list[int]:
        """CBPHelper::extractUsers (modules/bizproc/classes/general/helper.php): each item of
        the value once; `user_N` is user N, anything else a role or group of the document
        (`GetUsersFromUserGroup`: a bare number is that site group). A text is one item, never
        split: the designer's printed 'Author; Anna [12];' names no one here."""
        out: list[int] = []
        for item in value if isinstance(value, list) else [value]:
            if item is None or not is_scalar(item):
                continue
            text = scalar_string(item)
            if text.startswith("user_"):
                ids = [to_int(text[5:])]
            elif text.lower() in roles:
                ids = roles[text.lower()]
            else:
                ids = self.groups.get(group_token(text), [])
            out.extend(uid for uid in ids if uid > 0 and uid not in out)
        return out

    def expand(self, tokens: Iterable[str], roles: Mapping[str, list[int]]) -> list[int]:
        """User tokens → distinct user ids, in order. Unknown groups expand to nobody."""
        out: list[int] = []
        for token in tokens:
            user_id = user_id_of(token)
            if user_id is not None:
                ids = [user_id]
            elif str(token).lower() in roles:
                ids = roles[str(token).lower()]
            else:
                ids = self.groups.get(group_token(str(token)), [])
            for uid in ids:
                if uid not in out:
                    out.append(uid)
        return out


def user_id_of(value: Any) -> int | None:
    """12, "12", "user_12", "Anna [12]" → 12."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _USER_TOKEN.match(text) or _BRACKET_ID.search(text)
    return int(match.group(1)) if match else None


def group_token(name: str) -> str:
    return name if name.lower().startswith("group_") else f"group_{name}"


def user_tokens(value: Any) -> list[str]:
    """A user value (token, id, list, comma-separated text) → tokens like Bitrix stores."""
    out: list[str] = []
    for item in _as_list(value):
        if item is None or item == "":
            continue
        if isinstance(item, str) and ("," in item or ";" in item):
            out.extend(user_tokens([p for p in re.split(r"[,;]", item) if p.strip()]))
            continue
        user_id = user_id_of(item)
        out.append(f"user_{user_id}" if user_id is not None else str(item).strip())
    return out


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]
