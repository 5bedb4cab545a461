"""API rate limits on django-ninja's throttling, with the rates read from settings.API_RATES.

Two budgets (README "Cấu hình"):

- ``user``: every authenticated call, keyed by the user id, whether it came with a bearer token
  or the web session, so that issuing more tokens does not raise a person's limit;
- ``anon``: calls without valid credentials, keyed by the client address. django-ninja checks
  throttles only after authentication has succeeded, so the API's 401 handler charges this
  budget (``anon_call_refused``): guessing tokens from one address ends in 429s.

The counters are in Django's default cache, a database table shared by all gunicorn workers.
Reading and writing a counter are two statements, so two calls that race may both pass at the
edge of the limit; the limit is a guard against runaway clients, not an exact quota.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _PerCallState(threading.local):
    key: str | None = None
    history: list[float]
    now: float = 0.0

    def __init__(self) -> None:
        self.history = []


class _SettingsRate(SimpleRateThrottle):
    """Reads its rate at each call (tests and operators change it without a re-import).

    django-ninja keeps one throttle object per API and calls ``allow_request`` then ``wait`` on
    it; gunicorn's threads would share that object, so the per-call state lives in a thread-local.
    """

    def __init__(self) -> None:  # the rate is looked up per call, not at import
        self._state = _PerCallState()

    # SimpleRateThrottle stores key/history/now as attributes between allow_request and wait.
    @property
    def key(self) -> str | None:
        return self._state.key

    @key.setter
    def key(self, value: str | None) -> None:
        self._state.key = value

    @property
    def history(self) -> list[float]:
        return self._state.history

    @history.setter
    def history(self, value: list[float]) -> None:
        self._state.history = value

    @property
    def now(self) -> float:
        return self._state.now

    @now.setter
    def now(self, value: float) -> None:
        self._state.now = value

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.API_RATES.get(self.scope or "")
        if self.rate is None:  # "off"
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def retry_after(self) -> int:
        """Whole seconds until the oldest counted call leaves the window (at least 1)."""
        if not self.history or self.duration is None:
            return 1
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))


class UserRate(_SettingsRate, UserRateThrottle):
    scope = "user"


class AnonRate(_SettingsRate, AnonRateThrottle):
    scope = "anon"


API_THROTTLES: list[Any] = [AnonRate(), UserRate()]
_ANON_REFUSED = AnonRate()


def anon_call_refused(request: HttpRequest) -> int | None:
    """Charge a call without valid credentials to its address; seconds to wait if over."""
    if _ANON_REFUSED.allow_request(request):
        return None
    return _ANON_REFUSED.retry_after()
