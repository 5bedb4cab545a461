"""edXML packages (QCVN 102:2016/BTTTT and its 2022 amendment, see docs/integration.md):
read an incoming one safely, write the outgoing report.

Reading: defusedxml refuses a DTD, entity declarations and external references (no billion
laughs, no network, no local file read); the package size is checked before parsing. Element
names are matched by their local name, so a package in the standard's namespace or in none
reads the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring  # nosec B405 - writing only; parsing is defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from congvu.lib.errors import ActionError, refuse_all

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
MAX_PACKAGE_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class Organ:
    code: str
    name: str


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


@dataclass
class Package:
    """What a package says, before anything in the database is looked at."""

    sender: Organ
    receivers: list[Organ]
    number: str  # CodeNumber/CodeNotation, as the register writes it: "12/UBND-KT"
    issued_on: date
    subject: str
    signer: str
    due_on: date | None
    content: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    sha256: str = ""
    raw: bytes = b""  # the package as received
    signed_by: str = ""  # the certificate that signed the package ("" when unsigned)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _children(el: Element | None, name: str) -> list[Element]:
    return [] if el is None else [c for c in el if _local(c.tag) == name]


def _text(el: Element | None, *path: str) -> str:
    for name in path:
        el = _child(el, name)
    return (el.text or "").strip() if el is not None else ""


DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),
)


def parse_date(text: str) -> date | None:
    """yyyy/mm/dd (the standard), yyyy-mm-dd, or dd/mm/yyyy; None if none fits."""
    for rx in DATE_FORMATS:
        m = rx.match(text.strip()[:10])
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
    return None


def _missing(what: str, field_name: str) -> ActionError:
    return ActionError("missing_field", f"Gói tin thiếu {what} ({field_name}).", field=field_name)


def _parse(data: bytes) -> Element:
    if len(data) > MAX_PACKAGE_BYTES:
        raise ActionError(
            "too_large",
            f"Gói tin lớn hơn giới hạn {MAX_PACKAGE_BYTES // (1024 * 1024)} MB.",
            field="file",
        )
    try:
        root: Element = fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        raise ActionError(
            "unsafe_xml",
            f"Gói tin có khai báo DTD/thực thể XML không được phép ({type(exc).__name__}).",
            field="file",
        ) from None
    except (ParseError, ValueError) as exc:
        raise ActionError(
            "malformed_xml", f"Tệp không phải XML hợp lệ: {exc}.", field="file"
        ) from None
    # Systems on the national document-exchange platform wrap the envelope in an `edXML` root
    # that also carries the attachments (`AttachmentEncoded`, often outside any namespace);
    # others send the envelope alone. Both are read.
    if _local(root.tag) == "edXML" and _child(root, "edXMLEnvelope") is not None:
        return root
    if _local(root.tag) != "edXMLEnvelope":
        raise ActionError(
            "not_edxml",
            f"Phần tử gốc là “{_local(root.tag)}”, không phải edXML hay edXMLEnvelope.",
            field="file",
        )
    return root


def _envelope(root: Element) -> Element:
    return _child(root, "edXMLEnvelope") if _local(root.tag) == "edXML" else root  # type: ignore[return-value]


def _date_field(
    header: Element,
    path: tuple[str, ...],
    what: str,
    problems: list[ActionError],
    *,
    required: bool,
) -> date | None:
    raw = _text(header, *path)
    name = "/".join(path)
    if not raw:
        if required:
            problems.append(_missing(what, name))
        return None
    day = parse_date(raw)
    if day is None:
        problems.append(
            ActionError(
                "invalid_date",
                f"{what.capitalize()} “{raw}” không đúng dạng năm/tháng/ngày.",
                field=name,
            )
        )
    return day


def _attachments(root: Element, problems: list[ActionError]) -> list[Attachment]:
    """The attachments, from `edXMLBody/AttachmentEncoded` of the envelope or from the
    `AttachmentEncoded` beside it under an `edXML` root; a name missing on the attachment is
    taken from the manifest (`edXMLBody/edXMLManifest/Reference`) by its ContentId."""
    envelope = _envelope(root)
    body = _child(envelope, "edXMLBody")
    items = _children(_child(body, "AttachmentEncoded"), "Attachment")
    if root is not envelope:
        for encoded in _children(root, "AttachmentEncoded"):
            items += _children(encoded, "Attachment")
    manifest = {
        _text(ref, "ContentId"): ref
        for ref in _children(_child(body, "edXMLManifest"), "Reference")
    }
    if len(items) > MAX_ATTACHMENTS:
        problems.append(
            ActionError(
                "too_many_attachments",
                f"Gói tin có {len(items)} tệp đính kèm, quá giới hạn {MAX_ATTACHMENTS}.",
                field="Attachment",
            )
        )
    out: list[Attachment] = []
    for i, item in enumerate(items[:MAX_ATTACHMENTS], 1):
        ref = manifest.get(_text(item, "ContentId"))
        name = (
            _text(item, "AttachmentName")
            or _text(ref, "AttachmentName")
            or _text(item, "ContentId")
            or f"tep-{i}"
        )
        try:
            content = base64.b64decode(_text(item, "ContentTransferEncoded"), validate=True)
        except (binascii.Error, ValueError):
            problems.append(
                ActionError(
                    "invalid_attachment",
                    f"Tệp đính kèm “{name}” không đúng mã hóa base64.",
                    field="Attachment",
                )
            )
            continue
        out.append(
            Attachment(
                name,
                _text(item, "ContentType")
                or _text(ref, "ContentType")
                or "application/octet-stream",
                content,
            )
        )
    return out


def read_package(data: bytes) -> Package:
    """Parse a package; every problem found is reported together, in Vietnamese. Its XML
    signature is checked first (xmlsig): nothing of an unsigned or altered package is read."""
    from congvu.exchange.xmlsig import verify_package

    root = _parse(data)
    signature = verify_package(data)
    header = _child(_child(_envelope(root), "edXMLHeader"), "MessageHeader")
    if header is None:
        raise _missing("phần đầu thông điệp", "edXMLHeader/MessageHeader")
    problems: list[ActionError] = []
    sender = Organ(_text(header, "From", "OrganId"), _text(header, "From", "OrganName"))
    if not sender.code:
        problems.append(_missing("mã định danh cơ quan gửi", "From/OrganId"))
    receivers = [
        Organ(_text(to, "OrganId"), _text(to, "OrganName")) for to in _children(header, "To")
    ]
    if not receivers:
        problems.append(_missing("cơ quan nhận", "To"))
    problems += [
        _missing(f"mã định danh cơ quan nhận thứ {i}", "To/OrganId")
        for i, r in enumerate(receivers, 1)
        if not r.code
    ]
    code_number = _text(header, "Code", "CodeNumber")
    notation = _text(header, "Code", "CodeNotation")
    if not code_number:
        problems.append(_missing("số văn bản", "Code/CodeNumber"))
    if not notation:
        problems.append(_missing("ký hiệu văn bản", "Code/CodeNotation"))
    issued_on = _date_field(
        header, ("PromulgationInfo", "PromulgationDate"), "ngày ban hành", problems, required=True
    )
    subject = _text(header, "Subject")
    if not subject:
        problems.append(_missing("trích yếu", "Subject"))
    signer_el = _child(header, "SignerInfo")
    if not _text(signer_el, "FullName"):
        problems.append(_missing("người ký", "SignerInfo/FullName"))
    due_on = _date_field(header, ("DueDate",), "hạn xử lý", problems, required=False)
    attachments = _attachments(root, problems)
    refuse_all(problems)
    assert issued_on is not None
    signer = " ".join(t for t in (_text(signer_el, "Position"), _text(signer_el, "FullName")) if t)
    return Package(
        sender=sender,
        receivers=receivers,
        number=f"{code_number}/{notation}",
        issued_on=issued_on,
        subject=subject,
        signer=signer,
        due_on=due_on,
        content=_text(header, "Content"),
        attachments=attachments,
        sha256=hashlib.sha256(data).hexdigest(),
        raw=data,
        signed_by=signature.signer if signature else "",
    )


def _add(parent: Element, name: str, text: str | None = None) -> Element:
    el = SubElement(parent, f"{{{NS}}}{name}")
    if text is not None:
        el.text = text
    return el


def _organ(parent: Element, name: str, organ: Organ) -> None:
    el = _add(parent, name)
    _add(el, "OrganId", organ.code)
    _add(el, "OrganName", organ.name)


def write_package(
    *,
    sender: Organ,
    receivers: list[Organ],
    code_number: str,
    notation: str,
    issued_on: date,
    place: str,
    subject: str,
    content: str,
    signer_position: str,
    signer_name: str,
    response_for: tuple[str, str, date] | None = None,
    attachments: list[Attachment] = (),  # type: ignore[assignment]
) -> bytes:
    """An edXML package; `response_for` = (organ code, number, date) of the document this
    one answers (a report on a directive)."""
    root = Element(f"{{{NS}}}edXMLEnvelope")
    header = _add(_add(root, "edXMLHeader"), "MessageHeader")
    _organ(header, "From", sender)
    for r in receivers:
        _organ(header, "To", r)
    code = _add(header, "Code")
    _add(code, "CodeNumber", code_number)
    _add(code, "CodeNotation", notation)
    info = _add(header, "PromulgationInfo")
    _add(info, "Place", place)
    _add(info, "PromulgationDate", f"{issued_on:%Y/%m/%d}")
    doc_type = _add(header, "DocumentType")
    _add(doc_type, "Type", "1")
    _add(doc_type, "TypeName", "Báo cáo")
    _add(header, "Subject", subject)
    _add(header, "Content", content)
    signer = _add(header, "SignerInfo")
    _add(signer, "Position", signer_position)
    _add(signer, "FullName", signer_name)
    if response_for is not None:
        resp = _add(header, "ResponseFor")
        _add(resp, "OrganId", response_for[0])
        _add(resp, "Code", response_for[1])
        _add(resp, "PromulgationDate", f"{response_for[2]:%Y/%m/%d}")
    body = _add(_add(root, "edXMLBody"), "AttachmentEncoded")
    for i, a in enumerate(attachments, 1):
        item = _add(body, "Attachment")
        _add(item, "ContentId", f"att{i}")
        _add(item, "ContentType", a.content_type)
        _add(item, "Description", a.name)
        _add(item, "AttachmentName", a.name)
        _add(item, "ContentTransferEncoded", base64.b64encode(a.content).decode("ascii"))
    register_namespace("edXML", NS)
    text: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text
