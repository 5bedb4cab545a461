from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 25


def paginate(request: HttpRequest, items: Any, per_page: int = PER_PAGE) -> Page[Any]:
    """One page of `items` from ?page= (out-of-range pages clamp to the last one)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
