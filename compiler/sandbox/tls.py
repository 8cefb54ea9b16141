"""A local certificate authority and a server certificate for the loopback names, so that the
sandbox can answer `https://127.0.0.1:<port>` (clients such as b24pysdk only speak https).

The files live in one folder (by default `.bpl/tls/` beside the portal's state) and are made
once: the CA is reused for as long as it is valid, the server certificate while it covers the
names asked for and is not about to expire. Private keys are written readable by the user
only. `bundle.pem` is the usual public CAs followed by this one, so that a client trusting
it still reaches real portals.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import certifi  # comes with httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from compiler.sandbox import served

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
SERVER_DAYS = 397  # what browsers accept for a server certificate
RENEW_BEFORE = dt.timedelta(days=2)
CA_NAME = "bpl sandbox local CA"


@dataclass(frozen=True)
class TlsFiles:
    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca-key.pem"

    @property
    def cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def bundle(self) -> Path:
        return self.folder / "bundle.pem"

    def exports(self) -> str:
        """The shell line that makes Python clients (requests, httpx, aiohttp, ssl) trust it."""
        return served.exports(str(self.bundle))


def server_names(host: str) -> list[str]:
    """The loopback names, and the host served on when it is another one."""
    names = list(LOOPBACK_NAMES)
    bare = host.strip("[]")
    if bare and bare not in names and bare not in ("0.0.0.0", "::"):
        names.append(bare)
    return names


def ensure(folder: Path, names: Sequence[str], now: dt.datetime | None = None) -> TlsFiles:
    """Make (or reuse) the CA and a server certificate covering `names`."""
    moment = now or dt.datetime.now(dt.UTC)
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(folder.resolve())
    ca_cert, ca_key = _load_ca(files, moment) or _new_ca(files, moment)
    if not _server_usable(files, ca_cert, names, moment):
        _new_server(files, ca_cert, ca_key, names, moment)
    _write_bundle(files)
    return files


def _read_cert(path: Path) -> x509.Certificate | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except (OSError, ValueError):
        return None


def _valid_at(cert: x509.Certificate, moment: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= moment and cert.not_valid_after_utc - RENEW_BEFORE > moment


def _load_ca(files: TlsFiles, moment: dt.datetime
             ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    cert = _read_cert(files.ca)
    try:
        key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if cert is None or not isinstance(key, ec.EllipticCurvePrivateKey) or \
            not _valid_at(cert, moment):
        return None
    if cert.public_key() != key.public_key():
        return None
    return cert, key


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "bpl"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _new_ca(files: TlsFiles, moment: dt.datetime
            ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(hours=1))
        .not_valid_after(moment + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True,
            content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(files.ca_key, key)
    files.ca.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    # A new CA makes every certificate of the old one useless.
    files.cert.unlink(missing_ok=True)
    return cert, key


def _server_usable(files: TlsFiles, ca: x509.Certificate, names: Sequence[str],
                   moment: dt.datetime) -> bool:
    cert = _read_cert(files.cert)
    if cert is None or not files.key.exists() or not _valid_at(cert, moment):
        return False
    try:
        cert.verify_directly_issued_by(ca)
        covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    have = {str(n) for n in covered.get_values_for_type(x509.DNSName)}
    have |= {str(n) for n in covered.get_values_for_type(x509.IPAddress)}
    return all(str(_general_name(n).value) in have for n in names)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _new_server(files: TlsFiles, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey,
                names: Sequence[str], moment: dt.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_public = ca_key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(hours=1))
        .not_valid_after(moment + dt.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=False, key_cert_sign=False, crl_sign=False,
            content_commitment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([_general_name(n) for n in names]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_public),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(files.key, key)
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    # Created private, never readable by others even for an instant.
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _public_cas() -> bytes:
    try:
        return Path(certifi.where()).read_bytes()
    except OSError:
        return b""


def _write_bundle(files: TlsFiles) -> None:
    public = _public_cas()
    if public and not public.endswith(b"\n"):
        public += b"\n"
    files.bundle.write_bytes(public + files.ca.read_bytes())
