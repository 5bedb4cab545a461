from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from congvu.evaluation.models import Evaluation
from congvu.evaluation.tests.helpers import scored_month

pytestmark = pytest.mark.django_db


def test_evaluation_year_scores_the_average_and_opens_years(org, tmp_path: Path) -> None:
    scored_month(org.alice, org.tp_a1, 1)  # 100
    scored_month(org.alice, org.tp_a1, 2, done=5)  # 30 + 70 × 0.5 = 65
    out = StringIO()
    call_command("evaluation_year", "2026", "--unit", "STC-NS", "--dry-run", stdout=out)
    assert "82.50 điểm → Hoàn thành tốt nhiệm vụ" in out.getvalue()
    assert not Evaluation.objects.years().exists()
    call_command(
        "evaluation_year",
        "2026",
        "--unit",
        "STC-NS",
        "--open",
        "--export",
        str(tmp_path),
        stdout=StringIO(),
    )
    assert Evaluation.objects.years().count() == 2  # alice and tp_a1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "tong-hop-STC-NS-2026.pdf",
        "tong-hop-STC-NS-2026.xlsx",
    ]
    # Idempotent: nothing more to open.
    out = StringIO()
    call_command("evaluation_year", "2026", "--unit", "STC-NS", "--open", stdout=out)
    assert "Đã mở 0 kỳ" in out.getvalue()


def test_evaluation_year_fails_clearly_without_a_rule_set(org) -> None:
    with pytest.raises(CommandError, match="no_rule_set"):
        call_command("evaluation_year", "2019", "--unit", "STC-NS", stdout=StringIO())
    with pytest.raises(CommandError, match="Không có đơn vị"):
        call_command("evaluation_year", "2026", "--unit", "NOPE", stdout=StringIO())


def test_seed_evaluation_demo_runs_the_real_flow(org) -> None:
    from congvu.audit import log as audit

    out = StringIO()
    call_command("seed_evaluation_demo", "--unit", "STC", "--months", "2", stdout=out)
    assert "kỳ tháng" in out.getvalue()
    assert Evaluation.objects.periods().finalised().exists()
    assert Evaluation.objects.years().finalised().exists()
    assert audit.verify() == []
