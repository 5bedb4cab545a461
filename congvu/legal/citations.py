"""Reading "the regulation(s) cited" by a legal-obstacle pause into (number, article) pairs.

People type citations freely ("Nghị định 15/2021/NĐ-CP, Điều 12 khoản 3; Luật Đất đai 2024
Điều 45"). Several citations are separated by ";" or a new line. The document number is the
ranking key: a "số/năm/ký hiệu" number when there is one, otherwise the text before the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"\d+/\d{4}/[\wĐđ\-]+", re.UNICODE)
_ARTICLE = re.compile(r"(điều\s+\d+[a-zđ]?\b.*)$", re.IGNORECASE | re.UNICODE)
_SPLIT = re.compile(r"[;\n]+")


@dataclass(frozen=True)
class Cited:
    number: str
    article: str

    @property
    def key(self) -> str:
        return " ".join(self.number.upper().split())[:120]


def parse(text: str) -> list[Cited]:
    """Every citation in the text, in order, without duplicates; empty parts are skipped."""
    out: list[Cited] = []
    for raw in _SPLIT.split(text):
        part = raw.strip(" ,.")
        if not part:
            continue
        article_match = _ARTICLE.search(part)
        article = article_match.group(1).strip(" ,.") if article_match else ""
        head = part[: article_match.start()] if article_match else part
        number_match = _NUMBER.search(part)
        number = number_match.group(0) if number_match else head.strip(" ,.") or part
        cited = Cited(number[:120], article[:120])
        if cited not in out:
            out.append(cited)
    return out
