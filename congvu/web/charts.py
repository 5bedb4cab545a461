"""Server-side SVG charts: no JavaScript, nothing fetched, readable without colour (every
chart has a text title and the page shows the same numbers in a table)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK, MUTED, GRID = "#1b2330", "#4a5568", "#d5dae1"
SERIES = ("#8a94a3", "#1e6b3a", "#a4161a")


def bar_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> SafeString:
    """Grouped bars, one group per label (months)."""
    width, height, left, bottom, top = 960, 260, 40, 36, 28
    n = max(len(labels), 1)
    peak = max([1, *(v for _, values in series for v in values)])
    # Four grid steps of a round whole number: 1, 2, 5 × a power of ten.
    raw = peak / 4
    magnitude = 10 ** max(0, len(str(math.ceil(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    peak = step * 4
    plot_w, plot_h = width - left - 10, height - bottom - top
    group_w = plot_w / n
    bar_w = max(2.0, group_w * 0.8 / max(len(series), 1))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="c-{id(labels)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="c-{id(labels)}">{escape(title)}</title>',
    ]
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{MUTED}">{int(value)}</text>'
        )
    for gi, label in enumerate(labels):
        x0 = left + gi * group_w + group_w * 0.1
        for si, (name, values) in enumerate(series):
            value = values[gi]
            h = plot_h * value / peak
            x = x0 + si * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{SERIES[si % 3]}">'
                f"<title>{escape(label)} — {escape(name)}: {value}</title></rect>"
            )
        parts.append(
            f'<text x="{x0 + group_w * 0.4:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    lx = left
    for si, (name, _) in enumerate(series):
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{SERIES[si % 3]}"/>')
        parts.append(
            f'<text x="{lx + 16}" y="16" font-size="12" fill="{INK}">{escape(name)}</text>'
        )
        lx += 24 + 7 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def network(
    title: str, nodes: Sequence[tuple[int, str, int]], edges: Sequence[tuple[int, int, int]]
) -> SafeString:
    """Units on a circle; an arrow A→B as wide as the number of hand-overs from A to B.

    nodes: (id, label, size); edges: (from, to, count).
    """
    width, height, radius = 900, 560, 215
    cx, cy = width / 2, height / 2
    pos: dict[int, tuple[float, float]] = {}
    count = max(len(nodes), 1)
    for i, (node_id, _, _) in enumerate(nodes):
        angle = 2 * math.pi * i / count - math.pi / 2
        pos[node_id] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    peak = max([1, *(c for _, _, c in edges)])
    parts = [
        f'<svg class="chart network" viewBox="0 0 {width} {height}" role="img" aria-labelledby="n-{id(nodes)}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="n-{id(nodes)}">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#8f1d1d"/></marker></defs>',
    ]
    labels = {node_id: label for node_id, label, _ in nodes}
    for src, dst, n in edges:
        if src not in pos or dst not in pos or src == dst:
            continue
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        # Curve to one side so that A→B and B→A (the ping-pong) are two visible arcs.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1
        bend = 0.18 * length
        qx, qy = mx - dy / length * bend, my + dx / length * bend
        # Stop the arrow at the node's edge.
        ex, ey = (
            x2 - (x2 - qx) / math.hypot(x2 - qx, y2 - qy) * 16,
            y2 - (y2 - qy) / math.hypot(x2 - qx, y2 - qy) * 16,
        )
        w = 1.5 + 6 * n / peak
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} Q{qx:.1f},{qy:.1f} {ex:.1f},{ey:.1f}" fill="none" stroke="#8f1d1d" stroke-opacity=".55" '
            f'stroke-width="{w:.1f}" marker-end="url(#arrow)"><title>{escape(labels[src])} → {escape(labels[dst])}: {n}</title></path>'
        )
    for node_id, label, weight in nodes:
        x, y = pos[node_id]
        r = 8 + min(10, weight**0.5)
        anchor = "start" if x >= cx else "end"
        tx = x + (r + 4 if x >= cx else -r - 4)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#f2c94c" stroke="{INK}"><title>{escape(label)}</title></circle>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{y + 4:.1f}" font-size="15" text-anchor="{anchor}" fill="{INK}">{escape(label[:30])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
