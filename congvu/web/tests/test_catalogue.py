"""The English catalogue is committed compiled (runtime needs no gettext): check it is
complete and that the .mo matches the .po it was compiled from."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


def _entries() -> list[tuple[str, str, str]]:
    """(msgctxt or "", msgid, msgstr) of every entry."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    out = []
    for block in text.split("\n\n")[1:]:
        if "#, fuzzy" in block:
            out.append(("", "FUZZY", block))
            continue
        context = re.search(r'^msgctxt "(.*)"$', block, re.M)
        msgid = re.search(r'^msgid "(.*)"$', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? "(.*)"$', block, re.M)
        if msgid and msgstr:
            out.append(
                (
                    context.group(1) if context else "",
                    msgid.group(1).replace('\\"', '"'),
                    msgstr.group(1).replace('\\"', '"'),
                )
            )
    return out


def test_every_message_has_an_english_translation():
    entries = _entries()
    assert len(entries) > 250
    assert [e for e in entries if e[1] == "FUZZY"] == []
    assert [msgid for _context, msgid, msgstr in entries if not msgstr] == []


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = [
        msgid
        for context, msgid, msgstr in _entries()
        if "%" not in msgid
        and (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], "run: manage.py compilemessages"
