"""Which hosts a URL may name. One answer for the whole project: the sandbox serves and calls
app handlers on this machine only (`is_loopback`); robot and action handlers, placements and
`webhook` statements are checked against one URL policy (`check_url`).

A portal sends every handler call with the app's access token, so a handler must be an
`https://` address on the internet: not this machine, a private or link-local network,
carrier-grade NAT, a reserved range or a cloud metadata service — nor one of those in disguise
(an IPv4 address in hex, octal or short notation, IPv4 inside IPv6, a wildcard-DNS name such as
127.0.0.1.nip.io, or a name that resolves to one). The call sites decide what a finding means
for them: an error for a handler, a warning for a `webhook` (a workflow may call an intranet
service on purpose).

Names are resolved only when the caller passes a resolver (`resolve_system` for a deploy to a
portal; tests pass a table), so checking source stays offline and deterministic. A check at
deploy time is no guarantee about the call: a name can resolve elsewhere later.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable
from urllib.parse import SplitResult, urlsplit

from compiler.record import record

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str], Iterable[str]]  # host name → addresses; raises OSError if unknown

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ── what an address is ────────────────────────────────────────────────────────────────────

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
# Cloud metadata services answer whoever calls them with the credentials of the machine:
# AWS, GCP, Azure, OpenStack, DigitalOcean (169.254.169.254), AWS ECS (169.254.170.2),
# Alibaba (100.100.100.200), AWS over IPv6 (fd00:ec2::254).
_METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254"))
# (network, kind) in the order they are tried; anything else is on the internet.
_RANGES: tuple[tuple[_V4 | _V6, str], ...] = (
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("0.0.0.0/8"), "this-host"),
    (_V4("10.0.0.0/8"), "private"),
    (_V4("172.16.0.0/12"), "private"),
    (_V4("192.168.0.0/16"), "private"),
    (_V4("100.64.0.0/10"), "cgnat"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("192.0.0.0/24"), "reserved"),
    (_V4("192.0.2.0/24"), "reserved"),
    (_V4("198.18.0.0/15"), "reserved"),
    (_V4("198.51.100.0/24"), "reserved"),
    (_V4("203.0.113.0/24"), "reserved"),
    (_V4("224.0.0.0/4"), "reserved"),
    (_V4("240.0.0.0/4"), "reserved"),
    (_V6("::1/128"), "loopback"),
    (_V6("::/128"), "this-host"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fc00::/7"), "private"),
    (_V6("ff00::/8"), "reserved"),
    (_V6("2001:db8::/32"), "reserved"),
    (_V6("100::/64"), "reserved"),
)


def _what(address: Address) -> str | None:
    """What a non-public address points at, said after "points at"; None for the internet."""
    if address in _METADATA:
        return (f"a cloud metadata service ({address}) that hands out the credentials of the "
                "machine calling it")
    for network, kind in _RANGES:
        if address.version == network.version and address in network:
            return {
                "loopback": "this machine (loopback)",
                "this-host": f"this machine ({network} means this host to most systems)",
                "private": f"a private network ({network})",
                "cgnat": f"a carrier-grade NAT network ({network}), not the internet",
                "link-local": f"a link-local network ({network})",
                "reserved": f"a reserved range ({network}), not the internet",
            }[kind]
    return None


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, -compatible, NAT64 or 6to4 IPv6 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    number = int(address)
    if number >> 32 == 0 and number > 1:  # ::a.b.c.d (IPv4-compatible, deprecated)
        return ipaddress.IPv4Address(number)
    if number >> 32 == 0x0064_FF9B_0000_0000_0000_0000:  # 64:ff9b::/96, NAT64
        return ipaddress.IPv4Address(number & 0xFFFF_FFFF)
    return None


def _number(part: str) -> int | None:
    """One part of an IPv4 address as inet_aton reads it: 0x hex, 0 octal, else decimal."""
    try:
        if part[:2].lower() == "0x":
            return int(part[2:], 16) if part[2:] else None
        if len(part) > 1 and part.startswith("0"):
            return int(part, 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """`host` as the C library reads an IPv4 address (inet_aton): one to four parts, each
    decimal, octal (0177) or hex (0x7f), the last filling the remaining bytes — so 0x7f.1,
    2130706433 and 0177.0.0.1 are all 127.0.0.1. None when it is not an address at all."""
    parts = host.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_number(part) for part in parts]
    if any(n is None for n in numbers):
        return None
    *leading, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in leading) or last >= 256 ** (4 - len(leading)):
        return None
    value = last
    for index, byte in enumerate(leading):
        value |= byte << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


# ── names ─────────────────────────────────────────────────────────────────────────────────

_METADATA_NAMES = frozenset({"metadata", "metadata.google.internal", "metadata.goog",
                             "instance-data", "instance-data.ec2.internal"})
# Suffixes no public resolver answers: RFC 6761 (localhost), RFC 6762 (local), RFC 8375
# (home.arpa), ICANN's private-use TLD (internal), and the Linux default domain (localdomain).
_LOCAL_SUFFIXES = ("local", "home.arpa", "internal", "localdomain")
# Wildcard-DNS services answer a name with the address written inside it
# (10.0.0.1.nip.io, app-10-0-0-1.sslip.io, 0a000001.nip.io, --1.sslip.io for ::1) …
_WILDCARD_DOMAINS = ("nip.io", "sslip.io", "xip.io", "traefik.me", "nip.it")
# … and these answer every name below them with 127.0.0.1.
_LOOPBACK_DOMAINS = ("localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "fuf.me")


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _decoded_wildcard(labels: list[str]) -> Address | None:
    """The address a wildcard-DNS service reads from the labels before its domain."""
    if len(labels) >= 4 and all(label.isdigit() for label in labels[-4:]):
        try:
            return ipaddress.IPv4Address(".".join(labels[-4:]))
        except ValueError:
            return None
    if not labels:
        return None
    last = labels[-1]
    dashed = last.split("-")
    if len(dashed) >= 4 and all(p.isdigit() for p in dashed[-4:]):
        try:
            return ipaddress.IPv4Address(".".join(dashed[-4:]))
        except ValueError:
            return None
    tail = dashed[-1]
    if len(tail) == 8:
        try:
            return ipaddress.IPv4Address(int(tail, 16))
        except ValueError:
            pass
    if "--" in last or last.count("-") >= 2:
        try:
            return ipaddress.IPv6Address(last.replace("-", ":"))
        except ValueError:
            return None
    return None


# ── the policy ────────────────────────────────────────────────────────────────────────────


WRONG_URL = "Wrong handler URL"  # rest/lib/handlerhelper.php, checkCallback
WRONG_PROTOCOL = "Unsupported handler protocol"


@record(slots=False)
class Finding:
    """One thing wrong with a URL: a sentence that follows the quoted URL.

    `refused`: what a portal answers when Bitrix itself refuses the URL (its
    HandlerHelper::checkCallback; WebHookActivity tests the same and calls nothing), an error
    wherever it stands. `kind` says what else it is: "credentials", "http", "port",
    "notation", or what the host points at ("loopback", "this-host", "private", "cgnat",
    "link-local", "metadata", "reserved")."""

    text: str
    kind: str
    refused: str | None = None


def _host_finding(host: str, resolve: Resolve | None) -> Finding | None:
    """What the host points at when it is not the internet, or None."""
    name = host.lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        literal: Address | None = ipaddress.ip_address(name)
    except ValueError:
        literal = None
    if isinstance(literal, ipaddress.IPv6Address):
        inner = _embedded_v4(literal)
        if inner is not None and _what(inner) is not None:
            return Finding(f"is the IPv4 address {inner} inside IPv6, which points at "
                           f"{_what(inner)}", _kind(inner))
    if literal is not None:
        what = _what(literal)
        return None if what is None else Finding(f"points at {what}", _kind(literal))
    loose = loose_ipv4(name)
    if loose is not None:
        what = _what(loose)
        if what is None:
            return Finding(f"is {loose} in hex, octal or short notation: write it as {loose}",
                           "notation")
        return Finding(f"is {loose} in hex, octal or short notation, which points at {what}",
                       _kind(loose))
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return Finding("is a name of this machine (loopback)", "loopback")
    if name in _METADATA_NAMES:
        return Finding("is a cloud metadata service, which hands out the credentials of the "
                       "machine that calls it", "metadata")
    for suffix in _LOCAL_SUFFIXES:
        if _under(name, suffix):
            return Finding(f"is a name under .{suffix}, which only resolves inside a local "
                           "network", "private")
    for domain in _LOOPBACK_DOMAINS:
        if _under(name, domain):
            return Finding(f"is a wildcard-DNS name: every name under {domain} is 127.0.0.1, "
                           "this machine (loopback)", "loopback")
    for domain in _WILDCARD_DOMAINS:
        if _under(name, domain):
            inside = _decoded_wildcard(name[: -len(domain)].rstrip(".").split("."))
            what = _what(inside) if inside is not None else None
            if inside is not None and what is not None:
                return Finding(f"is a wildcard-DNS name ({domain}) for {inside}, which points "
                               f"at {what}", _kind(inside))
            return None
    return _resolved(name, resolve)


def _kind(address: Address) -> str:
    if address in _METADATA:
        return "metadata"
    return next((kind for network, kind in _RANGES
                 if address.version == network.version and address in network), "internet")


def _resolved(name: str, resolve: Resolve | None) -> Finding | None:
    if resolve is None:
        return None
    try:
        found = list(resolve(name))
    except (OSError, UnicodeError):
        return None  # unknown here (offline, or not published yet): nothing to tell
    for text in found:
        try:
            address = ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            continue
        inner = _embedded_v4(address) if isinstance(address, ipaddress.IPv6Address) else None
        target = inner if inner is not None and _what(inner) is not None else address
        what = _what(target)
        if what is not None:
            return Finding(f"resolves to {target}, which points at {what}", _kind(target))
    return None


def shown(url: str) -> str:
    """`url` with any user name and password replaced by ***: fit for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"***@{host}").geturl()


def _parse(url: str) -> tuple[SplitResult, str] | None:
    try:
        parts = urlsplit(url.strip())
        return parts, parts.hostname or ""
    except ValueError:
        return None


def host_of(url: str) -> str:
    """The host `url` names (lower-case, IPv6 without brackets), or "" when it names none."""
    parsed = _parse(url)
    return parsed[1] if parsed is not None else ""


def check_url(url: str, *, resolve: Resolve | None = None) -> list[Finding]:
    """Everything the policy says about `url`: what Bitrix refuses alone, else each other
    finding in turn. The call sites decide what is an error and what a warning."""
    parsed = _parse(url)
    if parsed is None:
        return [Finding("is not a URL", "url", WRONG_URL)]
    parts, host = parsed
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return [Finding("must be an http or https URL", "url", WRONG_PROTOCOL)]
    if host.find(".") <= 0:
        number = loose_ipv4(host) if host else None
        hint = ("; for this machine write 127.0.0.1" if is_loopback(host) else
                f"; '{host}' is {number} written as one number" if number is not None else "")
        return [Finding(f"needs a host name with a dot, such as app.example.com{hint}", "url",
                        WRONG_URL)]
    try:
        port = parts.port
    except ValueError:  # PHP's parse_url fails on these too, so Bitrix refuses the URL
        port = -1
    if port is not None and not 1 <= port <= 65535:
        written = parts.netloc.rsplit(":", 1)[-1]
        return [Finding(f"has the port {written!r}; a port is a number from 1 to 65535", "port",
                        WRONG_URL if port == -1 else None)]
    findings: list[Finding] = []
    if parts.username is not None or parts.password is not None:
        findings.append(Finding("carries a user name or password, which the portal stores and "
                                "shows in clear with the URL", "credentials"))
    if scheme == "http":
        findings.append(Finding("is plain http: the app's access token would cross the "
                                "network unencrypted; use https://", "http"))
    host_finding = _host_finding(host, resolve)
    if host_finding is not None:
        findings.append(host_finding)
    return findings


# ── resolving names ───────────────────────────────────────────────────────────────────────

def remembered(resolve: Resolve) -> Resolve:
    """`resolve` asking each name once (a failure is remembered as well)."""
    answers: dict[str, list[str] | OSError] = {}

    def lookup(host: str) -> list[str]:
        if host not in answers:
            try:
                answers[host] = list(resolve(host))
            except OSError as error:
                answers[host] = error
        answer = answers[host]
        if isinstance(answer, OSError):
            raise answer
        return answer

    return lookup


RESOLVE_TIMEOUT = 3.0


def resolve_system(host: str) -> list[str]:
    """The addresses this machine's resolver gives `host`; OSError when it gives none in
    RESOLVE_TIMEOUT seconds. The lookup runs in a daemon thread: one the resolver never
    answers is left behind instead of holding the command up, at exit too."""
    import socket  # only a lookup needs it; checking a project rarely looks names up

    answers: list[str] = []
    failures: list[OSError] = []

    def lookup() -> None:
        try:
            found = socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)
            answers.extend(str(answer[4][0]) for answer in found)
        except (OSError, UnicodeError) as error:
            failures.append(OSError(str(error)))

    worker = threading.Thread(target=lookup, name="bpl-resolve", daemon=True)
    worker.start()
    worker.join(RESOLVE_TIMEOUT)
    if worker.is_alive():
        raise OSError(f"{host} did not resolve within {RESOLVE_TIMEOUT:g} s")
    if failures:
        raise failures[0]
    return answers
