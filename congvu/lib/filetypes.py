"""Does a file's content match its extension? (issue #12: an attachment named .pdf could be
anything). A check of the format's signature (magic bytes) and, for the zip-based office
formats, of the part that makes the format: enough to refuse an executable or an HTML page
renamed, not a validator of the whole document."""

from __future__ import annotations

import zipfile
from typing import IO

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls (Compound File Binary)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".doc": (_OLE2,),
    ".xls": (_OLE2,),
}
# Zip containers: the member (or mimetype) each format must have.
_ZIP_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_ODF_MIME = {
    ".odt": b"application/vnd.oasis.opendocument.text",
    ".ods": b"application/vnd.oasis.opendocument.spreadsheet",
}


def content_matches(extension: str, fh: IO[bytes]) -> bool:
    """Whether the content of `fh` (rewound afterwards) is of the kind `extension` names."""
    ext = extension.lower()
    fh.seek(0)
    head = fh.read(64 * 1024)
    try:
        if ext in _SIGNATURES:
            return head.startswith(_SIGNATURES[ext])
        if ext == ".txt":
            return _is_text(head)
        if ext in _ZIP_PART or ext in _ODF_MIME:
            return head.startswith(b"PK\x03\x04") and _zip_of_kind(ext, fh)
        return False
    finally:
        fh.seek(0)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the 64 KB edge
        return exc.start >= len(head) - 3
    return True


def _zip_of_kind(ext: str, fh: IO[bytes]) -> bool:
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:  # reads the central directory only
            if ext in _ZIP_PART:
                return _ZIP_PART[ext] in zf.namelist()
            return zf.read("mimetype").strip() == _ODF_MIME[ext]
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
