"""A sample edXML package as a document system sends it (written out by hand, not by our
writer), and the agency codes of the test organisation."""

from __future__ import annotations

import base64
from datetime import date

CODES = {"root": "000.00.00.H12", "so_a": "000.00.12.H12", "so_b": "000.00.13.H12"}
PDF = b"%PDF-1.4\n% van ban chi dao\n%%EOF\n"


def package(
    *,
    sender: str = CODES["root"],
    receivers: tuple[str, ...] = (CODES["so_a"], CODES["so_b"]),
    number: str = "125",
    notation: str = "UBND-KT",
    issued_on: date | None = None,
    subject: str = "Về việc rà soát thủ tục hành chính năm 2026",
    signer: str = "Nguyễn Văn Lãnh",
    due: str = "",
    attachment: bytes = PDF,
) -> bytes:
    day = issued_on or date.today()
    to = "".join(
        f"<edXML:To><edXML:OrganId>{c}</edXML:OrganId><edXML:OrganName>Đơn vị {c}"
        "</edXML:OrganName></edXML:To>"
        for c in receivers
    )
    due_el = f"<edXML:DueDate>{due}</edXML:DueDate>" if due else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLHeader>
    <edXML:MessageHeader>
      <edXML:From>
        <edXML:OrganId>{sender}</edXML:OrganId>
        <edXML:OrganName>Ủy ban nhân dân tỉnh Bình Minh</edXML:OrganName>
      </edXML:From>
      {to}
      <edXML:Code>
        <edXML:CodeNumber>{number}</edXML:CodeNumber>
        <edXML:CodeNotation>{notation}</edXML:CodeNotation>
      </edXML:Code>
      <edXML:PromulgationInfo>
        <edXML:Place>Bình Minh</edXML:Place>
        <edXML:PromulgationDate>{day:%Y/%m/%d}</edXML:PromulgationDate>
      </edXML:PromulgationInfo>
      <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
      <edXML:Subject>{subject}</edXML:Subject>
      <edXML:Content>Báo cáo kết quả về UBND tỉnh.</edXML:Content>
      <edXML:SignerInfo>
        <edXML:Competence>KT. CHỦ TỊCH</edXML:Competence>
        <edXML:Position>Phó Chủ tịch</edXML:Position>
        <edXML:FullName>{signer}</edXML:FullName>
      </edXML:SignerInfo>
      {due_el}
    </edXML:MessageHeader>
  </edXML:edXMLHeader>
  <edXML:edXMLBody>
    <edXML:AttachmentEncoded>
      <edXML:Attachment>
        <edXML:ContentId>att1</edXML:ContentId>
        <edXML:ContentType>application/pdf</edXML:ContentType>
        <edXML:Description>Văn bản</edXML:Description>
        <edXML:AttachmentName>125-UBND-KT.pdf</edXML:AttachmentName>
        <edXML:ContentTransferEncoded>{base64.b64encode(attachment).decode()}</edXML:ContentTransferEncoded>
      </edXML:Attachment>
    </edXML:AttachmentEncoded>
  </edXML:edXMLBody>
</edXML:edXMLEnvelope>
""".encode()


def give_codes(org) -> None:  # type: ignore[no-untyped-def]
    from congvu.exchange.codes import set_code
    from congvu.testing import ORG_START

    for key, code in CODES.items():
        set_code(org.units[key], code, ORG_START)
