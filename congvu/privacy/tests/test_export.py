"""Exports for analysis carry no names: pseudonyms or nothing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from congvu.tasks import actions as A

pytestmark = pytest.mark.django_db


def _one_task(org) -> None:  # type: ignore[no-untyped-def]
    task = A.do_assign(
        assigner=org.gd_a,
        title="Báo cáo",
        lead_unit=org.a1,
        lead_person=org.alice,
        working_days=5,
        source_number="1/UBND",
    )
    A.do_accept(task, org.alice)


def test_a_pseudonymised_export_has_no_person_code_and_stable_pseudonyms(
    org, tmp_path: Path
) -> None:
    _one_task(org)
    out = tmp_path / "p.parquet"
    call_command("export_pseudonymised", str(out))
    frame = pl.read_parquet(out)
    codes = {"ALICE", "GD_A"}
    assert not codes & set(frame["actor"].drop_nulls().to_list())
    assert frame["actor"].drop_nulls().n_unique() == 2  # assigner and lead, still told apart
    call_command("export_pseudonymised", str(tmp_path / "q.parquet"))
    assert pl.read_parquet(tmp_path / "q.parquet")["actor"].to_list() == frame["actor"].to_list()


def test_a_deidentified_export_drops_people_and_folds_small_units(org, tmp_path: Path) -> None:
    _one_task(org)
    out = tmp_path / "d.parquet"
    call_command("export_pseudonymised", str(out), "--mode", "deidentified", "--k", "5")
    frame = pl.read_parquet(out)
    assert "actor" not in frame.columns and "target_actor" not in frame.columns
    assert set(frame["unit"].to_list()) == {"(khác)"}
