"""The URL policy of compiler.hosts: robot and action handlers (E304, located), `webhook`
statements (W306, a warning: an intranet call may be meant) and the handler kit. Every refused
form has its own case; names are looked up through an injected table, never the network."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from compiler.catalog import load_catalog
from compiler.diagnostics import Diagnostics
from compiler.handler import SpecError, load_robots, registration
from compiler.hosts import check_url, loose_ipv4, remembered, resolve_system
from compiler.pipeline import build
from compiler.semantics.environment import Environment
from compiler.semantics.program import load_program
from compiler.semantics.robots import check_robots, handler_verdict

ENV = Environment("test", {"app_client_id": "local.app"}, symbolic=False)

# (handler, what the error says) — every form a portal must not be sent to.
REFUSED = {
    "plain http": ("http://erp.example.com/robot", "is plain http"),
    "private 10/8": ("https://10.0.0.5/robot", "a private network (10.0.0.0/8)"),
    "private 172.16/12": ("https://172.20.1.1/robot", "a private network (172.16.0.0/12)"),
    "private 192.168/16": ("https://192.168.1.1/robot", "a private network (192.168.0.0/16)"),
    "link-local": ("https://169.254.10.1/robot", "a link-local network (169.254.0.0/16)"),
    "metadata address": ("https://169.254.169.254/latest/meta-data/",
                         "a cloud metadata service (169.254.169.254)"),
    "metadata in CGNAT": ("https://100.100.100.200/", "a cloud metadata service"),
    "metadata name": ("https://metadata.google.internal/computeMetadata/v1/",
                      "is a cloud metadata service"),
    "CGNAT": ("https://100.64.0.7/robot", "a carrier-grade NAT network (100.64.0.0/10)"),
    "this host": ("https://0.0.0.0/robot", "this machine (0.0.0.0/8"),
    "reserved": ("https://198.51.100.7/robot", "a reserved range (198.51.100.0/24)"),
    "multicast": ("https://224.0.0.1/robot", "a reserved range (224.0.0.0/4)"),
    "hex loopback": ("https://0x7f.0.0.1/robot", "is 127.0.0.1 in hex, octal or short notation"),
    "octal loopback": ("https://0177.0.0.1/robot", "is 127.0.0.1 in hex, octal or short"),
    "short loopback": ("https://127.1/robot", "is 127.0.0.1 in hex, octal or short notation"),
    "hex private": ("https://0x0a.0.0.5/robot", "10.0.0.5 in hex, octal or short notation, "
                                                "which points at a private network"),
    "short public": ("https://1.2.3/robot", "write it as 1.2.0.3"),
    "trailing dot": ("https://127.0.0.1./robot", "this machine (loopback)"),
    "IPv4-mapped loopback": ("https://[::ffff:127.0.0.1]/robot",
                             "the IPv4 address 127.0.0.1 inside IPv6"),
    "IPv4-mapped metadata": ("https://[::ffff:169.254.169.254]/robot",
                             "169.254.169.254 inside IPv6, which points at a cloud metadata"),
    "nip.io dotted": ("https://127.0.0.1.nip.io/robot",
                      "a wildcard-DNS name (nip.io) for 127.0.0.1"),
    "nip.io hex": ("https://app.0a000005.nip.io/robot", "(nip.io) for 10.0.0.5"),
    "sslip.io dashed": ("https://app-10-0-0-5.sslip.io/robot", "(sslip.io) for 10.0.0.5"),
    "sslip.io IPv6": ("https://--1.sslip.io/robot", "(sslip.io) for ::1"),
    "loopback domain": ("https://erp.lvh.me/robot", "every name under lvh.me is 127.0.0.1"),
    "localhost subdomain": ("https://erp.localhost/robot", "is a name of this machine"),
    "mDNS name": ("https://erp.local/robot", "is a name under .local"),
    "private TLD": ("https://erp.corp.internal/robot", "is a name under .internal"),
    "port too large": ("https://erp.example.com:99999/robot",
                       "has the port '99999'; a port is a number from 1 to 65535 (the portal "
                       "answers 'Wrong handler URL')"),
    "port zero": ("https://erp.example.com:0/robot", "has the port '0'"),
    "port not a number": ("https://erp.example.com:http/robot", "has the port 'http'"),
    "credentials": ("https://robot:s3cret@erp.example.com/robot",
                    "carries a user name or password"),
    # Refused before, and still.
    "file scheme": ("file:///etc/passwd", "must be an http or https URL"),
    "ftp scheme": ("ftp://erp.example.com/robot", "must be an http or https URL"),
    "localhost": ("https://localhost/robot", "for this machine write 127.0.0.1"),
    "IPv6 loopback": ("https://[::1]/robot", "needs a host name with a dot"),
    "decimal IPv4": ("https://2130706433/robot", "'2130706433' is 127.0.0.1 written as one"),
}
ACCEPTED = ["https://erp.example.com/robot", "https://erp.example.com:8443/robot",
            "https://8.8.8.8/robot", "https://deadbeef.nip.io/robot", "https://app.nip.io/"]


def diagnose(tmp_path: Path, handler: str, *, sandbox: bool | None,
             resolve: object = None) -> list[tuple[str, str, int, int, str]]:
    source = tmp_path / "robots.bpl"
    source.write_text(f'robot erp "ERP" {{\n    handler "{handler}"\n}}\n', encoding="utf-8")
    diagnostics = Diagnostics()
    program = load_program([source], diagnostics)
    check_robots(program, load_catalog(), ENV, diagnostics, sandbox=sandbox,
                 resolve=resolve)  # type: ignore[arg-type]
    return [(d.code, d.severity.value, d.span.line, d.span.column, d.message)
            for d in diagnostics.sorted()]


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_each_refused_form_is_a_located_error_with_its_sentence(tmp_path: Path,
                                                                case: str) -> None:
    url, sentence = REFUSED[case]
    found = diagnose(tmp_path, url, sandbox=False)
    assert [(code, severity, line, column) for code, severity, line, column, _ in found] == [
        ("E304", "error", 2, 13)]
    assert sentence in found[0][4]
    assert "s3cret" not in found[0][4]  # the password is masked in the message


@pytest.mark.parametrize("url", ACCEPTED)
def test_public_https_handlers_are_accepted(tmp_path: Path, url: str) -> None:
    assert diagnose(tmp_path, url, sandbox=False) == []


@pytest.mark.parametrize(("url", "sandbox", "expected"), [
    # Plain http crosses no network to this machine, and the sandbox is this machine.
    ("http://127.0.0.1:8765/robot", True, None),
    ("http://127.0.0.1:8765/robot", None, None),
    ("http://127.0.0.1:8765/robot", False, "warning"),
    ("http://erp.example.com/robot", True, None),
    ("http://erp.example.com/robot", None, None),
    ("http://erp.example.com/robot", False, "error"),
    # Loopback in disguise is no target's address: the sandbox calls 127.0.0.1 only.
    ("http://0x7f.0.0.1:8765/robot", True, "error"),
    ("http://127.0.0.1.nip.io:8765/robot", None, "error"),
    ("http://10.0.0.5/robot", True, "error"),
])
def test_what_depends_on_the_target(url: str, sandbox: bool | None,
                                    expected: str | None) -> None:
    verdict = handler_verdict(url, sandbox=sandbox)
    assert (None if verdict is None else "error" if verdict.error else "warning") == expected


class Table:
    """A resolver answering from a table, counting the questions."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str) -> Iterable[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"{host}: unknown")
        return self.answers[host]


def test_names_are_judged_by_what_they_resolve_to(tmp_path: Path) -> None:
    table = Table({"erp.corp-example.com": ["93.184.216.34", "10.0.0.5"],
                   "erp.example.com": ["93.184.216.34"],
                   "meta.example.com": ["::ffff:169.254.169.254"]})
    found = diagnose(tmp_path, "https://erp.corp-example.com/robot", sandbox=False,
                     resolve=table)
    assert found[0][:4] == ("E304", "error", 2, 13)
    assert "resolves to 10.0.0.5, which points at a private network" in found[0][4]
    assert diagnose(tmp_path, "https://erp.example.com/robot", sandbox=False,
                    resolve=table) == []
    found = diagnose(tmp_path, "https://meta.example.com/robot", sandbox=False, resolve=table)
    assert "resolves to 169.254.169.254, which points at a cloud metadata" in found[0][4]
    # A name that does not resolve here tells nothing: no finding, no failure.
    assert diagnose(tmp_path, "https://new.example.com/robot", sandbox=False,
                    resolve=table) == []
    # Without a resolver the check stays offline.
    assert diagnose(tmp_path, "https://erp.corp-example.com/robot", sandbox=False) == []


def test_a_build_for_a_portal_asks_each_name_once(tmp_path: Path) -> None:
    source = tmp_path / "robots.bpl"
    source.write_text('robot a "A" {\n    handler "https://erp.corp-example.com/a"\n}\n'
                      'action b "B" {\n    handler "https://erp.corp-example.com/b"\n'
                      '    placement "https://erp.corp-example.com/p"\n}\n', encoding="utf-8")
    table = Table({"erp.corp-example.com": ["192.168.7.7"]})
    result = build([source], ENV, sandbox=False, resolve=table)
    assert [(d.code, d.span.line) for d in result.diagnostics.sorted()] == [
        ("E304", 2), ("E304", 5), ("E304", 6)]
    assert table.asked == ["erp.corp-example.com"]
    lookup = remembered(table)
    with pytest.raises(OSError):
        lookup("unknown.example.com")
    with pytest.raises(OSError):
        lookup("unknown.example.com")
    assert table.asked.count("unknown.example.com") == 1


def test_the_system_resolver_reads_numeric_hosts_without_a_network() -> None:
    assert resolve_system("127.0.0.1") == ["127.0.0.1"]


def test_loose_ipv4_reads_what_the_c_library_reads() -> None:
    # Values of inet_aton (glibc), which curl and most HTTP clients use for such hosts.
    assert str(loose_ipv4("0x7f.1")) == "127.0.0.1"
    assert str(loose_ipv4("2130706433")) == "127.0.0.1"
    assert str(loose_ipv4("017700000001")) == "127.0.0.1"
    assert str(loose_ipv4("10.1.2")) == "10.1.0.2"
    assert loose_ipv4("256.0.0.1") is None and loose_ipv4("1.2.3.4.5") is None
    assert loose_ipv4("app.example.com") is None and loose_ipv4("0x") is None


def test_webhooks_get_warnings_and_no_http_finding(tmp_path: Path) -> None:
    source = tmp_path / "hooks.bpl"
    source.write_text('workflow w for crm.deal {\n    webhook "https://192.168.1.1/hook"\n'
                      '    webhook "http://hooks.example.com/hook"\n'
                      '    webhook "https://hooks.example.com:0/hook"\n}\n', encoding="utf-8")
    result = build([source], ENV)
    found = [(d.code, d.severity.value, d.span.line, d.message, d.help)
             for d in result.diagnostics.sorted()]
    assert [f[:3] for f in found] == [("W306", "warning", 2), ("E303", "error", 4)]
    assert "an on-premise portal may call an intranet service on purpose" in str(found[0][4])
    source.write_text('workflow w for crm.deal {\n    webhook "https://10.0.0.5/hook"\n}\n',
                      encoding="utf-8")
    assert len(build([source], ENV).templates) == 1  # a warning does not stop the compile


def test_the_handler_kit_refuses_what_no_target_accepts() -> None:
    spec = load_robots(Path(__file__).resolve().parents[2] / "samples" / "robot_app" /
                       "robots.bpl")["erp_invoice"]
    assert registration(spec, "http://127.0.0.1:8765/robot")["HANDLER"].startswith("http://")
    for url in ("https://169.254.169.254/robot", "http://0x7f.0.0.1:8765/robot"):
        with pytest.raises(SpecError, match="robot erp_invoice: handler"):
            registration(spec, url)


def test_findings_say_what_bitrix_refuses() -> None:
    assert [f.refused for f in check_url("ftp://a.example.com/")] == [
        "Unsupported handler protocol"]
    assert [f.refused for f in check_url("https://a.example.com:65536/")] == [
        "Wrong handler URL"]
    assert [f.kind for f in check_url("http://u:p@10.0.0.1/")] == [
        "credentials", "http", "private"]
