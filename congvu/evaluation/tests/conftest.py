from __future__ import annotations

from congvu.web.tests.browser import (  # noqa: F401 - browser fixtures for the page tests
    browser_as,
    chromium,
    flushable_log,
    page,
)
