"""XML signatures on edXML packages (XML-DSig, enveloped, RSA-SHA256), with signxml.

A package received from a document-management system carries the sending agency's signature
(QCVN 102:2016/BTTTT: the package is signed by the sender's digital certificate). Công Vụ
checks it against the roots it already trusts for PDFs (CONGVU_SIGNING_TRUST_ROOTS) before it
reads anything else; a package with no signature is refused unless the province has turned
the requirement off (CONGVU_EDXML_REQUIRE_SIGNATURE=False, for a system that cannot sign yet).
Outgoing report packages are signed with the agency's PKCS#12 key (CONGVU_SIGNING_P12) when one
is configured. Parsing for the signature uses lxml with entities, DTDs and network off; the
package has already passed defusedxml's checks (edxml._parse) before it gets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from congvu.lib.errors import ActionError

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True)
class PackageSignature:
    signer: str  # the certificate subject's common name
    issuer: str


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def has_signature(data: bytes) -> bool:
    from lxml import etree

    root = etree.fromstring(data, parser=_parser())
    return root.find(f".//{{{DSIG_NS}}}Signature") is not None


def _roots_pem() -> bytes:
    out = b""
    for path in settings.SIGNING_TRUST_ROOTS:
        data = Path(path).read_bytes()
        if b"-----BEGIN" not in data:  # DER
            from cryptography import x509
            from cryptography.hazmat.primitives.serialization import Encoding

            data = x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
        out += data if data.endswith(b"\n") else data + b"\n"
    return out


def verify_package(data: bytes) -> PackageSignature | None:
    """The package's signer, or None for an unsigned package the province accepts; an
    unsigned package when signatures are required, a broken signature, or a certificate that
    does not chain to a trusted root is refused with the reason, in Vietnamese."""
    if not has_signature(data):
        if settings.EDXML_REQUIRE_SIGNATURE:
            raise ActionError(
                "edxml_unsigned",
                "Gói tin chưa được ký số: cơ quan gửi phải ký gói tin bằng chứng thư số "
                "(QCVN 102:2016/BTTTT).",
                field="file",
            )
        return None
    roots = _roots_pem()
    if not roots:
        raise ActionError(
            "edxml_no_roots",
            "Chưa cấu hình chứng thư gốc tin cậy (CONGVU_SIGNING_TRUST_ROOTS) để kiểm tra chữ "
            "ký số của gói tin.",
            field="file",
        )
    import tempfile

    # signxml reads the roots from one PEM file; the province may list several, PEM or DER.
    with tempfile.NamedTemporaryFile(suffix=".pem") as bundle:
        bundle.write(roots)
        bundle.flush()
        return _verify(data, bundle.name)


def _certificates(data: bytes) -> list[Any]:
    """The X.509 certificates the package's signature carries (KeyInfo/X509Data)."""
    import base64

    from cryptography import x509
    from lxml import etree

    root = etree.fromstring(data, parser=_parser())
    return [
        x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split())))
        for el in root.iterfind(f".//{{{DSIG_NS}}}X509Certificate")
    ]


def _leaf(certs: list[Any]) -> Any:
    from cryptography import x509

    for cert in certs:
        try:
            if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return cert
        except x509.ExtensionNotFound:
            return cert
    return certs[0] if certs else None


def _verify(data: bytes, roots_file: str) -> PackageSignature:
    from cryptography.x509.oid import NameOID
    from cryptography.x509.verification import ExtensionPolicy
    from django.utils import timezone
    from signxml import XMLVerifier  # type: ignore[attr-defined]
    from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidSignature

    cert = _leaf(_certificates(data))
    if cert is None:
        raise ActionError(
            "edxml_untrusted", "Chữ ký của gói tin không kèm chứng thư số.", field="file"
        )
    now = timezone.now()
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise ActionError(
            "edxml_expired",
            "Chứng thư số ký gói tin không hợp lệ: chỉ có hiệu lực từ "
            f"{cert.not_valid_before_utc:%d/%m/%Y} đến {cert.not_valid_after_utc:%d/%m/%Y}.",
            field="file",
        )
    try:
        XMLVerifier().verify(
            data,
            ca_pem_file=roots_file,
            parser=_parser(),
            # Agencies' document-signing certificates carry various key usages; the chain
            # to a trusted root and the signature are what is checked here.
            ee_policy=ExtensionPolicy.permit_all(),
        )
    except InvalidCertificate as exc:
        raise ActionError(
            "edxml_untrusted",
            f"Chứng thư số ký gói tin không hợp lệ hoặc không thuộc cơ quan chứng thực tin cậy: "
            f"{exc}.",
            field="file",
        ) from None
    except (InvalidDigest, InvalidSignature) as exc:
        raise ActionError(
            "edxml_bad_signature",
            f"Chữ ký số của gói tin không khớp nội dung (gói tin đã bị sửa sau khi ký): {exc}.",
            field="file",
        ) from None
    # Revocation, by the same rule as the PDFs' signatures (congvu.lib.signing).
    from cryptography.hazmat.primitives.serialization import Encoding

    from congvu.lib.signing import certificate_problem

    problem = certificate_problem(cert.public_bytes(Encoding.DER))
    if problem is not None:
        raise ActionError(
            "edxml_revoked" if "thu hồi" in problem else "edxml_untrusted",
            f"Chứng thư số ký gói tin không hợp lệ: {problem}.",
            field="file",
        )
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    signer = str(names[0].value) if names else cert.subject.rfc4514_string()
    return PackageSignature(signer=signer, issuer=cert.issuer.rfc4514_string())


def sign_package(data: bytes) -> bytes:
    """The package with an enveloped XML signature by the agency's PKCS#12 key; unchanged
    when no PKCS#12 key is configured (a PKCS#11 token signs PDFs only, for now)."""
    if not settings.SIGNING_P12:
        return data
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
    from lxml import etree
    from signxml import XMLSigner, methods  # type: ignore[attr-defined]

    password = settings.SIGNING_P12_PASSWORD
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(
            Path(settings.SIGNING_P12).read_bytes(), password.encode() if password else None
        )
    except (OSError, ValueError) as exc:
        raise ActionError("signing_key", f"Không mở được tệp khóa ký số: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) or cert is None:
        raise ActionError("signing_key", "Tệp khóa ký số không có khóa RSA/EC và chứng thư số.")
    chain = [c.public_bytes(Encoding.PEM).decode() for c in (cert, *extra)]
    root = etree.fromstring(data, parser=_parser())
    signed = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256",
                       digest_algorithm="sha256").sign(root, key=key, cert=chain)  # fmt: skip
    text: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return text
