"""Attachment content against its extension (issue #12), on real files of each kind."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from congvu.lib.filetypes import content_matches


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _xlsx() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


GOOD = {
    ".pdf": b"%PDF-1.7\n...",
    ".png": b"\x89PNG\r\n\x1a\n....",
    ".jpg": b"\xff\xd8\xff\xe0....",
    ".doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....",
    ".xlsx": _xlsx(),
    ".docx": _zip({"[Content_Types].xml": b"", "word/document.xml": b"<w/>"}),
    ".odt": _zip({"mimetype": b"application/vnd.oasis.opendocument.text"}),
    ".txt": "Báo cáo tiến độ".encode(),
}


@pytest.mark.parametrize("ext", list(GOOD))
def test_each_kind_is_recognised(ext):
    assert content_matches(ext, io.BytesIO(GOOD[ext]))


@pytest.mark.parametrize(
    ("ext", "content"),
    [
        (".pdf", b"MZ\x90\x00"),
        (".png", b"<html><script>"),
        (".docx", GOOD[".xlsx"]),  # a zip, but a workbook
        (".xlsx", b"PK\x03\x04 not really a zip"),
        (".ods", GOOD[".odt"]),
        (".txt", b"\x7fELF\x00\x00"),
        (".exe", b"MZ"),
    ],
)
def test_a_mismatch_is_refused(ext, content):
    fh = io.BytesIO(content)
    assert not content_matches(ext, fh)
    assert fh.tell() == 0  # rewound for the caller
