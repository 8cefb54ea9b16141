"""Which addresses count as this machine. One answer for the whole project: the sandbox serves
and calls app handlers on these only, and the robot declaration checks use it to tell a handler
on this machine from one on the internet."""

from __future__ import annotations

import ipaddress

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
