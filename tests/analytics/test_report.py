"""The offline HTML report: pictures generated here, names escaped, no external assets."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from congvu_analytics import schema as s
from congvu_analytics.report import (
    IDLE_BINS,
    binned,
    build_html,
    idle_gaps_days,
    network_svg,
    pause_share_per_case,
    share_bins,
)


def _events():
    frame = pl.DataFrame(
        {
            s.EVENT_ID: ["a1", "a2", "a3", "b1"],
            s.CASE_ID: ["A", "A", "A", "B"],
            s.ACTIVITY: ["assign", "pause", "complete", "assign"],
            s.TIMESTAMP: [
                datetime(2025, 3, 3, tzinfo=UTC),
                datetime(2025, 3, 4, tzinfo=UTC),
                datetime(2025, 3, 7, tzinfo=UTC),
                datetime(2025, 3, 3, tzinfo=UTC),
            ],
        }
    )
    return s.conform(frame.lazy()).collect()


def test_it_measures_idle_gaps_and_pause_share_per_case():
    ev = _events().lazy()
    assert idle_gaps_days(ev).collect().get_column("idle_days").to_list() == [1.0, 3.0]
    shares = pause_share_per_case(ev).collect()
    assert shares.get_column("pause_share").to_list() == [pytest.approx(0.75)]


def test_it_bins_values_for_readable_histograms():
    assert dict(binned([0.01, 0.5, 2.0, 200.0], IDLE_BINS))["< 1 giờ"] == 1
    assert dict(binned([0.01, 0.5, 2.0, 200.0], IDLE_BINS))["> 3 tháng"] == 1
    assert share_bins([0.0, 0.05, 1.0])[0] == ("0–10%", 2)


def test_it_escapes_names_in_the_network_and_the_findings():
    edges = pl.DataFrame(
        {
            "level": ["unit"],
            "from_holder": ["<script>x</script>"],
            "to_holder": ["Phòng B"],
            "count": [3],
            "came_back": [1],
            "came_back_share": [1 / 3],
        }
    )
    svg = network_svg(edges)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    findings = pl.DataFrame(
        {
            "finding_id": ["f"],
            "subject_type": ["unit"],
            "subject_id": ["<b>"],
            "behaviour": ["stalling"],
            "detector": ["idle"],
            "strength": [0.5],
            "rate": [0.5],
            "peer_rate": [0.1],
            "n": [4],
            "evidence_event_ids": [["a1", "a2"]],
            "case_ids": [["A"]],
            "sentence": ["Đơn vị <b> giữ hồ sơ quá lâu"],
        }
    )
    html = build_html(
        _events(), findings, edges, load={"n_events": 4, "n_cases": 2}, warnings=["Cảnh báo <x>"]
    )
    assert "<b>" not in html and "Đơn vị &lt;b&gt;" in html
    assert "Làm việc cầm chừng" in html and "a1, a2" in html and "&lt;x&gt;" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
