from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from congvu.evaluation import documents
from congvu.evaluation.models import EvaluationRead
from congvu.evaluation.tests.helpers import decided_year_2025, scored_month
from congvu.lib.errors import ActionError
from congvu.testing import MISSING_PACKAGE

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason=f"{MISSING_PACKAGE} poppler-utils (pdftoppm)"
)


def _pdf_to_png(pdf: bytes, tmp_path: Path) -> Image.Image:
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(src), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png"))
    return Image.open(png).convert("L")


def _text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "t.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True, capture_output=True)
    return out.stdout.decode()


@needs_poppler
def test_the_notice_pdf_renders_vietnamese_and_is_not_blank(org, tmp_path: Path) -> None:
    e = scored_month(org.alice, org.tp_a1, 1, quality_failures=1)
    pdf = documents.notice(e, "pdf", viewer=org.alice)
    assert pdf.startswith(b"%PDF")
    page = _pdf_to_png(pdf, tmp_path)
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 2000, "the page is (nearly) blank"
    text = _text(pdf, tmp_path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hoàng Thị An",
        "HOÀN THÀNH XUẤT SẮC NHIỆM VỤ",
        "ngày",
    ):
        assert expected in text


@needs_poppler
def test_the_self_assessment_and_summary_pdfs_render(org, tmp_path: Path) -> None:
    e = scored_month(org.alice, org.tp_a1, 1, quality_failures=1)
    text = _text(documents.self_assessment(e, "pdf", viewer=org.tp_a1), tmp_path)
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in text
    assert "Bình Minh, ngày … tháng … năm …" in text  # the blank date of a form to fill in
    y = decided_year_2025(org.alice, org.tp_a1)
    text = _text(documents.unit_summary(org.a1, 2025, "pdf", viewer=org.gd_a), tmp_path)
    assert "BẢNG TỔNG HỢP" in text and "Hoàng Thị An" in text
    assert y.pk in set(EvaluationRead.objects.values_list("evaluation_id", flat=True))


def test_the_xlsx_outputs_carry_the_administrative_header(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    wb = load_workbook(io.BytesIO(documents.notice(e, "xlsx", viewer=org.alice)))
    values = [c.value for row in wb.active.iter_rows() for c in row if c.value]
    assert documents.MOTTO_1 in values and documents.MOTTO_2 in values
    assert "THÔNG BÁO" in values
    assert any(isinstance(v, str) and v.startswith("Bình Minh, ngày ") for v in values)
    wb = load_workbook(io.BytesIO(documents.unit_summary(org.a1, 2026, "xlsx", viewer=org.tp_a1)))
    assert "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG" in [
        c.value for row in wb.active.iter_rows() for c in row
    ]


def test_exports_respect_privacy_and_log_reads(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1)
    with pytest.raises(ActionError) as exc:
        documents.notice(e, "xlsx", viewer=org.bob)
    assert exc.value.code == "permission_denied"
    assert not EvaluationRead.objects.exists()
    documents.notice(e, "xlsx", viewer=org.gd_a)
    assert EvaluationRead.objects.get().purpose == "export_xlsx"


def test_a_notice_needs_a_finalised_result(org) -> None:
    e = scored_month(org.alice, org.tp_a1, 1, finalise=False)
    with pytest.raises(ActionError) as exc:
        documents.notice(e, "pdf", viewer=org.alice)
    assert exc.value.code == "not_final"


def test_a_monthly_unit_summary_lists_the_month(org) -> None:
    scored_month(org.alice, org.tp_a1, 3)
    data = documents.unit_summary(org.a1, 2026, "xlsx", viewer=org.tp_a1, kind="month", number=3)
    values = [c.value for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    assert "Tháng 3/2026 — Phòng Ngân sách" in values
    assert "Hoàng Thị An" in values
