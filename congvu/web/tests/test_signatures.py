"""PAdES signatures on issued PDFs and the verification page, with a CA the test creates."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from congvu.lib import signing
from congvu.testing import MISSING_PACKAGE
from congvu.web.tests.pki import P12_PASSWORD, Issued, TestCA
from congvu.web.tests.tasks_helpers import assign


@pytest.fixture(scope="module")
def pki_ca() -> TestCA:
    return TestCA()


def _configure(settings: Any, tmp_path: Path, ca: TestCA, issued: Issued) -> None:
    settings.SIGNING_P12 = str(ca.write_p12(issued, tmp_path / "signer.p12"))
    settings.SIGNING_P12_PASSWORD = P12_PASSWORD
    settings.SIGNING_TRUST_ROOTS = [str(ca.write_root(tmp_path / "root.pem"))]
    settings.SIGNING_CRLS = []
    settings.SIGNING_FETCH_REVOCATION = False


def _sheet(signed_in: Any, org: Any) -> bytes:
    task = assign(org, title="Rà soát dự toán")
    response = signed_in("gd_a").get(f"/viec/{task.pk}/phieu.pdf")
    assert response.status_code == 200
    return bytes(response.content)


def _verify_page(client: Any, data: bytes) -> str:
    upload = SimpleUploadedFile("van-ban.pdf", data, content_type="application/pdf")
    response = client.post("/kiem-tra-chu-ky/", {"file": upload})
    assert response.status_code == 200
    return str(response.content.decode())


def test_it_signs_the_task_sheet_and_the_page_verifies_it(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    _configure(settings, tmp_path, pki_ca, pki_ca.issue("Văn phòng UBND tỉnh Bình Minh"))
    data = _sheet(signed_in, org)
    [report] = signing.verify_pdf(data)
    assert report.ok
    assert report.signer == "Văn phòng UBND tỉnh Bình Minh"
    assert report.signing_time is not None
    assert abs(report.signing_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert "CA thử nghiệm Công Vụ" in report.issuer
    html = _verify_page(signed_in("alice"), data)
    assert "Chữ ký hợp lệ" in html
    assert "Văn phòng UBND tỉnh Bình Minh" in html
    assert "Toàn vẹn, không bị sửa đổi sau khi ký" in html
    assert "Tin cậy" in html


def test_it_names_the_signer_on_the_task_page(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    _configure(settings, tmp_path, pki_ca, pki_ca.issue("Văn phòng UBND tỉnh Bình Minh"))
    task = assign(org, title="Rà soát dự toán")
    html = signed_in("gd_a").get(f"/viec/{task.pk}/").content.decode()
    assert "Bản PDF được ký số bởi Văn phòng UBND tỉnh Bình Minh" in html


def test_it_reports_a_file_modified_after_signing(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    _configure(settings, tmp_path, pki_ca, pki_ca.issue("Văn phòng UBND tỉnh Bình Minh"))
    data = bytearray(_sheet(signed_in, org))
    # One byte inside the first content stream: same length, so the file still parses.
    at = data.index(b"stream\n") + len(b"stream\n") + 20
    data[at] ^= 0x01
    [report] = signing.verify_pdf(bytes(data))
    assert not report.intact
    assert not report.ok
    html = _verify_page(signed_in("alice"), bytes(data))
    assert "Tệp đã bị sửa đổi sau khi ký" in html
    assert "Chữ ký không hợp lệ" in html


def test_it_reports_content_appended_after_signing(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _configure(settings, tmp_path, pki_ca, pki_ca.issue("Văn phòng UBND tỉnh Bình Minh"))
    data = _sheet(signed_in, org)
    writer = IncrementalPdfFileWriter(BytesIO(data))
    writer.root["/CongVuExtra"] = generic.TextStringObject("sửa sau khi ký")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    [report] = signing.verify_pdf(out.getvalue())
    assert report.intact
    assert not report.covers_whole_file
    assert not report.ok


def test_it_reports_an_untrusted_issuer(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    other = TestCA("CA lạ")
    _configure(settings, tmp_path, other, other.issue("Người ký lạ"))
    data = _sheet(signed_in, org)
    settings.SIGNING_TRUST_ROOTS = [str(pki_ca.write_root(tmp_path / "root.pem"))]
    [report] = signing.verify_pdf(data)
    assert report.intact
    assert not report.trusted
    assert "Không tin cậy" in _verify_page(signed_in("alice"), data)


def test_it_reports_an_expired_certificate(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    now = datetime.now(UTC)
    expired = pki_ca.issue(
        "Cán bộ đã nghỉ", not_before=now - timedelta(days=800), not_after=now - timedelta(days=35)
    )
    _configure(settings, tmp_path, pki_ca, expired)
    data = _sheet(signed_in, org)
    [report] = signing.verify_pdf(data)
    assert report.intact
    assert report.expired
    assert report.expired_when_signed
    assert not report.trusted
    assert "Đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm ký" in _verify_page(
        signed_in("alice"), data
    )


class _CRLServer:
    """Serves one CRL over HTTP on a free port, as a CA's distribution point would."""

    def __init__(self) -> None:
        self.crl = b""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(owner.crl)))
                self.end_headers()
                self.wfile.write(owner.crl)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ca.crl"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_it_reports_a_revoked_certificate_from_the_served_crl(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    crl_server = _CRLServer()
    try:
        signer = pki_ca.issue("Cán bộ bị thu hồi chứng thư", crl_url=crl_server.url)
        _configure(settings, tmp_path, pki_ca, signer)
        settings.SIGNING_FETCH_REVOCATION = True
        data = _sheet(signed_in, org)
        crl_server.crl = pki_ca.crl([])
        [report] = signing.verify_pdf(data)
        assert report.ok, report
        crl_server.crl = pki_ca.crl([signer.cert])
        [report] = signing.verify_pdf(data)
        assert report.revoked
        assert report.revoked_on is not None
        assert not report.ok
        assert "Đã bị thu hồi" in _verify_page(signed_in("alice"), data)
    finally:
        crl_server.close()


def test_it_reports_a_revoked_certificate_from_a_configured_crl(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca
):
    # The CA's distribution point is not reachable from this server (fetching is off): the
    # administrator downloads the CRL and configures it.
    signer = pki_ca.issue("Cán bộ bị thu hồi chứng thư", crl_url="http://ca.invalid/ca.crl")
    _configure(settings, tmp_path, pki_ca, signer)
    data = _sheet(signed_in, org)
    crl = tmp_path / "ca.crl"
    crl.write_bytes(pki_ca.crl([signer.cert]))
    settings.SIGNING_CRLS = [str(crl)]
    [report] = signing.verify_pdf(data)
    assert report.revoked


def test_it_says_an_unsigned_file_has_no_signature(signed_in, org):  # type: ignore[no-untyped-def]
    task = assign(org, title="Rà soát dự toán")
    data = signed_in("gd_a").get(f"/viec/{task.pk}/phieu.pdf").content
    assert signing.verify_pdf(data) == []
    assert "Tệp không có chữ ký số." in _verify_page(signed_in("alice"), data)


def test_it_refuses_a_file_that_is_not_a_pdf(signed_in, org):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("x.pdf", b"hello", content_type="application/pdf")
    response = signed_in("alice").post("/kiem-tra-chu-ky/", {"file": upload})
    assert response.status_code == 400
    assert "Tệp không phải PDF." in response.content.decode()


SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"


@pytest.mark.skipif(
    not Path(SOFTHSM).exists() or shutil.which("softhsm2-util") is None,
    reason=f"{MISSING_PACKAGE} softhsm2",
)
def test_it_signs_with_a_key_on_a_pkcs11_token(  # type: ignore[no-untyped-def]
    settings, tmp_path, signed_in, org, pki_ca, monkeypatch
):
    """A SoftHSM token stands in for the agency's USB token: the key is imported once and never
    leaves it; pyHanko signs through PKCS#11."""
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute, CertificateType, ObjectClass

    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    signer = pki_ca.issue("Sở Tài chính tỉnh Bình Minh")
    key_pem = tmp_path / "key.pem"
    key_pem.write_bytes(
        signer.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "congvu",
            "--pin",
            "2468",
            "--so-pin",
            "1357",
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    subprocess.run(
        [
            *[
                "softhsm2-util",
                "--token",
                "congvu",
                "--label",
                "ky-so",
                "--id",
                "01",
                "--pin",
                "2468",
                "--import",
            ],
            key_pem,
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    token = pkcs11.lib(SOFTHSM).get_token(token_label="congvu")
    with token.open(rw=True, user_pin="2468") as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "ky-so",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: signer.cert.subject.public_bytes(),
                Attribute.VALUE: signer.cert.public_bytes(serialization.Encoding.DER),
            }
        )
    _configure(settings, tmp_path, pki_ca, signer)
    settings.SIGNING_P12 = ""
    settings.SIGNING_PKCS11_MODULE = SOFTHSM
    settings.SIGNING_PKCS11_TOKEN = "congvu"
    settings.SIGNING_PKCS11_KEY_LABEL = "ky-so"
    settings.SIGNING_PKCS11_PIN = "2468"
    [report] = signing.verify_pdf(_sheet(signed_in, org))
    assert report.ok
    assert report.signer == "Sở Tài chính tỉnh Bình Minh"


def test_it_signs_the_evaluation_result_notice(settings, tmp_path, org, pki_ca):  # type: ignore[no-untyped-def]
    from congvu.evaluation import documents
    from congvu.evaluation.tests.helpers import scored_month

    _configure(settings, tmp_path, pki_ca, pki_ca.issue("Sở Tài chính tỉnh Bình Minh"))
    e = scored_month(org.alice, org.tp_a1, 1, quality_failures=1)
    [report] = signing.verify_pdf(documents.notice(e, "pdf", viewer=org.alice))
    assert report.ok
    assert report.signer == "Sở Tài chính tỉnh Bình Minh"
