"""One comparison key for text people type: activity labels and reason values.

A province's export is written by other people and other software than its mapping, so the
same Vietnamese label reaches us in several spellings that a reader takes for one:

* Unicode form: "Hòa giải" typed on one system is NFC (``ò`` one code point), exported from
  another it is NFD (``o`` + combining grave);
* case: "Chuyển xử lý" / "CHUYỂN XỬ LÝ";
* spaces: around the text, doubled inside it, a non-breaking space from a spreadsheet;
* the tone mark of the vowel pairs ``oa``, ``oe``, ``uy``: the old placement on the first
  vowel ("hòa", "khỏe", "thủy", "ủy") and the new one on the second ("hoà", "khoẻ", "thuỷ",
  "uỷ") are both in daily use (the 2018 spelling rules of the Ministry of Education name the
  new one; decrees and most software still use the old).

:func:`text_key` is the one definition of "the same text"; :func:`label_key` applies it to each
part of an ``activity | lifecycle`` label; :func:`key_expr` applies either to a Polars column.
Keys are for comparison only: what users read (evidence, unknown-label warnings) keeps the
source's own spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import polars as pl

# Combining tone marks: grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below
# (nặng).
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
# Old placement (tone on the first vowel of oa/oe/uy) -> new placement (on the second). The new
# one is the key because closed syllables put it there in both styles ("hoàn", "khuyến"), so
# one placement covers every syllable.
_OLD_TO_NEW = {
    unicodedata.normalize("NFC", first + tone) + second: first
    + unicodedata.normalize("NFC", second + tone)
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in _TONES
}
_OLD_PLACEMENT = re.compile("|".join(_OLD_TO_NEW))
_SPACES = re.compile(r"\s+")

LABEL_SEPARATOR = " | "


def text_key(value: str) -> str:
    """The comparison key of a label or a reason value.

    NFC, case-folded, runs of white space (any Unicode space) as one space, no space at either
    end, and the tone of ``oa``/``oe``/``uy`` on the second vowel:
    ``text_key("  HÒA   giải ") == text_key("hoà giải") == "hoà giải"``.
    """
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", value).casefold())
    text = _SPACES.sub(" ", text).strip()
    return _OLD_PLACEMENT.sub(lambda m: _OLD_TO_NEW[m.group()], text)


def label_key(label: str) -> str:
    """:func:`text_key` of each part of ``activity | lifecycle`` (empty parts left out), joined
    by ``" | "``: "Chờ|Công dân" and "chờ  |  công dân" are the same label."""
    keys = (text_key(part) for part in label.split("|"))
    return LABEL_SEPARATOR.join(k for k in keys if k)


def key_expr(expr: pl.Expr, key: Callable[[str], str | None] = text_key) -> pl.Expr:
    """``key`` (:func:`text_key`, :func:`label_key` or a translation) of every value of a column; null stays
    null.

    Computed on each batch's distinct values and mapped back: a log has a few hundred labels
    over millions of rows, so this costs a hash lookup per row (4M rows of one label: 0.4 s,
    against 3.1 s for NFC, lower case and space collapsing as Polars expressions on every
    row).
    """

    def keys_of(values: pl.Series) -> pl.Series:
        values = values.cast(pl.String)
        distinct = values.drop_nulls().unique()
        keys = pl.Series([key(v) for v in distinct.to_list()], dtype=pl.String)
        return values.replace_strict(distinct, keys, default=None, return_dtype=pl.String)

    return expr.map_batches(keys_of, return_dtype=pl.String, is_elementwise=True)


def _without_marks(text: str) -> str:
    """Vietnamese text without tone and vowel marks (đ as d): "Tiep nhan" for "Tiếp nhận"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings: labels and reason codes)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


_DIGITS = re.compile(r"\d+")


def near_spelling(a: str, b: str) -> bool:
    """Two keys a person would take for one typed twice: marks left out, or one or two
    letters apart (one for short keys). Keys that differ in their digits are numbered
    items, not typos ("Bước 1" and "Bước 2")."""
    if a == b or _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    if _without_marks(a) == _without_marks(b):
        return True
    return _distance(a, b) <= (1 if min(len(a), len(b)) < 8 else 2)
