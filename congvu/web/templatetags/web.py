"""Filters for Vietnamese number formatting and small page helpers."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.formats import number_format

register = template.Library()


@register.filter
def num(value: Any, decimals: int | None = None) -> str:
    """1234567.5 → "1.234.567,5" in both languages (the documents' convention)."""
    if value is None or value == "":
        return "—"
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def pct(value: Any, decimals: int = 1) -> str:
    """0.8734 → "87,3 %"; None → "—" (too few tasks to judge)."""
    if value is None:
        return "—"
    return number_format(float(value) * 100, decimal_pos=decimals, use_l10n=True) + " %"


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], page: int) -> str:
    """The current URL with ?page= replaced, other filters kept."""
    query: QueryDict = context["request"].GET.copy()
    query["page"] = str(page)
    return "?" + query.urlencode()


@register.filter
def isodate(value: Any) -> str:
    """A payload's ISO date "2026-12-01" → "01/12/2026"."""
    from datetime import date

    try:
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


@register.filter
def reason_label(code: str) -> str:
    """A reason code of the event log in words (the code itself if unknown)."""
    from congvu.tasks.events import REASON_LABELS

    return str(REASON_LABELS.get(code, code))


@register.simple_tag
def pdf_signer() -> str:
    """Who signs the PDFs this server issues (its configured key), "" when they are unsigned."""
    from congvu.lib.errors import ActionError
    from congvu.lib.signing import signer_name

    try:
        return signer_name()
    except ActionError:
        return ""
