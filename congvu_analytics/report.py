"""The self-contained HTML report of ``congvu analyze`` (Vietnamese, no external assets).

Everything is inline: CSS in a ``<style>`` element, pictures as SVG generated here. No
JavaScript, no fonts or scripts from the internet, so the file can be opened offline or
attached to a dossier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

import polars as pl

from congvu_analytics.schema import ACTIVITY, CASE_ID, TIMESTAMP, Activity

BEHAVIOUR_VI = {
    "buck_passing": "Đùn đẩy",
    "avoidance": "Né tránh",
    "stalling": "Làm việc cầm chừng",
    "fear": "Sợ trách nhiệm",
    "fear_of_responsibility": "Sợ trách nhiệm",
}
SUBJECT_VI = {"person": "Cán bộ", "unit": "Đơn vị"}
_WAITING = (Activity.WAIT.value, Activity.PAUSE.value)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#222;max-width:1200px}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right}.ids{font-family:monospace;font-size:.8rem;color:#555}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem 1rem}
.warn{color:#8a4b00}figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}
"""


def idle_gaps_days(events: pl.LazyFrame) -> pl.LazyFrame:
    """Days between consecutive events of a case (the custody idle time distribution).

    Returns:
        One column ``idle_days``.
    """
    return (
        events.sort([CASE_ID, TIMESTAMP], maintain_order=True)
        .select(
            idle_days=(
                pl.col(TIMESTAMP).shift(-1).over(CASE_ID) - pl.col(TIMESTAMP)
            ).dt.total_seconds()
            / 86400.0
        )
        .drop_nulls()
    )


def pause_share_per_case(events: pl.LazyFrame) -> pl.LazyFrame:
    """Share of each case's duration spent after a ``wait`` or ``pause`` event.

    Returns:
        ``case_id`` and ``pause_share`` (cases with zero duration are left out).
    """
    seconds = (pl.col(TIMESTAMP).shift(-1).over(CASE_ID) - pl.col(TIMESTAMP)).dt.total_seconds()
    return (
        events.sort([CASE_ID, TIMESTAMP], maintain_order=True)
        .with_columns(gap=seconds.fill_null(0))
        .group_by(CASE_ID)
        .agg(
            total=pl.col("gap").sum(),
            waiting=pl.col("gap").filter(pl.col(ACTIVITY).is_in(_WAITING)).sum(),
        )
        .filter(pl.col("total") > 0)
        .select(CASE_ID, pause_share=pl.col("waiting") / pl.col("total"))
    )


IDLE_BINS: tuple[tuple[float, str], ...] = (
    (1 / 24, "< 1 giờ"),
    (4 / 24, "1–4 giờ"),
    (1.0, "4–24 giờ"),
    (3.0, "1–3 ngày"),
    (7.0, "3–7 ngày"),
    (14.0, "1–2 tuần"),
    (30.0, "2–4 tuần"),
    (90.0, "1–3 tháng"),
    (math.inf, "> 3 tháng"),
)


def binned(values: list[float], edges: tuple[tuple[float, str], ...]) -> list[tuple[str, int]]:
    """Count values into bins given by (upper bound, label), upper bounds exclusive."""
    counts = [0] * len(edges)
    for v in values:
        for i, (upper, _) in enumerate(edges):
            if v < upper:
                counts[i] += 1
                break
    return [(label, c) for (_, label), c in zip(edges, counts, strict=True)]


def share_bins(values: list[float], n: int = 10) -> list[tuple[str, int]]:
    """Shares in [0, 1] counted into n equal bins labelled in percent."""
    counts = [0] * n
    for v in values:
        counts[min(int(v * n), n - 1)] += 1
    step = 100 // n
    return [(f"{i * step}–{(i + 1) * step}%", c) for i, c in enumerate(counts)]


def bars_svg(bins: list[tuple[str, int]], *, title: str, xlabel: str) -> str:
    """A bar chart (histogram of pre-binned counts) as an inline SVG string."""
    if not bins or sum(c for _, c in bins) == 0:
        return f'<p class="warn">{escape(title)}: không có dữ liệu.</p>'
    width, height, left, bottom, top_pad = 720, 260, 50, 60, 20
    top = max(c for _, c in bins)
    bar_w = (width - left - 10) / len(bins)
    plot_h = height - bottom - top_pad
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#444"/>',
    ]
    for i, (label, c) in enumerate(bins):
        h = plot_h * c / top
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - bottom - h:.1f}" width="{bar_w - 4:.1f}" '
            f'height="{h:.1f}" fill="#4a78b5"><title>{escape(label)}: {thousands(c)}</title></rect>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom - h - 4:.1f}" font-size="10" '
            f'text-anchor="middle">{thousands(c)}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 15}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{left + (width - left) / 2:.1f}" y="{height - 15}" font-size="12" '
        f'text-anchor="middle">{escape(xlabel)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def thousands(value: int) -> str:
    """Vietnamese thousands separator: 65533 -> 65.533."""
    return f"{value:,}".replace(",", ".")


def network_svg(edges: pl.DataFrame, *, max_edges: int = 30) -> str:
    """The hand-over network (unit level) as an inline SVG: nodes on a circle, arrows sized
    by the number of hand-overs, red where a large share came straight back (ping-pong)."""
    if edges.height == 0:
        return '<p class="warn">Không có lượt chuyển giao nào giữa các đơn vị.</p>'
    top = edges.sort(["count", "from_holder", "to_holder"], descending=[True, False, False]).head(
        max_edges
    )
    names = sorted(
        set(top.get_column("from_holder").to_list()) | set(top.get_column("to_holder").to_list())
    )
    size, radius = 760, 270
    cx = cy = size / 2
    pos = {
        n: (
            cx + radius * math.cos(2 * math.pi * i / len(names) - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / len(names) - math.pi / 2),
        )
        for i, n in enumerate(names)
    }
    biggest = max(top.get_column("count").to_list())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
        'aria-label="Mạng lưới chuyển giao giữa các đơn vị">',
        '<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/>'
        "</marker></defs>",
    ]
    for row in top.iter_rows(named=True):
        (x1, y1), (x2, y2) = pos[row["from_holder"]], pos[row["to_holder"]]
        # Shorten the line so the arrow stops at the node circle, and bend it slightly so that
        # A->B and B->A stay distinguishable.
        dx, dy = x2 - x1, y2 - y1
        dist = math.hypot(dx, dy) or 1.0
        ux, uy = dx / dist, dy / dist
        sx, sy, ex, ey = x1 + ux * 14, y1 + uy * 14, x2 - ux * 14, y2 - uy * 14
        mx, my = (sx + ex) / 2 - uy * 20, (sy + ey) / 2 + ux * 20
        share = row.get("came_back_share") or 0.0
        color = f"rgb({int(80 + 175 * share)},{int(90 - 60 * share)},{int(140 - 110 * share)})"
        w = 1 + 5 * row["count"] / biggest
        tip = (
            f"{row['from_holder']} → {row['to_holder']}: {row['count']} lượt, quay lại {share:.0%}"
        )
        parts.append(
            f'<path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" fill="none" '
            f'stroke="{color}" stroke-width="{w:.1f}" marker-end="url(#arr)" opacity="0.8">'
            f"<title>{escape(tip)}</title></path>"
        )
    for name, (x, y) in pos.items():
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="12" fill="#fff" stroke="#333"/>')
        # Labels sit outside the circle, along the radius, so they never cover the edges.
        ux, uy = (x - cx) / radius, (y - cy) / radius
        lx, ly = x + ux * 20, y + uy * 20 + 4
        anchor = "start" if ux > 0.2 else "end" if ux < -0.2 else "middle"
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}">'
            f"{escape(str(name))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _ids(values: list[str] | None, limit: int = 8) -> str:
    values = list(values or [])
    shown = ", ".join(escape(v) for v in values[:limit])
    more = f" … (+{len(values) - limit})" if len(values) > limit else ""
    return shown + more


def _findings_table(findings: pl.DataFrame, limit: int) -> str:
    if findings.height == 0:
        return "<p>Không có phát hiện nào vượt ngưỡng.</p>"
    top = findings.sort(["strength", "finding_id"], descending=[True, False], nulls_last=True).head(
        limit
    )
    rows = []
    for r in top.iter_rows(named=True):
        rows.append(
            "<tr>"
            f"<td>{escape(BEHAVIOUR_VI.get(r['behaviour'], r['behaviour']))}</td>"
            f"<td>{escape(SUBJECT_VI.get(r['subject_type'], r['subject_type']))} "
            f"{escape(str(r['subject_id']))}</td>"
            f"<td>{escape(str(r['sentence']))}</td>"
            f'<td class="num">{(r["strength"] or 0):.2f}</td>'
            f'<td class="ids">{_ids(r["evidence_event_ids"])}</td>'
            f'<td class="ids">{_ids(r["case_ids"], 5)}</td>'
            "</tr>"
        )
    return (
        "<table><thead><tr><th>Hành vi</th><th>Đối tượng</th><th>Mô tả</th><th>Mức độ</th>"
        "<th>Sự kiện làm bằng chứng</th><th>Hồ sơ</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


@dataclass(frozen=True)
class Distributions:
    """The report's two histograms as counts per bin (they add up over buckets of cases)."""

    idle: tuple[int, ...]  # per IDLE_BINS
    pause: tuple[int, ...]  # per share bin (SHARE_BINS)

    def __add__(self, other: Distributions) -> Distributions:
        return Distributions(
            tuple(a + b for a, b in zip(self.idle, other.idle, strict=True)),
            tuple(a + b for a, b in zip(self.pause, other.pause, strict=True)),
        )


SHARE_BINS = 10


def _counts(values: pl.Series, index: pl.Expr, n: int) -> tuple[int, ...]:
    found = dict(values.to_frame("v").select(index.alias("i")).group_by("i").len().iter_rows())
    return tuple(int(found.get(i, 0)) for i in range(n))


def distributions(events: pl.LazyFrame) -> Distributions:
    """Idle gaps and pause shares of a log (or of whole cases of it) counted into the bins of
    :func:`binned` and :func:`share_bins`, in Polars rather than per value in Python."""
    idle = idle_gaps_days(events).collect().get_column("idle_days")
    pause = pause_share_per_case(events).collect().get_column("pause_share")
    v = pl.col("v")
    # The first bin whose upper bound exceeds the value, as in binned().
    idle_index = pl.sum_horizontal([(v >= upper).cast(pl.Int32) for upper, _ in IDLE_BINS])
    share_index = (v * SHARE_BINS).floor().cast(pl.Int64).clip(upper_bound=SHARE_BINS - 1)
    return Distributions(
        _counts(idle, idle_index, len(IDLE_BINS)), _counts(pause, share_index, SHARE_BINS)
    )


def build_html(
    events: pl.DataFrame | None,
    findings: pl.DataFrame,
    handover: pl.DataFrame,
    *,
    load: dict[str, Any],
    warnings: list[str],
    top: int = 50,
    shapes: Distributions | None = None,
) -> str:
    """The whole report as one HTML string.

    Args:
        events: canonical events (None when ``shapes`` is given).
        findings: ``DetectionResult.findings``.
        handover: ``DetectionResult.handover`` (``level``, ``from_holder``, ``to_holder``,
            ``count``, ``came_back_share``).
        load: the load report as a dict (file, counts, repairs).
        warnings: Vietnamese warnings from loading.
        top: how many findings to list.
        shapes: the histograms, when the log was analysed bucket by bucket.
    """
    if shapes is None:
        if events is None:
            raise ValueError("build_html needs the events or their distributions")
        shapes = distributions(events.lazy())
    step = 100 // SHARE_BINS
    idle_bins = [(label, c) for (_, label), c in zip(IDLE_BINS, shapes.idle, strict=True)]
    pause_bins = [(f"{i * step}–{(i + 1) * step}%", c) for i, c in enumerate(shapes.pause)]
    unit_edges = (
        handover.filter(pl.col("level") == "unit") if "level" in handover.columns else handover
    )
    by_behaviour = (
        findings.group_by("behaviour").len().sort("behaviour") if findings.height else findings
    )
    summary_rows = "".join(
        f"<tr><td>{escape(BEHAVIOUR_VI.get(b, b))}</td><td class='num'>{thousands(n)}</td></tr>"
        for b, n in (by_behaviour.iter_rows() if findings.height else [])
    )
    warn_html = "".join(f'<li class="warn">{escape(w)}</li>' for w in warnings)
    generated = datetime.now(UTC).strftime("%d/%m/%Y %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Công Vụ — Báo cáo phân tích nhật ký</title>
<style>{_CSS}</style></head><body>
<h1>Báo cáo phân tích nhật ký sự kiện</h1>
<p>Tệp: <code>{escape(str(load.get("path", "")))}</code> — {thousands(int(load.get("n_events", 0)))} sự kiện,
{thousands(int(load.get("n_cases", 0)))} hồ sơ/nhiệm vụ. Tạo lúc {generated}.</p>
<p class="note">Các phát hiện dưới đây là <strong>bằng chứng để xem xét</strong>, không phải kết luận
vi phạm. Mỗi phát hiện cần được người liên quan giải trình và thủ trưởng xác nhận hoặc bác bỏ.</p>
{f"<h2>Cảnh báo khi đọc dữ liệu</h2><ul>{warn_html}</ul>" if warnings else ""}
<h2>Tổng hợp phát hiện</h2>
<table><thead><tr><th>Hành vi</th><th>Số phát hiện</th></tr></thead><tbody>{summary_rows}</tbody></table>
<h2>Các phát hiện nổi bật (tối đa {top})</h2>
{_findings_table(findings, top)}
<h2>Mạng lưới chuyển giao giữa các đơn vị</h2>
<figure>{network_svg(unit_edges)}<figcaption>Mũi tên từ đơn vị giao sang đơn vị nhận; nét càng dày càng
nhiều lượt; càng đỏ thì tỷ lệ bị chuyển trả lại ngay (A→B→A) càng cao. Chỉ vẽ các cặp nhiều lượt nhất.
</figcaption></figure>
<h2>Phân bố thời gian không có hoạt động</h2>
<figure>{bars_svg(idle_bins, title="Khoảng cách giữa hai sự kiện liên tiếp", xlabel="thời gian giữa hai sự kiện liên tiếp của một hồ sơ")}
<figcaption>Mỗi cột: số khoảng thời gian giữa hai sự kiện liên tiếp của cùng một hồ sơ ({thousands(sum(shapes.idle))} khoảng).</figcaption></figure>
<h2>Phân bố tỷ lệ thời gian tạm dừng/chờ</h2>
<figure>{bars_svg(pause_bins, title="Tỷ lệ thời gian chờ trên mỗi hồ sơ", xlabel="phần thời gian của hồ sơ ở trạng thái chờ/tạm dừng")}
<figcaption>Mỗi cột: số hồ sơ theo phần thời gian sau một sự kiện chờ hoặc tạm dừng ({thousands(sum(shapes.pause))} hồ sơ).</figcaption></figure>
</body></html>
"""
