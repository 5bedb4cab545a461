"""A job run's result (a small JSON dict) as a line a person reads, in Vietnamese."""

from __future__ import annotations

from typing import Any

# The result keys the registered jobs return (each app's jobs.py); an unknown key is shown as
# it is rather than dropped.
LABELS = {
    "skipped": "bỏ qua",
    "reminded": "lời nhắc đã gửi",
    "recorded": "đã ghi nhận coi như đồng ý",
    "checkpoint": "mốc kiểm tra niêm phong",
    "heads": "chuỗi nhiệm vụ",
    "signature": "chữ ký",
    "queued": "thư chờ gửi",
    "retried": "thư gửi lại",
    "sent": "thư đã gửi",
    "failed": "thư lỗi",
    "run": "lần chạy",
    "new": "phát hiện mới",
    "updated": "phát hiện cập nhật",
    "cleared": "phát hiện không còn",
    "units": "đơn vị",
    "people": "cán bộ",
    "tasks": "nhiệm vụ",
    "edges": "cặp chuyển giao",
    "period": "kỳ",
    "opened": "phiếu theo dõi đã mở",
    "products": "sản phẩm ghi nhận",
    "errors": "lỗi",
    "first_errors": "lỗi đầu tiên",
    # The webhook outbox (congvu.exchange.jobs): its "failed" are deliveries, not e-mails.
    "delivered": "sự kiện đã gửi",
    "busy": "bên nhận đang bận",
    "pruned": "sự kiện cũ đã dọn",
    # Early warnings of indicators at risk (congvu.indicators.jobs).
    "warned": "cảnh báo đã gửi",
    "emailed": "thư cảnh báo",
}
# A key whose word depends on the job that returned it.
IN_CONTEXT = {("delivered", "failed"): "lần gửi lỗi"}


def _value(value: Any) -> str:
    if value is None:
        return "không có"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, str) and len(value) > 24 and " " not in value:
        return value[:12] + "…"  # a hash: its head is enough to recognise it
    if isinstance(value, dict):
        return describe(value)
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "không có"
    return str(value)


def describe(result: Any) -> str:
    """{'2026-Q4': {'run': 9, 'new': 0}} -> '2026-Q4: lần chạy 9, phát hiện mới 0'."""
    if not isinstance(result, dict):
        return _value(result)
    if not result:
        return "không có việc cần làm"
    parts = []
    for key, value in result.items():
        label = next((w for (ctx, k), w in IN_CONTEXT.items() if k == key and ctx in result), None)
        if label is not None or key in LABELS:
            parts.append(f"{label or LABELS[key]} {_value(value)}")
        else:  # a period or another name: the value says what it is
            parts.append(f"{key}: {_value(value)}")
    return (
        "; ".join(parts) if any(isinstance(v, dict) for v in result.values()) else ", ".join(parts)
    )
