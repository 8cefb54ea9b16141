"""https for the sandbox: a local CA made once and reused, a server certificate for the
loopback names, and the served address other commands read back."""

from __future__ import annotations

import datetime as dt
import os
import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from compiler.sandbox import Limits, Sandbox, SandboxConfig, tls
from compiler.sandbox import served as served_record

pytestmark = pytest.mark.loopback


def names_of(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(n) for n in san.get_values_for_type(x509.DNSName)} | \
        {str(n) for n in san.get_values_for_type(x509.IPAddress)}


def test_the_ca_is_made_once_and_the_certificate_follows_the_names(tmp_path: Path) -> None:
    files = tls.ensure(tmp_path / "tls", tls.server_names("127.0.0.1"))
    assert names_of(files.cert) == {"localhost", "127.0.0.1", "::1"}
    assert files.key.stat().st_mode & 0o077 == 0 and files.ca_key.stat().st_mode & 0o077 == 0
    ca, cert = files.ca.read_bytes(), files.cert.read_bytes()
    again = tls.ensure(tmp_path / "tls", tls.server_names("localhost"))
    assert (again.ca.read_bytes(), again.cert.read_bytes()) == (ca, cert)  # reused as is
    wider = tls.ensure(tmp_path / "tls", tls.server_names("sandbox.test"))
    assert wider.ca.read_bytes() == ca and wider.cert.read_bytes() != cert
    assert "sandbox.test" in names_of(wider.cert)
    assert files.bundle.read_bytes().endswith(ca)  # public CAs first, then this one
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=tls.CA_DAYS)
    renewed = tls.ensure(tmp_path / "tls", tls.server_names("127.0.0.1"), now=later)
    assert renewed.ca.read_bytes() != ca  # an expiring CA is replaced, with its certificate


def test_exports_quote_paths_with_spaces(tmp_path: Path) -> None:
    files = tls.TlsFiles(tmp_path / "my certs")
    line = files.exports()
    assert line == (f"export SSL_CERT_FILE='{tmp_path}/my certs/bundle.pem' "
                    f"REQUESTS_CA_BUNDLE='{tmp_path}/my certs/bundle.pem'")


def test_https_is_trusted_through_the_ca_and_the_address_is_recorded(tmp_path: Path) -> None:
    data = tmp_path / "portal.sqlite3"
    files = tls.ensure(tmp_path / "tls", tls.server_names("127.0.0.1"))
    sb = Sandbox(SandboxConfig(data=data, limits=Limits.off()))
    other = Sandbox(SandboxConfig(data=data, limits=Limits.off()))
    try:
        with sb.running(tls=files) as url:
            assert url.startswith("https://127.0.0.1:")
            trusted = ssl.create_default_context(cafile=str(files.ca))
            answer = httpx.get(f"{url}/", verify=trusted, timeout=5)
            assert answer.json()["portal"] == "bpl sandbox"
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                httpx.get(f"{url}/", verify=ssl.create_default_context(cafile=None), timeout=5)
            seen = other.served()  # another opener of the same file sees where it is served
            assert seen is not None and seen.url == url and seen.ca_file == str(files.ca)
            assert seen.domain == url.removeprefix("https://")
            assert other.portal.base_url == url  # app handlers would be told this address
        assert other.served() is None  # cleared when serving stopped
    finally:
        sb.close()
        other.close()


def test_a_record_of_a_process_that_is_gone_is_ignored(tmp_path: Path) -> None:
    sb = Sandbox(SandboxConfig(data=tmp_path / "portal.sqlite3"))
    try:
        gone = served_record.Served("http://127.0.0.1:9", pid=2**22 + 12345)
        served_record.record(sb.portal.store, gone)
        assert served_record.read(sb.portal.store) == gone and sb.served() is None
        mine = served_record.Served("http://127.0.0.1:9", pid=os.getpid())
        served_record.record(sb.portal.store, mine)
        assert sb.served() == mine
    finally:
        sb.close()
