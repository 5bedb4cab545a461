from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

PER_PAGE = 25


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    def __init__(self, items: Any, per_page: int, count: Callable[[], int]) -> None:
        super().__init__(items, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def paginate(
    request: HttpRequest,
    items: Any,
    per_page: int = PER_PAGE,
    count: Callable[[], int] | None = None,
) -> Page[Any]:
    """One page of `items` from ?page= (out-of-range pages clamp to the last one). `count`
    replaces `items.count()` when the caller knows a cheaper way to count the same rows."""
    paginator = (
        Paginator(items, per_page) if count is None else _CountedPaginator(items, per_page, count)
    )
    return paginator.get_page(request.GET.get("page"))
