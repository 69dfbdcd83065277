"""The e-seal CA and the orgs' signing certificates.

`python -m app.documents.ca init` writes a development CA (`ca.key`, `ca.crt`) under
DOCUMENT_CA_DIR once. Outside production the CA is also made on first need, so a fresh
checkout or a test run seals without a setup step. Each org gets a certificate issued by
that CA the first time it seals; its private key is kept in `signing_certificate`
SM4-GCM encrypted under the PII key, bound to the certificate's serial.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import fcntl
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.config import get_settings
from app.core import audit
from app.core.crypto import DecryptError, sm4_gcm_decrypt, sm4_gcm_encrypt
from app.core.errors import AppError, NotFound
from app.core.files import storage
from app.documents import sealimage
from app.documents.models import SigningCertificate
from app.identity.models import Org

CA_KEY, CA_CRT = "ca.key", "ca.crt"
CA_YEARS, ORG_CERT_DAYS = 20, 3 * 365
RENEW_BEFORE = dt.timedelta(days=30)  # a certificate this close to expiry is replaced, not used
_LOCK_NS = "signing_certificate:"


class CaUnavailable(AppError):
    status, code, message = 503, "SEAL_CA_UNAVAILABLE", "电子印章证书颁发机构未配置，暂不能出具电子文书"


def ca_dir() -> Path:
    return Path(get_settings().document_ca_dir)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _write_private(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def init(directory: str | Path | None = None) -> bool:
    """Write a development CA if none exists. Returns True when one was written."""
    d = Path(directory) if directory else ca_dir()
    d.mkdir(parents=True, exist_ok=True)
    # API workers may all reach here on their first seal: one of them makes the CA.
    with open(d / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (d / CA_KEY).exists() and (d / CA_CRT).exists():
            return False
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "广东省"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "江门市"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "江门市保障性租赁住房管理平台"),
            x509.NameAttribute(NameOID.COMMON_NAME, "ARH 电子印章 CA（开发环境）"),
        ])
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        _write_private(d / CA_KEY, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()), 0o600)
        _write_private(d / CA_CRT, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        return True


_loaded: dict[tuple[str, float], tuple[rsa.RSAPrivateKey, x509.Certificate]] = {}


def load_ca() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    d = ca_dir()
    key_path, crt_path = d / CA_KEY, d / CA_CRT
    if not (key_path.exists() and crt_path.exists()):
        if get_settings().env == "prod":
            raise CaUnavailable()
        init(d)
    stamp = (str(d), crt_path.stat().st_mtime)
    if stamp not in _loaded:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(crt_path.read_bytes())
        _loaded.clear()
        _loaded[stamp] = (key, cert)
    return _loaded[stamp]


def ca_cert_pem() -> str:
    return load_ca()[1].public_bytes(serialization.Encoding.PEM).decode()


@dataclass(frozen=True)
class Issued:
    subject: str
    serial: str
    cert_pem: str
    key_der: bytes
    valid_from: dt.datetime
    valid_to: dt.datetime


def issue_org_cert(org_name: str, credit_code: str | None) -> Issued:
    """A signing certificate for one org, issued by the CA (CPU-bound: call it in a thread)."""
    ca_key, ca_cert = load_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "广东省"),
             x509.NameAttribute(NameOID.LOCALITY_NAME, "江门市"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name)]
    if credit_code:
        # ETSI EN 319 412-1 semantics identifier: NTR = national trade register, here the 统一社会信用代码.
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{credit_code}"))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, org_name))
    subject = x509.Name(attrs)
    now = _now()
    not_after = min(now + dt.timedelta(days=ORG_CERT_DAYS), ca_cert.not_valid_after_utc)
    serial = x509.random_serial_number()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION,
                                                  x509.ObjectIdentifier("1.2.840.113583.1.1.5")]),  # Adobe docsign
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return Issued(subject=subject.rfc4514_string()[:255], serial=f"{serial:x}",
                  cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(), key_der=key_der,
                  valid_from=cert.not_valid_before_utc, valid_to=cert.not_valid_after_utc)


def _aad(serial: str) -> bytes:
    return b"arh-seal-key:" + serial.encode()


def encrypt_key(key_der: bytes, serial: str) -> bytes:
    s = get_settings()
    # Key id first, as app.core.pii does, so a rotated PII key is recognised rather than misread.
    return bytes([s.pii_key_id]) + sm4_gcm_encrypt(bytes.fromhex(s.pii_key), key_der, aad=_aad(serial))


def decrypt_key(blob: bytes, serial: str) -> bytes:
    s = get_settings()
    blob = bytes(blob)
    if not blob or blob[0] != s.pii_key_id:
        raise AppError("电子印章私钥的加密密钥已更换，请为该单位重新签发证书", code="SEAL_KEY_UNREADABLE", status=500)
    try:
        return sm4_gcm_decrypt(bytes.fromhex(s.pii_key), blob[1:], aad=_aad(serial))
    except DecryptError as e:
        raise AppError("电子印章私钥无法解密", code="SEAL_KEY_UNREADABLE", status=500) from e


async def org_certificate(org_id: int, *, using, actor=None) -> SigningCertificate:  # noqa: ANN001
    """The org's current certificate, issued (with its seal image) in the caller's transaction if it has none."""
    def current():  # noqa: ANN202
        return (SigningCertificate.filter(org_id=org_id, revoked_at__isnull=True, valid_from__lte=_now(),
                                          valid_to__gt=_now() + RENEW_BEFORE)
                .order_by("-valid_to").using_db(using).first())

    cert = await current()
    if cert is not None:
        return cert
    # Two first seals of one org at once must not make two certificates.
    await using.execute_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [f"{_LOCK_NS}{org_id}"])
    cert = await current()
    if cert is not None:
        return cert
    org = await Org.filter(id=org_id).using_db(using).first()
    if org is None:
        raise NotFound("出具单位不存在")
    issued = await asyncio.to_thread(issue_org_cert, org.name, org.credit_code)
    png = await asyncio.to_thread(sealimage.draw, org.name)
    png_sha = hashlib.sha256(png).hexdigest()
    await storage().put(png_sha, png)
    cert = await SigningCertificate.create(
        org_id=org.id, subject=issued.subject, serial=issued.serial, cert_pem=issued.cert_pem,
        key_encrypted=encrypt_key(issued.key_der, issued.serial), seal_png_sha256=png_sha,
        valid_from=issued.valid_from, valid_to=issued.valid_to, using_db=using)
    await audit.record("document.certificate.issue", "signing_certificate", cert.id, using=using, actor=actor,
                       only_changes=False, summary=f"为{org.name}签发电子印章证书",
                       after={"org_id": org.id, "subject": issued.subject, "serial": issued.serial,
                              "valid_to": issued.valid_to, "seal_png_sha256": png_sha})
    return cert


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or argv[0] != "init":
        print("usage: python -m app.documents.ca init [DIR]")
        return 2
    d = Path(argv[1]) if len(argv) == 2 else ca_dir()
    print("written" if init(d) else "exists", d / CA_CRT)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
