"""PAdES signatures on the PDFs Công Vụ issues, and their verification (pyHanko).

The key is the agency's: a PKCS#12 file (CONGVU_SIGNING_P12, its password in
CONGVU_SIGNING_P12_PASSWORD or _FILE) or a key on a PKCS#11 token (CONGVU_SIGNING_PKCS11_MODULE,
_TOKEN, _KEY_LABEL, _PIN). With neither, documents are issued unsigned, as before.

Verification trusts the roots listed in CONGVU_SIGNING_TRUST_ROOTS (PEM or DER files, ':'
separated) — the province's CA chain, e.g. the Government Cipher Committee's root — plus
any CRLs listed in CONGVU_SIGNING_CRLS; with CONGVU_SIGNING_FETCH_REVOCATION it also fetches
the CRLs and OCSP answers the certificates point to.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from congvu.lib.errors import ActionError

FIELD_NAME = "CongVuSignature"


@dataclass
class SignatureReport:
    """One signature in a PDF, as the verification page shows it."""

    field_name: str
    signer: str  # the certificate subject's common name (or the whole subject)
    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    signing_time: datetime | None
    intact: bool  # the signed bytes hash to the signed digest and the signature is valid
    covers_whole_file: bool  # nothing was appended after signing
    trusted: bool  # the certificate chains to a configured root and passed revocation checks
    expired: bool  # the certificate's validity ended before now
    expired_when_signed: bool
    revoked: bool
    revoked_on: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.covers_whole_file and self.trusted and not self.revoked


def _name(name: Any) -> str:
    return str(name.human_friendly)


def _common_name(name: Any) -> str:
    native = name.native
    return str(native.get("common_name") or name.human_friendly)


# --- signing ---------------------------------------------------------------------------------


def _run(coroutine: Any) -> Any:
    """Run one of pyHanko's coroutines from synchronous code. A thread that already runs an
    event loop (a test's browser driver, an async server) cannot nest asyncio.run, so the
    coroutine then runs on a short-lived thread of its own."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def signing_configured() -> bool:
    return bool(settings.SIGNING_P12 or settings.SIGNING_PKCS11_MODULE)


@lru_cache(maxsize=4)
def _p12_signer(path: str, password: str) -> Any:
    from pyhanko.sign import signers

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ActionError("signing_key", f"Không đọc được tệp khóa ký số {path}: {exc}") from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=[], passphrase=password.encode() if password else None
        )
    except (ValueError, TypeError) as exc:
        raise ActionError(
            "signing_key", "Tệp PKCS#12 không mở được (sai mật khẩu hoặc hỏng tệp)."
        ) from exc


def _pkcs11_signer() -> Any:
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as sign_pkcs11

    session = sign_pkcs11.open_pkcs11_session(
        settings.SIGNING_PKCS11_MODULE,
        token_criteria=TokenCriteria(label=settings.SIGNING_PKCS11_TOKEN or None),
        user_pin=settings.SIGNING_PKCS11_PIN or None,
    )
    return sign_pkcs11.PKCS11Signer(
        session,
        key_label=settings.SIGNING_PKCS11_KEY_LABEL,
        cert_label=settings.SIGNING_PKCS11_KEY_LABEL,
    ), session


def signer_name() -> str:
    """Who signs the documents this server issues ("" when nothing is configured)."""
    if settings.SIGNING_P12:
        signer = _p12_signer(settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD)
        return _common_name(signer.signing_cert.subject)
    if settings.SIGNING_PKCS11_MODULE:
        return _pkcs11_name(
            settings.SIGNING_PKCS11_MODULE,
            settings.SIGNING_PKCS11_TOKEN,
            settings.SIGNING_PKCS11_KEY_LABEL,
        )
    return ""


@lru_cache(maxsize=4)
def _pkcs11_name(module: str, token: str, label: str) -> str:
    # Opening a token session per page would be slow (and some tokens allow only one).
    signer, session = _pkcs11_signer()
    try:
        return _common_name(signer.signing_cert.subject)
    finally:
        session.close()


@contextmanager
def _configured_signer() -> Iterator[Any]:
    """The configured key for one signature: a PKCS#12 file, else the token, whose session is
    closed afterwards (some tokens allow only one)."""
    if settings.SIGNING_P12:
        yield _p12_signer(settings.SIGNING_P12, settings.SIGNING_P12_PASSWORD)
        return
    signer, session = _pkcs11_signer()
    try:
        yield signer
    finally:
        session.close()


def sign_pdf(data: bytes, *, reason: str, location: str = "") -> bytes:
    """Add a PAdES B-B signature (the whole file, SHA-256) with the configured key; the bytes
    come back unchanged when no key is configured."""
    if not signing_configured():
        return data
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason[:200] or None,
        location=location or None,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    with _configured_signer() as signer:
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        out = signers.sign_pdf(writer, meta, signer=signer)
    return bytes(out.getvalue())


def sign_detached(data: bytes) -> bytes | None:
    """A detached CMS (PKCS#7) signature, DER, over `data` with the configured key (SHA-256,
    signing time and the signer's certificate included), for files that are not PDFs (the
    data feeds); None when no key is configured. `openssl cms -verify -binary -inform DER
    -content FILE -in FILE.p7s` checks it, as does any CMS library."""
    if not signing_configured():
        return None
    with _configured_signer() as signer:
        cms = _run(signer.async_sign_general_data(data, "sha256", detached=True, use_cades=True))
    return bytes(cms.dump())


# --- verification ----------------------------------------------------------------------------


def _load_der_or_pem(paths: list[str], load: Callable[[bytes], Any]) -> list[Any]:
    """Every object in the files: a PEM file may hold several, a DER file holds one."""
    from asn1crypto import pem

    out = []
    for p in paths:
        raw = Path(p).read_bytes()
        if pem.detect(raw):
            out += [load(der) for _t, _h, der in pem.unarmor(raw, multiple=True)]
        else:
            out.append(load(raw))
    return out


def _context() -> Any:
    from asn1crypto import crl, x509
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=_load_der_or_pem(settings.SIGNING_TRUST_ROOTS, x509.Certificate.load),
        crls=_load_der_or_pem(settings.SIGNING_CRLS, crl.CertificateList.load),
        allow_fetching=settings.SIGNING_FETCH_REVOCATION,
        revocation_mode="soft-fail",
    )


def certificate_problem(cert_der: bytes) -> str | None:
    """Why a signing certificate is not acceptable now — revoked (the CRLs and, when fetching
    is on, the CRL/OCSP addresses the certificate names), or not chaining to a trusted root —
    in Vietnamese; None when it is. The same validation context as the PDFs' signatures."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, RevokedError

    cert = asn1_x509.Certificate.load(cert_der)
    validator = CertificateValidator(cert, validation_context=_context())
    try:
        _run(validator.async_validate_usage(set()))  # type: ignore[no-untyped-call]
    except RevokedError as exc:
        return f"chứng thư số đã bị thu hồi ({exc})"
    except (PathBuildingError, PathValidationError) as exc:
        return f"chứng thư số không được xác thực tới chứng thư gốc tin cậy ({exc})"
    return None


def verify_pdf(data: bytes) -> list[SignatureReport]:
    """Every signature in the file, checked. Raises ActionError if the file is not a PDF."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise ActionError("not_pdf", "Tệp không phải PDF hoặc đã hỏng, không đọc được.") from exc
    now = datetime.now(UTC)
    reports = []
    for sig in embedded:
        cert = sig.signer_cert
        try:
            status = validate_pdf_signature(sig, _context())
        except (PdfError, ValueError) as exc:
            reports.append(_broken(sig, cert, str(exc)))
            continue
        validity = cert["tbs_certificate"]["validity"]
        not_before = validity["not_before"].native
        not_after = validity["not_after"].native
        signed_at = status.signer_reported_dt
        details = status.revocation_details
        reports.append(
            SignatureReport(
                field_name=sig.field_name,
                signer=_common_name(cert.subject),
                subject=_name(cert.subject),
                issuer=_name(cert.issuer),
                serial=format(cert.serial_number, "X"),
                not_before=not_before,
                not_after=not_after,
                signing_time=signed_at,
                intact=bool(status.intact and status.valid),
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                trusted=bool(status.trusted),
                expired=now > not_after,
                expired_when_signed=signed_at is not None
                and not (not_before <= signed_at <= not_after),
                revoked=bool(status.revoked),
                revoked_on=details.revocation_date if details is not None else None,
            )
        )
    return reports


def _broken(sig: Any, cert: Any, problem: str) -> SignatureReport:
    validity = cert["tbs_certificate"]["validity"]
    return SignatureReport(
        field_name=sig.field_name,
        signer=_common_name(cert.subject),
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        serial=format(cert.serial_number, "X"),
        not_before=validity["not_before"].native,
        not_after=validity["not_after"].native,
        signing_time=None,
        intact=False,
        covers_whole_file=False,
        trusted=False,
        expired=False,
        expired_when_signed=False,
        revoked=False,
        problems=[problem],
    )
