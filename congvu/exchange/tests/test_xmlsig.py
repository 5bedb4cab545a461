"""The sending agency's XML signature on an edXML package: checked before anything is read,
against the roots the province trusts; unsigned, altered or untrusted packages are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congvu.exchange.edxml import read_package
from congvu.exchange.tests.samples import give_codes, package
from congvu.exchange.xmlsig import has_signature, sign_package
from congvu.lib.errors import ActionError
from congvu.org.models import today
from congvu.tasks.models import Directive, Task
from congvu.web.tests.pki import P12_PASSWORD, TestCA


@pytest.fixture(scope="module")
def agencies_ca() -> TestCA:
    return TestCA("CA các cơ quan tỉnh")


def _signed_by(settings: Any, tmp_path: Path, ca: TestCA, name: str, data: bytes) -> bytes:
    settings.SIGNING_P12 = str(ca.write_p12(ca.issue(name), tmp_path / f"{len(name)}.p12"))
    settings.SIGNING_P12_PASSWORD = P12_PASSWORD
    signed = sign_package(data)
    settings.SIGNING_P12 = ""
    return signed


@pytest.fixture
def strict(settings: Any, tmp_path: Path, agencies_ca: TestCA) -> Any:
    settings.EDXML_REQUIRE_SIGNATURE = True
    settings.SIGNING_TRUST_ROOTS = [str(agencies_ca.write_root(tmp_path / "root.pem"))]
    return settings


def test_a_signed_package_is_read_and_names_its_signer(
    strict: Any, tmp_path: Path, agencies_ca: TestCA
) -> None:
    data = _signed_by(strict, tmp_path, agencies_ca, "Văn phòng UBND tỉnh", package())
    assert has_signature(data)
    p = read_package(data)
    assert p.signed_by == "Văn phòng UBND tỉnh"
    assert p.number == "125/UBND-KT"


def test_an_unsigned_package_is_refused_when_signatures_are_required(strict: Any) -> None:
    with pytest.raises(ActionError, match="Gói tin chưa được ký số"):
        read_package(package())


def test_a_package_changed_after_signing_is_refused(
    strict: Any, tmp_path: Path, agencies_ca: TestCA
) -> None:
    data = _signed_by(strict, tmp_path, agencies_ca, "Văn phòng UBND tỉnh", package())
    changed = data.replace(b"UBND-KT", b"UBND-XD", 1)
    assert changed != data
    with pytest.raises(ActionError, match="không khớp nội dung"):
        read_package(changed)


def test_a_package_signed_under_an_untrusted_ca_is_refused(strict: Any, tmp_path: Path) -> None:
    stranger = TestCA("CA lạ")
    data = _signed_by(strict, tmp_path, stranger, "Cơ quan lạ", package())
    with pytest.raises(ActionError, match="không thuộc cơ quan chứng thực tin cậy"):
        read_package(data)


def test_an_expired_certificate_is_refused(
    strict: Any, tmp_path: Path, agencies_ca: TestCA
) -> None:
    now = datetime.now(UTC)
    issued = agencies_ca.issue(
        "Văn phòng cũ", not_before=now - timedelta(days=400), not_after=now - timedelta(days=1)
    )
    strict.SIGNING_P12 = str(agencies_ca.write_p12(issued, tmp_path / "old.p12"))
    strict.SIGNING_P12_PASSWORD = P12_PASSWORD
    data = sign_package(package())
    strict.SIGNING_P12 = ""
    with pytest.raises(ActionError, match="Chứng thư số ký gói tin không hợp lệ"):
        read_package(data)


def test_import_edxml_refuses_an_unsigned_package_and_writes_nothing(
    org: Any, strict: Any, tmp_path: Path
) -> None:
    give_codes(org)
    path = tmp_path / "goi-tin.xml"
    path.write_bytes(package(issued_on=today() - timedelta(days=1)))
    with pytest.raises(CommandError, match="chưa được ký số"):
        call_command("import_edxml", str(path), "--by", "lanh_dao")
    assert not Directive.objects.exists() and not Task.objects.exists()


def test_the_outgoing_report_package_is_signed_with_the_agency_key(
    settings: Any, tmp_path: Path, agencies_ca: TestCA
) -> None:
    settings.SIGNING_P12 = str(
        agencies_ca.write_p12(agencies_ca.issue("Sở Tài chính"), tmp_path / "k.p12")
    )
    settings.SIGNING_P12_PASSWORD = P12_PASSWORD
    settings.SIGNING_TRUST_ROOTS = [str(agencies_ca.write_root(tmp_path / "root.pem"))]
    settings.EDXML_REQUIRE_SIGNATURE = True
    data = sign_package(package())
    assert read_package(data).signed_by == "Sở Tài chính"


def test_a_package_signed_with_a_revoked_certificate_is_refused(
    strict: Any, tmp_path: Path, agencies_ca: TestCA
) -> None:
    # The distribution point is unreachable (fetching off): the province configures the CRL.
    issued = agencies_ca.issue("Văn phòng bị thu hồi", crl_url="http://ca.invalid/ca.crl")
    strict.SIGNING_P12 = str(agencies_ca.write_p12(issued, tmp_path / "revoked.p12"))
    strict.SIGNING_P12_PASSWORD = P12_PASSWORD
    data = sign_package(package())
    strict.SIGNING_P12 = ""
    crl = tmp_path / "ca.crl"
    crl.write_bytes(agencies_ca.crl([]))
    strict.SIGNING_CRLS = [str(crl)]
    strict.SIGNING_FETCH_REVOCATION = False
    assert read_package(data).signed_by == "Văn phòng bị thu hồi"
    crl.write_bytes(agencies_ca.crl([issued.cert]))
    with pytest.raises(ActionError, match="đã bị thu hồi"):
        read_package(data)


def test_the_platform_layout_with_an_edxml_root_and_attachments_beside_the_envelope_is_read(
    settings: Any,
) -> None:
    """The national document-exchange platform's layout: an `edXML` root holding the envelope,
    the manifest naming the attachments, and `AttachmentEncoded` outside the envelope and
    outside any namespace."""
    import base64

    settings.EDXML_REQUIRE_SIGNATURE = False
    pdf = base64.b64encode(b"%PDF-1.4 van ban").decode()
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
 <edXML:edXMLEnvelope>
  <edXML:edXMLHeader><edXML:MessageHeader>
   <edXML:From><edXML:OrganId>000.00.00.H12</edXML:OrganId><edXML:OrganName>UBND tỉnh</edXML:OrganName></edXML:From>
   <edXML:To><edXML:OrganId>000.00.12.H12</edXML:OrganId><edXML:OrganName>Sở Tài chính</edXML:OrganName></edXML:To>
   <edXML:Code><edXML:CodeNumber>125</edXML:CodeNumber><edXML:CodeNotation>UBND-KT</edXML:CodeNotation></edXML:Code>
   <edXML:PromulgationInfo><edXML:Place>Bình Minh</edXML:Place><edXML:PromulgationDate>2026/11/30</edXML:PromulgationDate></edXML:PromulgationInfo>
   <edXML:Subject>Về việc rà soát thủ tục hành chính</edXML:Subject>
   <edXML:SignerInfo><edXML:Position>Chủ tịch</edXML:Position><edXML:FullName>Nguyễn Văn A</edXML:FullName></edXML:SignerInfo>
  </edXML:MessageHeader></edXML:edXMLHeader>
  <edXML:edXMLBody><edXML:edXMLManifest>
   <edXML:Reference><edXML:ContentId>att1</edXML:ContentId><edXML:ContentType>application/pdf</edXML:ContentType><edXML:AttachmentName>125-UBND-KT.pdf</edXML:AttachmentName></edXML:Reference>
  </edXML:edXMLManifest></edXML:edXMLBody>
 </edXML:edXMLEnvelope>
 <AttachmentEncoded><Attachment><ContentId>att1</ContentId><ContentTransferEncoded>{pdf}</ContentTransferEncoded></Attachment></AttachmentEncoded>
</edXML:edXML>""".encode()
    p = read_package(data)
    assert p.number == "125/UBND-KT" and [r.code for r in p.receivers] == ["000.00.12.H12"]
    [att] = p.attachments
    assert (att.name, att.content_type, att.content) == (
        "125-UBND-KT.pdf",
        "application/pdf",
        b"%PDF-1.4 van ban",
    )
