"""Official documents in Vietnamese administrative layout (Nghị định 30/2020/NĐ-CP style):
a neutral structure (`Doc`: the agency lines, the national motto, number and place-date, title,
blocks of text and tables, signatures) and its PDF rendering (reportlab with DejaVu Serif from
Debian's fonts-dejavu-core). The evaluation forms and the task sheet build a `Doc`; the header
and the fonts are drawn here once."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from congvu.lib.errors import ActionError

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative widths


@dataclass
class Doc:
    agency_parent: str
    agency: str
    number: str
    place_date: str
    title: str
    subtitle: str = ""
    blocks: list[str | Table] = field(default_factory=list)
    sign_left_title: str = ""
    sign_left_name: str = ""
    sign_right_title: str = "THỦ TRƯỞNG ĐƠN VỊ"
    sign_right_name: str = ""
    recipients: list[str] = field(default_factory=list)
    landscape: bool = False


def place_name() -> str:
    name = str(settings.PROVINCE_NAME)
    for prefix in ("Tỉnh ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def place_date(day: date | None) -> str:
    """ "Bình Minh, ngày 05 tháng 12 năm 2026" — or the blank form "…, ngày … tháng … năm …"."""
    if day is None:
        return f"{place_name()}, ngày … tháng … năm …"
    return f"{place_name()}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


# --- Doc → PDF ----------------------------------------------------------------------------

FONT_DIRS = [
    Path(p)
    for p in os.getenv(
        "CONGVU_PDF_FONT_DIRS",
        "/usr/share/fonts/truetype/dejavu:/usr/share/fonts/dejavu:/usr/local/share/fonts",
    ).split(":")
    if p
]
_fonts_ready = False


def _find_font(name: str) -> Path | None:
    for d in FONT_DIRS:
        if (d / name).is_file():
            return d / name
    return None


def register_fonts() -> None:
    """DejaVu Serif covers every Vietnamese letter and tone mark (precomposed NFC forms)."""
    global _fonts_ready  # noqa: PLW0603 - register once per process
    if _fonts_ready:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = _find_font("DejaVuSerif.ttf")
    bold = _find_font("DejaVuSerif-Bold.ttf")
    if regular is None or bold is None:
        raise ActionError(
            "font_missing",
            "Không tìm thấy phông chữ DejaVu Serif để xuất PDF tiếng Việt; hãy cài gói "
            "fonts-dejavu-core (hoặc đặt CONGVU_PDF_FONT_DIRS).",
        )
    italic = _find_font("DejaVuSerif-Italic.ttf") or regular
    pdfmetrics.registerFont(TTFont("CV-Serif", str(regular)))
    pdfmetrics.registerFont(TTFont("CV-Serif-Bold", str(bold)))
    pdfmetrics.registerFont(TTFont("CV-Serif-Italic", str(italic)))
    pdfmetrics.registerFontFamily(
        "CV-Serif",
        normal="CV-Serif",
        bold="CV-Serif-Bold",
        italic="CV-Serif-Italic",
        boldItalic="CV-Serif-Bold",
    )
    _fonts_ready = True


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(doc: Doc) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    register_fonts()
    size = landscape(A4) if doc.landscape else A4
    # ND 30/2020 margins: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(
        buf,
        pagesize=size,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=doc.title,
        author=doc.agency,
        creator="Công Vụ",
    )
    width = size[0] - 45 * mm
    base = ParagraphStyle(
        "base", fontName="CV-Serif", fontSize=12, leading=16, alignment=TA_JUSTIFY
    )
    small = ParagraphStyle("small", parent=base, fontSize=10, leading=13)
    centre = ParagraphStyle("centre", parent=base, alignment=TA_CENTER, fontSize=12)
    centre_b = ParagraphStyle("centre_b", parent=centre, fontName="CV-Serif-Bold")
    cell = ParagraphStyle("cell", parent=base, fontSize=10, leading=12, alignment=0)
    cell_b = ParagraphStyle("cell_b", parent=cell, fontName="CV-Serif-Bold", alignment=TA_CENTER)

    # The motto must sit on one line: 11 pt DejaVu Serif Bold is about 95 mm wide.
    head = ParagraphStyle("head", parent=centre, fontSize=11, leading=14)
    head_b = ParagraphStyle("head_b", parent=head, fontName="CV-Serif-Bold")
    header = RLTable(
        [
            [Paragraph(esc(doc.agency_parent), head), Paragraph(f"<b>{MOTTO_1}</b>", head_b)],
            [
                Paragraph(f"<b>{esc(doc.agency)}</b>", head_b),
                Paragraph(f"<b><u>{MOTTO_2}</u></b>", head_b),
            ],
            [Paragraph(esc(doc.number), head), Paragraph(f"<i>{esc(doc.place_date)}</i>", head)],
        ],
        colWidths=[width * 0.37, width * 0.63],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [header, Spacer(1, 8 * mm), Paragraph(f"<b>{esc(doc.title)}</b>", centre_b)]
    if doc.subtitle:
        story.append(Paragraph(f"<b>{esc(doc.subtitle)}</b>", centre_b))
    story.append(Spacer(1, 5 * mm))
    for block in doc.blocks:
        if isinstance(block, Table):
            total = sum(block.widths)
            data = [[Paragraph(esc(h), cell_b) for h in block.headers]]
            data += [[Paragraph(esc(v), cell) for v in r] for r in block.rows]
            t = RLTable(data, colWidths=[width * w / total for w in block.widths], repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ]
                )
            )
            story += [t, Spacer(1, 3 * mm)]
        else:
            story.append(Paragraph(esc(block), base))
    story.append(Spacer(1, 8 * mm))
    left: list[Any] = []
    if doc.recipients:
        left.append(Paragraph("<b><i>Nơi nhận:</i></b>", small))
        left += [Paragraph(esc(r), small) for r in doc.recipients]
    elif doc.sign_left_title:
        left += [
            Paragraph(f"<b>{esc(doc.sign_left_title)}</b>", centre_b),
            Paragraph("<i>(Ký, ghi rõ họ tên)</i>", centre),
            Spacer(1, 18 * mm),
            Paragraph(f"<b>{esc(doc.sign_left_name)}</b>", centre_b),
        ]
    right = [
        Paragraph(f"<b>{esc(doc.sign_right_title)}</b>", centre_b),
        Paragraph("<i>(Ký, ghi rõ họ tên, đóng dấu)</i>", centre),
        Spacer(1, 18 * mm),
        Paragraph(f"<b>{esc(doc.sign_right_name)}</b>", centre_b),
    ]
    sign = RLTable([[left, right]], colWidths=[width * 0.45, width * 0.55])
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(sign)
    pdf.build(story)
    # Signed with the agency's key when one is configured (congvu/lib/signing.py).
    from congvu.lib.signing import sign_pdf

    return sign_pdf(buf.getvalue(), reason=doc.title, location=place_name())
