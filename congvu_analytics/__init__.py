"""Công Vụ analytics: pure event-log analysis (Polars). Never imports Django."""

from __future__ import annotations

__version__ = "0.1.0"
