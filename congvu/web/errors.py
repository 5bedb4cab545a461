"""The page for an unexpected error, and the 503 for a database that is away.

Django calls `server_error` (handler500) inside the except block of whatever failed, wherever
it failed: in a view or in a middleware that reads the session or the user. A lost database
connection (PostgreSQL stopped or restarting) is answered 503 with a Vietnamese page, or a JSON
error under /api/; anything else 500 the same way. Neither shows a traceback, and neither touches
the database: the templates are rendered without a request, so no context processor runs.
Django drops the broken connection at the end of the request, so the next request reconnects
by itself once the database is back.
"""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

RETRY_AFTER_S = 30


def database_unavailable(exc: BaseException | None) -> bool:
    """True for a lost or refused connection (not for a bad query or a constraint)."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def server_error(request: HttpRequest) -> HttpResponse:
    exc = sys.exc_info()[1]
    unavailable = database_unavailable(exc)
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        body = (
            {
                "code": "unavailable",
                "message": "Hệ thống tạm thời không kết nối được cơ sở dữ liệu; vui lòng thử lại sau.",
                "field": None,
            }
            if unavailable
            else {"code": "server_error", "message": "Lỗi hệ thống; đã ghi nhận.", "field": None}
        )
        response: HttpResponse = JsonResponse(body, status=status)
    else:
        response = HttpResponse(render_to_string(f"{status}.html"), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_S)
    return response
